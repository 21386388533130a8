//! Managed settings: a system-wide policy that a deployment tool writes and
//! the app obeys. Each field the policy holds is *managed*: it replaces the
//! user's value in the settings this run uses, and neither the Settings
//! screen nor `configure` may change it. The user's own values stay in
//! their settings file untouched, so removing the policy restores them.
//!
//! Where the policy is, by system:
//! - Linux: `/etc/aeropay-onboarding/policy.json`, which must belong to
//!   root and be writable by nobody else (a policy anyone can edit is worse
//!   than none).
//! - macOS: the managed preferences an MDM's configuration profile installs
//!   for the whole machine, [`MACOS_POLICY_FILE`] ([`profile`]), with the
//!   same owner and mode checks.
//! - Windows: the values under [`registry::POLICY_KEY`], as Group Policy or
//!   Intune write them ([`registry`]).
use crate::config::Settings;
use std::path::{Path, PathBuf};

pub mod profile;
pub mod registry;

/// Where a Linux machine's policy lives.
pub const POLICY_FILE: &str = "/etc/aeropay-onboarding/policy.json";

/// Where a Mac's policy lives: the managed preferences of the app's bundle
/// id that a configuration profile installs for the whole machine. The
/// per-user ones (`/Library/Managed Preferences/<user>/`) are not read:
/// the policy manages every account of the machine alike, as on Linux and
/// Windows.
pub const MACOS_POLICY_FILE: &str =
    "/Library/Managed Preferences/app.aeropay-onboarding.desktop.plist";

/// Names another policy file, but only while this system's policy file
/// does not exist (so nobody can point away from a real policy); for tests
/// and trials. The same ownership and permission checks apply.
pub const POLICY_ENV: &str = "AEROPAY_ONBOARDING_POLICY";

pub use managed_settings::{KioskPolicy, ManagedSettings, UpdatesPolicy, WidgetPolicy};

/// The machine's policy: the managed-settings document (the settings' own
/// names and shapes, each optional; a field that is present is managed) and
/// where it was read from. Reads of its fields go to the document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// Where the policy was read from; `None`: no policy file.
    pub source: Option<PathBuf>,
    /// Fleet mode: the device group whose settings (from the broker) are
    /// layered under the policy file's, if any.
    pub group: Option<String>,
    /// What is managed: the policy file's fields, then the group's for
    /// the fields the file leaves alone.
    pub document: ManagedSettings,
}

impl std::ops::Deref for Policy {
    type Target = ManagedSettings;

    fn deref(&self) -> &ManagedSettings {
        &self.document
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    /// Also when its folder cannot be searched: whether a policy is there
    /// cannot be told, and the app does not guess "none".
    #[error("cannot read the policy {path}: {source}; every account that runs the app must be able to read it (the file 0644, its folder 0755)")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the policy {path} is not valid: {}{reason}", field.as_deref().map(|f| format!("field \"{f}\": ")).unwrap_or_default())]
    Invalid {
        path: PathBuf,
        /// The field at fault (`kiosk.idleSeconds`), when one is.
        field: Option<String>,
        reason: String,
    },
    #[error("the policy {path} is refused: {reason}; it must belong to root and be writable by root only")]
    Unsafe { path: PathBuf, reason: String },
}

impl PolicyError {
    pub fn code(&self) -> &'static str {
        match self {
            PolicyError::Read { .. } => "POLICY_READ",
            PolicyError::Invalid { .. } => "POLICY_INVALID",
            PolicyError::Unsafe { .. } => "POLICY_UNSAFE",
        }
    }

