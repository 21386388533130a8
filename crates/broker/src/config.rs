//! The broker's configuration: a TOML or JSON file (by its extension),
//! then environment variables over it, then the merchant's API key and
//! secret from a file of mode 0600 or from the environment.
//!
//! ```toml
//! database_url = "sqlite:///var/lib/aeropay-onboarding-broker/broker.db"
//! listen = "127.0.0.1:8080"
//!
//! [aeropay]
//! environment = "sandbox"          # "production", or a base URL
//! api_version = "v2"
//! merchant_id = 1234
//! credentials_file = "/etc/aeropay-onboarding-broker/credentials.toml"
//!
//! [limits]
//! codes_per_hour = 10              # verification codes sent, per device
//! users_per_hour = 30              # POST /user calls, per device
//! verified_user_minutes = 30       # how long a verified customer's token can be asked for
//! body_bytes = 65536
//! request_timeout_secs = 45
//!
//! [audit]
//! reader_groups = ["office"]       # devices of these groups may read the audit trail
//!
//! [groups]
//! settings_dir = "/etc/aeropay-onboarding-broker/groups"  # <group>.json: each group's managed settings
//! ```

use aeropay_client::secret::SecretString;
use aeropay_client::{is_safe_base_url, ApiVersion, Environment};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:///var/lib/aeropay-onboarding-broker/broker.db";
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// Environment variables read over the file.
pub const ENV_DATABASE_URL: &str = "BROKER_DATABASE_URL";
pub const ENV_LISTEN: &str = "BROKER_LISTEN";
pub const ENV_ENVIRONMENT: &str = "BROKER_AEROPAY_ENVIRONMENT";
pub const ENV_API_VERSION: &str = "BROKER_AEROPAY_API_VERSION";
pub const ENV_MERCHANT_ID: &str = "AEROPAY_MERCHANT_ID";
pub const ENV_CREDENTIALS_FILE: &str = "BROKER_CREDENTIALS_FILE";
pub const ENV_API_KEY: &str = "AEROPAY_API_KEY";
pub const ENV_API_SECRET: &str = "AEROPAY_API_SECRET";
pub const ENV_GROUPS_SETTINGS_DIR: &str = "BROKER_GROUPS_SETTINGS_DIR";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {detail}")]
    Parse { path: PathBuf, detail: String },
    #[error("{what} is not valid: {detail}")]
    Invalid { what: String, detail: String },
    #[error("{path} can be read by other users (mode {mode:o}); make it `chmod 600` and owned by the broker's user")]
    CredentialsTooOpen { path: PathBuf, mode: u32 },
    #[error("the Aeropay API key and secret are missing: set credentials_file in the configuration, or AEROPAY_API_KEY and AEROPAY_API_SECRET")]
    CredentialsMissing,
    #[error("the Aeropay merchant id is missing: set aeropay.merchant_id, or AEROPAY_MERCHANT_ID")]
    MerchantIdMissing,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    database_url: Option<String>,
    listen: Option<String>,
    #[serde(default)]
    aeropay: AeropayFile,
    #[serde(default)]
    limits: LimitsFile,
    #[serde(default)]
    audit: AuditFile,
    #[serde(default)]
    groups: GroupsFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AeropayFile {
    environment: Option<String>,
    api_version: Option<String>,
    merchant_id: Option<u64>,
    credentials_file: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    codes_per_hour: Option<u32>,
    users_per_hour: Option<u32>,
    verified_user_minutes: Option<u32>,
    body_bytes: Option<usize>,
    request_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFile {
    #[serde(default)]
    reader_groups: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupsFile {
    settings_dir: Option<PathBuf>,
}

/// Per-device limits and request bounds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    pub codes_per_hour: u32,
    pub users_per_hour: u32,
    pub verified_user_ttl: Duration,
    pub body_bytes: usize,
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            codes_per_hour: 10,
            users_per_hour: 30,
            verified_user_ttl: Duration::from_secs(30 * 60),
            body_bytes: 64 * 1024,
            request_timeout: Duration::from_secs(45),
        }
    }
}

