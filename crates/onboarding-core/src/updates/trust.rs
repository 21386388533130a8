//! What an update must come from: a feed address staff set (https, or http
//! on this machine's loopback) and a signature by the release key.
//!
//! The release key's public half is compiled in (`plugins.updater.pubkey` in
//! tauri.conf.json). It can be replaced only by someone who is root on the
//! machine: by [`ROOT_KEY_FILE`], read only when the file and its folder
//! belong to root and nobody else may write them. Anyone who can write there
//! could install packages anyway. The person at a kiosk, the app's own user
//! and anything that can change the settings file cannot: the feed address
//! is theirs to set at most, and a feed without the key's signature installs
//! nothing. Debug builds (never shipped) also read the key from
//! `AEROPAY_ONBOARDING_UPDATER_PUBKEY`, for the end-to-end tests.

use super::UpdateError;
use std::path::Path;

/// A site's own release key (e.g. a fleet that signs its own builds; the
/// install test): the contents of the `.pub` file `tauri signer generate`
/// writes.
pub const ROOT_KEY_FILE: &str = "/etc/aeropay-onboarding/updater.pub";

/// Debug builds only.
pub const DEBUG_KEY_ENV: &str = "AEROPAY_ONBOARDING_UPDATER_PUBKEY";

/// https anywhere, plain http only to this machine.
pub use managed_settings::feed_url_allowed;

/// The public key to check signatures with instead of the compiled-in one,
/// if any. An override file that exists but is not root's alone is an error
/// (reported, and no update is installed), never silently ignored.
pub fn pubkey_override() -> Result<Option<String>, UpdateError> {
    if cfg!(debug_assertions) {
        if let Ok(key) = std::env::var(DEBUG_KEY_ENV) {
            if !key.trim().is_empty() {
                return Ok(Some(key.trim().to_owned()));
            }
        }
    }
    key_from_root_file(Path::new(ROOT_KEY_FILE), 0)
}

/// Reads `path` if it exists, belongs to `owner` and neither it nor its
/// folder can be written by anyone else.
pub(crate) fn key_from_root_file(path: &Path, owner: u32) -> Result<Option<String>, UpdateError> {
    use std::os::unix::fs::MetadataExt;
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(key_file_error(path, &err.to_string())),
    };
    if !meta.file_type().is_file() {
        return Err(key_file_error(path, "not a plain file"));
    }
    let folder = path.parent().unwrap_or(Path::new("/"));
    let folder_meta =
        std::fs::metadata(folder).map_err(|err| key_file_error(path, &err.to_string()))?;
    for (what, meta) in [("the file", &meta), ("its folder", &folder_meta)] {
        if meta.uid() != owner {
            return Err(key_file_error(
                path,
                &format!("{what} does not belong to root"),
            ));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(key_file_error(
                path,
                &format!("{what} may be written by others than root"),
            ));
        }
    }
    let text =
        std::fs::read_to_string(path).map_err(|err| key_file_error(path, &err.to_string()))?;
    let key = text.trim();
    if key.is_empty() || key.len() > 1000 {
        return Err(key_file_error(path, "it does not hold one public key"));
    }
    Ok(Some(key.to_owned()))
}

fn key_file_error(path: &Path, why: &str) -> UpdateError {
    UpdateError::Signature(format!(
        "the release key file {} is not trusted: {why}",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use url::Url;

    #[test]
    fn feeds_are_https_or_this_machine() {
        for ok in [
            "https://updates.example.com/latest.json",
            "http://127.0.0.1:8080/latest.json",
            "http://[::1]:8080/x",
            "http://localhost/x",
        ] {
            assert!(feed_url_allowed(&Url::parse(ok).unwrap()), "{ok}");
        }
        for refused in [
            "http://updates.example.com/latest.json",
            "http://10.0.0.1/latest.json",
            "file:///etc/passwd",
            "ftp://example.com/x",
        ] {
            assert!(
                !feed_url_allowed(&Url::parse(refused).unwrap()),
                "{refused}"
            );
        }
    }

    fn key_dir() -> (tempfile::TempDir, std::path::PathBuf, u32) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = dir.path().join("updater.pub");
        std::fs::write(&path, "  dW50cnVzdGVk\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let me = std::fs::metadata(&path).unwrap().uid();
        (dir, path, me)
    }

    #[test]
    fn a_key_file_of_its_owner_alone_is_read() {
        let (_dir, path, me) = key_dir();
        assert_eq!(
            key_from_root_file(&path, me).unwrap().as_deref(),
            Some("dW50cnVzdGVk")
        );
        assert_eq!(
            key_from_root_file(&path.with_file_name("missing.pub"), me).unwrap(),
            None
        );
    }

    #[test]
    fn a_key_file_someone_else_could_have_written_is_refused() {
        let (dir, path, me) = key_dir();
        let err = key_from_root_file(&path, me + 1).unwrap_err();
        assert_eq!(err.code(), "UPDATE_SIGNATURE_REFUSED");
        assert!(err.to_string().contains("does not belong to root"), "{err}");

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        let err = key_from_root_file(&path, me).unwrap_err();
        assert!(
            err.to_string()
                .contains("the file may be written by others"),
            "{err}"
        );

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = key_from_root_file(&path, me).unwrap_err();
        assert!(
            err.to_string()
                .contains("its folder may be written by others"),
            "{err}"
        );

        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let link = dir.path().join("link.pub");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        let err = key_from_root_file(&link, me).unwrap_err();
        assert!(err.to_string().contains("not a plain file"), "{err}");
    }
}
