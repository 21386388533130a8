//! The one error type of the Aeropay client.
//!
//! Every failure (an Aeropay error body in any of its four shapes, an HTTP
//! status, a broken or oversized body, a timeout, a refused connection) ends
//! up here with a stable [`AeropayError::code`], a [`ErrorCategory`], a
//! [`AeropayError::retryable`] hint and a message a shop assistant can read.
//! Nothing in here ever holds a token or the API secret: server-provided text
//! passes through [`crate::redact::redact_text`] first.

use super::codes;
use super::redact::redact_text;
use serde::Serialize;

/// What kind of failure this is, for the caller's decision (retry, ask the
/// customer to fix input, call a manager, reconcile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ErrorCategory {
    /// The request was refused because of what was sent (phone format, code …).
    InvalidInput,
    /// Credentials, scope or account state forbid the call.
    Auth,
    /// The token expired or is invalid; the client re-mints once by itself.
    ExpiredToken,
    /// The user or bank account does not exist.
    NotFound,
    /// The thing already exists or belongs to someone else.
    Conflict,
    /// Too many attempts or too many linked accounts.
    RateOrAttemptsLimit,
    /// Aeropay (or a proxy in front of it, or the bank) is failing.
    UpstreamDown,
    /// The request never got an answer it could use: refused, timed out, TLS.
    Network,
    /// A non-repeatable request may or may not have taken effect; reconcile
    /// (e.g. list bank accounts) before trying again.
    OutcomeUnknown,
    /// The answer was neither a documented success nor a documented error.
    UnexpectedResponse,
}

/// An Aeropay API failure. `Display` is the plain-language message plus the
/// code, fit for a support ticket; it never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} ({code})")]
pub struct AeropayError {
    category: ErrorCategory,
    code: String,
    aeropay_code: Option<String>,
    message: String,
    detail: Option<String>,
    http_status: Option<u16>,
    /// Where it happened; boxed, as most errors have none of it.
    place: Option<Box<Place>>,
    /// The message's catalog id and variables, when it has variables
    /// (otherwise `message` is found in the catalog by its text).
    text: Option<Box<CatalogMessage>>,
}

