//! How a client is set up: where Aeropay is, which API version, timeouts,
//! retries and how early tokens are renewed.

use super::types::ApiVersion;
use std::time::Duration;
use url::Url;

/// Where the API lives. v1 paths hang off the base URL, v2 paths off `<base>/v2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Environment {
    /// `https://api.sandbox-pay.aero.inc`
    Sandbox,
    /// `https://api.aeropay.com`
    Production,
    /// Any other base URL: staging, a local simulator, a test server.
    Custom(Url),
}

pub const SANDBOX_BASE_URL: &str = "https://api.sandbox-pay.aero.inc";
pub const PRODUCTION_BASE_URL: &str = "https://api.aeropay.com";

impl Environment {
    pub fn base_url(&self) -> Url {
        match self {
            // Constants known to parse; the fallback keeps this total.
            Environment::Sandbox => {
                Url::parse(SANDBOX_BASE_URL).unwrap_or_else(|_| unreachable_url())
            }
            Environment::Production => {
                Url::parse(PRODUCTION_BASE_URL).unwrap_or_else(|_| unreachable_url())
            }
            Environment::Custom(url) => url.clone(),
        }
    }
}

/// https, or plain http only to this machine (the simulator, tests): a
/// token or the API secret never crosses a network unencrypted. The client
/// refuses any other base URL; settings and `configure` check it first.
pub fn is_safe_base_url(url: &Url) -> bool {
    match url.scheme() {
        "https" => url.host().is_some(),
        "http" => match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            None => false,
        },
        _ => false,
    }
}

/// What to do about an address [`is_safe_base_url`] refuses.
pub const UNSAFE_BASE_URL_HINT: &str =
    "Use an https:// address, like https://staging-api.aeropay.com (plain http only for 127.0.0.1).";

fn unreachable_url() -> Url {
    // Only reachable if a constant above stopped parsing, which a unit test rules out.
    Url::parse("http://invalid.invalid").expect("literal URL")
}

/// Retries of operations that are safe to repeat (token, GETs, selecting the
/// default account). Creating a user, confirming a code and linking an
/// account are never repeated by the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = no retry).
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(2),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: Url,
    pub version: ApiVersion,
    pub connect_timeout: Duration,
    /// Whole request, from sending to the last byte of the answer.
    pub request_timeout: Duration,
    /// Answers larger than this are refused (read incrementally, never buffered whole).
    pub max_body_bytes: usize,
    pub retry: RetryPolicy,
    /// Tokens are renewed this long before they expire (at most half their lifetime).
    pub token_refresh_margin: Duration,
    /// Sent with every request; for test set-ups (e.g. a mock server's
    /// `Prefer` header), not needed against Aeropay.
    pub extra_headers: Vec<(String, String)>,
    pub user_agent: String,
}

impl ClientConfig {
    pub fn new(environment: Environment, version: ApiVersion) -> Self {
        Self {
            base_url: environment.base_url(),
            version,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 1024 * 1024,
            retry: RetryPolicy::default(),
            token_refresh_margin: Duration::from_secs(60),
            extra_headers: Vec::new(),
            user_agent: format!("aeropay-onboarding/{}", env!("CARGO_PKG_VERSION")),
        }
    }

    /// A custom base URL (staging, a simulator, a test server).
    pub fn with_base_url(base_url: Url, version: ApiVersion) -> Self {
        Self::new(Environment::Custom(base_url), version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_have_documented_hosts() {
        assert_eq!(
            Environment::Sandbox.base_url().as_str(),
            "https://api.sandbox-pay.aero.inc/"
        );
        assert_eq!(
            Environment::Production.base_url().as_str(),
            "https://api.aeropay.com/"
        );
        let config = ClientConfig::new(Environment::Sandbox, ApiVersion::V2);
        assert!(config.user_agent.starts_with("aeropay-onboarding/"));
        assert_eq!(config.max_body_bytes, 1 << 20);
    }
}
