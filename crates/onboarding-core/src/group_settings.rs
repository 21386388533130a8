//! Fleet mode: the managed settings of this device's group, as the broker
//! last handed them (`GET /v1/device/settings`), kept in the data folder so
//! a kiosk starts offline with its group's settings.
//!
//! They are layered under the machine's policy file
//! ([`crate::policy::Policy::with_group`]): a field the policy file sets
//! wins, since whoever administers the machine is closer to it; every other
//! field the group sets is managed too. A new version is used from the next
//! start of the app.
//!
//! A cache that cannot be read is ignored with a warning, never a start
//! failure; an answer from the broker that the app's own rules refuse
//! (or that names `environment` or `apiVersion`, which come from the
//! broker itself) is an error, and the previous cache is kept.

use fleet_client::{BrokerClient, FleetError};
use managed_settings::ManagedSettings;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// The cache's name in the data folder.
pub const CACHE_FILE: &str = "group-settings.json";

/// One group's settings as received: its name, the broker's version of
/// them, and the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GroupSettings {
    pub group: String,
    pub version: String,
    pub settings: ManagedSettings,
}

#[derive(Debug, thiserror::Error)]
pub enum GroupSettingsError {
    #[error("the broker's settings for group {group} are refused: {reason}")]
    Refused { group: String, reason: String },
    #[error("the broker's settings could not be fetched: {0}")]
    Broker(#[from] FleetError),
    #[error("the kept group settings {path} cannot be read: {reason}")]
    CacheDamaged { path: PathBuf, reason: String },
    #[error("the group settings cannot be kept in {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl GroupSettingsError {
    pub fn code(&self) -> &str {
        match self {
            GroupSettingsError::Refused { .. } => "GROUP_SETTINGS_REFUSED",
            GroupSettingsError::Broker(err) => err.code(),
            GroupSettingsError::CacheDamaged { .. } => "GROUP_SETTINGS_CACHE_DAMAGED",
            GroupSettingsError::Write { .. } => "GROUP_SETTINGS_WRITE",
        }
    }
}

/// What a refresh found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refreshed {
    /// The broker has the version this device keeps.
    Unchanged,
    /// A new version, now kept; used from the next start.
    Changed(Box<GroupSettings>),
}

fn cache_path(data_dir: &Path) -> PathBuf {
    data_dir.join(CACHE_FILE)
}

/// The kept settings, if any; a cache that cannot be read or is refused by
/// the rules is an error (see [`load_cached`] for the start).
pub fn read_cache(data_dir: &Path) -> Result<Option<GroupSettings>, GroupSettingsError> {
    let path = cache_path(data_dir);
    let damaged = |reason: String| GroupSettingsError::CacheDamaged {
        path: path.clone(),
        reason,
    };
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(damaged(err.to_string())),
    };
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Kept {
        group: String,
        version: String,
        settings: serde_json::Value,
    }
    let kept: Kept = serde_json::from_slice(&bytes).map_err(|err| damaged(err.to_string()))?;
    // The same checks as a fresh answer: the rules may have changed since.
    let settings = checked(kept.settings).map_err(|err| damaged(err.to_string()))?;
    Ok(Some(GroupSettings {
        group: kept.group,
        version: kept.version,
        settings,
    }))
}

/// The kept settings at start: none when there are none, and none, with a
/// warning in the log, when they cannot be used.
pub fn load_cached(data_dir: &Path) -> Option<GroupSettings> {
    match read_cache(data_dir) {
        Ok(kept) => kept,
        Err(err) => {
            tracing::warn!(code = err.code(), %err, "the group settings are ignored until the broker sends them again");
            None
        }
    }
}

/// A document the app's rules accept and that leaves Aeropay to the broker.
fn checked(value: serde_json::Value) -> Result<ManagedSettings, managed_settings::DocumentError> {
    let settings = ManagedSettings::from_value(value)?;
    settings.check_for_fleet()?;
    Ok(settings)
}

/// Asks the broker for this device's group settings and keeps a new
/// version; a refused answer leaves the kept settings as they were.
pub async fn refresh(
    client: &BrokerClient,
    data_dir: &Path,
) -> Result<Refreshed, GroupSettingsError> {
    let answer = client.settings().await?;
    accept(data_dir, answer)
}

/// The group settings a start uses: those kept in `fleet_data_dir` when
/// the device is in fleet mode (`None`: not in fleet mode, nothing).
pub fn at_start(fleet_data_dir: Option<&Path>) -> Option<GroupSettings> {
    fleet_data_dir.and_then(load_cached)
}

/// The group settings for `settings`: those kept in `data_dir` when the
/// settings name a broker (a device of a fleet), else none. For the app's
/// start and for the commands that read the settings (`configure`,
/// `doctor`), so all of them see the same managed fields.
pub fn for_settings(settings: &crate::config::Settings, data_dir: &Path) -> Option<GroupSettings> {
    at_start(settings.fleet.is_some().then_some(data_dir))
}

/// [`refresh`] once, in the background, after the app started: a new
/// version is kept for the next start; a failure is logged (the kept
/// settings stay).
pub fn spawn_refresh(client: BrokerClient, data_dir: PathBuf) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        match refresh(&client, &data_dir).await {
            Ok(Refreshed::Unchanged) => tracing::debug!("the group settings are current"),
            Ok(Refreshed::Changed(_)) => {}
            Err(err) => {
                tracing::warn!(code = err.code(), %err, "the group settings were not refreshed")
            }
        }
    })
}

/// Checks and keeps one answer of the broker.
pub fn accept(
    data_dir: &Path,
    answer: fleet_client::wire::DeviceSettings,
) -> Result<Refreshed, GroupSettingsError> {
    let settings = checked(answer.settings).map_err(|err| GroupSettingsError::Refused {
        group: answer.group.clone(),
        reason: err.to_string(),
    })?;
    let received = GroupSettings {
        group: answer.group,
        version: answer.version,
        settings,
    };
    if read_cache(data_dir).ok().flatten().as_ref() == Some(&received) {
        return Ok(Refreshed::Unchanged);
    }
    write_cache(data_dir, &received)?;
    tracing::info!(group = %received.group, version = %received.version, managed = ?received.settings.fields(), "new group settings kept, used from the next start");
    Ok(Refreshed::Changed(Box::new(received)))
}

/// Writes the cache whole or not at all (a temporary file renamed over
/// it), readable by this account only.
fn write_cache(data_dir: &Path, kept: &GroupSettings) -> Result<(), GroupSettingsError> {
    let path = cache_path(data_dir);
    let write_err = |source| GroupSettingsError::Write {
        path: path.clone(),
        source,
    };
    std::fs::create_dir_all(data_dir).map_err(write_err)?;
    let mut file = tempfile::NamedTempFile::new_in(data_dir).map_err(write_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(write_err)?;
    }
    let json = serde_json::to_vec_pretty(kept).map_err(|err| write_err(err.into()))?;
    std::io::Write::write_all(&mut file, &json).map_err(write_err)?;
    file.as_file().sync_all().map_err(write_err)?;
    file.persist(&path).map_err(|err| write_err(err.error))?;
    Ok(())
}