    /// What the page shows (`Display` stays for logs).
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        let path_of = |path: &Path| path.display().to_string();
        match self {
            PolicyError::Read { path, source } => ErrorText::message(
                "err-policy-read",
                [
                    ("path", path_of(path).into()),
                    ("reason", source.to_string().into()),
                ],
            ),
            PolicyError::Invalid {
                path,
                field: Some(field),
                reason,
            } => ErrorText::message(
                "err-policy-invalid-field",
                [
                    ("path", path_of(path).into()),
                    ("field", field.as_str().into()),
                    ("reason", reason.as_str().into()),
                ],
            ),
            PolicyError::Invalid {
                path,
                field: None,
                reason,
            } => ErrorText::message(
                "err-policy-invalid",
                [
                    ("path", path_of(path).into()),
                    ("reason", reason.as_str().into()),
                ],
            ),
            PolicyError::Unsafe { path, reason } => ErrorText::message(
                "err-policy-unsafe",
                [
                    ("path", path_of(path).into()),
                    ("reason", reason.as_str().into()),
                ],
            ),
        }
    }
}

/// The code of a change to a managed field, refused.
pub const SETTINGS_MANAGED: &str = "SETTINGS_MANAGED";

/// What a refused change to the managed `fields` says.
pub fn managed_refusal(fields: &[&str]) -> crate::i18n::ErrorText {
    crate::i18n::ErrorText::message(
        "err-settings-managed",
        [("fields", fields.join(", ").into())],
    )
}

impl Policy {
    /// Whether a policy file or a group's settings are in force (they may
    /// manage nothing).
    pub fn in_force(&self) -> bool {
        self.source.is_some() || self.group.is_some()
    }

    /// This policy with the settings of the device's group (fleet mode)
    /// under it: a field the policy file sets wins, since whoever
    /// administers the machine is closer to it; the group's other fields
    /// are managed too.
    pub fn with_group(self, group: Option<crate::group_settings::GroupSettings>) -> Policy {
        match group {
            None => self,
            Some(group) => Policy {
                document: self.document.over(&group.settings),
                group: Some(group.group),
                source: self.source,
            },
        }
    }

    /// The managed fields, named as the Settings screen names them.
    pub fn fields(&self) -> Vec<&'static str> {
        self.document.fields()
    }

    /// `settings` with every managed field replaced by the policy's value.
    pub fn apply(&self, settings: Settings) -> Settings {
        let mut policy = Settings::default();
        if let Some(environment) = &self.environment {
            policy.environment = environment.clone();
        }
        if let Some(version) = self.api_version {
            policy.api_version = version;
        }
        if let Some(mode) = self.mode {
            policy.mode = mode;
        }
        let kiosk = self.kiosk.clone().unwrap_or_default();
        policy.kiosk.idle_seconds = kiosk.idle_seconds.unwrap_or_default();
        policy.kiosk.warning_seconds = kiosk.warning_seconds.unwrap_or_default();
        policy.kiosk.widget_idle_seconds = kiosk.widget_idle_seconds.unwrap_or_default();
        let updates = self.updates.clone().unwrap_or_default();
        policy.updates.enabled = updates.enabled.unwrap_or_default();
        policy.updates.feed_url = updates.feed_url;
        policy.updates.channel = updates.channel.unwrap_or_default();
        let widget = self.widget.clone().unwrap_or_default();
        policy.widget.configuration_id = widget.configuration_id;
        policy.widget.theme = widget.theme.unwrap_or_default();
        policy.widget.handle_oauth_manually = widget.handle_oauth_manually.unwrap_or_default();
        self.copy_managed(&policy, settings)
    }

    /// What to write to the user's settings file for `new`: the managed
    /// fields keep the values `on_disk` holds, so the user's own choices
    /// come back when the policy goes.
    pub fn keep_user_values(&self, new: Settings, on_disk: &Settings) -> Settings {
        self.copy_managed(on_disk, new)
    }

    /// `to` with the managed fields copied from `from`.
    fn copy_managed(&self, from: &Settings, mut to: Settings) -> Settings {
        for field in self.fields() {
            match field {
                "environment" => to.environment = from.environment.clone(),
                "apiVersion" => to.api_version = from.api_version,
                "mode" => to.mode = from.mode,
                "kioskIdleSeconds" => to.kiosk.idle_seconds = from.kiosk.idle_seconds,
                "kioskWarningSeconds" => to.kiosk.warning_seconds = from.kiosk.warning_seconds,
                "kioskWidgetIdleSeconds" => {
                    to.kiosk.widget_idle_seconds = from.kiosk.widget_idle_seconds
                }
                "updatesEnabled" => to.updates.enabled = from.updates.enabled,
                "updateFeedUrl" => to.updates.feed_url = from.updates.feed_url.clone(),
                "updateChannel" => to.updates.channel = from.updates.channel.clone(),
                "configurationId" => {
                    to.widget.configuration_id = from.widget.configuration_id.clone()
                }
                "theme" => to.widget.theme = from.widget.theme,
                "handleOAuthManually" => {
                    to.widget.handle_oauth_manually = from.widget.handle_oauth_manually
                }
                other => unreachable!("{other} is not a managed field"),
            }
        }
        to
    }

    /// The managed fields whose value in `settings` differs from the
    /// policy's (what a save or `configure` may not change).
    pub fn changed_by(&self, settings: &Settings) -> Vec<&'static str> {
        let effective = self.apply(settings.clone());
        differing(&effective, settings)
            .into_iter()
            .filter(|field| self.fields().contains(field))
            .collect()
    }
}

