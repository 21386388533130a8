//! Error messages in the current language, where errors become what the
//! page shows (`{code, message, retry}`, field errors).
//!
//! Each error type the page sees says what to show with `text()`, an
//! [`ErrorText`]: errors with variables carry their catalog id and
//! arguments; the others keep one fixed English sentence each (their
//! `Display`, which logs and the audit trail use too), which `errors.ftl`
//! holds under an id and which is looked up by its English text here. A
//! message missing from the catalog is shown in English and its error code
//! logged (never the text, which may name a path); the test
//! `every_page_error_is_in_both_catalogs` fails on it.

use super::{catalog, current, tr_in, Lang};
use fluent_bundle::{FluentArgs, FluentValue};
use std::collections::HashMap;
use std::sync::OnceLock;

/// English text → catalog id, for every English message without variables.
fn by_english() -> &'static HashMap<String, String> {
    static INDEX: OnceLock<HashMap<String, String>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let english = catalog(Lang::En);
        english
            .ids()
            .iter()
            .filter(|id| id.starts_with("err-"))
            .filter_map(|id| {
                let mut errors = Vec::new();
                let message = english.bundle.get_message(id)?;
                let text = english
                    .bundle
                    .format_pattern(message.value()?, None, &mut errors);
                errors.is_empty().then(|| (text.into_owned(), id.clone()))
            })
            .collect()
    })
}

/// The catalog id of an English error sentence, if the catalog has it.
pub fn error_id(english: &str) -> Option<&'static str> {
    by_english().get(english).map(String::as_str)
}

/// `english` (an error's fixed sentence) in `lang`.
pub fn localize_in(lang: Lang, code: &str, english: &str) -> String {
    if lang == Lang::En {
        return english.to_owned();
    }
    match error_id(english) {
        Some(id) => tr_in(lang, id, None),
        None => {
            tracing::warn!(code, lang = lang.code(), "error message not in the catalog");
            english.to_owned()
        }
    }
}

/// `english` (an error's fixed sentence) in the current language.
pub fn localize(code: &str, english: &str) -> String {
    localize_in(current(), code, english)
}

/// A variable of an error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorArg {
    Text(String),
    Number(i64),
}

impl From<&str> for ErrorArg {
    fn from(text: &str) -> Self {
        ErrorArg::Text(text.to_owned())
    }
}

impl From<String> for ErrorArg {
    fn from(text: String) -> Self {
        ErrorArg::Text(text)
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for ErrorArg {
            fn from(n: $t) -> Self {
                ErrorArg::Number(i64::try_from(n).unwrap_or(i64::MAX))
            }
        }
    )*};
}
number_arg!(i64, u64, u32, usize);

/// What an error says to the person at the screen, before it is put in a
/// language: a fixed sentence (found in `errors.ftl` by its English text)
/// or a catalog id with its variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorText {
    Sentence(String),
    Message {
        id: &'static str,
        args: Vec<(&'static str, ErrorArg)>,
    },
}

impl ErrorText {
    pub fn sentence(english: impl Into<String>) -> Self {
        ErrorText::Sentence(english.into())
    }

    pub fn message<const N: usize>(id: &'static str, args: [(&'static str, ErrorArg); N]) -> Self {
        ErrorText::Message {
            id,
            args: args.into(),
        }
    }

    /// The text in `lang`; `None` when that catalog lacks it (or a variable
    /// is missing).
    pub fn try_in(&self, lang: Lang) -> Option<String> {
        match self {
            ErrorText::Sentence(english) if lang == Lang::En => Some(english.clone()),
            ErrorText::Sentence(english) => format_strict(lang, error_id(english)?, None),
            ErrorText::Message { id, args } => format_strict(lang, id, Some(&fluent_args(args))),
        }
    }

    /// The text in `lang`, else in English (the error's code logged).
    pub fn in_lang(&self, lang: Lang, code: &str) -> String {
        if let Some(text) = self.try_in(lang) {
            return text;
        }
        tracing::warn!(code, lang = lang.code(), "error message not in the catalog");
        match self {
            ErrorText::Sentence(english) => english.clone(),
            ErrorText::Message { id, args } => tr_in(Lang::En, id, Some(&fluent_args(args))),
        }
    }

    /// The text in the current language.
    pub fn show(&self, code: &str) -> String {
        self.in_lang(current(), code)
    }
}

/// What an error of a crate that knows no catalog (the Aeropay client, the
/// widget protocol) says to the person at the screen.
pub trait PageText {
    fn text(&self) -> ErrorText;
}

