use super::{widget_origin, AerosyncError, WidgetOrigin};
use aeropay_client::secret::SecretString;
use aeropay_client::Environment;
use serde::{Deserialize, Serialize};
use url::Url;

/// Which widget SDK generation to emulate. It decides the `version` parameter
/// and so the shape of the `pageSuccess` payload the widget sends back
/// (reference §4.5): 1.x returns `user_id`/`user_password` for the v1 link
/// call, 2.x returns `connectionId` for the v2 one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum SdkVersion {
    #[serde(rename = "1.1.3")]
    V1_1_3,
    #[serde(rename = "2.0.5")]
    V2_0_5,
    #[default]
    #[serde(rename = "2.1.4")]
    V2_1_4,
}

impl SdkVersion {
    pub fn as_str(self) -> &'static str {
        match self {
            SdkVersion::V1_1_3 => "1.1.3",
            SdkVersion::V2_0_5 => "2.0.5",
            SdkVersion::V2_1_4 => "2.1.4",
        }
    }

    /// The `version` query parameter that generation's SDK sends: 2.1.x sends
    /// `2.0.0` (SDK 2.1.4 `launch()`); 1.x sends none. 2.0.5's own value is
    /// not documented, so its number is sent.
    pub fn version_param(self) -> Option<&'static str> {
        match self {
            SdkVersion::V1_1_3 => None,
            SdkVersion::V2_0_5 => Some("2.0.5"),
            SdkVersion::V2_1_4 => Some("2.0.0"),
        }
    }

    /// 1.x and 2.0.5 close the widget right after `pageSuccess`.
    pub fn closes_after_success(self) -> bool {
        !matches!(self, SdkVersion::V2_1_4)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

/// Merchant-chosen widget options (settings screen).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct WidgetOptions {
    pub configuration_id: Option<String>,
    pub deeplink: Option<String>,
    pub handle_oauth_manually: bool,
    pub theme: Theme,
    pub sdk_version: SdkVersion,
}

/// A configuration id the settings may hold: at most 200 bytes, no control
/// characters (it goes into the widget's URL).
pub fn configuration_id_ok(id: &str) -> bool {
    id.len() <= 200 && !id.chars().any(char::is_control)
}

/// Where to point the iframe and whom to listen to.
pub struct WidgetLaunch {
    /// Carries the widget token: only the iframe may see it.
    pub url: SecretString,
    pub origin: WidgetOrigin,
}

impl std::fmt::Debug for WidgetLaunch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WidgetLaunch")
            .field("url", &"<redacted: holds the widget token>")
            .field("origin", &self.origin)
            .finish()
    }
}

/// Builds the widget URL as the web SDK's `launch()` does: `fastlinkURL` as
/// the base, then `token`, `configurationId`, `deeplink`,
/// `handleOAuthManually`, `aeroPassUserUuid`, `defaultTheme`, `version`,
/// with empty values left out.
pub fn widget_url(
    environment: &Environment,
    fastlink_url: &str,
    widget_token: &SecretString,
    aero_pass_user_uuid: &str,
    options: &WidgetOptions,
) -> Result<WidgetLaunch, AerosyncError> {
    let mut url = Url::parse(fastlink_url).map_err(|_| AerosyncError::InvalidWidgetUrl)?;
    let origin = widget_origin(environment, &url)?;
    {
        let mut query = url.query_pairs_mut();
        query.append_pair("token", widget_token.expose());
        if let Some(id) = options
            .configuration_id
            .as_deref()
            .filter(|s| !s.is_empty())
        {
            query.append_pair("configurationId", id);
        }
        if let Some(link) = options.deeplink.as_deref().filter(|s| !s.is_empty()) {
            query.append_pair("deeplink", link);
        }
        if options.handle_oauth_manually {
            query.append_pair("handleOAuthManually", "true");
        }
        query.append_pair("aeroPassUserUuid", aero_pass_user_uuid);
        query.append_pair(
            "defaultTheme",
            match options.theme {
                Theme::Light => "light",
                Theme::Dark => "dark",
            },
        );
        if let Some(version) = options.sdk_version.version_param() {
            query.append_pair("version", version);
        }
    }
    Ok(WidgetLaunch {
        url: SecretString::new(String::from(url)),
        origin,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(launch: &WidgetLaunch) -> Vec<(String, String)> {
        Url::parse(launch.url.expose())
            .unwrap()
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn builds_the_sdk_launch_url_from_fastlink_url() {
        let launch = widget_url(
            &Environment::Sandbox,
            "https://sandbox.aerosync.com/",
            &"eyJ.widget.token".into(),
            "0b6f4a4e-user",
            &WidgetOptions {
                configuration_id: Some("cfg-1".into()),
                deeplink: Some("aeropay-onboarding://linked".into()),
                handle_oauth_manually: true,
                theme: Theme::Dark,
                sdk_version: SdkVersion::V2_1_4,
            },
        )
        .unwrap();
        assert!(launch
            .url
            .expose()
            .starts_with("https://sandbox.aerosync.com/?token="));
        assert_eq!(
            params(&launch),
            [
                ("token", "eyJ.widget.token"),
                ("configurationId", "cfg-1"),
                ("deeplink", "aeropay-onboarding://linked"),
                ("handleOAuthManually", "true"),
                ("aeroPassUserUuid", "0b6f4a4e-user"),
                ("defaultTheme", "dark"),
                ("version", "2.0.0"),
            ]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        assert_eq!(launch.origin.as_str(), "https://sandbox.aerosync.com");
    }

    #[test]
    fn empty_options_are_left_out() {
        let launch = widget_url(
            &Environment::Simulator,
            "http://127.0.0.1:5000/aerosync/",
            &"t".into(),
            "u",
            &WidgetOptions {
                configuration_id: Some(String::new()),
                sdk_version: SdkVersion::V1_1_3,
                ..WidgetOptions::default()
            },
        )
        .unwrap();
        let names: Vec<_> = params(&launch).into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, ["token", "aeroPassUserUuid", "defaultTheme"]);
    }

    #[test]
    fn debug_output_hides_the_token() {
        let launch = widget_url(
            &Environment::Simulator,
            "http://127.0.0.1:5000/",
            &"super-secret-widget-token".into(),
            "u",
            &WidgetOptions::default(),
        )
        .unwrap();
        assert!(!format!("{launch:?}").contains("super-secret-widget-token"));
    }

    #[test]
    fn an_untrusted_fastlink_url_is_refused() {
        let err = widget_url(
            &Environment::Production,
            "https://phish.example/",
            &"t".into(),
            "u",
            &WidgetOptions::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "WIDGET_UNTRUSTED_ORIGIN");
    }
}
