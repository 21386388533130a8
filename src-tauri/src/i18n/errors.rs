//! Error messages in the current language, where errors become what the
//! page shows (`{code, message, retry}`, field errors).
//!
//! Errors with variables carry their catalog id and arguments (see
//! `EnrollmentError::message`, `StaffError`'s wait). The core's other
//! errors keep one fixed English sentence each (their `Display`, which
//! logs and the audit trail use too); `errors.ftl` holds each of those
//! sentences under an id, and the sentence is looked up by its English text
//! here. A sentence missing from the catalog is shown in English and its
//! error code logged (never the text, which may name a path).

use super::{catalog, current, tr_in, Lang};
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
            if let Some(english) = crate::aeropay::known_message(&code) {
                assert!(
                    error_id(english).is_some(),
                    "{code}: {english:?} not in errors.ftl"
                );
                seen += 1;
            }
        }
        assert!(seen >= 40, "only {seen} codes");
        assert!(error_id(crate::aeropay::AP002_USER_SCOPE).is_some());
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
