//! Where the app talks to (environment, API version) and how it is stored.
//!
//! Settings are non-secret and live in `settings.json` under the app's config
//! directory; credentials live in the keychain (see `vault`). With no settings
//! file the app runs against the built-in simulator, so a fresh install works
//! with zero setup.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Reverse-DNS identifier, shared with `tauri.conf.json`; names the config and
/// data directories and the keychain service.
pub const APP_IDENTIFIER: &str = "app.aeropay-onboarding.desktop";

pub use aeropay_client::{ApiVersion, Environment};

/// The environment's label in the current language, for the page's badge.
pub fn environment_label(environment: &Environment) -> String {
    match environment {
        Environment::Simulator => crate::i18n::tr("env-simulator"),
        Environment::Sandbox => crate::i18n::tr("env-sandbox"),
        Environment::Production => crate::i18n::tr("env-production"),
        Environment::Custom { base_url } => crate::i18n::tr_args(
            "env-custom",
            &crate::i18n::args([(
                "url",
                fluent_bundle::FluentValue::from(base_url.to_string()),
            )]),
        ),
    }
}

/// The badge of a device of a fleet: its name and the broker's Aeropay.
pub fn fleet_label(fleet: &FleetSettings, environment: &Environment) -> String {
    crate::i18n::tr_args(
        "env-fleet",
        &crate::i18n::args([
            (
                "device",
                fluent_bundle::FluentValue::from(fleet.device_name.clone()),
            ),
            (
                "aeropay",
                fluent_bundle::FluentValue::from(environment_label(environment)),
            ),
        ]),
    )
}

/// Where the app runs (kiosk or desk); shared with the managed-settings
/// document.
pub use managed_settings::Mode;

/// Kiosk idle handling, in seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct KioskTimers {
    /// Quiet time before the "Are you still there?" warning.
    pub idle_seconds: u32,
    /// The warning's countdown before the session resets.
    pub warning_seconds: u32,
    /// Quiet time while the bank widget is open: the page cannot see what
    /// the customer does inside it or in the bank's window.
    pub widget_idle_seconds: u32,
    /// "More time" (WCAG 2.2.1, timing adjustable): every limit above counts
    /// double on this kiosk, for customers who need longer.
    pub more_time: bool,
}

impl Default for KioskTimers {
    fn default() -> Self {
        Self {
            idle_seconds: 90,
            warning_seconds: 30,
            widget_idle_seconds: 300,
            more_time: false,
        }
    }
}

/// Bounds of the kiosk timers Settings (and a policy) may set, in seconds.
pub use managed_settings::{KIOSK_IDLE_RANGE, KIOSK_WARNING_RANGE, KIOSK_WIDGET_IDLE_MAX};

impl KioskTimers {
    /// The countdown is never shorter than 20 s, so a customer can react.
    pub fn normalized(self) -> Self {
        Self {
            idle_seconds: self.idle_seconds.max(1),
            warning_seconds: self.warning_seconds.max(20),
            widget_idle_seconds: self.widget_idle_seconds.max(self.idle_seconds.max(1)),
            more_time: self.more_time,
        }
    }

