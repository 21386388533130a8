//! The managed settings of each device group: a folder (`groups_dir`) of
//! `<group>.json` files in the policy file's shape, read and checked once at
//! start, handed to a device by `GET /v1/device/settings`.
//!
//! A group's document is checked with the app's own rules
//! (`managed_settings`), and may not name `environment` or `apiVersion`:
//! in fleet mode the broker decides where Aeropay is. A group without a
//! file manages nothing.

use crate::config::ConfigError;
use managed_settings::ManagedSettings;
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::path::Path;

/// One group's document and its version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupSettings {
    /// A hash of the document's content: a device tells by it whether its
    /// settings changed.
    pub version: String,
    pub settings: ManagedSettings,
}

impl GroupSettings {
    pub fn new(settings: ManagedSettings) -> Self {
        Self {
            version: version_of(&settings),
            settings,
        }
    }
}

/// Every group's settings, by group name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Groups(BTreeMap<String, GroupSettings>);

impl Groups {
    /// The settings of `group`; an empty document (nothing managed) for a
    /// group without a file.
    pub fn of(&self, group: &str) -> GroupSettings {
        self.0
            .get(group)
            .cloned()
            .unwrap_or_else(|| GroupSettings::new(ManagedSettings::default()))
    }

    /// The groups with a file, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &GroupSettings)> {
        self.0
            .iter()
            .map(|(name, settings)| (name.as_str(), settings))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads every `<group>.json` in `dir` (other files are left alone);
    /// the first file that is refused is the error, named with its field.
    pub fn load_dir(dir: &Path) -> Result<Groups, ConfigError> {
        let read_err = |path: &Path, source| ConfigError::Read {
            path: path.into(),
            source,
        };
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(|e| read_err(dir, e))? {
            let path = entry.map_err(|e| read_err(dir, e))?.path();
            if path.extension().is_some_and(|e| e == "json") {
                paths.push(path);
            }
        }
        paths.sort();
        let mut groups = BTreeMap::new();
        for path in paths {
            let invalid = |detail: String| ConfigError::Parse {
                path: path.clone(),
                detail,
            };
            let group = path
                .file_stem()
                .and_then(|stem| stem.to_str())
                .unwrap_or_default()
                .to_owned();
            broker_store::validate_group(&group)
                .map_err(|e| invalid(format!("the file name is not a group name: {e}")))?;
            let bytes = std::fs::read(&path).map_err(|e| read_err(&path, e))?;
            let settings = ManagedSettings::from_json(&bytes)
                .and_then(|settings| settings.check_for_fleet().map(|()| settings))
                .map_err(|e| invalid(e.to_string()))?;
            groups.insert(group, GroupSettings::new(settings));
        }
        Ok(Groups(groups))
    }
}

/// The first 128 bits of the SHA-256 of the document as the broker sends
/// it (fields in a fixed order, absent ones left out), in hex.
pub fn version_of(settings: &ManagedSettings) -> String {
    let bytes = serde_json::to_vec(settings).unwrap_or_default();
    let digest = sha2::Sha256::digest(&bytes);
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn each_group_file_is_read_and_versioned_by_its_content() {
        let dir = dir_with(&[
            (
                "store.json",
                r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 60}}"#,
            ),
            ("office.json", r#"{"mode": "desk"}"#),
            ("notes.txt", "not a group"),
        ]);
        let groups = Groups::load_dir(dir.path()).unwrap();
        assert_eq!(
            groups.iter().map(|(name, _)| name).collect::<Vec<_>>(),
            ["office", "store"]
        );
        let store = groups.of("store");
        assert_eq!(store.settings.mode, Some(managed_settings::Mode::Kiosk));
        assert_ne!(store.version, groups.of("office").version);
        let none = groups.of("warehouse");
        assert_eq!(none.settings, ManagedSettings::default());
        assert_eq!(none.version, version_of(&ManagedSettings::default()));
        // Same content, same version; another value, another version.
        let again = dir_with(&[(
            "store.json",
            r#"{"kiosk": {"idleSeconds": 60}, "mode": "kiosk"}"#,
        )]);
        assert_eq!(
            Groups::load_dir(again.path()).unwrap().of("store").version,
            store.version
        );
        let changed = dir_with(&[(
            "store.json",
            r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 61}}"#,
        )]);
        assert_ne!(
            Groups::load_dir(changed.path())
                .unwrap()
                .of("store")
                .version,
            store.version
        );
    }

    #[test]
    fn a_bad_group_file_is_refused_with_its_file_and_field() {
        for (name, text, field) in [
            (
                "store.json",
                r#"{"kiosk": {"idleSeconds": 5}}"#,
                "kiosk.idleSeconds",
            ),
            (
                "store.json",
                r#"{"kiosk": {"moreTime": true}}"#,
                "kiosk.moreTime",
            ),
            (
                "store.json",
                r#"{"environment": {"kind": "sandbox"}}"#,
                "environment",
            ),
            ("store.json", r#"{"apiVersion": "v1"}"#, "apiVersion"),
        ] {
            let dir = dir_with(&[(name, text)]);
            let err = Groups::load_dir(dir.path()).unwrap_err().to_string();
            assert!(
                err.contains("store.json") && err.contains(&format!("field \"{field}\"")),
                "{text}: {err}"
            );
        }
        let dir = dir_with(&[("Bad Name.json", "{}")]);
        let err = Groups::load_dir(dir.path()).unwrap_err().to_string();
        assert!(
            err.contains("Bad Name.json") && err.contains("not a group name"),
            "{err}"
        );
        let err = Groups::load_dir(Path::new("/nonexistent/groups")).unwrap_err();
        assert!(err.to_string().contains("/nonexistent/groups"), "{err}");
    }
}
