//! The settings screen's form: what staff may change, checked before anything
//! is written. The API key and secret go to the keychain and are never sent
//! back to the page.

use crate::aerosync::WidgetOptions;
use crate::config::{ApiVersion, Environment, KioskTimers, Mode, Settings};
use crate::secret::SecretString;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use url::Url;

/// What the page sends.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SettingsForm {
    /// `simulator`, `sandbox`, `production` or `custom`.
    pub environment: String,
    #[serde(default)]
    pub base_url: String,
    pub api_version: ApiVersion,
    #[serde(default)]
    pub merchant_id: String,
    /// Empty: keep what the keychain holds.
    #[serde(default)]
    pub api_key: SecretString,
    #[serde(default)]
    pub api_secret: SecretString,
    #[serde(default)]
    pub widget: WidgetOptions,
    #[serde(default)]
    pub oauth_in_system_browser: bool,
    /// `kiosk` or `desk`; missing means desk.
    #[serde(default)]
    pub mode: Mode,
    /// The kiosk timers as typed, in seconds; missing means the default.
    #[serde(default)]
    pub kiosk_idle_seconds: Option<String>,
    #[serde(default)]
    pub kiosk_warning_seconds: Option<String>,
    #[serde(default)]
    pub kiosk_widget_idle_seconds: Option<String>,
    /// "More time": the kiosk's limits count double.
    #[serde(default)]
    pub kiosk_more_time: bool,
    /// `auto`, `en` or `es`; missing means automatic.
    #[serde(default)]
    pub language: crate::i18n::LanguageSetting,
    /// Signed updates (see `crate::updates`).
    #[serde(default)]
    pub updates_enabled: bool,
    #[serde(default)]
    pub update_feed_url: String,
    #[serde(default)]
    pub update_channel: String,
}

/// What the page shows: no secret, only whether one is stored.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub environment: String,
    pub base_url: String,
    pub api_version: ApiVersion,
    pub merchant_id: String,
    pub credentials_stored: bool,
    pub widget: WidgetOptions,
    pub oauth_in_system_browser: bool,
    pub mode: Mode,
    pub kiosk: KioskTimers,
    pub language: crate::i18n::LanguageSetting,
    pub updates: crate::updates::UpdateSettings,
    /// The saved settings differ from the ones this run uses.
    pub restart_pending: bool,
    /// Whether a staff PIN is set (never the PIN or its hash).
    pub staff_pin_set: bool,
    /// The fields the machine's policy manages (read-only on the screen),
    /// named as the form names them.
    pub managed: Vec<&'static str>,
    /// A device of a fleet: its broker and name (environment, API version
    /// and credentials read-only on the screen).
    pub fleet: Option<crate::config::FleetSettings>,
}

impl SettingsView {
    pub fn of(settings: &Settings, credentials_stored: bool) -> Self {
        let (environment, base_url) = match &settings.fleet {
            Some(_) => (FLEET_ENVIRONMENT.to_owned(), String::new()),
            None => environment_fields(&settings.environment),
        };
        Self {
            environment,
            base_url,
            api_version: settings.api_version,
            merchant_id: settings
                .merchant_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            credentials_stored,
            widget: settings.widget.clone(),
            oauth_in_system_browser: settings.oauth_in_system_browser,
            mode: settings.mode,
            kiosk: settings.kiosk,
            language: settings.language,
            updates: settings.updates.clone(),
            restart_pending: false,
            staff_pin_set: false,
            managed: Vec::new(),
            fleet: settings.fleet.clone(),
        }
    }
}

/// New API credentials to store with the settings (`Debug` is redacted).
#[derive(Debug)]
pub struct NewCredentials {
    pub api_key: SecretString,
    pub api_secret: SecretString,
    pub merchant_id: u64,
}

pub type FieldErrors = BTreeMap<String, String>;

pub use crate::config::{KIOSK_IDLE_RANGE, KIOSK_WARNING_RANGE, KIOSK_WIDGET_IDLE_MAX};