/// Everything but the API key and secret.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub listen: SocketAddr,
    pub environment: Environment,
    pub api_version: ApiVersion,
    pub merchant_id: Option<u64>,
    pub credentials_file: Option<PathBuf>,
    pub limits: Limits,
    pub audit_reader_groups: Vec<String>,
    /// Where the groups' settings were read from, if anywhere.
    pub groups_settings_dir: Option<PathBuf>,
    /// Each device group's managed settings (none without a folder).
    pub groups: crate::groups::Groups,
}

impl Config {
    /// Defaults, then the file (if any), then the environment (`env`
    /// reads one variable: `std::env::var` in the binary).
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let parsed = match file {
            Some(path) => parse_file(path)?,
            None => FileConfig::default(),
        };
        let database_url = env(ENV_DATABASE_URL)
            .or(parsed.database_url)
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.into());
        let listen_text = env(ENV_LISTEN)
            .or(parsed.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.into());
        let listen = listen_text.parse().map_err(|_| ConfigError::Invalid {
            what: "listen".into(),
            detail: format!("{listen_text:?} is not an address and port like 127.0.0.1:8080"),
        })?;
        let environment = parse_environment(
            &env(ENV_ENVIRONMENT)
                .or(parsed.aeropay.environment)
                .unwrap_or_else(|| "sandbox".into()),
        )?;
        let api_version = match env(ENV_API_VERSION)
            .or(parsed.aeropay.api_version)
            .as_deref()
        {
            None | Some("v2") => ApiVersion::V2,
            Some("v1") => ApiVersion::V1,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    what: "aeropay.api_version".into(),
                    detail: format!("{other:?}: use \"v1\" or \"v2\""),
                })
            }
        };
        let merchant_id = match env(ENV_MERCHANT_ID) {
            Some(text) => Some(text.trim().parse().map_err(|_| ConfigError::Invalid {
                what: ENV_MERCHANT_ID.into(),
                detail: "not a number".into(),
            })?),
            None => parsed.aeropay.merchant_id,
        };
        let credentials_file = env(ENV_CREDENTIALS_FILE)
            .map(PathBuf::from)
            .or(parsed.aeropay.credentials_file);
        let defaults = Limits::default();
        let l = parsed.limits;
        let limits = Limits {
            codes_per_hour: positive("limits.codes_per_hour", l.codes_per_hour)?
                .unwrap_or(defaults.codes_per_hour),
            users_per_hour: positive("limits.users_per_hour", l.users_per_hour)?
                .unwrap_or(defaults.users_per_hour),
            verified_user_ttl: positive("limits.verified_user_minutes", l.verified_user_minutes)?
                .map(|m| Duration::from_secs(u64::from(m) * 60))
                .unwrap_or(defaults.verified_user_ttl),
            body_bytes: l.body_bytes.unwrap_or(defaults.body_bytes).max(1024),
            request_timeout: l
                .request_timeout_secs
                .map(|s| Duration::from_secs(s.max(1)))
                .unwrap_or(defaults.request_timeout),
        };
        for group in &parsed.audit.reader_groups {
            broker_store::validate_group(group).map_err(|e| ConfigError::Invalid {
                what: "audit.reader_groups".into(),
                detail: e.to_string(),
            })?;
        }
        let groups_settings_dir = env(ENV_GROUPS_SETTINGS_DIR)
            .map(PathBuf::from)
            .or(parsed.groups.settings_dir);
        let groups = match &groups_settings_dir {
            Some(dir) => crate::groups::Groups::load_dir(dir)?,
            None => crate::groups::Groups::default(),
        };
        Ok(Config {
            database_url,
            listen,
            environment,
            api_version,
            merchant_id,
            credentials_file,
            limits,
            audit_reader_groups: parsed.audit.reader_groups,
            groups_settings_dir,
            groups,
        })
    }

    /// The API base URL the broker calls.
    pub fn base_url(&self) -> Option<Url> {
        self.environment.api_base()
    }

    /// The merchant's key and secret (file first, else environment) and id.
    pub fn secrets(&self, env: &dyn Fn(&str) -> Option<String>) -> Result<Secrets, ConfigError> {
        let (key, secret, file_merchant) = match &self.credentials_file {
            Some(path) => {
                let file = read_credentials_file(path)?;
                (file.api_key, file.api_secret, file.merchant_id)
            }
            None => match (env(ENV_API_KEY), env(ENV_API_SECRET)) {
                (Some(key), Some(secret)) => (key, secret, None),
                _ => return Err(ConfigError::CredentialsMissing),
            },
        };
        if key.trim().is_empty() || secret.trim().is_empty() {
            return Err(ConfigError::CredentialsMissing);
        }
        let merchant_id = self
            .merchant_id
            .or(file_merchant)
            .ok_or(ConfigError::MerchantIdMissing)?;
        Ok(Secrets {
            api_key: SecretString::new(key.trim()),
            api_secret: SecretString::new(secret.trim()),
            merchant_id,
        })
    }
}

