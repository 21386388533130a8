//! Where the PIN's hash lives: the keychain entry `staff-pin`, through the
//! app's [`Vault`]. There is no other copy, and never the PIN itself.

use super::pin::{hash_pin, Pin};
use super::StaffError;
use crate::vault::{Secret, SecretKey, Vault};

/// The stored PHC string, if a PIN is set.
pub fn read_pin_hash(vault: &dyn Vault) -> Result<Option<String>, StaffError> {
    match vault.get(&SecretKey::StaffPin)? {
        Some(Secret::StaffPin { phc }) => Ok(Some(phc)),
        Some(_) => Err(StaffError::StoredHashInvalid),
        None => Ok(None),
    }
}

/// Hashes `pin` and stores the hash; returns it.
pub fn store_pin(vault: &dyn Vault, pin: &Pin) -> Result<String, StaffError> {
    let phc = hash_pin(pin);
    vault.put(&SecretKey::StaffPin, &Secret::StaffPin { phc: phc.clone() })?;
    Ok(phc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::MemoryVault;

    #[test]
    fn only_the_hash_reaches_the_keychain() {
        let vault = MemoryVault::new();
        assert_eq!(read_pin_hash(&vault).unwrap(), None);
        let phc = store_pin(&vault, &Pin::parse("24680").unwrap()).unwrap();
        assert_eq!(
            read_pin_hash(&vault).unwrap().as_deref(),
            Some(phc.as_str())
        );
        let Some(Secret::StaffPin { phc: stored }) = vault.get(&SecretKey::StaffPin).unwrap()
        else {
            panic!("a staff PIN entry")
        };
        assert!(stored.starts_with("$argon2id$") && !stored.contains("24680"));
    }
}