impl PageText for aeropay_client::AeropayError {
    fn text(&self) -> ErrorText {
        match self.catalog_message() {
            Some(message) => ErrorText::Message {
                id: message.id,
                args: message
                    .args
                    .iter()
                    .map(|(name, value)| (*name, ErrorArg::Text(value.clone())))
                    .collect(),
            },
            None => ErrorText::sentence(self.user_message()),
        }
    }
}

/// What the page shows of a widget problem (`Display` stays for logs).
impl PageText for aerosync::AerosyncError {
    /// A bad success message's technical reason stays in the log.
    fn text(&self) -> ErrorText {
        use aerosync::AerosyncError;
        match self {
            AerosyncError::UntrustedWidgetOrigin { origin } => ErrorText::message(
                "err-widget-untrusted-origin",
                [("origin", origin.as_str().into())],
            ),
            AerosyncError::WrongOrigin { origin } => {
                ErrorText::message("err-widget-wrong-origin", [("origin", origin.as_str().into())])
            }
            AerosyncError::TooLarge { size, limit } => ErrorText::message(
                "err-widget-too-large",
                [("size", (*size).into()), ("limit", (*limit).into())],
            ),
            AerosyncError::BadSuccessPayload { .. } => ErrorText::sentence(
                "The bank-link widget reported success without the account details; please link the account again.",
            ),
            AerosyncError::InvalidWidgetUrl
            | AerosyncError::NotJson
            | AerosyncError::NoType
            | AerosyncError::WrongCustomer => {
                ErrorText::sentence(crate::text::sentence(&self.to_string()))
            }
        }
    }
}

