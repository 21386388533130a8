use super::{decode, encode, Secret, SecretKey, Vault, VaultError, SERVICE};
use std::sync::Mutex;

/// The platform keychain through `keyring`: macOS Keychain, Windows Credential
/// Manager, the Secret Service (gnome-keyring, KWallet) on Linux.
pub struct OsKeychain {
    service: String,
    // Concurrent access to one credential can fail on Linux and Windows:
    // every call goes through this lock.
    lock: Mutex<()>,
}

impl Default for OsKeychain {
    fn default() -> Self {
        Self::new()
    }
}

impl OsKeychain {
    pub fn new() -> Self {
        Self::with_service(SERVICE)
    }

    /// A separate service name, so tests never touch the app's entries.
    pub fn with_service(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            lock: Mutex::new(()),
        }
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring::Entry, VaultError> {
        keyring::Entry::new(&self.service, &key.account()).map_err(map_error)
    }

    fn locked<T>(&self, f: impl FnOnce() -> Result<T, VaultError>) -> Result<T, VaultError> {
        let _guard = self.lock.lock().unwrap_or_else(|e| e.into_inner());
        f()
    }
}

impl Vault for OsKeychain {
    fn put(&self, key: &SecretKey, secret: &Secret) -> Result<(), VaultError> {
        let encoded = encode(key, secret)?;
        self.locked(|| self.entry(key)?.set_password(&encoded).map_err(map_error))
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, VaultError> {
        self.locked(|| match self.entry(key)?.get_password() {
            Ok(stored) => decode(key, &stored).map(Some),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(keyring::Error::BadEncoding(_)) => Err(VaultError::Corrupt {
                account: key.account(),
            }),
            Err(err) => Err(map_error(err)),
        })
    }

    fn delete(&self, key: &SecretKey) -> Result<bool, VaultError> {
        self.locked(|| match self.entry(key)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(err) => Err(map_error(err)),
        })
    }
}

/// Turns keyring's errors into ones that name the cause and the fix.
pub(crate) fn map_error(err: keyring::Error) -> VaultError {
    match err {
        keyring::Error::NoStorageAccess(inner) => VaultError::Locked {
            detail: inner.to_string(),
        },
        keyring::Error::PlatformFailure(inner) => classify_platform_failure(&inner.to_string()),
        other => VaultError::Unavailable {
            detail: other.to_string(),
        },
    }
}

fn classify_platform_failure(detail: &str) -> VaultError {
    let lower = detail.to_ascii_lowercase();
    let no_service = [
        "org.freedesktop.secrets",
        "autolaunch",
        "dbus",
        "d-bus",
        "serviceunknown",
        "no such file or directory",
    ];
    if lower.contains("locked") {
        VaultError::Locked {
            detail: detail.to_owned(),
        }
    } else if no_service.iter().any(|needle| lower.contains(needle)) {
        VaultError::NoSecretService {
            detail: detail.to_owned(),
        }
    } else {
        VaultError::Unavailable {
            detail: detail.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_session_bus_names_the_fix() {
        let err = classify_platform_failure(
            "Unable to autolaunch a dbus-daemon without a $DISPLAY for X11",
        );
        assert_eq!(err.code(), "VAULT_NO_SECRET_SERVICE");
        assert!(err.to_string().contains("start gnome-keyring or KWallet"));
    }

    #[test]
    fn a_locked_collection_says_unlock() {
        let err = classify_platform_failure("Cannot create an item in a locked collection");
        assert_eq!(err.code(), "VAULT_LOCKED");
        assert!(err.to_string().contains("unlock it"));
    }
}