/// The fields a policy may manage whose values differ in `a` and `b`.
fn differing(a: &Settings, b: &Settings) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |differs: bool, name| {
        if differs {
            changed.push(name)
        }
    };
    check(a.environment != b.environment, "environment");
    check(a.api_version != b.api_version, "apiVersion");
    check(a.mode != b.mode, "mode");
    let (ak, bk) = (&a.kiosk, &b.kiosk);
    check(ak.idle_seconds != bk.idle_seconds, "kioskIdleSeconds");
    check(
        ak.warning_seconds != bk.warning_seconds,
        "kioskWarningSeconds",
    );
    check(
        ak.widget_idle_seconds != bk.widget_idle_seconds,
        "kioskWidgetIdleSeconds",
    );
    let (au, bu) = (&a.updates, &b.updates);
    check(au.enabled != bu.enabled, "updatesEnabled");
    check(au.feed_url != bu.feed_url, "updateFeedUrl");
    check(au.channel != bu.channel, "updateChannel");
    let (aw, bw) = (&a.widget, &b.widget);
    check(
        aw.configuration_id != bw.configuration_id,
        "configurationId",
    );
    check(aw.theme != bw.theme, "theme");
    check(
        aw.handle_oauth_manually != bw.handle_oauth_manually,
        "handleOAuthManually",
    );
    changed
}

/// Reads the policy file's text: the settings' names, nothing else, each
/// of the right type. A file named `*.plist` is a property list (macOS'
/// managed preferences, [`profile`]), any other JSON. An error names the
/// file and, when it can, the field.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Policy, PolicyError> {
    let invalid = |field: Option<String>, reason: String| PolicyError::Invalid {
        path: path.to_owned(),
        field,
        reason,
    };
    let document = if path.extension().is_some_and(|ext| ext == "plist") {
        profile::document_from_plist(bytes)
    } else {
        ManagedSettings::from_json(bytes)
    }
    .map_err(|err| invalid(err.field, err.reason))?;
    Ok(Policy {
        source: Some(path.to_owned()),
        group: None,
        document,
    })
}

/// The policy the Windows key's values say ([`registry`]): an error names
/// the key and the value at fault.
pub fn from_registry_values(
    values: impl IntoIterator<Item = (String, registry::RegistryValue)>,
) -> Result<Policy, PolicyError> {
    let key = PathBuf::from(registry::POLICY_KEY);
    let document = registry::document_from_values(values).map_err(|err| PolicyError::Invalid {
        path: key.clone(),
        field: err.field,
        reason: err.reason,
    })?;
    Ok(Policy {
        source: Some(key),
        group: None,
        document,
    })
}

