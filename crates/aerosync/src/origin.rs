use super::AerosyncError;
use aeropay_client::Environment;
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

/// The origins the app window may frame in an environment: what the page's
/// CSP `frame-src` lists and where frames may navigate.
///
/// - sandbox and production: Aerosync's known hosts, nothing else;
/// - the simulator: its own origin, with its port (`simulator_origin`, known
///   once it listens); nothing when it is not given;
/// - a custom environment: its API base's origin (a simulator or stand-in
///   serving its own widget) and Aerosync's hosts. Its `fastlinkURL` is only
///   known when a customer opens the widget, after the window is built, so a
///   widget served from any other host cannot be framed (opening it fails
///   with `WIDGET_UNTRUSTED_ORIGIN`, see [`widget_origin`]).
pub fn frame_origins(environment: &Environment, simulator_origin: Option<&str>) -> Vec<String> {
    let known = || KNOWN_AEROSYNC_ORIGINS.iter().map(|o| o.to_string());
    match environment {
        Environment::Sandbox | Environment::Production => known().collect(),
        Environment::Simulator => simulator_origin.map(str::to_owned).into_iter().collect(),
        Environment::Custom { base_url } => {
            let mut origins: Vec<String> = match base_url.origin() {
                origin @ url::Origin::Tuple(..) => vec![origin.ascii_serialization()],
                url::Origin::Opaque(_) => Vec::new(),
            };
            for origin in known() {
                if !origins.contains(&origin) {
                    origins.push(origin);
                }
            }
            origins
        }
    }
}

/// The one origin the widget's messages may come from: for sandbox and
/// production, `fastlinkURL`'s origin, which must be a known Aerosync host;
/// for the simulator, `fastlinkURL`'s origin as is; for a custom environment,
/// `fastlinkURL`'s origin when the window may frame it (its API base's origin
/// or a known Aerosync host: [`frame_origins`]).
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
        Environment::Simulator => Ok(origin),
        Environment::Custom { .. } => {
            if frame_origins(environment, None).contains(&origin.0) {
                Ok(origin)
            } else {
                Err(AerosyncError::UntrustedWidgetOrigin {
                    origin: origin.as_str().to_owned(),
                })
            }
        }
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

    fn custom(base: &str) -> Environment {
        Environment::Custom {
            base_url: url(base),
        }
    }

    #[test]
    fn sandbox_and_production_frame_only_aerosync_hosts() {
        for environment in [Environment::Sandbox, Environment::Production] {
            assert_eq!(
                frame_origins(&environment, Some("http://127.0.0.1:41234")),
                KNOWN_AEROSYNC_ORIGINS.to_vec(),
                "{environment:?}"
            );
        }
    }

    #[test]
    fn the_simulator_frames_only_its_own_origin() {
        assert_eq!(
            frame_origins(&Environment::Simulator, Some("http://127.0.0.1:41234")),
            vec!["http://127.0.0.1:41234".to_owned()]
        );
        assert!(frame_origins(&Environment::Simulator, None).is_empty());
    }

    #[test]
    fn a_custom_environment_frames_its_base_origin_and_aerosync_hosts() {
        let origins = frame_origins(&custom("https://staging.example:8443/api/"), None);
        assert_eq!(origins[0], "https://staging.example:8443");
        assert_eq!(&origins[1..], KNOWN_AEROSYNC_ORIGINS);
        // A base on an Aerosync host is listed once.
        let origins = frame_origins(&custom("https://sync.aero.inc/"), None);
        assert_eq!(origins.len(), KNOWN_AEROSYNC_ORIGINS.len());
    }

    #[test]
    fn a_custom_widget_must_be_on_a_framed_origin() {
        let environment = custom("http://127.0.0.1:47811");
        let origin = widget_origin(&environment, &url("http://127.0.0.1:47811/aerosync/")).unwrap();
        assert_eq!(origin.as_str(), "http://127.0.0.1:47811");
        widget_origin(&environment, &url("https://sandbox.aerosync.com/")).unwrap();
        for elsewhere in [
            "http://127.0.0.1:47812/aerosync/",
            "https://widget.example/",
        ] {
            let err = widget_origin(&environment, &url(elsewhere)).unwrap_err();
            assert_eq!(err.code(), "WIDGET_UNTRUSTED_ORIGIN", "{elsewhere}");
        }
    }

    #[test]
    fn non_web_schemes_are_refused_everywhere() {
        let err = widget_origin(&Environment::Simulator, &url("javascript:alert(1)")).unwrap_err();
        assert_eq!(err.code(), "WIDGET_INVALID_URL");
        let err = widget_origin(&Environment::Simulator, &url("file:///etc/passwd")).unwrap_err();
        assert_eq!(err.code(), "WIDGET_INVALID_URL");
    }
}
