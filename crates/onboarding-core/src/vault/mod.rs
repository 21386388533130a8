//! Secrets behind one small trait: the OS keychain in the app, memory in tests.
//!
//! Naming scheme (one place, here): every entry lives under the keychain
//! service [`SERVICE`]; the account name is built by [`SecretKey::account`]:
//!
//! | key                          | account                                  |
//! |------------------------------|------------------------------------------|
//! | merchant API key/secret      | `<environment>/merchant-credentials`     |
//! | Aeropay token for a customer | `<environment>/user-token/<user id>`     |
//! | staff PIN hash               | `staff-pin`                              |
//! | key of the phone-number hash | `phone-hash-key`                         |
//! | this device's fleet credential | `fleet/device-credential`              |
//!
//! `<environment>` is [`crate::config::Environment::id`], so sandbox and
//! production credentials can never be mixed up. Values are typed
//! ([`Secret`]) and stored as JSON inside the secret. There is no plaintext
//! fallback: when the keychain is unreachable, callers get a [`VaultError`].

mod error;
mod memory;
mod os;

pub use error::VaultError;
pub use memory::MemoryVault;
pub use os::OsKeychain;

use aeropay_client::secret::SecretString;
use serde::{Deserialize, Serialize};

/// Keychain service name shared by every entry of this app.
pub const SERVICE: &str = crate::config::APP_IDENTIFIER;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretKey {
    MerchantCredentials {
        environment: String,
    },
    UserToken {
        environment: String,
        user_id: String,
    },
    StaffPin,
    PhoneHashKey,
    /// Fleet mode: the device id and secret the broker gave this device.
    DeviceCredential,
    /// The v1 widget's `user_password` for a link written down but not yet
    /// settled (`store::PendingLink`): kept only until the link is settled.
    PendingLink {
        environment: String,
        enrollment_id: String,
        link_key: String,
    },
}

impl SecretKey {
    pub fn account(&self) -> String {
        match self {
            SecretKey::MerchantCredentials { environment } => {
                format!("{environment}/merchant-credentials")
            }
            SecretKey::UserToken {
                environment,
                user_id,
            } => format!("{environment}/user-token/{user_id}"),
            SecretKey::StaffPin => "staff-pin".into(),
            SecretKey::PhoneHashKey => "phone-hash-key".into(),
            SecretKey::DeviceCredential => "fleet/device-credential".into(),
            SecretKey::PendingLink {
                environment,
                enrollment_id,
                link_key,
            } => format!("{environment}/pending-link/{enrollment_id}/{link_key}"),
        }
    }

    fn expected_kind(&self) -> SecretKind {
        match self {
            SecretKey::MerchantCredentials { .. } => SecretKind::MerchantCredentials,
            SecretKey::UserToken { .. } => SecretKind::AeropayToken,
            SecretKey::StaffPin => SecretKind::StaffPin,
            SecretKey::PhoneHashKey => SecretKind::PhoneHashKey,
            SecretKey::DeviceCredential => SecretKind::DeviceCredential,
            SecretKey::PendingLink { .. } => SecretKind::LinkPassword,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretKind {
    MerchantCredentials,
    AeropayToken,
    StaffPin,
    PhoneHashKey,
    DeviceCredential,
    LinkPassword,
}

pub use aeropay_client::TokenScope;

/// An Aeropay token as kept between runs: the token and what it is good for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoredToken {
    pub token: SecretString,
    pub scope: TokenScope,
    pub user_id: Option<String>,
    /// Unix seconds.
    pub expires_at: i64,
}

impl StoredToken {
    pub fn is_expired_at(&self, unix_now: i64) -> bool {
        unix_now >= self.expires_at
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Secret {
    #[serde(rename_all = "camelCase")]
    MerchantCredentials {
        api_key: SecretString,
        api_secret: SecretString,
        merchant_id: u64,
    },
    AeropayToken(StoredToken),
    /// An argon2 PHC string, never the PIN itself.
    #[serde(rename_all = "camelCase")]
    StaffPin {
        phc: String,
    },
    /// The key that turns phone numbers into the hashes the database keeps.
    #[serde(rename_all = "camelCase")]
    PhoneHashKey {
        key: SecretString,
    },
    /// The fleet broker's credential for this device.
    #[serde(rename_all = "camelCase")]
    DeviceCredential {
        device_id: uuid::Uuid,
        secret: SecretString,
    },
    /// A v1 widget's `user_password`, until its link is settled.
    #[serde(rename_all = "camelCase")]
    LinkPassword {
        password: SecretString,
    },
}

impl Secret {
    fn kind(&self) -> SecretKind {
        match self {
            Secret::MerchantCredentials { .. } => SecretKind::MerchantCredentials,
            Secret::AeropayToken(_) => SecretKind::AeropayToken,
            Secret::StaffPin { .. } => SecretKind::StaffPin,
            Secret::PhoneHashKey { .. } => SecretKind::PhoneHashKey,
            Secret::DeviceCredential { .. } => SecretKind::DeviceCredential,
            Secret::LinkPassword { .. } => SecretKind::LinkPassword,
        }
    }
}

/// Put, get and delete typed secrets. Implementations block: from async code
/// call them through `spawn_blocking`.
pub trait Vault: Send + Sync {
    fn put(&self, key: &SecretKey, secret: &Secret) -> Result<(), VaultError>;
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, VaultError>;
    /// Returns whether something was there to delete.
    fn delete(&self, key: &SecretKey) -> Result<bool, VaultError>;
}

fn encode(key: &SecretKey, secret: &Secret) -> Result<String, VaultError> {
    if secret.kind() != key.expected_kind() {
        return Err(VaultError::WrongKind {
            account: key.account(),
        });
    }
    Ok(serde_json::to_string(secret).expect("secrets serialize"))
}

fn decode(key: &SecretKey, stored: &str) -> Result<Secret, VaultError> {
    // The serde error is dropped on purpose: its text can quote the value.
    let secret: Secret = serde_json::from_str(stored).map_err(|_| VaultError::Corrupt {
        account: key.account(),
    })?;
    if secret.kind() != key.expected_kind() {
        return Err(VaultError::Corrupt {
            account: key.account(),
        });
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_names_follow_the_documented_scheme() {
        let merchant = SecretKey::MerchantCredentials {
            environment: "sandbox".into(),
        };
        let token = SecretKey::UserToken {
            environment: "production".into(),
            user_id: "9f1c".into(),
        };
        assert_eq!(merchant.account(), "sandbox/merchant-credentials");
        assert_eq!(token.account(), "production/user-token/9f1c");
        assert_eq!(SecretKey::StaffPin.account(), "staff-pin");
        assert_eq!(
            SecretKey::DeviceCredential.account(),
            "fleet/device-credential"
        );
        assert_eq!(SERVICE, "app.aeropay-onboarding.desktop");
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_refused() {
        let err = encode(&SecretKey::StaffPin, &Secret::StaffPin { phc: "x".into() });
        assert!(err.is_ok());
        let err = encode(
            &SecretKey::StaffPin,
            &Secret::MerchantCredentials {
                api_key: "k".into(),
                api_secret: "s".into(),
                merchant_id: 1,
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), "VAULT_WRONG_KIND");
    }

    #[test]
    fn corrupt_entries_are_reported_without_quoting_them() {
        let err = decode(&SecretKey::StaffPin, "{\"kind\":\"nope\",\"x\":\"s3cr3t\"}").unwrap_err();
        assert_eq!(err.code(), "VAULT_CORRUPT");
        assert!(!err.to_string().contains("s3cr3t"));
    }
}
