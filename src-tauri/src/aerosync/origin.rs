use super::AerosyncError;
use crate::config::Environment;
use serde::Serialize;
use url::Url;

/// Aerosync's widget hosts as the SDKs and docs name them (reference §4.2).
/// Sandbox and production widgets must come from one of these; the CSP's
/// `frame-src` lists the same set.
pub const KNOWN_AEROSYNC_ORIGINS: &[&str] = &[
    "https://sandbox.aerosync.com",
    "https://www.sandbox.aerosync.com",
    "https://sync.aero.inc",
    "https://staging-sync.aero.inc",
];

/// `scheme://host[:port]`, exactly as a browser reports `MessageEvent.origin`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct WidgetOrigin(String);

impl WidgetOrigin {
    pub fn of(url: &Url) -> Result<Self, AerosyncError> {
        match url.origin() {
            origin @ url::Origin::Tuple(..) => Ok(Self(origin.ascii_serialization())),
            url::Origin::Opaque(_) => Err(AerosyncError::InvalidWidgetUrl),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, reported: &str) -> bool {
        self.0 == reported
    }
}

/// The one origin the widget's messages may come from: for sandbox and
/// production, `fastlinkURL`'s origin, which must be a known Aerosync host;
/// for the simulator and custom environments, `fastlinkURL`'s origin as is.
pub fn widget_origin(
    environment: &Environment,
    fastlink_url: &Url,
) -> Result<WidgetOrigin, AerosyncError> {
    if !matches!(fastlink_url.scheme(), "https" | "http") {
        return Err(AerosyncError::InvalidWidgetUrl);
    }
    let origin = WidgetOrigin::of(fastlink_url)?;
    match environment {
        Environment::Sandbox | Environment::Production => {
            if fastlink_url.scheme() == "https" && KNOWN_AEROSYNC_ORIGINS.contains(&origin.as_str())
            {
                Ok(origin)
            } else {
                Err(AerosyncError::UntrustedWidgetOrigin {
                    origin: origin.as_str().to_owned(),
                })
            }
        }
        Environment::Simulator | Environment::Custom { .. } => Ok(origin),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn sandbox_accepts_the_documented_fastlink_url() {
        let origin =
            widget_origin(&Environment::Sandbox, &url("https://sandbox.aerosync.com/")).unwrap();
        assert_eq!(origin.as_str(), "https://sandbox.aerosync.com");
        assert!(origin.matches("https://sandbox.aerosync.com"));
        assert!(!origin.matches("https://sandbox.aerosync.com.evil.example"));
    }

    #[test]
    fn production_refuses_unknown_hosts_and_plain_http() {
        for bad in [
            "https://evil.example/",
            "http://sync.aero.inc/",
            "https://sync.aero.inc.evil.example/",
        ] {
            let err = widget_origin(&Environment::Production, &url(bad)).unwrap_err();
            assert_eq!(err.code(), "WIDGET_UNTRUSTED_ORIGIN", "{bad}");
        }
    }

    #[test]
    fn simulator_uses_the_fastlink_origin_with_its_port() {
        let origin = widget_origin(
            &Environment::Simulator,
            &url("http://127.0.0.1:41234/aerosync/"),
        )
        .unwrap();
        assert_eq!(origin.as_str(), "http://127.0.0.1:41234");
        assert!(!origin.matches("http://127.0.0.1:41235"));
    }

    #[test]
    fn non_web_schemes_are_refused_everywhere() {
        let err = widget_origin(&Environment::Simulator, &url("javascript:alert(1)")).unwrap_err();
        assert_eq!(err.code(), "WIDGET_INVALID_URL");
        let err = widget_origin(&Environment::Simulator, &url("file:///etc/passwd")).unwrap_err();
        assert_eq!(err.code(), "WIDGET_INVALID_URL");
    }
}
