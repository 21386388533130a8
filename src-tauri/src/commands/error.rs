use serde::Serialize;

/// The one shape every command error takes on the page: a code support can
/// look up, a message a person can act on, and whether trying again can help.
#[derive(Debug, Clone, Serialize, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct CommandError {
    pub code: String,
    pub message: String,
    pub retry: bool,
}

impl From<crate::vault::VaultError> for CommandError {
    fn from(err: crate::vault::VaultError) -> Self {
        let retry = matches!(
            err,
            crate::vault::VaultError::Locked { .. }
                | crate::vault::VaultError::NoSecretService { .. }
        );
        Self {
            code: err.code().into(),
            message: err.to_string(),
            retry,
        }
    }
}

impl From<crate::config::ConfigError> for CommandError {
    fn from(err: crate::config::ConfigError) -> Self {
        Self {
            code: err.code().into(),
            message: err.to_string(),
            retry: false,
        }
    }
}