fn fluent_args(args: &[(&'static str, ErrorArg)]) -> FluentArgs<'static> {
    let mut out = FluentArgs::new();
    for (name, value) in args {
        match value {
            ErrorArg::Text(text) => out.set(*name, FluentValue::from(text.clone())),
            ErrorArg::Number(n) => out.set(*name, FluentValue::from(*n)),
        }
    }
    out
}

/// `id` in `lang`, only if the catalog has it and every variable is given.
fn format_strict(lang: Lang, id: &str, args: Option<&FluentArgs>) -> Option<String> {
    let bundle = &catalog(lang).bundle;
    let pattern = bundle.get_message(id)?.value()?;
    let mut errors = Vec::new();
    let text = bundle.format_pattern(pattern, args, &mut errors);
    errors.is_empty().then(|| text.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_sentence_is_found_by_its_english_text() {
        assert_eq!(
            localize_in(
                Lang::Es,
                "AP111",
                "That verification code is not right. Please check it and try again."
            ),
            "Ese código de verificación no es correcto. Revíselo y vuelva a intentarlo."
        );
        assert_eq!(
            localize_in(
                Lang::En,
                "AP111",
                "That verification code is not right. Please check it and try again."
            ),
            "That verification code is not right. Please check it and try again."
        );
    }

    /// Each error the page can show, built with sample data: every variant
    /// of every error type that becomes `{code, message, retry}` or a
    /// `ViewError`, and the client's own messages with variables.
    fn every_page_error() -> Vec<(String, ErrorText)> {
        use crate::config::ConfigError;
        use crate::desk::DeskError;
        use crate::enrollment::EnrollmentError;
        use crate::staff::StaffError;
        use crate::store::StoreError;
        use crate::vault::VaultError;
        use aerosync::AerosyncError;
        use std::path::PathBuf;

        let io = || std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let json = || serde_json::from_str::<u8>("x").unwrap_err();
        let detail = || "org.freedesktop.DBus.Error.ServiceUnknown".to_owned();
        let account = || "merchant:sandbox".to_owned();
        let vault = || {
            vec![
                VaultError::NoSecretService { detail: detail() },
                VaultError::Locked { detail: detail() },
                VaultError::Unavailable { detail: detail() },
                VaultError::Corrupt { account: account() },
                VaultError::WrongKind { account: account() },
            ]
        };
        let store = || {
            vec![
                StoreError::Directory {
                    path: PathBuf::from("/home/ada/.local/share/app"),
                    source: io(),
                },
                StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows),
                StoreError::SqliteTooOld {
                    found: "3.31.1".into(),
                    needed: "3.34.1",
                },
                StoreError::Unreadable("status \"odd\"".into()),
            ]
        };
        let widget = || {
            vec![
                AerosyncError::UntrustedWidgetOrigin {
                    origin: "https://evil.example".into(),
                },
                AerosyncError::InvalidWidgetUrl,
                AerosyncError::WrongOrigin {
                    origin: "https://evil.example".into(),
                },
                AerosyncError::TooLarge {
                    size: 70000,
                    limit: 65536,
                },
                AerosyncError::NotJson,
                AerosyncError::NoType,
                AerosyncError::BadSuccessPayload {
                    reason: "the account list is empty".into(),
                },
                AerosyncError::WrongCustomer,
            ]
        };
        let settings = "/home/ada/.config/app/settings.json";

        let mut out: Vec<(String, ErrorText)> = Vec::new();
        let mut add = |code: &str, text: ErrorText| out.push((code.to_owned(), text));
        for err in vault() {
            add(err.code(), err.text());
        }
        for err in store() {
            add(err.code(), err.text());
        }
        for err in widget() {
            add(err.code(), err.text());
        }
        for err in aeropay_client::every_client_error() {
            add(err.code(), err.text());
        }
        for err in [
            ConfigError::NoConfigDir,
            ConfigError::Read {
                path: settings.into(),
                source: io(),
            },
            ConfigError::Parse {
                path: settings.into(),
                source: json(),
            },
            ConfigError::Write {
                path: settings.into(),
                source: io(),
            },
            ConfigError::KioskSystemBrowser,
        ] {
            add(err.code(), err.text());
        }
        let policy = "/etc/aeropay-onboarding/policy.json";
        for err in [
            crate::policy::PolicyError::Read {
                path: policy.into(),
                source: io(),
            },
            crate::policy::PolicyError::Invalid {
                path: policy.into(),
                field: Some("kiosk.idleSeconds".into()),
                reason: "invalid type: string \"ninety\", expected u32".into(),
            },
            crate::policy::PolicyError::Invalid {
                path: policy.into(),
                field: None,
                reason: "EOF while parsing an object at line 1 column 1".into(),
            },
            crate::policy::PolicyError::Unsafe {
                path: policy.into(),
                reason: "the file belongs to user id 1000, not root".into(),
            },
        ] {
            add(err.code(), err.text());
        }
        add(
            crate::policy::SETTINGS_MANAGED,
            crate::policy::managed_refusal(&["environment", "kioskIdleSeconds"]),
        );
        let mut desk = vec![
            DeskError::BadDate {
                field: "start",
                value: "2026-13-01".into(),
            },
            DeskError::BadDate {
                field: "end",
                value: "tomorrow".into(),
            },
            DeskError::BackwardsRange,
            DeskError::RangeTooLong { max_days: 366 },
            DeskError::BadOffset,
            DeskError::BadStatus("maybe".into()),
            DeskError::SearchTooLong { max: 100 },
            DeskError::NoExportFolder,
            DeskError::Write {
                path: Some("/home/ada/Downloads/enrollments.csv".into()),
                reason: "disk full".into(),
            },
            DeskError::from(crate::store::ExportError::Write("disk full".into())),
        ];
        desk.extend(store().into_iter().map(DeskError::Store));
        for err in desk {
            add(err.code(), err.text());
        }
        let mut staff = vec![
            StaffError::PinWrong { wait_seconds: 2 },
            StaffError::PinWait { wait_seconds: 1 },
            StaffError::PinWait { wait_seconds: 7 },
            StaffError::Locked,
            StaffError::NoPin,
            StaffError::PinFormat,
            StaffError::PinTooShortForKiosk,
            StaffError::LockedOut,
            StaffError::PinMismatch,
            StaffError::StoredHashInvalid,
        ];
        staff.extend(vault().into_iter().map(StaffError::Vault));
        for err in staff {
            add(err.code(), err.text());
        }
        let mut enrollment = vec![
            EnrollmentError::WrongStep { step: "code" },
            EnrollmentError::WidgetNotOpen,
            EnrollmentError::NoWidgetUrl,
            EnrollmentError::LinkOutcomeUnknown,
            EnrollmentError::NotLinked {
                code: "AP401".into(),
            },
            EnrollmentError::WidgetReported {
                description: "Bank unavailable".into(),
            },
            EnrollmentError::Internal,
            EnrollmentError::NotFound,
            EnrollmentError::OtherEnvironment {
                environment: "sandbox".into(),
            },
            EnrollmentError::CodeLimit {
                sent: 3,
                window_minutes: 60,
                wait_minutes: 1,
            },
            EnrollmentError::CodeLimit {
                sent: 3,
                window_minutes: 60,
                wait_minutes: 12,
            },
            EnrollmentError::IdCheckRequired,
            EnrollmentError::CodeRequired,
        ];
        for reason in [
            crate::enrollment::resume::RESUME_FINISHED,
            crate::enrollment::resume::RESUME_TOO_EARLY,
            crate::enrollment::resume::LINK_ANOTHER_UNLINKED,
        ] {
            enrollment.push(EnrollmentError::NotResumable { reason });
        }
        enrollment.extend(vault().into_iter().map(EnrollmentError::Vault));
        enrollment.extend(
            fleet_client::FleetError::every_own_error()
                .into_iter()
                .map(EnrollmentError::Fleet),
        );
        for (code, message) in fleet_client::messages::ALL {
            enrollment.push(EnrollmentError::Fleet(fleet_client::FleetError::Broker {
                status: 403,
                body: fleet_client::wire::ErrorBody {
                    code: (*code).into(),
                    message: (*message).into(),
                    retry: false,
                },
            }));
        }
        enrollment.extend(store().into_iter().map(EnrollmentError::Store));
        enrollment.extend(widget().into_iter().map(EnrollmentError::Widget));
        enrollment.extend(
            aeropay_client::every_client_error()
                .into_iter()
                .map(EnrollmentError::Aeropay),
        );
        for err in &enrollment {
            add(&err.code(), err.text());
        }
        let refused = EnrollmentError::NotLinked {
            code: "AP401".into(),
        };
        add(
            "AP401",
            crate::enrollment::linking::some_not_linked(1, 2, &refused),
        );
        add(
            "AP401",
            ErrorText::sentence(crate::enrollment::linking::SOME_NOT_LINKED),
        );
        add(
            "CODE_FORMAT",
            ErrorText::sentence(crate::enrollment::flow::CODE_FORMAT),
        );
        out
    }

    // A new variant of these enums fails to compile here until it is added
    // to `every_page_error` above (and its message to both catalogs).
    #[allow(dead_code)]
    fn listed(
        e: &crate::enrollment::EnrollmentError,
        d: &crate::desk::DeskError,
        s: &crate::staff::StaffError,
        v: &crate::vault::VaultError,
        w: &aerosync::AerosyncError,
        c: &crate::config::ConfigError,
        st: &crate::store::StoreError,
    ) {
        use crate::config::ConfigError as C;
        use crate::desk::DeskError as D;
        use crate::enrollment::EnrollmentError as E;
        use crate::staff::StaffError as S;
        use crate::store::StoreError as St;
        use crate::vault::VaultError as V;
        use aerosync::AerosyncError as W;
        match e {
            E::Aeropay(_) | E::Widget(_) | E::Store(_) | E::Vault(_) | E::WrongStep { .. } => {}
            E::Fleet(_) => {}
            E::WidgetNotOpen | E::NoWidgetUrl | E::LinkOutcomeUnknown | E::NotLinked { .. } => {}
            E::WidgetReported { .. } | E::Internal | E::NotFound | E::OtherEnvironment { .. } => {}
            E::NotResumable { .. } | E::CodeLimit { .. } | E::IdCheckRequired | E::CodeRequired => {
            }
        }
        match d {
            D::BadDate { .. } | D::BackwardsRange | D::RangeTooLong { .. } | D::BadOffset => {}
            D::BadStatus(_) | D::SearchTooLong { .. } | D::NoExportFolder | D::Write { .. } => {}
            D::Store(_) => {}
        }
        match s {
            S::PinWrong { .. } | S::PinWait { .. } | S::Locked | S::NoPin | S::PinFormat => {}
            S::PinTooShortForKiosk | S::LockedOut | S::PinMismatch | S::StoredHashInvalid => {}
            S::Vault(_) => {}
        }
        match v {
            V::NoSecretService { .. } | V::Locked { .. } | V::Unavailable { .. } => {}
            V::Corrupt { .. } | V::WrongKind { .. } => {}
        }
        match w {
            W::UntrustedWidgetOrigin { .. } | W::InvalidWidgetUrl | W::WrongOrigin { .. } => {}
            W::TooLarge { .. } | W::NotJson | W::NoType | W::BadSuccessPayload { .. } => {}
            W::WrongCustomer => {}
        }
        match c {
            C::NoConfigDir | C::Read { .. } | C::Parse { .. } | C::Write { .. } => {}
            C::KioskSystemBrowser => {}
        }
        match st {
            St::Directory { .. } | St::Sqlite(_) | St::Unreadable(_) => {}
            St::SqliteTooOld { .. } => {}
        }
    }

    #[test]
    fn every_page_error_is_in_both_catalogs() {
        let errors = every_page_error();
        assert!(errors.len() >= 100, "only {} errors", errors.len());
        let mut missing = Vec::new();
        for (code, text) in &errors {
            let english = text.try_in(Lang::En);
            let spanish = text.try_in(Lang::Es);
            match (&english, &spanish) {
                (Some(english), Some(spanish)) if english != spanish => {}
                _ => missing.push(format!("{code}: {text:?} → {english:?} / {spanish:?}")),
            }
            // Where it is shown, Spanish is what the page gets.
            if let Some(spanish) = spanish {
                assert_eq!(text.in_lang(Lang::Es, code), spanish);
            }
        }
        assert!(
            missing.is_empty(),
            "not in errors.ftl (both languages, every variable):\n{}",
            missing.join("\n")
        );
    }

    #[test]
    fn a_missing_message_falls_back_to_english_and_is_caught() {
        let sentence = ErrorText::sentence("Something new.");
        assert_eq!(sentence.try_in(Lang::Es), None);
        assert_eq!(sentence.in_lang(Lang::Es, "X"), "Something new.");
        let message = ErrorText::message("err-vault-corrupt", []);
        assert_eq!(message.try_in(Lang::Es), None, "a variable is missing");
        let aeropay = ErrorText::message("err-refused-with-reason", [("reason", "Bad zip".into())]);
        assert_eq!(
            aeropay.in_lang(Lang::Es, "AEROPAY_ERROR"),
            "Aeropay rechazó la solicitud: Bad zip"
        );
    }

    #[test]
    fn an_unknown_sentence_stays_english() {
        assert_eq!(
            localize_in(Lang::Es, "X", "Something new."),
            "Something new."
        );
    }

    #[test]
    fn every_documented_aeropay_code_has_its_sentence_in_the_catalog() {
        let codes = (1..1000)
            .map(|n| format!("AP{n:03}"))
            .chain(["INVALID_FORMAT".into(), "MISSING_PARAMETER".into()]);
        let mut seen = 0;
        for code in codes {
            if let Some(english) = aeropay_client::known_message(&code) {
                assert!(
                    error_id(english).is_some(),
                    "{code}: {english:?} not in errors.ftl"
                );
                seen += 1;
            }
        }
        assert!(seen >= 40, "only {seen} codes");
        assert!(error_id(aeropay_client::AP002_USER_SCOPE).is_some());
    }

    #[test]
    fn the_update_sentences_are_in_the_catalog() {
        for english in [
            "Enter the update feed's address to turn updates on.",
            "Enter an https address, like https://updates.example.com/{{channel}}/latest.json",
            "A channel is one word: letters, digits, - _ or .",
            "No update is waiting to be installed.",
        ] {
            assert!(error_id(english).is_some(), "{english:?} not in errors.ftl");
            assert_ne!(localize_in(Lang::Es, "UPDATE", english), english);
        }
        assert_eq!(
            localize_in(
                Lang::Es,
                "SETTINGS_FIELD",
                "Enter an https address, like https://updates.example.com/{{channel}}/latest.json"
            ),
            "Ingrese una dirección https, como https://updates.example.com/{{channel}}/latest.json"
        );
    }

    #[test]
    fn every_customer_details_problem_has_its_sentence_in_the_catalog() {
        use crate::enrollment::CustomerDetails;
        let samples = [
            ("", "", "", ""),
            ("R2D2", "L0velace", "555-0173", "not-an-email"),
            (
                &"a".repeat(60)[..],
                &"b".repeat(60)[..],
                "+65-718-555-0134",
                "x",
            ),
            ("Ada", "Lovelace", "(012) 555-0198", "ada@example.com"),
            ("Ada", "Lovelace", "phone", "ada@example.com"),
        ];
        let mut seen = 0;
        for (first, last, phone, email) in samples {
            let form = serde_json::json!({"firstName": first, "lastName": last, "phone": phone, "email": email});
            let details: CustomerDetails = serde_json::from_value(form).expect("form");
            if let Err(errors) = details.validated() {
                for (field, message) in errors {
                    assert!(
                        error_id(&message).is_some(),
                        "{field}: {message:?} not in errors.ftl"
                    );
                    seen += 1;
                }
            }
        }
        assert!(seen >= 8, "only {seen} problems seen");
    }
}
