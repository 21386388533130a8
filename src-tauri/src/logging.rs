//! The log filter: `RUST_LOG` as the person running the app sets it (info
//! by default), except for the libraries that carry secrets on the wire.
//! At trace level zbus prints D-Bus messages (the Secret Service's answers
//! hold the API secret and tokens) and the HTTP stack prints headers and
//! bodies (bearer tokens, customers' details): those stay at `info` or
//! above whatever is asked. The app's own logs pass through
//! [`crate::aeropay::redact`] and never carry a secret at any level.
//!
//! `RUST_LOG` takes a comma-separated list of `level`, `target` and
//! `target=level` directives (the most specific target wins). It is read
//! into a [`Targets`] filter rather than an `EnvFilter`: span and field
//! filters are not needed here, and `EnvFilter`'s regex engine would weigh
//! on the binary.

use tracing_subscriber::filter::{LevelFilter, Targets};

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
/// library, and any of its modules, at `info` at most.
pub fn filter() -> Targets {
    filter_from(std::env::var("RUST_LOG").ok().as_deref())
}

fn filter_from(spec: Option<&str>) -> Targets {
    let asked = spec
        .and_then(parse)
        .unwrap_or_else(|| Targets::new().with_default(LevelFilter::INFO));
    let mut filter = Targets::new();
    if let Some(level) = asked.default_level() {
        filter = filter.with_default(level);
    }
    for (target, level) in asked.iter() {
        // `zbus::connection=trace` is more specific than `zbus=info`: it
        // would win, so it is lowered too.
        let level = if is_clamped(target) {
            level.min(LevelFilter::INFO)
        } else {
            level
        };
        filter = filter.with_target(target, level);
    }
    for target in CLAMPED {
        // Replaces an own directive for the same target (the last one wins).
        filter = filter.with_target(*target, LevelFilter::INFO);
    }
    filter
}

/// `RUST_LOG`'s directives, or `None` when any of them cannot be read (or
/// there are none): the caller then falls back to `info`.
fn parse(spec: &str) -> Option<Targets> {
    let mut targets = Targets::new();
    let mut any = false;
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        any = true;
        targets = match part.split_once('=') {
            Some((target, level)) if is_target(target) => {
                targets.with_target(target, level.parse::<LevelFilter>().ok()?)
            }
            Some(_) => return None,
            None => match part.parse::<LevelFilter>() {
                Ok(level) => targets.with_default(level),
                // A bare target: everything it logs.
                Err(_) if is_target(part) => targets.with_target(part, LevelFilter::TRACE),
                Err(_) => return None,
            },
        };
    }
    any.then_some(targets)
}

/// A module path such as `aeropay_onboarding::aeropay` (or a custom target
/// like `startup`).
fn is_target(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

fn is_clamped(target: &str) -> bool {
    CLAMPED.iter().any(|clamped| {
        target
            .strip_prefix(clamped)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with("::"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing::Level;
    use tracing_subscriber::layer::SubscriberExt;

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
        // A module of a clamped library is lowered too.
        let shown = filter_from(Some("trace,zbus::connection=trace")).to_string();
        assert!(shown.contains("zbus::connection=info"), "{shown}");
        // The app's own logs follow RUST_LOG.
        assert!(filter_from(Some("trace")).to_string().contains("trace"));
        // An unreadable RUST_LOG falls back to info.
        for unreadable in ["not a [filter", "app=loud", "a[{b}]=trace", "", " , "] {
            let fallback = filter_from(Some(unreadable)).to_string();
            assert!(
                fallback.split(',').any(|d| d == "info"),
                "{unreadable:?}: {fallback}"
            );
            assert!(!fallback.contains("trace"), "{unreadable:?}: {fallback}");
        }
    }

    /// What the filter lets through, checked on real events.
    fn logged(spec: &str, emit: impl FnOnce()) -> String {
        let buffer = std::sync::Arc::new(std::sync::Mutex::new(Vec::<u8>::new()));
        let writer = buffer.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(Level::TRACE)
            .with_writer(move || Writer(writer.clone()))
            .with_ansi(false)
            .without_time()
            .finish()
            .with(filter_from(Some(spec)));
        tracing::subscriber::with_default(subscriber, emit);
        let text = String::from_utf8(buffer.lock().unwrap().clone()).unwrap();
        text
    }

    struct Writer(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Writer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn rust_log_picks_targets_and_levels() {
        let emit = || {
            tracing::event!(target: "startup", Level::INFO, "startup-info");
            tracing::event!(target: "aeropay_onboarding::store", Level::DEBUG, "store-debug");
            tracing::event!(target: "aeropay_onboarding::store", Level::TRACE, "store-trace");
            tracing::event!(target: "other", Level::WARN, "other-warn");
            tracing::event!(target: "hyper::proto", Level::DEBUG, "hyper-debug");
            tracing::event!(target: "hyper::proto", Level::INFO, "hyper-info");
        };
        let shown = logged("startup=info", emit);
        assert!(shown.contains("startup-info"), "{shown}");
        assert!(!shown.contains("other-warn"), "{shown}");
        assert!(!shown.contains("store-debug"), "{shown}");

        let shown = logged("warn,aeropay_onboarding=debug,hyper=trace", emit);
        assert!(shown.contains("store-debug"), "{shown}");
        assert!(!shown.contains("store-trace"), "{shown}");
        assert!(shown.contains("other-warn"), "{shown}");
        assert!(!shown.contains("startup-info"), "{shown}");
        assert!(shown.contains("hyper-info"), "{shown}");
        assert!(!shown.contains("hyper-debug"), "{shown}");
    }
}
