use thiserror::Error;

/// What can go wrong with the keychain. Messages name the cause and the fix and
/// never include a secret value.
#[derive(Debug, Error)]
pub enum VaultError {
    #[error(
        "no Secret Service on the session bus ({detail}): start gnome-keyring or KWallet in this desktop session"
    )]
    NoSecretService { detail: String },
    #[error("the keychain is locked ({detail}): unlock it (log in to the desktop session, or run `gnome-keyring-daemon --unlock`) and try again")]
    Locked { detail: String },
    #[error("the keychain refused the request ({detail})")]
    Unavailable { detail: String },
    #[error("the keychain entry {account} is damaged: delete it and enter the value again")]
    Corrupt { account: String },
    #[error("refusing to store a value of the wrong kind under {account}")]
    WrongKind { account: String },
}

impl VaultError {
    pub fn code(&self) -> &'static str {
        match self {
            VaultError::NoSecretService { .. } => "VAULT_NO_SECRET_SERVICE",
            VaultError::Locked { .. } => "VAULT_LOCKED",
            VaultError::Unavailable { .. } => "VAULT_UNAVAILABLE",
            VaultError::Corrupt { .. } => "VAULT_CORRUPT",
            VaultError::WrongKind { .. } => "VAULT_WRONG_KIND",
        }
    }

    /// What the page shows (`Display` stays for logs).
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        match self {
            VaultError::NoSecretService { detail } => ErrorText::message(
                "err-vault-no-secret-service",
                [("detail", detail.as_str().into())],
            ),
            VaultError::Locked { detail } => {
                ErrorText::message("err-vault-locked", [("detail", detail.as_str().into())])
            }
            VaultError::Unavailable { detail } => ErrorText::message(
                "err-vault-unavailable",
                [("detail", detail.as_str().into())],
            ),
            VaultError::Corrupt { account } => {
                ErrorText::message("err-vault-corrupt", [("account", account.as_str().into())])
            }
            VaultError::WrongKind { account } => ErrorText::message(
                "err-vault-wrong-kind",
                [("account", account.as_str().into())],
            ),
        }
    }
}