/// Reads one timer field: missing means `default`, otherwise whole seconds
/// within `min..=max`.
fn seconds_field(
    errors: &mut FieldErrors,
    field: &str,
    typed: Option<&str>,
    default: u32,
    (min, max): (u32, u32),
) -> u32 {
    let Some(text) = typed else {
        return default;
    };
    match text.trim().parse::<u32>() {
        Ok(value) if (min..=max).contains(&value) => value,
        _ => {
            errors.insert(
                field.into(),
                crate::i18n::tr_args(
                    "err-settings-seconds",
                    &crate::i18n::args([
                        ("min", fluent_bundle::FluentValue::from(min)),
                        ("max", fluent_bundle::FluentValue::from(max)),
                    ]),
                ),
            );
            default
        }
    }
}

/// The names of the settings that differ between `old` and `new`, as the
/// page names its fields (for the audit trail: names, never values).
pub fn changed_fields(old: &Settings, new: &Settings) -> Vec<&'static str> {
    let mut changed = Vec::new();
    if old.environment != new.environment {
        changed.push("environment");
    }
    if old.api_version != new.api_version {
        changed.push("apiVersion");
    }
    if old.merchant_id != new.merchant_id {
        changed.push("merchantId");
    }
    if old.widget != new.widget {
        changed.push("widget");
    }
    if old.oauth_in_system_browser != new.oauth_in_system_browser {
        changed.push("oauthInSystemBrowser");
    }
    if old.mode != new.mode {
        changed.push("mode");
    }
    if old.kiosk.idle_seconds != new.kiosk.idle_seconds {
        changed.push("kioskIdleSeconds");
    }
    if old.kiosk.warning_seconds != new.kiosk.warning_seconds {
        changed.push("kioskWarningSeconds");
    }
    if old.kiosk.widget_idle_seconds != new.kiosk.widget_idle_seconds {
        changed.push("kioskWidgetIdleSeconds");
    }
    if old.language != new.language {
        changed.push("language");
    }
    if old.kiosk.more_time != new.kiosk.more_time {
        changed.push("kioskMoreTime");
    }
    if old.updates.enabled != new.updates.enabled {
        changed.push("updatesEnabled");
    }
    if old.updates.feed_url != new.updates.feed_url {
        changed.push("updateFeedUrl");
    }
    if old.updates.channel != new.updates.channel {
        changed.push("updateChannel");
    }
    changed
}

impl SettingsForm {
    /// The update fields: a feed that is https (or http on this machine), a
    /// channel that is a plain word; a feed is needed to turn updates on.
    fn updates(&self, errors: &mut FieldErrors) -> crate::updates::UpdateSettings {
        use crate::updates::{channel_ok, feed_url_allowed, UpdateSettings, DEFAULT_CHANNEL};
        let mut updates = UpdateSettings {
            enabled: self.updates_enabled,
            ..UpdateSettings::default()
        };
        match self.update_feed_url.trim() {
            "" if self.updates_enabled => {
                errors.insert(
                    "updateFeedUrl".into(),
                    "Enter the update feed's address to turn updates on.".into(),
                );
            }
            "" => {}
            text => match Url::parse(text) {
                Ok(url) if feed_url_allowed(&url) => updates.feed_url = Some(url),
                _ => {
                    errors.insert(
                        "updateFeedUrl".into(),
                        "Enter an https address, like https://updates.example.com/{{channel}}/latest.json".into(),
                    );
                }
            },
        }
        match self.update_channel.trim() {
            "" => updates.channel = DEFAULT_CHANNEL.into(),
            channel if channel_ok(channel) => updates.channel = channel.into(),
            _ => {
                errors.insert(
                    "updateChannel".into(),
                    "A channel is one word: letters, digits, - _ or .".into(),
                );
            }
        }
        updates
    }