    /// The limits the idle watch counts with: [`normalized`](Self::normalized),
    /// each doubled when "More time" is on.
    pub fn effective(self) -> Self {
        let limits = self.normalized();
        let factor = if limits.more_time { 2 } else { 1 };
        Self {
            idle_seconds: limits.idle_seconds.saturating_mul(factor),
            warning_seconds: limits.warning_seconds.saturating_mul(factor),
            widget_idle_seconds: limits.widget_idle_seconds.saturating_mul(factor),
            more_time: limits.more_time,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Settings {
    pub environment: Environment,
    pub api_version: ApiVersion,
    pub merchant_id: Option<u64>,
    pub widget: aerosync::WidgetOptions,
    /// Open banks' OAuth pages in the system browser instead of an in-app
    /// window (for desks where banks refuse embedded windows).
    pub oauth_in_system_browser: bool,
    pub mode: Mode,
    pub kiosk: KioskTimers,
    /// The screen's language: a desk's, and a kiosk's for each new
    /// customer (who may pick another on the attract screen).
    pub language: crate::i18n::LanguageSetting,
    /// Signed updates: off unless staff turn them on (never in the
    /// simulator).
    pub updates: crate::updates::UpdateSettings,
    /// Fleet mode: the merchant's calls go through this broker, which
    /// keeps the API secret; the device keeps only its own credential.
    /// `environment` and `api_version` are then the broker's, as it named
    /// them when the device was configured. Absent in older files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fleet: Option<FleetSettings>,
}

/// Where a device of a fleet finds its broker, and who it is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FleetSettings {
    pub broker_url: url::Url,
    pub device_name: String,
    pub group: String,
}

/// The environment a broker's Aeropay base URL stands for: the named ones
/// when it is theirs, else a custom base URL.
pub fn environment_of_base(base_url: &url::Url) -> Environment {
    let same = |known: &str| base_url.as_str().trim_end_matches('/') == known.trim_end_matches('/');
    if same(aeropay_client::SANDBOX_BASE_URL) {
        Environment::Sandbox
    } else if same(aeropay_client::PRODUCTION_BASE_URL) {
        Environment::Production
    } else {
        Environment::Custom {
            base_url: base_url.clone(),
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            environment: Environment::Simulator,
            api_version: ApiVersion::V2,
            merchant_id: None,
            widget: aerosync::WidgetOptions::default(),
            oauth_in_system_browser: false,
            mode: Mode::Desk,
            kiosk: KioskTimers::default(),
            language: crate::i18n::LanguageSetting::Auto,
            updates: crate::updates::UpdateSettings::default(),
            fleet: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("no configuration directory: set HOME (or XDG_CONFIG_HOME)")]
    NoConfigDir,
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid settings ({source}); fix or delete the file to start over")]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}", KIOSK_SYSTEM_BROWSER)]
    KioskSystemBrowser,
}

/// Why a kiosk refuses the system browser for bank sign-in.
pub const KIOSK_SYSTEM_BROWSER: &str = "A kiosk keeps bank sign-in pages inside the app: opening them in the system browser is refused on a kiosk (a stranger would be left in a full browser). Turn \"oauthInSystemBrowser\" off, or use desk mode.";

impl ConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::NoConfigDir => "CONFIG_NO_DIR",
            ConfigError::Read { .. } => "CONFIG_READ",
            ConfigError::Parse { .. } => "CONFIG_INVALID",
            ConfigError::Write { .. } => "CONFIG_WRITE",
            ConfigError::KioskSystemBrowser => "CONFIG_KIOSK_SYSTEM_BROWSER",
        }
    }

    /// What the page shows (`Display` stays for logs).
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        let path_and = |id, path: &std::path::Path, reason: String| {
            ErrorText::message(
                id,
                [
                    ("path", path.display().to_string().into()),
                    ("reason", reason.into()),
                ],
            )
        };
        match self {
            ConfigError::Read { path, source } => {
                path_and("err-config-read", path, source.to_string())
            }
            ConfigError::Parse { path, source } => {
                path_and("err-config-parse", path, source.to_string())
            }
            ConfigError::Write { path, source } => {
                path_and("err-config-write", path, source.to_string())
            }
            ConfigError::NoConfigDir => {
                ErrorText::sentence(crate::text::sentence(&self.to_string()))
            }
            ConfigError::KioskSystemBrowser => ErrorText::sentence(KIOSK_SYSTEM_BROWSER),
        }
    }
}

/// `<config dir>/app.aeropay-onboarding.desktop`, e.g. `~/.config/...` on Linux.
pub fn config_dir() -> Result<PathBuf, ConfigError> {
    dirs::config_dir()
        .map(|dir| dir.join(APP_IDENTIFIER))
        .ok_or(ConfigError::NoConfigDir)
}

/// `<data dir>/app.aeropay-onboarding.desktop`: the local database lives here.
pub fn data_dir() -> Result<PathBuf, ConfigError> {
    dirs::data_dir()
        .map(|dir| dir.join(APP_IDENTIFIER))
        .ok_or(ConfigError::NoConfigDir)
}

pub fn settings_path() -> Result<PathBuf, ConfigError> {
    Ok(config_dir()?.join("settings.json"))
}

impl Settings {
    /// Reads the settings file; a missing file means defaults (simulator).
    /// A kiosk never sends a customer to the system browser.
    pub fn check_kiosk(&self) -> Result<(), ConfigError> {
        if self.mode == Mode::Kiosk && self.oauth_in_system_browser {
            return Err(ConfigError::KioskSystemBrowser);
        }
        Ok(())
    }

