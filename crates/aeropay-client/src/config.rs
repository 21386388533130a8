//! How a client is set up: where Aeropay is, which API version, timeouts,
//! retries and how early tokens are renewed.

use super::types::ApiVersion;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use url::Url;

/// Which Aeropay the app talks to; the settings file keeps it in this form
/// (`{"kind": "sandbox"}`). v1 paths hang off the base URL, v2 paths off
/// `<base>/v2`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Environment {
    /// The built-in loopback stand-in for Aeropay's sandbox and the Aerosync
    /// widget; its address is known once it runs.
    Simulator,
    /// `https://api.sandbox-pay.aero.inc`
    Sandbox,
    /// `https://api.aeropay.com`
    Production,
    /// Any other base URL (staging, a simulator run separately, a test
    /// server). The URL is the v1 base; v2 paths are `<base>/v2/...`.
    Custom { base_url: Url },
}

pub const SANDBOX_BASE_URL: &str = "https://api.sandbox-pay.aero.inc";
pub const PRODUCTION_BASE_URL: &str = "https://api.aeropay.com";

impl Environment {
    /// Stable short name, used in keychain account names and on screen.
    pub fn id(&self) -> String {
        match self {
            Environment::Simulator => "simulator".into(),
            Environment::Sandbox => "sandbox".into(),
            Environment::Production => "production".into(),
            Environment::Custom { base_url } => {
                let host = base_url.host_str().unwrap_or("unknown");
                match base_url.port() {
                    Some(port) => format!("custom:{host}:{port}"),
                    None => format!("custom:{host}"),
                }
            }
        }
    }

    /// What a shop assistant reads in the header (English).
    pub fn label(&self) -> String {
        match self {
            Environment::Simulator => "Simulator — no real bank data".into(),
            Environment::Sandbox => "Aeropay sandbox".into(),
            Environment::Production => "Production".into(),
            Environment::Custom { base_url } => format!("Custom ({base_url})"),
        }
    }

    pub fn is_simulated(&self) -> bool {
        matches!(self, Environment::Simulator)
    }

    /// The v1 base URL of the API; `None` for the simulator, whose port is
    /// only known once it runs.
    pub fn api_base(&self) -> Option<Url> {
        match self {
            Environment::Simulator => None,
            // Constants known to parse; the fallback keeps this total.
            Environment::Sandbox => {
                Some(Url::parse(SANDBOX_BASE_URL).unwrap_or_else(|_| unreachable_url()))
            }
            Environment::Production => {
                Some(Url::parse(PRODUCTION_BASE_URL).unwrap_or_else(|_| unreachable_url()))
            }
            Environment::Custom { base_url } => Some(base_url.clone()),
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
    /// The client of an environment with a fixed address; `None` for the
    /// simulator, whose address is known once it runs
    /// ([`with_base_url`](Self::with_base_url)).
    pub fn for_environment(environment: &Environment, version: ApiVersion) -> Option<Self> {
        environment
            .api_base()
            .map(|base_url| Self::with_base_url(base_url, version))
    }

    /// A client of the API at `base_url` (staging, a simulator, a test server).
    pub fn with_base_url(base_url: Url, version: ApiVersion) -> Self {
        Self {
            base_url,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environments_have_documented_hosts() {
        assert_eq!(
            Environment::Sandbox.api_base().unwrap().as_str(),
            "https://api.sandbox-pay.aero.inc/"
        );
        assert_eq!(
            Environment::Production.api_base().unwrap().as_str(),
            "https://api.aeropay.com/"
        );
        assert_eq!(Environment::Simulator.api_base(), None);
        let config = ClientConfig::for_environment(&Environment::Sandbox, ApiVersion::V2).unwrap();
        assert!(config.user_agent.starts_with("aeropay-onboarding/"));
        assert_eq!(config.max_body_bytes, 1 << 20);
    }
}
