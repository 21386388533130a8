use crate::i18n::PageText;
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

impl CommandError {
    /// An error whose message is a fixed English sentence, shown in the
    /// current language (`crate::i18n::localize`).
    pub fn localized(code: impl Into<String>, english: &str, retry: bool) -> Self {
        let code = code.into();
        Self {
            message: crate::i18n::localize(&code, english),
            code,
            retry,
        }
    }

    /// An error whose message is `text` in the current language.
    pub fn shown(code: impl Into<String>, text: &crate::i18n::ErrorText, retry: bool) -> Self {
        let code = code.into();
        Self {
            message: text.show(&code),
            code,
            retry,
        }
    }
}

impl From<crate::vault::VaultError> for CommandError {
    fn from(err: crate::vault::VaultError) -> Self {
        let retry = matches!(
            err,
            crate::vault::VaultError::Locked { .. }
                | crate::vault::VaultError::NoSecretService { .. }
        );
        Self::shown(err.code(), &err.text(), retry)
    }
}

impl From<crate::config::ConfigError> for CommandError {
    fn from(err: crate::config::ConfigError) -> Self {
        Self::shown(err.code(), &err.text(), false)
    }
}

impl From<&crate::backend::StartError> for CommandError {
    fn from(err: &crate::backend::StartError) -> Self {
        use crate::backend::StartError;
        let code = err.code();
        match err {
            StartError::Store(store) => Self::shown(code, &store.text(), false),
            StartError::Client(client) => Self::shown(code, &client.text(), false),
            StartError::Policy(policy) => Self::shown(code, &policy.text(), false),
            StartError::Fleet(fleet) => {
                let err = crate::enrollment::EnrollmentError::Fleet(fleet.clone());
                Self::shown(code, &err.text(), fleet.retryable())
            }
            StartError::Vault(vault) => Self::shown(code, &vault.text(), true),
            StartError::Simulator(_) | StartError::Interrupted => {
                Self::localized(code, &err.to_string(), false)
            }
        }
    }
}