    pub fn load_from(path: &Path) -> Result<Self, ConfigError> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|source| ConfigError::Parse {
                path: path.to_owned(),
                source,
            }),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(source) => Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Writes atomically (temp file + rename) so a crash never leaves half a file.
    pub fn save_to(&self, path: &Path) -> Result<(), ConfigError> {
        let write_err = |source| ConfigError::Write {
            path: path.to_owned(),
            source,
        };
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_err)?;
        }
        let json = serde_json::to_vec_pretty(self).expect("settings serialize");
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json).map_err(write_err)?;
        std::fs::rename(&tmp, path).map_err(write_err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use url::Url;

    #[test]
    fn older_files_read_without_a_fleet_and_a_fleet_reads_back() {
        let old: Settings =
            serde_json::from_str(r#"{"environment":{"kind":"sandbox"},"merchantId":7}"#).unwrap();
        assert_eq!(old.fleet, None);
        assert!(!serde_json::to_string(&old).unwrap().contains("fleet"));
        let fleet = Settings {
            environment: environment_of_base(
                &Url::parse("https://api.sandbox-pay.aero.inc/").unwrap(),
            ),
            fleet: Some(FleetSettings {
                broker_url: Url::parse("https://broker.example").unwrap(),
                device_name: "store-12-kiosk-1".into(),
                group: "store-12".into(),
            }),
            ..Settings::default()
        };
        assert_eq!(fleet.environment, Environment::Sandbox);
        let json = serde_json::to_string(&fleet).unwrap();
        assert!(
            json.contains(r#""fleet":{"brokerUrl":"https://broker.example/""#),
            "{json}"
        );
        assert_eq!(serde_json::from_str::<Settings>(&json).unwrap(), fleet);
        assert_eq!(
            environment_of_base(&Url::parse("http://127.0.0.1:9/").unwrap()).id(),
            "custom:127.0.0.1:9"
        );
    }

    #[test]
    fn the_kiosk_countdown_is_never_under_twenty_seconds() {
        let timers = KioskTimers {
            idle_seconds: 0,
            warning_seconds: 3,
            widget_idle_seconds: 0,
            more_time: false,
        }
        .normalized();
        assert_eq!(
            (
                timers.idle_seconds,
                timers.warning_seconds,
                timers.widget_idle_seconds
            ),
            (1, 20, 1)
        );
        let json = r#"{"mode":"kiosk","kiosk":{"idleSeconds":45}}"#;
        let settings: Settings = serde_json::from_str(json).unwrap();
        assert_eq!(settings.mode, Mode::Kiosk);
        assert_eq!(settings.kiosk.idle_seconds, 45);
        assert!(!settings.kiosk.more_time, "More time is off unless set");
        let json = r#"{"kiosk":{"idleSeconds":45,"moreTime":true}}"#;
        let settings: Settings = serde_json::from_str(json).unwrap();
        assert!(settings.kiosk.more_time);
        assert_eq!(settings.kiosk.effective().idle_seconds, 90);
        assert_eq!(settings.kiosk.effective().warning_seconds, 60);
        assert_eq!(settings.kiosk.warning_seconds, 30);
    }

    #[test]
    fn missing_file_means_simulator() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::load_from(&dir.path().join("settings.json")).unwrap();
        assert_eq!(settings.environment, Environment::Simulator);
        assert_eq!(settings.api_version, ApiVersion::V2);
    }

    #[test]
    fn round_trips_through_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/settings.json");
        let settings = Settings {
            environment: Environment::Custom {
                base_url: Url::parse("http://127.0.0.1:8080").unwrap(),
            },
            api_version: ApiVersion::V1,
            merchant_id: Some(1234),
            ..Settings::default()
        };
        settings.save_to(&path).unwrap();
        assert_eq!(Settings::load_from(&path).unwrap(), settings);
    }

    #[test]
    fn a_broken_file_is_a_clear_error_not_a_silent_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, "{ not json").unwrap();
        let err = Settings::load_from(&path).unwrap_err();
        assert_eq!(err.code(), "CONFIG_INVALID");
        assert!(err.to_string().contains("fix or delete the file"), "{err}");
    }

    #[test]
    fn environment_ids_name_the_custom_host() {
        let custom = Environment::Custom {
            base_url: Url::parse("https://staging-api.aeropay.com").unwrap(),
        };
        assert_eq!(custom.id(), "custom:staging-api.aeropay.com");
        assert_eq!(Environment::Sandbox.id(), "sandbox");
        assert!(Environment::Simulator.is_simulated());
        assert_eq!(
            Environment::Sandbox.api_base().unwrap().as_str(),
            "https://api.sandbox-pay.aero.inc/"
        );
    }
}