    /// The settings to save and, when both were typed, the credentials to
    /// store; or what to fix, field by field.
    pub fn validate(&self) -> Result<(Settings, Option<NewCredentials>), FieldErrors> {
        let mut errors = FieldErrors::new();
        let environment = match self.environment.as_str() {
            "simulator" => Some(Environment::Simulator),
            "sandbox" => Some(Environment::Sandbox),
            "production" => Some(Environment::Production),
            "custom" => match Url::parse(self.base_url.trim()) {
                Ok(url) if crate::aeropay::is_safe_base_url(&url) => {
                    Some(Environment::Custom { base_url: url })
                }
                Ok(_) => {
                    errors.insert(
                        "baseUrl".into(),
                        crate::aeropay::UNSAFE_BASE_URL_HINT.into(),
                    );
                    None
                }
                Err(_) => {
                    errors.insert(
                        "baseUrl".into(),
                        "Enter the API address, like https://staging-api.aeropay.com".into(),
                    );
                    None
                }
            },
            _ => {
                errors.insert("environment".into(), "Choose an environment.".into());
                None
            }
        };
        let needs_merchant = !matches!(environment, Some(Environment::Simulator));
        let merchant_id = match self.merchant_id.trim() {
            "" if !needs_merchant => None,
            "" => {
                errors.insert("merchantId".into(), "Enter the Aeropay merchant id.".into());
                None
            }
            text => match text.parse::<u64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.insert("merchantId".into(), "The merchant id is a number.".into());
                    None
                }
            },
        };
        let key = self.api_key.expose().trim();
        let secret = self.api_secret.expose().trim();
        if key.is_empty() != secret.is_empty() {
            let field = if key.is_empty() {
                "apiKey"
            } else {
                "apiSecret"
            };
            errors.insert(
                field.into(),
                "Enter both the API key and the API secret, or neither to keep the stored ones."
                    .into(),
            );
        }
        if let Some(id) = self.widget.configuration_id.as_deref() {
            if !crate::aerosync::configuration_id_ok(id) {
                errors.insert(
                    "configurationId".into(),
                    "This configuration id is not valid.".into(),
                );
            }
        }
        let defaults = KioskTimers::default();
        let idle_seconds = seconds_field(
            &mut errors,
            "kioskIdleSeconds",
            self.kiosk_idle_seconds.as_deref(),
            defaults.idle_seconds,
            KIOSK_IDLE_RANGE,
        );
        let warning_seconds = seconds_field(
            &mut errors,
            "kioskWarningSeconds",
            self.kiosk_warning_seconds.as_deref(),
            defaults.warning_seconds,
            KIOSK_WARNING_RANGE,
        );
        let widget_idle_seconds = seconds_field(
            &mut errors,
            "kioskWidgetIdleSeconds",
            self.kiosk_widget_idle_seconds.as_deref(),
            defaults.widget_idle_seconds.max(idle_seconds),
            (idle_seconds, KIOSK_WIDGET_IDLE_MAX),
        );
        let updates = self.updates(&mut errors);
        if self.mode == Mode::Kiosk && self.oauth_in_system_browser {
            errors.insert(
                "oauthInSystemBrowser".into(),
                crate::config::KIOSK_SYSTEM_BROWSER.into(),
            );
        }
        if !errors.is_empty() {
            // Fixed sentences, shown in the current language.
            for message in errors.values_mut() {
                *message = crate::i18n::localize("SETTINGS_FIELD", message);
            }
            return Err(errors);
        }
        let environment = environment.expect("checked above");
        let credentials = match (key.is_empty(), merchant_id) {
            (false, Some(merchant_id)) => Some(NewCredentials {
                api_key: SecretString::new(key),
                api_secret: SecretString::new(secret),
                merchant_id,
            }),
            _ => None,
        };
        let mut widget = self.widget.clone();
        widget.configuration_id = widget.configuration_id.filter(|id| !id.trim().is_empty());
        widget.deeplink = widget.deeplink.filter(|link| !link.trim().is_empty());
        Ok((
            Settings {
                environment,
                api_version: self.api_version,
                merchant_id,
                widget,
                oauth_in_system_browser: self.oauth_in_system_browser,
                mode: self.mode,
                kiosk: KioskTimers {
                    idle_seconds,
                    warning_seconds,
                    widget_idle_seconds,
                    more_time: self.kiosk_more_time,
                },
                language: self.language,
                updates,
                fleet: None,
            },
            credentials,
        ))
    }

    /// As [`SettingsForm::validate`] on a device of a fleet (`saved.fleet`):
    /// the environment (`broker`), API version and merchant come from the
    /// broker and stay as saved; API credentials are refused, the device
    /// holds none. Everything else is checked as usual.
    pub fn validate_in_fleet(&self, saved: &Settings) -> Result<Settings, FieldErrors> {
        let mut errors = FieldErrors::new();
        if self.environment != FLEET_ENVIRONMENT || self.api_version != saved.api_version {
            errors.insert("environment".into(), FLEET_SET.into());
        }
        if !self.api_key.expose().trim().is_empty() || !self.api_secret.expose().trim().is_empty() {
            errors.insert("apiKey".into(), FLEET_NO_CREDENTIALS.into());
        }
        // The rest as usual, with the saved Aeropay filled in for the check.
        let mut rest = self.clone();
        (rest.environment, rest.base_url) = environment_fields(&saved.environment);
        rest.merchant_id = "1".into();
        rest.api_key = SecretString::default();
        rest.api_secret = SecretString::default();
        let checked = rest.validate();
        if let Err(more) = &checked {
            errors.extend(more.clone());
        }
        if !errors.is_empty() {
            for message in errors.values_mut() {
                *message = crate::i18n::localize("SETTINGS_FIELD", message);
            }
            return Err(errors);
        }
        let (mut settings, _) = checked.map_err(|_| FieldErrors::new())?;
        settings.environment = saved.environment.clone();
        settings.api_version = saved.api_version;
        settings.merchant_id = None;
        settings.fleet = saved.fleet.clone();
        Ok(settings)
    }
}

