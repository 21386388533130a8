use aeropay_client::secret::SecretString;
use serde::Serialize;

use super::FieldErrors;

/// An error as the page shows it: what happened and what to do, plus the code
/// support looks up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ViewError {
    pub code: String,
    pub message: String,
    pub retry: bool,
}

/// A bank account as the page shows it: no ids beyond what staff need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    pub bank_account_id: i64,
    pub bank_name: String,
    pub account_type: String,
    pub last4: String,
    pub verified: bool,
    pub selected: bool,
}

/// The step the enrollment is at, with what that screen needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum Step {
    /// The details form; `fieldErrors` and `error` say what to fix.
    #[serde(rename_all = "camelCase")]
    Details {
        field_errors: FieldErrors,
        error: Option<ViewError>,
    },
    /// Waiting for the code Aeropay sent by `channel` (sms or email).
    #[serde(rename_all = "camelCase")]
    Code {
        channel: String,
        attempts_left: u32,
        error: Option<ViewError>,
        resent: bool,
        /// False for an enrollment resumed from the list: the phone number
        /// is not kept on this machine, so no new code can be asked for.
        can_resend: bool,
    },
    /// Desk only: the customer is known on this machine and confirmed their
    /// phone before. Staff either confirm they checked the customer's photo
    /// ID (and go on without a code) or send a code. A kiosk never shows
    /// this step: there nothing may tell a stranger that a number is known.
    #[serde(rename_all = "camelCase")]
    IdCheck {
        /// False when continued from the list: the phone number is not kept
        /// on this machine, so no code can be sent from here.
        can_send_code: bool,
    },
    /// Looking up the customer's accounts (progress).
    CheckingAccounts,
    /// The customer already has accounts: use one or link another.
    #[serde(rename_all = "camelCase")]
    ExistingAccounts {
        accounts: Vec<AccountView>,
    },
    /// The widget is open. `widgetUrl` carries the widget token; it is the one
    /// secret the page may hold, because the iframe needs it.
    #[serde(rename_all = "camelCase")]
    Linking {
        widget_url: SecretString,
        widget_origin: String,
        simulated: bool,
    },
    /// The widget was closed before an account was linked.
    WidgetClosed,
    /// The account is being linked ("Linking your account…"); `checking`:
    /// its answer was lost and Aeropay's account list is being asked.
    #[serde(rename_all = "camelCase")]
    Finishing {
        checking: bool,
    },
    #[serde(rename_all = "camelCase")]
    Done {
        accounts: Vec<AccountView>,
        returning_customer: bool,
        /// False when an account the customer already had was chosen as
        /// the default: nothing new was linked.
        newly_linked: bool,
        /// Set when some of several accounts could not be linked.
        notice: Option<ViewError>,
    },
    /// `canLinkAgain`: the customer is known and the failure came while
    /// linking, so they may open the bank list again (another account,
    /// another bank) whatever the error was.
    #[serde(rename_all = "camelCase")]
    Failed {
        error: ViewError,
        can_link_again: bool,
    },
    /// The link may have gone through at Aeropay but could not be
    /// confirmed: never "failed", and no way back to the widget (that could
    /// link the account twice). `accounts`: those confirmed before it.
    #[serde(rename_all = "camelCase")]
    NeedsReview {
        error: ViewError,
        accounts: Vec<AccountView>,
    },
    Cancelled,
}

/// Everything the page renders for the current enrollment.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnrollmentView {
    /// Correlation id: also in the logs and the stored record.
    pub id: Option<String>,
    pub first_name: Option<String>,
    #[serde(flatten)]
    pub step: Step,
    /// Grows with every view the app makes: a page keeps the newest it has
    /// seen (a command's answer and an event may arrive in either order).
    pub revision: u64,
}

/// Two views are equal when they show the same state: `revision` only
/// orders them (the page compares states the same way).
impl PartialEq for EnrollmentView {
    fn eq(&self, other: &Self) -> bool {
        // Destructured so that a field added later must be placed here.
        let EnrollmentView {
            id,
            first_name,
            step,
            revision: _,
        } = self;
        *id == other.id && *first_name == other.first_name && *step == other.step
    }
}

impl Eq for EnrollmentView {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_widget_url_reaches_the_page_but_never_debug_output() {
        let view = EnrollmentView {
            id: Some("e1".into()),
            first_name: None,
            step: Step::Linking {
                widget_url: SecretString::new("https://sync.aero.inc/?token=widget-token-123"),
                widget_origin: "https://sync.aero.inc".into(),
                simulated: false,
            },
            revision: 1,
        };
        let page = serde_json::to_string(&view).unwrap();
        assert!(page.contains("widget-token-123"), "{page}");
        let printed = format!("{view:?}");
        assert!(!printed.contains("widget-token-123"), "{printed}");
    }
}
