//! The log filter: `RUST_LOG` as the person running the app sets it (info
//! by default), except for the libraries that carry secrets on the wire.
//! At trace level zbus prints D-Bus messages (the Secret Service's answers
//! hold the API secret and tokens) and the HTTP stack prints headers and
//! bodies (bearer tokens, customers' details): those stay at `info` or
//! above whatever is asked. The app's own logs pass through
//! [`crate::aeropay::redact`] and never carry a secret at any level.

use tracing_subscriber::filter::{Directive, EnvFilter, LevelFilter};

/// Libraries whose debug and trace output may hold secrets or personal data.
const CLAMPED: &[&str] = &[
    "zbus",
    "secret_service",
    "keyring",
    "reqwest",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "tungstenite",
    "tower_http",
];

/// The filter for this run: `RUST_LOG` (or `info`), then each clamped
/// library at `info` at most.
pub fn filter() -> EnvFilter {
    filter_from(std::env::var("RUST_LOG").ok().as_deref())
}

fn filter_from(spec: Option<&str>) -> EnvFilter {
    let mut filter = spec
        .and_then(|spec| EnvFilter::try_new(spec).ok())
        .unwrap_or_else(|| EnvFilter::new("info"));
    for target in CLAMPED {
        // A directive added last for the same target wins over RUST_LOG's.
        if let Ok(directive) = format!("{target}={}", LevelFilter::INFO).parse::<Directive>() {
            filter = filter.add_directive(directive);
        }
    }
    filter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libraries_that_carry_secrets_stay_at_info_whatever_is_asked() {
        for spec in [Some("trace"), Some("zbus=trace,reqwest=trace"), None] {
            let shown = filter_from(spec).to_string();
            for target in CLAMPED {
                assert!(
                    shown.contains(&format!("{target}=info")),
                    "{spec:?}: {shown}"
                );
                assert!(
                    !shown.contains(&format!("{target}=trace")),
                    "{spec:?}: {shown}"
                );
            }
        }
        // The app's own logs follow RUST_LOG.
        assert!(filter_from(Some("trace")).to_string().contains("trace"));
        // An unreadable RUST_LOG falls back to info.
        let fallback = filter_from(Some("not a [filter")).to_string();
        assert!(fallback.split(',').any(|d| d == "info"), "{fallback}");
        assert!(!fallback.contains("trace"), "{fallback}");
    }
}