/// Reads and checks the policy at `path`: a missing file means nothing is
/// managed; a file (or its folder) that is not root's, or that others may
/// write, is refused.
#[cfg(unix)]
pub fn load_from(path: &Path) -> Result<Policy, PolicyError> {
    use std::io::Read;
    let read_err = |source| PolicyError::Read {
        path: path.to_owned(),
        source,
    };
    let mut file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Policy::default()),
        // The folder cannot be searched by this account (a kiosk set up
        // with a 0700 /etc/aeropay-onboarding): whether a policy is there
        // cannot be told, and no policy there could be read by this app.
        // Refusing to start would stop every such kiosk at its next update;
        // it is logged and `doctor` says so. A file that is there but
        // unreadable is still refused below.
        Err(err)
            if err.kind() == std::io::ErrorKind::PermissionDenied
                && folder_not_searchable(path) =>
        {
            tracing::warn!(
                path = %path.display(),
                "the policy's folder cannot be searched by this account: no policy applies"
            );
            return Ok(Policy::default());
        }
        Err(err) => return Err(read_err(err)),
    };
    // The checks look at the file that was opened, not at whatever the
    // name points to a moment later.
    let metadata = file.metadata().map_err(read_err)?;
    if !metadata.is_file() {
        return Err(PolicyError::Unsafe {
            path: path.to_owned(),
            reason: "it is not a regular file".into(),
        });
    }
    check_owner_and_mode(path, &metadata, "the file")?;
    if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let metadata = std::fs::metadata(folder).map_err(read_err)?;
        check_owner_and_mode(path, &metadata, "its folder")?;
    }
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(read_err)?;
    parse(path, &bytes)
}

/// The name itself cannot be looked at: its folder is not searchable.
pub fn folder_not_searchable(path: &Path) -> bool {
    matches!(
        std::fs::symlink_metadata(path),
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied
    )
}

#[cfg(unix)]
fn check_owner_and_mode(
    path: &Path,
    metadata: &std::fs::Metadata,
    what: &str,
) -> Result<(), PolicyError> {
    use std::os::unix::fs::MetadataExt;
    let unsafe_because = |reason: String| PolicyError::Unsafe {
        path: path.to_owned(),
        reason,
    };
    if metadata.uid() != 0 {
        return Err(unsafe_because(format!(
            "{what} belongs to user id {}, not root",
            metadata.uid()
        )));
    }
    let mode = metadata.mode();
    // A folder with the sticky bit (/tmp) lets others add files, not
    // replace root's.
    let sticky_folder = metadata.is_dir() && mode & 0o1000 != 0;
    if mode & 0o022 != 0 && !sticky_folder {
        return Err(unsafe_because(format!(
            "{what} may be written by its group or by everyone (mode {:o})",
            mode & 0o7777
        )));
    }
    Ok(())
}

/// The policy file of a system, by its `std::env::consts::OS` name; `None`
/// where the policy is not a file (Windows) or not read.
pub fn policy_file_for(os: &str) -> Option<&'static str> {
    match os {
        "linux" => Some(POLICY_FILE),
        "macos" => Some(MACOS_POLICY_FILE),
        _ => None,
    }
}

/// Where a system keeps its policy, by its `std::env::consts::OS` name, as
/// `doctor` names it: the file, or Windows' key; `None` where no policy
/// is read.
pub fn place_for(os: &str) -> Option<&'static str> {
    match os {
        "windows" => Some(registry::POLICY_KEY),
        _ => policy_file_for(os),
    }
}

/// The policy file this machine reads ([`policy_file_for`] this system),
/// or the one [`POLICY_ENV`] names while that file does not exist.
#[cfg(unix)]
pub fn path_for_this_machine() -> PathBuf {
    let real = PathBuf::from(policy_file_for(std::env::consts::OS).unwrap_or(POLICY_FILE));
    let exists = match std::fs::symlink_metadata(&real) {
        Ok(_) => true,
        Err(err) => err.kind() != std::io::ErrorKind::NotFound,
    };
    match std::env::var_os(POLICY_ENV) {
        Some(other) if !exists && !other.is_empty() => PathBuf::from(other),
        _ => real,
    }
}

/// This machine's policy: Linux and macOS read [`path_for_this_machine`].
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub fn load() -> Result<Policy, PolicyError> {
    load_from(&path_for_this_machine())
}