/// A message with variables, as an app's message catalog names it: its id
/// and its variables (text). The English [`AeropayError::user_message`]
/// stays for logs and support; an app that speaks other languages formats
/// the id with the variables instead. Messages without variables have no
/// id: the catalog finds them by their English text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogMessage {
    pub id: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl CatalogMessage {
    pub fn new<const N: usize>(id: &'static str, args: [(&'static str, String); N]) -> Self {
        Self {
            id,
            args: args.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Place {
    /// The operation the answer was for (`linkAccountFromAggregator` …).
    operation: Option<&'static str>,
    /// The answer's field that broke the reading policy, as a path in the
    /// answer's snake_case form (`user_bank_info.is_selected`).
    field: Option<String>,
}

/// Longest server text kept in an error; longer text is cut.
const MAX_DETAIL_CHARS: usize = 300;

impl AeropayError {
    pub(crate) fn new(category: ErrorCategory, code: &str, message: impl Into<String>) -> Self {
        Self {
            category,
            code: code.to_owned(),
            aeropay_code: None,
            message: message.into(),
            detail: None,
            http_status: None,
            place: None,
            text: None,
        }
    }

    /// A message with variables: `message` stays the English text (logs,
    /// support), `text` gives the page its catalog id.
    pub(crate) fn with_text(mut self, text: CatalogMessage) -> Self {
        self.text = Some(Box::new(text));
        self
    }

    /// The message's catalog id and variables, when it has variables; else
    /// the catalog knows [`user_message`](Self::user_message) by its text.
    pub fn catalog_message(&self) -> Option<&CatalogMessage> {
        self.text.as_deref()
    }

    /// Technical detail for logs and support (server text, transport error),
    /// redacted and shortened.
    pub(crate) fn with_detail(mut self, detail: impl AsRef<str>) -> Self {
        let redacted = redact_text(detail.as_ref());
        self.detail = Some(truncate_chars(&redacted, MAX_DETAIL_CHARS));
        self
    }

    /// An answer that broke the reading policy at `field`.
    pub(crate) fn with_field(mut self, field: impl Into<String>) -> Self {
        self.place.get_or_insert_default().field = Some(field.into());
        self
    }

    /// Names the operation the failed call was (set once, by the transport).
    pub(crate) fn during(mut self, operation: &'static str) -> Self {
        self.place
            .get_or_insert_default()
            .operation
            .get_or_insert(operation);
        self
    }

    pub(crate) fn with_status(mut self, status: u16) -> Self {
        self.http_status = Some(status);
        self
    }

    /// An Aeropay error that another server (the fleet's broker) received
    /// and passed on as `{code, message}`: read as if Aeropay had sent it.
    pub fn relayed(code: &str, message: &str, status: u16) -> Self {
        Self::from_api(Some(code), Some(message), status).with_status(status)
    }

    /// An error body sent by Aeropay, whatever its shape: the code decides
    /// category and message; unknown codes keep Aeropay's own message.
    pub(crate) fn from_api(code: Option<&str>, server_message: Option<&str>, status: u16) -> Self {
        let server_message = server_message
            .map(|m| truncate_chars(&redact_text(m.trim()), MAX_DETAIL_CHARS))
            .filter(|m| !m.is_empty());
        // Only a code of Aeropay's form is kept: it reaches the record, the
        // audit trail and the CSV export, so arbitrary server text must not.
        let code = code.map(str::trim).filter(|c| is_well_formed_code(c));
        let known = code.and_then(codes::lookup);
        let (category, message, text) = match (known, &server_message) {
            (Some(known), _) => (known.category, known.message.to_owned(), None),
            (None, Some(text)) => (
                codes::category_for_status(status).unwrap_or(ErrorCategory::InvalidInput),
                format!("Aeropay refused the request: {text}"),
                // Aeropay's own words, passed on as they are.
                Some(Box::new(CatalogMessage::new(
                    "err-refused-with-reason",
                    [("reason", text.clone())],
                ))),
            ),
            (None, None) => (
                codes::category_for_status(status).unwrap_or(ErrorCategory::InvalidInput),
                "Aeropay refused the request without saying why.".to_owned(),
                None,
            ),
        };
        Self {
            category,
            code: code.unwrap_or("AEROPAY_ERROR").to_owned(),
            aeropay_code: code.map(str::to_owned),
            message,
            detail: server_message,
            http_status: Some(status),
            place: None,
            text,
        }
    }

    pub fn category(&self) -> ErrorCategory {
        self.category
    }

    /// Stable identifier: the Aeropay code (`AP007`, `INVALID_FORMAT` …) when
    /// Aeropay sent one, otherwise one of this client's codes such as
    /// `NETWORK_TIMEOUT`, `NETWORK_UNREACHABLE`, `NETWORK_TLS`,
    /// `OUTCOME_UNKNOWN`, `UPSTREAM_HTML`, `UPSTREAM_STATUS`,
    /// `RESPONSE_EMPTY`, `RESPONSE_NOT_JSON`, `RESPONSE_TOO_LARGE`,
    /// `UNEXPECTED_RESPONSE`, `CREDENTIALS_UNAVAILABLE`, `INVALID_REQUEST`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The code exactly as Aeropay sent it, if the failure came from Aeropay.
    pub fn aeropay_code(&self) -> Option<&str> {
        self.aeropay_code.as_deref()
    }

    /// Plain-language message for the person at the counter.
    pub fn user_message(&self) -> &str {
        &self.message
    }

    /// Redacted technical detail (server message, transport error).
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    pub fn http_status(&self) -> Option<u16> {
        self.http_status
    }

    /// The operation the failed call was, e.g. `createUser`.
    pub fn operation(&self) -> Option<&'static str> {
        self.place.as_ref().and_then(|place| place.operation)
    }

    /// For an answer this client could not read: the field at fault, as a
    /// path such as `user_bank_info.is_selected`.
    pub fn field(&self) -> Option<&str> {
        self.place.as_ref().and_then(|place| place.field.as_deref())
    }

    /// Whether doing the same step again, unchanged, may succeed.
    pub fn retryable(&self) -> bool {
        match self.category {
            ErrorCategory::Network => self.code != "NETWORK_TLS",
            ErrorCategory::ExpiredToken | ErrorCategory::UpstreamDown => {
                // Creation failures reported by Aeropay are not transient.
                !matches!(self.aeropay_code.as_deref(), Some("AP102" | "AP108"))
            }
            ErrorCategory::InvalidInput
            | ErrorCategory::Auth
            | ErrorCategory::NotFound
            | ErrorCategory::Conflict
            | ErrorCategory::RateOrAttemptsLimit
            | ErrorCategory::OutcomeUnknown
            | ErrorCategory::UnexpectedResponse => false,
        }
    }

    /// AP007 (expired) or AP008 (invalid): the client re-mints and retries once.
    pub fn is_token_rejected(&self) -> bool {
        matches!(self.aeropay_code.as_deref(), Some("AP007" | "AP008"))
    }

    /// The request may or may not have taken effect; the cause stays in `code`.
    pub(crate) fn into_outcome_unknown(mut self, message: &str) -> Self {
        self.category = ErrorCategory::OutcomeUnknown;
        self.message = message.to_owned();
        self.text = None;
        self
    }

    /// Re-phrases an AP002 answer to a userForMerchant mint: besides bad keys
    /// it means the customer is not (or no longer) connected to this merchant.
    pub(crate) fn for_user_scope_mint(mut self) -> Self {
        if self.aeropay_code.as_deref() == Some("AP002") {
            self.message = codes::AP002_USER_SCOPE_MESSAGE.to_owned();
            self.text = None;
        }
        self
    }
}

/// `[A-Z0-9_]{1,32}`, like `AP300` or `MISSING_PARAMETER`.
fn is_well_formed_code(code: &str) -> bool {
    (1..=32).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

fn truncate_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_code_gets_category_and_plain_message() {
        let e = AeropayError::from_api(Some("AP113"), Some("User does not exist"), 200);
        assert_eq!(e.category(), ErrorCategory::NotFound);
        assert_eq!(e.code(), "AP113");
        assert_eq!(e.aeropay_code(), Some("AP113"));
        assert!(!e.user_message().contains("AP113"));
        assert_eq!(e.detail(), Some("User does not exist"));
        assert!(!e.retryable());
    }

    #[test]
    fn unknown_code_keeps_code_and_server_message() {
        let e = AeropayError::from_api(Some("AP999"), Some("Something new"), 200);
        assert_eq!(e.code(), "AP999");
        assert!(e.user_message().contains("Something new"));
        assert_eq!(e.category(), ErrorCategory::InvalidInput);
        let e = AeropayError::from_api(Some("AP999"), None, 503);
        assert_eq!(e.category(), ErrorCategory::UpstreamDown);
    }

    #[test]
    fn expired_token_is_retryable_and_token_rejected() {
        for code in ["AP007", "AP008"] {
            let e = AeropayError::from_api(Some(code), Some("Token has expired"), 200);
            assert_eq!(e.category(), ErrorCategory::ExpiredToken);
            assert!(e.retryable());
            assert!(e.is_token_rejected());
        }
    }

    #[test]
    fn server_text_is_redacted_and_cut() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXZhbHVl";
        let long = format!("bad token {jwt} {}", "x".repeat(1000));
        let e = AeropayError::from_api(Some("AP999"), Some(&long), 200);
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(jwt), "{shown}");
        assert!(e.detail().unwrap().chars().count() <= MAX_DETAIL_CHARS + 1);
    }

    #[test]
    fn only_codes_of_aeropays_form_are_kept() {
        for odd in [
            "ap300",
            "AP 300",
            "<script>",
            "=HYPERLINK(1)",
            &"A".repeat(33),
            "AP-300",
        ] {
            let e = AeropayError::from_api(Some(odd), Some("text"), 200);
            assert_eq!(e.code(), "AEROPAY_ERROR", "{odd}");
            assert_eq!(e.aeropay_code(), None, "{odd}");
        }
        let e = AeropayError::from_api(Some("MISSING_PARAMETER"), None, 400);
        assert_eq!(e.code(), "MISSING_PARAMETER");
    }

    #[test]
    fn display_has_message_and_code() {
        let e = AeropayError::new(ErrorCategory::Network, "NETWORK_TIMEOUT", "Timed out.");
        assert_eq!(e.to_string(), "Timed out. (NETWORK_TIMEOUT)");
        assert!(e.retryable());
    }
}
