use super::ViewError;
use crate::i18n::PageText;
use crate::store::StoreError;
use crate::vault::VaultError;
use aeropay_client::{AeropayError, ErrorCategory};
use aerosync::AerosyncError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum EnrollmentError {
    #[error(transparent)]
    Aeropay(#[from] AeropayError),
    #[error(transparent)]
    Widget(#[from] AerosyncError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// The fleet's broker refused, or could not be reached.
    #[error(transparent)]
    Fleet(#[from] fleet_client::FleetError),
    #[error("this action does not fit the current step ({step}); the screen has been refreshed")]
    WrongStep { step: &'static str },
    #[error("the bank-link widget is not open")]
    WidgetNotOpen,
    #[error("Aeropay did not return the bank-link widget address; try again in a moment")]
    NoWidgetUrl,
    #[error("we could not confirm whether the account was linked; check the customer's accounts before trying again")]
    LinkOutcomeUnknown,
    #[error("Aeropay did not link the account ({code}); start over to choose another account")]
    NotLinked { code: String },
    #[error(
        "the bank-link widget reported a problem ({description}); try again or choose another bank"
    )]
    WidgetReported { description: String },
    #[error("the app could not finish a background task; try again")]
    Internal,
    #[error("that enrollment is not on this machine any more; refresh the list")]
    NotFound,
    #[error("that enrollment was made in {environment}; switch to it in Settings to continue it")]
    OtherEnvironment { environment: String },
    #[error("{reason}")]
    NotResumable { reason: &'static str },
    #[error("this phone number has been sent {sent} codes in the last {window_minutes} minutes, the most this kiosk sends; try again in about {}, or ask a member of staff for help", minutes(*.wait_minutes))]
    CodeLimit {
        sent: u32,
        window_minutes: i64,
        wait_minutes: i64,
    },
    #[error("to continue without a code, check the customer's photo ID and tick the box; or send them a code instead")]
    IdCheckRequired,
    #[error("on a kiosk every customer confirms their phone with the code Aeropay sends")]
    CodeRequired,
}

/// The broker's own messages are fixed sentences (`fleet_client::messages`);
/// the device's about reaching it name the server.
fn fleet_text(err: &fleet_client::FleetError) -> crate::i18n::ErrorText {
    use crate::i18n::ErrorText;
    use fleet_client::FleetError as F;
    match err {
        F::Broker { body, .. } => ErrorText::sentence(body.message.clone()),
        F::Unreachable { host, .. } => {
            ErrorText::message("err-fleet-unreachable", [("host", host.as_str().into())])
        }
        F::UnexpectedAnswer { host, .. } => {
            ErrorText::message("err-fleet-unexpected", [("host", host.as_str().into())])
        }
        F::InvalidUrl { reason } => {
            ErrorText::message("err-fleet-url", [("reason", reason.as_str().into())])
        }
        F::NotEnrolled => ErrorText::sentence(fleet_client::messages::NOT_ENROLLED),
    }
}

/// "1 minute", "7 minutes".
fn minutes(count: i64) -> String {
    if count == 1 {
        "1 minute".into()
    } else {
        format!("{count} minutes")
    }
}

impl EnrollmentError {
    pub fn code(&self) -> String {
        match self {
            EnrollmentError::Aeropay(err) => err.code().to_owned(),
            EnrollmentError::Widget(err) => err.code().to_owned(),
            EnrollmentError::Store(err) => err.code().to_owned(),
            EnrollmentError::Vault(err) => err.code().to_owned(),
            EnrollmentError::Fleet(err) => err.code().to_owned(),
            EnrollmentError::WrongStep { .. } => "ENROLLMENT_WRONG_STEP".into(),
            EnrollmentError::WidgetNotOpen => "WIDGET_NOT_OPEN".into(),
            EnrollmentError::NoWidgetUrl => "WIDGET_NO_URL".into(),
            EnrollmentError::LinkOutcomeUnknown => "LINK_OUTCOME_UNKNOWN".into(),
            EnrollmentError::NotLinked { code } => code.clone(),
            EnrollmentError::WidgetReported { .. } => "WIDGET_ERROR".into(),
            EnrollmentError::Internal => "INTERNAL".into(),
            EnrollmentError::NotFound => "ENROLLMENT_NOT_FOUND".into(),
            EnrollmentError::OtherEnvironment { .. } => "ENROLLMENT_OTHER_ENVIRONMENT".into(),
            EnrollmentError::NotResumable { .. } => "ENROLLMENT_NOT_RESUMABLE".into(),
            EnrollmentError::CodeLimit { .. } => "CODE_LIMIT".into(),
            EnrollmentError::IdCheckRequired => "ID_CHECK_REQUIRED".into(),
            EnrollmentError::CodeRequired => "CODE_REQUIRED".into(),
        }
    }

    /// What the page shows: errors with variables by their catalog id,
    /// fixed sentences by their English text (`crate::i18n::ErrorText`).
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        match self {
            EnrollmentError::Aeropay(err) => err.text(),
            EnrollmentError::Widget(err) => err.text(),
            EnrollmentError::Store(err) => err.text(),
            EnrollmentError::Vault(err) => err.text(),
            EnrollmentError::Fleet(err) => fleet_text(err),
            EnrollmentError::WrongStep { step } => {
                ErrorText::message("err-wrong-step", [("step", (*step).into())])
            }
            EnrollmentError::NotLinked { code } => {
                ErrorText::message("err-not-linked", [("code", code.as_str().into())])
            }
            EnrollmentError::WidgetReported { description } => ErrorText::message(
                "err-widget-reported",
                [("description", description.as_str().into())],
            ),
            EnrollmentError::OtherEnvironment { environment } => ErrorText::message(
                "err-other-environment",
                [("environment", environment.as_str().into())],
            ),
            EnrollmentError::CodeLimit {
                sent,
                window_minutes,
                wait_minutes,
            } => ErrorText::message(
                "err-code-limit",
                [
                    ("sent", (*sent).into()),
                    ("windowMinutes", (*window_minutes).into()),
                    ("waitMinutes", (*wait_minutes).into()),
                ],
            ),
            other => ErrorText::sentence(crate::text::sentence(&other.to_string())),
        }
    }

    /// A message for the person at the screen, in the current language.
    pub fn message(&self) -> String {
        self.text().show(&self.code())
    }

    pub fn retry(&self) -> bool {
        match self {
            EnrollmentError::Aeropay(err) => {
                err.retryable() || err.category() == ErrorCategory::OutcomeUnknown
            }
            EnrollmentError::Widget(_) | EnrollmentError::WidgetReported { .. } => true,
            EnrollmentError::Vault(VaultError::Locked { .. })
            | EnrollmentError::Vault(VaultError::NoSecretService { .. }) => true,
            EnrollmentError::Fleet(err) => err.retryable(),
            EnrollmentError::NoWidgetUrl
            | EnrollmentError::LinkOutcomeUnknown
            | EnrollmentError::Internal => true,
            _ => false,
        }
    }

    pub fn view(&self) -> ViewError {
        ViewError {
            code: self.code(),
            message: self.message(),
            retry: self.retry(),
        }
    }

    pub fn aeropay_code(&self) -> Option<&str> {
        match self {
            EnrollmentError::Aeropay(err) => err.aeropay_code(),
            _ => None,
        }
    }
}
