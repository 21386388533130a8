use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the person at the app types on the first screen.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerDetails {
    pub first_name: String,
    pub last_name: String,
    pub phone: String,
    pub email: String,
}

impl std::fmt::Debug for CustomerDetails {
    // Customer data stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CustomerDetails(<personal data>)")
    }
}

/// Field name (as the form names it) → what to fix.
pub type FieldErrors = BTreeMap<String, String>;

const MAX_NAME_CHARS: usize = 50;
const MAX_EMAIL_CHARS: usize = 254;

impl CustomerDetails {
    /// Trims the fields and checks them against Aeropay's rules (names
    /// without digits or symbols, AP118; a US mobile number, AP105/AP106/
    /// AP119), so most mistakes are caught before any API call.
    pub fn validated(&self) -> Result<CustomerDetails, FieldErrors> {
        let mut errors = FieldErrors::new();
        let first_name = self.first_name.trim().to_owned();
        let last_name = self.last_name.trim().to_owned();
        let email = self.email.trim().to_owned();
        for (field, value, label) in [
            ("firstName", &first_name, "first name"),
            ("lastName", &last_name, "last name"),
        ] {
            if let Some(problem) = name_problem(value, label) {
                errors.insert(field.into(), problem);
            }
        }
        let phone = match normalize_us_phone(&self.phone) {
            Ok(phone) => phone,
            Err(problem) => {
                errors.insert("phone".into(), problem);
                String::new()
            }
        };
        if let Some(problem) = email_problem(&email) {
            errors.insert("email".into(), problem);
        }
        if errors.is_empty() {
            Ok(CustomerDetails {
                first_name,
                last_name,
                phone,
                email,
            })
        } else {
            Err(errors)
        }
    }
}

fn name_problem(value: &str, label: &str) -> Option<String> {
    if value.is_empty() {
        return Some(format!("Enter the customer's {label}."));
    }
    if value.chars().count() > MAX_NAME_CHARS {
        return Some(format!(
            "The {label} can have at most {MAX_NAME_CHARS} letters."
        ));
    }
    let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.');
    if !value.chars().all(allowed) || !value.chars().any(char::is_alphabetic) {
        return Some(format!(
            "Use letters only in the {label} (spaces, hyphens and apostrophes are fine)."
        ));
    }
    None
}

/// `+1XXXXXXXXXX` from what people type: `(312) 555-0198`, `312.555.0198`,
/// `1 312 555 0198`, `+1 312-555-0198`.
pub fn normalize_us_phone(input: &str) -> Result<String, String> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err("Enter the customer's mobile number.".into());
    }
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')' | '.' | '+'))
    {
        return Err("Use digits only in the mobile number, like (312) 555-0198.".into());
    }
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let national = match (trimmed.starts_with('+'), digits.len()) {
        (false, 10) => digits.as_str(),
        (_, 11) if digits.starts_with('1') => &digits[1..],
        (true, _) if !digits.starts_with('1') => {
            return Err("Aeropay works with US mobile numbers only (+1).".into())
        }
        _ => return Err("Enter a 10-digit US mobile number, area code first.".into()),
    };
    // North American numbers: area code and exchange never start with 0 or 1.
    let bytes = national.as_bytes();
    if matches!(bytes[0], b'0' | b'1') || matches!(bytes[3], b'0' | b'1') {
        return Err("That is not a valid US mobile number; check the area code.".into());
    }
    Ok(format!("+1{national}"))
}

fn email_problem(email: &str) -> Option<String> {
    if email.is_empty() {
        return Some("Enter the customer's e-mail address.".into());
    }
    let valid = email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && match email.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
    (!valid).then(|| "Enter an e-mail address like name@example.com.".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(first: &str, last: &str, phone: &str, email: &str) -> CustomerDetails {
        CustomerDetails {
            first_name: first.into(),
            last_name: last.into(),
            phone: phone.into(),
            email: email.into(),
        }
    }

    #[test]
    fn accepts_and_normalizes_what_people_type() {
        let ok = details(
            " Ada ",
            "Lovelace-Byron",
            "(312) 555-0198",
            " ada@example.com ",
        )
        .validated()
        .unwrap();
        assert_eq!(ok.first_name, "Ada");
        assert_eq!(ok.phone, "+13125550198");
        assert_eq!(ok.email, "ada@example.com");
        for phone in [
            "312.555.0198",
            "1 312 555 0198",
            "+1 312-555-0198",
            "+13125550198",
        ] {
            assert_eq!(
                normalize_us_phone(phone).unwrap(),
                "+13125550198",
                "{phone}"
            );
        }
        assert!(details("José", "O'Neil", "3125550198", "a@b.co")
            .validated()
            .is_ok());
    }

    #[test]
    fn names_every_field_that_needs_fixing() {
        let errors = details("R2D2", "", "555-0173", "not-an-email")
            .validated()
            .unwrap_err();
        assert_eq!(
            errors.keys().map(String::as_str).collect::<Vec<_>>(),
            ["email", "firstName", "lastName", "phone"]
        );
        assert!(errors["firstName"].contains("letters only"));
    }

    #[test]
    fn refuses_numbers_that_aeropay_refuses() {
        for (phone, hint) in [
            ("5550173", "10-digit"),
            ("+65-718-555-0134", "US mobile numbers only"),
            ("+657185550134", "US mobile numbers only"),
            ("0125550198", "area code"),
            ("31255501981", "10-digit"),
            ("312-555-O198", "digits only"),
        ] {
            let err = normalize_us_phone(phone).unwrap_err();
            assert!(err.contains(hint), "{phone}: {err}");
        }
    }

    #[test]
    fn debug_output_has_no_personal_data() {
        let d = details("Ada", "Lovelace", "3125550198", "ada@example.com");
        assert!(!format!("{d:?}").contains("Ada"));
    }
}
