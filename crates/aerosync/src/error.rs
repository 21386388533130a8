use thiserror::Error;

/// Problems with the widget or its messages. Messages never quote a payload
/// (it can hold `user_password`); they say what was wrong with it.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AerosyncError {
    #[error("the bank-link widget address {origin} is not a known Aerosync address; check the environment settings")]
    UntrustedWidgetOrigin { origin: String },
    #[error("the bank-link widget address is not a valid web address")]
    InvalidWidgetUrl,
    #[error("ignored a message from {origin}: only the bank-link widget may talk to the app")]
    WrongOrigin { origin: String },
    #[error("ignored a widget message of {size} bytes (the limit is {limit})")]
    TooLarge { size: usize, limit: usize },
    #[error("the bank-link widget sent a message that is not JSON")]
    NotJson,
    #[error("the bank-link widget sent a message without a type")]
    NoType,
    #[error("the bank-link widget reported success without the account details ({reason}); please link the account again")]
    BadSuccessPayload { reason: String },
    #[error("the bank-link widget answered for a different customer; please start again")]
    WrongCustomer,
}

impl AerosyncError {
    pub fn code(&self) -> &'static str {
        match self {
            AerosyncError::UntrustedWidgetOrigin { .. } => "WIDGET_UNTRUSTED_ORIGIN",
            AerosyncError::InvalidWidgetUrl => "WIDGET_INVALID_URL",
            AerosyncError::WrongOrigin { .. } => "WIDGET_WRONG_ORIGIN",
            AerosyncError::TooLarge { .. } => "WIDGET_MESSAGE_TOO_LARGE",
            AerosyncError::NotJson => "WIDGET_MESSAGE_NOT_JSON",
            AerosyncError::NoType => "WIDGET_MESSAGE_NO_TYPE",
            AerosyncError::BadSuccessPayload { .. } => "WIDGET_BAD_SUCCESS",
            AerosyncError::WrongCustomer => "WIDGET_WRONG_CUSTOMER",
        }
    }
}