/// The form's name of a fleet device's environment.
pub const FLEET_ENVIRONMENT: &str = "broker";
const FLEET_SET: &str = "This device belongs to a fleet: its server sets the environment and API version. To leave the fleet, run `aeropay-onboarding configure` on this machine.";
const FLEET_NO_CREDENTIALS: &str =
    "A device of a fleet keeps no API key or secret: the fleet's server holds them.";

/// The form's `environment` and `baseUrl` for an environment.
fn environment_fields(environment: &Environment) -> (String, String) {
    match environment {
        Environment::Simulator => ("simulator".into(), String::new()),
        Environment::Sandbox => ("sandbox".into(), String::new()),
        Environment::Production => ("production".into(), String::new()),
        Environment::Custom { base_url } => ("custom".into(), base_url.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(environment: &str) -> SettingsForm {
        SettingsForm {
            environment: environment.into(),
            base_url: String::new(),
            api_version: ApiVersion::V2,
            merchant_id: String::new(),
            api_key: SecretString::default(),
            api_secret: SecretString::default(),
            widget: WidgetOptions::default(),
            oauth_in_system_browser: false,
            mode: Mode::Desk,
            kiosk_idle_seconds: None,
            kiosk_warning_seconds: None,
            kiosk_widget_idle_seconds: None,
            kiosk_more_time: false,
            language: Default::default(),
            updates_enabled: false,
            update_feed_url: String::new(),
            update_channel: String::new(),
        }
    }

    #[test]
    fn a_fleet_device_keeps_the_brokers_environment_and_takes_no_api_key() {
        let saved = Settings {
            environment: Environment::Sandbox,
            api_version: ApiVersion::V2,
            fleet: Some(crate::config::FleetSettings {
                broker_url: Url::parse("https://broker.example").unwrap(),
                device_name: "kiosk-1".into(),
                group: "store-1".into(),
            }),
            ..Settings::default()
        };
        let view = SettingsView::of(&saved, false);
        assert_eq!(view.environment, FLEET_ENVIRONMENT);
        assert_eq!(view.fleet, saved.fleet);

        // The form as the page sends it: the shown environment, no merchant.
        let mut kept = form(FLEET_ENVIRONMENT);
        kept.mode = Mode::Kiosk;
        let settings = kept.validate_in_fleet(&saved).unwrap();
        assert_eq!(settings.environment, Environment::Sandbox);
        assert_eq!(settings.fleet, saved.fleet);
        assert_eq!(settings.merchant_id, None);
        assert_eq!(settings.mode, Mode::Kiosk);

        // Edited into another environment, or given an API key: refused.
        let errors = form("production").validate_in_fleet(&saved).unwrap_err();
        assert!(errors["environment"].contains("fleet"), "{errors:?}");
        let mut v1 = form(FLEET_ENVIRONMENT);
        v1.api_version = ApiVersion::V1;
        assert!(v1
            .validate_in_fleet(&saved)
            .unwrap_err()
            .contains_key("environment"));
        let mut keyed = form(FLEET_ENVIRONMENT);
        keyed.api_key = "k".into();
        keyed.api_secret = "s".into();
        let errors = keyed.validate_in_fleet(&saved).unwrap_err();
        assert!(errors["apiKey"].contains("no API key"), "{errors:?}");
        // The other fields are checked as usual.
        let mut timers = form(FLEET_ENVIRONMENT);
        timers.kiosk_idle_seconds = Some("nope".into());
        assert!(timers
            .validate_in_fleet(&saved)
            .unwrap_err()
            .contains_key("kioskIdleSeconds"));
    }

    #[test]
    fn update_fields_need_a_safe_feed_and_a_plain_channel() {
        let (settings, _) = form("simulator").validate().unwrap();
        assert!(!settings.updates.enabled);
        assert_eq!(settings.updates.channel, "stable");

        let mut on = form("simulator");
        on.updates_enabled = true;
        let errors = on.validate().unwrap_err();
        assert!(
            errors["updateFeedUrl"].contains("to turn updates on"),
            "{errors:?}"
        );

        on.update_feed_url = "http://updates.example.com/latest.json".into();
        on.update_channel = "../../x".into();
        let errors = on.validate().unwrap_err();
        assert!(errors["updateFeedUrl"].contains("https"), "{errors:?}");
        assert!(errors.contains_key("updateChannel"), "{errors:?}");

        on.update_feed_url = "https://updates.example.com/{{channel}}/latest.json".into();
        on.update_channel = "pilot".into();
        let (settings, _) = on.validate().unwrap();
        assert!(settings.updates.enabled);
        assert_eq!(settings.updates.channel, "pilot");
        assert_eq!(
            settings.updates.feed_for_channel().unwrap().as_str(),
            "https://updates.example.com/pilot/latest.json"
        );
        assert_eq!(
            changed_fields(&Settings::default(), &settings),
            ["updatesEnabled", "updateFeedUrl", "updateChannel"]
        );
    }

    #[test]
    fn the_simulator_needs_nothing_else() {
        let (settings, credentials) = form("simulator").validate().unwrap();
        assert_eq!(settings.environment, Environment::Simulator);
        assert!(credentials.is_none());
    }

    #[test]
    fn sandbox_needs_a_merchant_id_and_takes_credentials() {
        let errors = form("sandbox").validate().unwrap_err();
        assert!(errors.contains_key("merchantId"));
        let mut filled = form("sandbox");
        filled.merchant_id = " 1234 ".into();
        filled.api_key = "key".into();
        filled.api_secret = "secret".into();
        let (settings, credentials) = filled.validate().unwrap();
        assert_eq!(settings.merchant_id, Some(1234));
        let credentials = credentials.expect("both typed");
        assert_eq!(credentials.api_secret.expose(), "secret");
    }

    #[test]
    fn half_a_credential_or_a_bad_url_is_named() {
        let mut custom = form("custom");
        custom.base_url = "ftp://x".into();
        custom.merchant_id = "abc".into();
        custom.api_key = "only-key".into();
        let errors = custom.validate().unwrap_err();
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["apiSecret", "baseUrl", "merchantId"]
        );
        assert!(!format!("{errors:?}").contains("only-key"));
    }

    #[test]
    fn plain_http_is_refused_outside_this_machine() {
        let mut custom = form("custom");
        custom.merchant_id = "9".into();
        custom.base_url = "http://staging-api.aeropay.com".into();
        let errors = custom.validate().unwrap_err();
        assert!(errors["baseUrl"].contains("https://"), "{errors:?}");
        custom.base_url = "http://127.0.0.1:47811".into();
        assert!(custom.validate().is_ok());
    }

    #[test]
    fn the_view_never_carries_a_secret() {
        let mut filled = form("production");
        filled.merchant_id = "9".into();
        filled.api_key = "k-123".into();
        filled.api_secret = "s-456".into();
        let (settings, _) = filled.validate().unwrap();
        let json = serde_json::to_string(&SettingsView::of(&settings, true)).unwrap();
        assert!(!json.contains("k-123") && !json.contains("s-456"), "{json}");
        assert!(json.contains("\"credentialsStored\":true"));
    }

    #[test]
    fn a_kiosk_refuses_the_system_browser_for_bank_sign_in() {
        let mut desk = form("simulator");
        desk.oauth_in_system_browser = true;
        assert!(desk.validate().unwrap().0.oauth_in_system_browser);
        let mut kiosk = desk;
        kiosk.mode = Mode::Kiosk;
        let errors = kiosk.validate().unwrap_err();
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["oauthInSystemBrowser"]);
        assert!(errors["oauthInSystemBrowser"].contains("refused on a kiosk"));
        kiosk.oauth_in_system_browser = false;
        assert!(kiosk.validate().is_ok());
    }

    #[test]
    fn mode_and_kiosk_timers_are_checked() {
        let mut kiosk = form("simulator");
        kiosk.mode = Mode::Kiosk;
        kiosk.kiosk_idle_seconds = Some(" 60 ".into());
        kiosk.kiosk_warning_seconds = Some("25".into());
        kiosk.kiosk_widget_idle_seconds = Some("600".into());
        kiosk.kiosk_more_time = true;
        let (settings, _) = kiosk.validate().unwrap();
        assert_eq!(settings.mode, Mode::Kiosk);
        assert_eq!(
            settings.kiosk,
            KioskTimers {
                idle_seconds: 60,
                warning_seconds: 25,
                widget_idle_seconds: 600,
                more_time: true,
            }
        );
        kiosk.kiosk_idle_seconds = Some("5".into());
        kiosk.kiosk_warning_seconds = Some("ten".into());
        kiosk.kiosk_widget_idle_seconds = Some("9000".into());
        let errors = kiosk.validate().unwrap_err();
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "kioskIdleSeconds",
                "kioskWarningSeconds",
                "kioskWidgetIdleSeconds"
            ]
        );
        assert!(errors["kioskIdleSeconds"].contains("from 10 to 3600"));
        // Missing timers keep the defaults.
        let (settings, _) = form("simulator").validate().unwrap();
        assert_eq!(settings.kiosk, KioskTimers::default());
    }

    #[test]
    fn changed_fields_are_named_never_valued() {
        let old = Settings::default();
        let mut new = old.clone();
        assert!(changed_fields(&old, &new).is_empty());
        new.environment = Environment::Sandbox;
        new.merchant_id = Some(4321);
        new.mode = Mode::Kiosk;
        new.kiosk.idle_seconds = 45;
        assert_eq!(
            changed_fields(&old, &new),
            ["environment", "merchantId", "mode", "kioskIdleSeconds"]
        );
    }
}
