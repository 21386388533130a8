//! JSON log lines on standard output, one per event. `RUST_LOG` takes a
//! level or `target=level` pairs (`info`, `aeropay_onboarding_broker=debug`);
//! default `info`.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// The broker's log format, writing to `writer`, filtered by `filter`.
pub fn subscriber<W>(writer: W, filter: Targets) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .json()
                .with_current_span(false)
                .with_writer(writer),
        )
        .with(filter)
}

/// Installs the JSON logs on standard output for the process.
pub fn init() {
    let filter: Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let _ = subscriber(std::io::stdout, filter).try_init();
}
