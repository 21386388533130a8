use super::{decode, encode, Secret, SecretKey, Vault, VaultError};
use std::collections::HashMap;
use std::sync::Mutex;

/// A vault in process memory, for tests and for callers that must not touch
/// the OS keychain. Entries go through the same JSON encoding as the keychain.
#[derive(Default)]
pub struct MemoryVault {
    entries: Mutex<HashMap<String, String>>,
}

impl MemoryVault {
    pub fn new() -> Self {
        Self::default()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, String>> {
        // A panic elsewhere while holding the lock leaves the map intact.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Vault for MemoryVault {
    fn put(&self, key: &SecretKey, secret: &Secret) -> Result<(), VaultError> {
        let encoded = encode(key, secret)?;
        self.entries().insert(key.account(), encoded);
        Ok(())
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, VaultError> {
        match self.entries().get(&key.account()) {
            Some(stored) => decode(key, stored).map(Some),
            None => Ok(None),
        }
    }

    fn delete(&self, key: &SecretKey) -> Result<bool, VaultError> {
        Ok(self.entries().remove(&key.account()).is_some())
    }
}
