//! `/metrics`, Prometheus' text format:
//!
//! - `broker_requests_total{route, status}`: every answered request;
//! - `broker_errors_total{code}`: error answers by their code
//!   (`BROKER_RATE_LIMITED`, `AP111`, …);
//! - `broker_request_duration_seconds{route}`: latency histogram;
//! - `broker_merchant_token_mints_total`: merchant tokens this process minted;
//! - `broker_devices_active`: enrolled devices neither disabled nor revoked
//!   (read from the database at each scrape).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::time::Duration;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Route {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Code {
    code: String,
}

fn latency_histogram() -> Histogram {
    // 5 ms to about 20 s.
    Histogram::new(exponential_buckets(0.005, 2.0, 13))
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    errors: Family<Code, Counter>,
    latency: Family<Route, Histogram, fn() -> Histogram>,
    mints: Counter,
    devices_active: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RouteStatus, Counter>::default();
        let errors = Family::<Code, Counter>::default();
        let latency: Family<Route, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let mints = Counter::default();
        let devices_active = Gauge::default();
        registry.register(
            "broker_requests",
            "Requests answered, by route and HTTP status",
            requests.clone(),
        );
        registry.register(
            "broker_errors",
            "Error answers, by their code",
            errors.clone(),
        );
        registry.register(
            "broker_request_duration_seconds",
            "Time to answer, by route",
            latency.clone(),
        );
        registry.register(
            "broker_merchant_token_mints",
            "Merchant tokens minted by this process",
            mints.clone(),
        );
        registry.register(
            "broker_devices_active",
            "Enrolled devices that are neither disabled nor revoked",
            devices_active.clone(),
        );
        Self {
            registry,
            requests,
            errors,
            latency,
            mints,
            devices_active,
        }
    }
}

impl Metrics {
    pub fn request(&self, route: &str, status: u16, elapsed: Duration, error: Option<&str>) {
        self.requests
            .get_or_create(&RouteStatus {
                route: route.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&Route {
                route: route.to_owned(),
            })
            .observe(elapsed.as_secs_f64());
        if let Some(code) = error {
            self.errors
                .get_or_create(&Code {
                    code: code.to_owned(),
                })
                .inc();
        }
    }

    pub fn minted(&self) {
        self.mints.inc();
    }

    pub fn render(&self, devices_active: i64) -> String {
        self.devices_active.set(devices_active);
        let mut out = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}