/// The merchant's credentials, held so they cannot be printed.
#[derive(Clone)]
pub struct Secrets {
    pub api_key: SecretString,
    pub api_secret: SecretString,
    pub merchant_id: u64,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("api_key", &"<redacted>")
            .field("api_secret", &"<redacted>")
            .field("merchant_id", &self.merchant_id)
            .finish()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsFile {
    api_key: String,
    api_secret: String,
    merchant_id: Option<u64>,
}

fn read_credentials_file(path: &Path) -> Result<CredentialsFile, ConfigError> {
    let meta = std::fs::metadata(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(ConfigError::CredentialsTooOpen {
                path: path.into(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = meta;
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    // The parser's message may quote the file: never show it.
    toml::from_str(&text).map_err(|_| ConfigError::Parse {
        path: path.into(),
        detail: "expected api_key = \"…\", api_secret = \"…\" and optionally merchant_id".into(),
    })
}

fn parse_file(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.into(),
        source,
    })?;
    let json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if json {
        serde_json::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            detail: e.to_string(),
        })
    } else {
        toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.into(),
            detail: e.to_string(),
        })
    }
}

fn parse_environment(text: &str) -> Result<Environment, ConfigError> {
    match text.trim() {
        "sandbox" => Ok(Environment::Sandbox),
        "production" => Ok(Environment::Production),
        other => {
            let url = Url::parse(other).map_err(|_| ConfigError::Invalid {
                what: "aeropay.environment".into(),
                detail: format!("{other:?}: use \"sandbox\", \"production\" or a base URL"),
            })?;
            if !is_safe_base_url(&url) {
                return Err(ConfigError::Invalid {
                    what: "aeropay.environment".into(),
                    detail: aeropay_client::UNSAFE_BASE_URL_HINT.into(),
                });
            }
            Ok(Environment::Custom { base_url: url })
        }
    }
}