/// This machine's policy: Windows reads the values under
/// [`registry::POLICY_KEY`]; no key, nothing is managed. Only
/// administrators may write under `HKLM\SOFTWARE\Policies`, so unlike a
/// file the key's owner is not checked. The checks of what it holds are
/// [`registry::document_from_values`]'s, tested everywhere; this read is
/// the part compiled for Windows only.
#[cfg(windows)]
pub fn load() -> Result<Policy, PolicyError> {
    /// `HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)`: the key is not there.
    const NOT_FOUND: i32 = 0x8007_0002_u32 as i32;
    let read_err = |code: i32| PolicyError::Read {
        path: PathBuf::from(registry::POLICY_KEY),
        source: std::io::Error::from_raw_os_error(code),
    };
    let key = match windows_registry::LOCAL_MACHINE.open(registry::POLICY_SUBKEY) {
        Ok(key) => key,
        Err(err) if err.code().0 == NOT_FOUND => return Ok(Policy::default()),
        Err(err) => return Err(read_err(err.code().0)),
    };
    let values = key.values().map_err(|err| read_err(err.code().0))?;
    from_registry_values(values.map(|(name, value)| (name, registry_value(value))))
}

/// A registry value as [`registry::document_from_values`] takes it.
#[cfg(windows)]
fn registry_value(value: windows_registry::Value) -> registry::RegistryValue {
    use registry::RegistryValue::{Dword, Other, String as Text};
    use windows_registry::Type;
    match value.ty() {
        Type::String => String::try_from(value)
            .map(Text)
            .unwrap_or_else(|_| Other("REG_SZ that is not text".into())),
        Type::U32 => u32::try_from(value)
            .map(Dword)
            .unwrap_or_else(|_| Other("REG_DWORD of the wrong size".into())),
        Type::ExpandString => Other("REG_EXPAND_SZ".into()),
        Type::MultiString => Other("REG_MULTI_SZ".into()),
        Type::U64 => Other("REG_QWORD".into()),
        Type::Bytes => Other("REG_BINARY".into()),
        Type::Other(number) => Other(format!("registry type {number}")),
    }
}

