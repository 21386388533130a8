//! Where the merchant's API key, secret and id come from: passed directly in
//! tests, read from the keychain in the app. Read on every token mint, so a
//! key changed in the settings is used from the next mint on.

use crate::secret::SecretString;

/// The merchant's Aeropay credentials. `Debug` shows only the merchant id.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub api_key: SecretString,
    pub api_secret: SecretString,
    pub merchant_id: u64,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &"<redacted>")
            .field("api_secret", &"<redacted>")
            .field("merchant_id", &self.merchant_id)
            .finish()
    }
}

/// Why credentials could not be had. The message is shown to staff; it must
/// not contain the secret itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct CredentialError(pub String);

/// Supplies credentials. Implementations may block (a keychain read): the
/// client calls them off the async threads.
pub trait CredentialSource: Send + Sync {
    fn credentials(&self) -> Result<Credentials, CredentialError>;
}

/// Fixed credentials held in memory.
#[derive(Debug, Clone)]
pub struct StaticCredentials(pub Credentials);

impl StaticCredentials {
    pub fn new(
        api_key: impl Into<SecretString>,
        api_secret: impl Into<SecretString>,
        merchant_id: u64,
    ) -> Self {
        Self(Credentials {
            api_key: api_key.into(),
            api_secret: api_secret.into(),
            merchant_id,
        })
    }
}

impl CredentialSource for StaticCredentials {
    fn credentials(&self) -> Result<Credentials, CredentialError> {
        Ok(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_key_and_secret() {
        let source = StaticCredentials::new("key-abc", "secret-xyz", 42);
        let shown = format!("{source:?}");
        assert!(
            !shown.contains("key-abc") && !shown.contains("secret-xyz"),
            "{shown}"
        );
        assert!(shown.contains("42"));
    }
}