fn positive(what: &str, value: Option<u32>) -> Result<Option<u32>, ConfigError> {
    match value {
        Some(0) => Err(ConfigError::Invalid {
            what: what.into(),
            detail: "must be at least 1".into(),
        }),
        other => Ok(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn defaults_file_and_environment() {
        let config = Config::load(None, &env_of(&[])).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(config.environment, Environment::Sandbox);
        assert_eq!(config.api_version, ApiVersion::V2);
        assert_eq!(config.limits, Limits::default());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.toml");
        std::fs::write(
            &path,
            r#"
database_url = "sqlite:///tmp/b.db"
listen = "127.0.0.1:9000"
[aeropay]
environment = "http://127.0.0.1:5555"
api_version = "v1"
merchant_id = 77
[limits]
codes_per_hour = 3
verified_user_minutes = 5
[audit]
reader_groups = ["office"]
"#,
        )
        .unwrap();
        let config = Config::load(Some(&path), &env_of(&[(ENV_LISTEN, "127.0.0.1:9001")])).unwrap();
        assert_eq!(config.database_url, "sqlite:///tmp/b.db");
        assert_eq!(config.listen.port(), 9001, "the environment wins");
        assert_eq!(config.api_version, ApiVersion::V1);
        assert_eq!(config.merchant_id, Some(77));
        assert_eq!(config.limits.codes_per_hour, 3);
        assert_eq!(config.limits.verified_user_ttl, Duration::from_secs(300));
        assert_eq!(config.audit_reader_groups, vec!["office".to_string()]);
        assert_eq!(
            config.base_url().unwrap().as_str(),
            "http://127.0.0.1:5555/"
        );

        let json = dir.path().join("broker.json");
        std::fs::write(&json, r#"{"aeropay": {"environment": "production"}}"#).unwrap();
        let config = Config::load(Some(&json), &env_of(&[])).unwrap();
        assert_eq!(config.environment, Environment::Production);
    }

    #[test]
    fn the_packaged_example_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.toml");
        std::fs::write(&path, include_str!("../../../packaging/broker/broker.toml")).unwrap();
        let config = Config::load(Some(&path), &env_of(&[])).unwrap();
        assert_eq!(config.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(config.merchant_id, Some(1234));
        assert_eq!(config.limits, Limits::default());
        assert_eq!(config.audit_reader_groups, vec!["office".to_string()]);
    }

    #[test]
    fn refuses_what_cannot_work() {
        let bad = |vars: &[(&str, &str)]| Config::load(None, &env_of(vars)).unwrap_err();
        assert!(matches!(
            bad(&[(ENV_ENVIRONMENT, "http://aeropay.example")]),
            ConfigError::Invalid { .. }
        ));
        assert!(matches!(
            bad(&[(ENV_API_VERSION, "v3")]),
            ConfigError::Invalid { .. }
        ));
        assert!(matches!(
            bad(&[(ENV_LISTEN, "everywhere")]),
            ConfigError::Invalid { .. }
        ));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.toml");
        std::fs::write(&path, "unknown_key = 1\n").unwrap();
        assert!(matches!(
            Config::load(Some(&path), &env_of(&[])).unwrap_err(),
            ConfigError::Parse { .. }
        ));
    }

    #[cfg(unix)]
    #[test]
    fn credentials_come_from_a_private_file_or_the_environment() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("credentials.toml");
        std::fs::write(
            &path,
            "api_key = \"key-123\"\napi_secret = \"secret-456\"\nmerchant_id = 9\n",
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let env = env_of(&[(ENV_CREDENTIALS_FILE, path.to_str().unwrap())]);
        let config = Config::load(None, &env).unwrap();
        let err = config.secrets(&env).unwrap_err();
        assert!(
            matches!(err, ConfigError::CredentialsTooOpen { .. }),
            "{err}"
        );
        assert!(!err.to_string().contains("secret-456"));

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let secrets = config.secrets(&env).unwrap();
        assert_eq!(secrets.api_key.expose(), "key-123");
        assert_eq!(secrets.api_secret.expose(), "secret-456");
        assert_eq!(secrets.merchant_id, 9);
        let shown = format!("{secrets:?}");
        assert!(!shown.contains("key-123") && !shown.contains("secret-456"));

        let env = env_of(&[
            (ENV_API_KEY, "k"),
            (ENV_API_SECRET, "s"),
            (ENV_MERCHANT_ID, "5"),
        ]);
        let secrets = Config::load(None, &env).unwrap().secrets(&env).unwrap();
        assert_eq!((secrets.api_key.expose(), secrets.merchant_id), ("k", 5));
        let env = env_of(&[(ENV_API_KEY, "k")]);
        assert!(matches!(
            Config::load(None, &env).unwrap().secrets(&env).unwrap_err(),
            ConfigError::CredentialsMissing
        ));
        let env = env_of(&[(ENV_API_KEY, "k"), (ENV_API_SECRET, "s")]);
        assert!(matches!(
            Config::load(None, &env).unwrap().secrets(&env).unwrap_err(),
            ConfigError::MerchantIdMissing
        ));
    }
}