/// This machine's policy: none on the systems without a reader (the BSDs);
/// nothing is managed there.
#[cfg(not(any(target_os = "linux", target_os = "macos", windows)))]
pub fn load() -> Result<Policy, PolicyError> {
    Ok(Policy::default())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use crate::config::{ApiVersion, Environment, Mode};
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    const EXAMPLE: &str = r#"{
        "environment": {"kind": "sandbox"},
        "apiVersion": "v1",
        "mode": "kiosk",
        "kiosk": {"idleSeconds": 45, "warningSeconds": 25},
        "updates": {"enabled": true, "channel": "pilot", "feedUrl": "https://updates.example.com/{{channel}}/latest.json"},
        "widget": {"theme": "dark"}
    }"#;

    fn path() -> PathBuf {
        PathBuf::from("/etc/aeropay-onboarding/policy.json")
    }

    /// A policy file in a fresh folder, root's and 0644 when the tests run
    /// as root (as they do in CI).
    fn written(text: &str) -> (tempfile::TempDir, PathBuf) {
        written_as("policy.json", text.as_bytes())
    }

    fn written_as(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        (dir, file)
    }

    fn as_root() -> bool {
        std::fs::metadata(std::env::temp_dir()).unwrap().uid() == 0
            && tempfile::tempfile()
                .unwrap()
                .metadata()
                .map(|m| m.uid() == 0)
                .unwrap_or(false)
    }

    #[test]
    fn a_policy_names_its_fields_in_the_settings_words() {
        let policy = parse(&path(), EXAMPLE.as_bytes()).unwrap();
        assert_eq!(policy.environment, Some(Environment::Sandbox));
        assert_eq!(policy.mode, Some(Mode::Kiosk));
        assert!(policy.in_force());
        assert_eq!(
            policy.fields(),
            [
                "environment",
                "apiVersion",
                "mode",
                "kioskIdleSeconds",
                "kioskWarningSeconds",
                "updatesEnabled",
                "updateFeedUrl",
                "updateChannel",
                "theme"
            ]
        );
        let empty = parse(&path(), b"{}").unwrap();
        assert!(empty.in_force() && empty.fields().is_empty());
        assert!(!Policy::default().in_force());
    }

    #[test]
    fn an_unknown_field_is_refused_and_named() {
        let err = parse(&path(), br#"{"mode": "kiosk", "staffPin": "1234"}"#).unwrap_err();
        assert_eq!(err.code(), "POLICY_INVALID");
        let PolicyError::Invalid { field, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(field.as_deref(), Some("staffPin"));
        let text = err.to_string();
        assert!(
            text.contains("/etc/aeropay-onboarding/policy.json") && text.contains("staffPin"),
            "{text}"
        );
        // Nested, and a settings field the policy does not manage.
        let err = parse(&path(), br#"{"kiosk": {"moreTime": true}}"#).unwrap_err();
        assert!(err.to_string().contains("\"kiosk.moreTime\""), "{err}");
        let err = parse(&path(), br#"{"language": "es"}"#).unwrap_err();
        assert!(err.to_string().contains("\"language\""), "{err}");
    }

    #[test]
    fn a_wrong_type_is_refused_and_named() {
        let err = parse(
            &path(),
            br#"{"mode": "desk", "kiosk": {"idleSeconds": "ninety"}}"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "POLICY_INVALID");
        let text = err.to_string();
        assert!(text.contains("\"kiosk.idleSeconds\""), "{text}");
        assert!(text.contains("policy.json"), "{text}");
        let err = parse(&path(), br#"{"environment": "sandbox"}"#).unwrap_err();
        assert!(err.to_string().contains("\"environment\""), "{err}");
        let err = parse(&path(), b"{ not json").unwrap_err();
        assert_eq!(err.code(), "POLICY_INVALID");
        // Page text in both languages names the field.
        for lang in crate::i18n::Lang::ALL {
            let shown = parse(&path(), br#"{"mode": 3}"#)
                .unwrap_err()
                .text()
                .try_in(lang)
                .expect("in the catalog");
            assert!(
                shown.contains("mode") && shown.contains("policy.json"),
                "{shown}"
            );
        }
    }

    #[test]
    fn values_the_settings_screen_refuses_are_refused() {
        for (text, field) in [
            (r#"{"kiosk": {"idleSeconds": 5}}"#, "kiosk.idleSeconds"),
            (
                r#"{"kiosk": {"warningSeconds": 601}}"#,
                "kiosk.warningSeconds",
            ),
            (
                r#"{"kiosk": {"idleSeconds": 600, "widgetIdleSeconds": 300}}"#,
                "kiosk.widgetIdleSeconds",
            ),
            (r#"{"updates": {"channel": "../x"}}"#, "updates.channel"),
            (
                r#"{"updates": {"feedUrl": "http://updates.example.com/latest.json"}}"#,
                "updates.feedUrl",
            ),
            (
                r#"{"environment": {"kind": "custom", "base_url": "http://api.example.com"}}"#,
                "environment",
            ),
            (
                r#"{"widget": {"configurationId": " "}}"#,
                "widget.configurationId",
            ),
        ] {
            let err = parse(&path(), text.as_bytes()).unwrap_err();
            assert_eq!(err.code(), "POLICY_INVALID", "{text}");
            assert!(
                err.to_string().contains(&format!("field \"{field}\"")),
                "{text}: {err}"
            );
        }
        assert!(parse(
            &path(),
            br#"{"kiosk": {"idleSeconds": 10, "warningSeconds": 600}}"#
        )
        .is_ok());
    }

    #[test]
    fn a_missing_file_manages_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let policy = load_from(&dir.path().join("policy.json")).unwrap();
        assert_eq!(policy, Policy::default());
        assert!(!policy.in_force());
    }

    #[test]
    fn a_writable_or_foreign_policy_is_refused() {
        let (_dir, file) = written(r#"{"mode": "kiosk"}"#);
        if as_root() {
            assert_eq!(
                load_from(&file).unwrap().mode,
                Some(Mode::Kiosk),
                "root's 0644 file is read"
            );
        }
        for mode in [0o664, 0o646, 0o666] {
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = load_from(&file).unwrap_err();
            assert_eq!(err.code(), "POLICY_UNSAFE", "mode {mode:o}");
        }
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        if std::fs::metadata(&file).unwrap().uid() == 0 {
            std::os::unix::fs::chown(&file, Some(65534), None).unwrap();
        }
        let err = load_from(&file).unwrap_err();
        assert_eq!(err.code(), "POLICY_UNSAFE");
        assert!(err.to_string().contains("not root"), "{err}");
    }

    #[test]
    fn a_refused_registry_value_is_policy_invalid_naming_the_key_and_the_value() {
        use registry::RegistryValue;
        let policy = from_registry_values(vec![(
            "KioskIdleSeconds".to_owned(),
            RegistryValue::Dword(45),
        )])
        .unwrap();
        assert_eq!(policy.fields(), ["kioskIdleSeconds"]);
        assert_eq!(
            policy.source.as_deref(),
            Some(Path::new(registry::POLICY_KEY))
        );
        let err = from_registry_values(vec![(
            "KioskIdleSeconds".to_owned(),
            RegistryValue::String("45".into()),
        )])
        .unwrap_err();
        assert_eq!(err.code(), "POLICY_INVALID");
        let text = err.to_string();
        assert!(
            text.contains(r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Aeropay\Onboarding")
                && text.contains("field \"KioskIdleSeconds\""),
            "{text}"
        );
    }

    #[test]
    fn each_system_reads_its_own_policy_file() {
        assert_eq!(
            policy_file_for("linux"),
            Some("/etc/aeropay-onboarding/policy.json")
        );
        assert_eq!(
            policy_file_for("macos"),
            Some("/Library/Managed Preferences/app.aeropay-onboarding.desktop.plist")
        );
        assert_eq!(policy_file_for("windows"), None, "a registry key");
        assert_eq!(policy_file_for("freebsd"), None);
        assert_eq!(place_for("windows"), Some(registry::POLICY_KEY));
        assert_eq!(place_for("macos"), Some(MACOS_POLICY_FILE));
        assert_eq!(place_for("linux"), Some(POLICY_FILE));
        assert_eq!(place_for("freebsd"), None);
        // The bundle id the profile's payload must name.
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../../../src-tauri/tauri.conf.json")).unwrap();
        let identifier = conf["identifier"].as_str().unwrap();
        assert!(
            MACOS_POLICY_FILE.ends_with(&format!("/{identifier}.plist")),
            "{identifier}"
        );
    }

    #[test]
    fn a_property_list_policy_is_read_and_checked_like_the_json_one() {
        let mut kiosk = plist::Dictionary::new();
        kiosk.insert("idleSeconds".into(), plist::Value::Integer(45.into()));
        let mut top = plist::Dictionary::new();
        top.insert("mode".into(), plist::Value::String("kiosk".into()));
        top.insert("kiosk".into(), plist::Value::Dictionary(kiosk));
        let top = plist::Value::Dictionary(top);
        let (mut xml, mut binary) = (Vec::new(), Vec::new());
        top.to_writer_xml(&mut xml).unwrap();
        top.to_writer_binary(&mut binary).unwrap();
        for bytes in [xml, binary] {
            let (_dir, file) = written_as("app.aeropay-onboarding.desktop.plist", &bytes);
            if as_root() {
                let policy = load_from(&file).unwrap();
                assert_eq!(policy.fields(), ["mode", "kioskIdleSeconds"]);
                assert_eq!(policy.source.as_deref(), Some(file.as_path()));
            }
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o664)).unwrap();
            assert_eq!(load_from(&file).unwrap_err().code(), "POLICY_UNSAFE");
            // The same bytes as JSON are not a policy.
            let err = parse(Path::new("/etc/aeropay-onboarding/policy.json"), &bytes).unwrap_err();
            assert_eq!(err.code(), "POLICY_INVALID");
        }
        let err = parse(
            Path::new(MACOS_POLICY_FILE),
            br#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict><key>kiosk</key><dict><key>idleSeconds</key><string>45</string></dict></dict></plist>"#,
        )
        .unwrap_err();
        assert_eq!(err.code(), "POLICY_INVALID");
        let text = err.to_string();
        assert!(
            text.contains(MACOS_POLICY_FILE) && text.contains("field \"kiosk.idleSeconds\""),
            "{text}"
        );
    }

    #[test]
    fn a_folder_others_may_write_makes_the_policy_unsafe() {
        let (dir, file) = written("{}");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = load_from(&file).unwrap_err();
        assert_eq!(err.code(), "POLICY_UNSAFE");
        assert!(err.to_string().contains("its folder"), "{err}");
    }

    #[test]
    fn managed_fields_replace_the_users_and_a_save_keeps_the_users_own() {
        let policy = parse(&path(), EXAMPLE.as_bytes()).unwrap();
        let users = Settings {
            environment: Environment::Simulator,
            merchant_id: Some(77),
            ..Settings::default()
        };
        let effective = policy.apply(users.clone());
        assert_eq!(effective.environment, Environment::Sandbox);
        assert_eq!(effective.api_version, ApiVersion::V1);
        assert_eq!(effective.mode, Mode::Kiosk);
        assert_eq!(effective.kiosk.idle_seconds, 45);
        assert_eq!(effective.kiosk.warning_seconds, 25);
        assert_eq!(effective.kiosk.widget_idle_seconds, 300, "not managed");
        assert_eq!(effective.updates.channel, "pilot");
        assert!(effective.updates.feed_url.is_some());
        assert_eq!(effective.widget.theme, aerosync::Theme::Dark);
        assert_eq!(effective.merchant_id, Some(77), "not managed");
        assert!(policy.changed_by(&effective).is_empty());

        let mut changed = effective.clone();
        changed.kiosk.idle_seconds = 120;
        changed.environment = Environment::Production;
        changed.merchant_id = Some(88);
        assert_eq!(
            policy.changed_by(&changed),
            ["environment", "kioskIdleSeconds"]
        );

        // A save of the effective settings with an unmanaged change: the
        // file keeps the user's own values of the managed fields.
        let mut saved = effective.clone();
        saved.merchant_id = Some(99);
        let on_disk = policy.keep_user_values(saved, &users);
        assert_eq!(
            on_disk,
            Settings {
                merchant_id: Some(99),
                ..users.clone()
            }
        );
        // Without the policy the user's settings are what they were.
        assert_eq!(Policy::default().apply(users.clone()), users);
    }

    #[test]
    fn the_policy_file_beats_the_group_field_by_field_and_both_are_managed() {
        use crate::group_settings::GroupSettings;
        let machine = parse(&path(), br#"{"kiosk": {"idleSeconds": 45}}"#).unwrap();
        let group = GroupSettings {
            group: "store".into(),
            version: "v1".into(),
            settings: ManagedSettings::from_json(
                br#"{"mode": "kiosk", "kiosk": {"idleSeconds": 120, "warningSeconds": 40}, "widget": {"theme": "dark"}}"#,
            )
            .unwrap(),
        };
        let policy = machine.clone().with_group(Some(group.clone()));
        assert_eq!(policy.group.as_deref(), Some("store"));
        assert_eq!(
            policy.fields(),
            ["mode", "kioskIdleSeconds", "kioskWarningSeconds", "theme"]
        );
        let effective = policy.apply(Settings::default());
        assert_eq!(effective.kiosk.idle_seconds, 45, "the policy file's");
        assert_eq!(effective.kiosk.warning_seconds, 40, "the group's");
        assert_eq!(effective.mode, Mode::Kiosk);
        assert_eq!(effective.widget.theme, aerosync::Theme::Dark);
        // A save may change neither kind.
        let mut changed = effective.clone();
        changed.kiosk.idle_seconds = 60;
        changed.kiosk.warning_seconds = 60;
        assert_eq!(
            policy.changed_by(&changed),
            ["kioskIdleSeconds", "kioskWarningSeconds"]
        );
        // A group alone, without a policy file, is in force too.
        let alone = Policy::default().with_group(Some(group));
        assert!(alone.in_force());
        assert_eq!(alone.apply(Settings::default()).kiosk.idle_seconds, 120);
        // No group: the policy file as it was.
        assert_eq!(machine.clone().with_group(None), machine);
    }
}
