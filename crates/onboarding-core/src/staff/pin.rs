//! The PIN itself: its format, and its argon2id hash (a PHC string with a
//! random salt), which is all the keychain ever holds.

use super::StaffError;
use crate::config::Mode;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;

pub const MIN_DIGITS: usize = 4;
pub const MAX_DIGITS: usize = 12;
/// A kiosk stands in public: its PIN is longer.
pub const KIOSK_MIN_DIGITS: usize = 6;

/// A staff PIN as typed: 4 to 12 ASCII digits. `Debug` never shows it and
/// there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl Pin {
    /// Accepts 4 to 12 digits; surrounding whitespace (a newline from
    /// standard input) is ignored.
    pub fn parse(text: &str) -> Result<Self, StaffError> {
        let digits = text.trim();
        let ok = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Self(digits.to_owned()))
        } else {
            Err(StaffError::PinFormat)
        }
    }

    /// As [`Pin::parse`], and at least [`KIOSK_MIN_DIGITS`] on a kiosk.
    pub fn parse_for(text: &str, mode: Mode) -> Result<Self, StaffError> {
        let pin = Self::parse(text)?;
        if mode == Mode::Kiosk && pin.0.len() < KIOSK_MIN_DIGITS {
            return Err(StaffError::PinTooShortForKiosk);
        }
        Ok(pin)
    }

    fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(<redacted>)")
    }
}

/// argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
/// recommendation) and a fresh 16-byte salt.
pub fn hash_pin(pin: &Pin) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default()
        .hash_password(pin.as_bytes(), &salt)
        .expect("argon2 hashes with its default parameters")
        .to_string()
}

/// Whether `pin` matches the stored PHC string. The parameters are read
/// from the string, so hashes made with other costs still verify.
pub fn verify_pin(pin: &Pin, phc: &str) -> Result<bool, StaffError> {
    let parsed = PasswordHash::new(phc).map_err(|_| StaffError::StoredHashInvalid)?;
    match Argon2::default().verify_password(pin.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::Password) => Ok(false),
        Err(_) => Err(StaffError::StoredHashInvalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn four_to_twelve_digits_only() {
        for good in ["1234", "000000", "123456789012", " 4321\n"] {
            assert!(Pin::parse(good).is_ok(), "{good:?}");
        }
        for bad in ["", "123", "1234567890123", "12a4", "12 34", "١٢٣٤", "-1234"] {
            assert_eq!(
                Pin::parse(bad).unwrap_err().code(),
                "STAFF_PIN_FORMAT",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_kiosk_pin_has_six_digits_at_least() {
        for short in ["1234", "12345"] {
            assert!(Pin::parse_for(short, Mode::Desk).is_ok());
            assert_eq!(
                Pin::parse_for(short, Mode::Kiosk).unwrap_err().code(),
                "STAFF_PIN_KIOSK_SHORT"
            );
        }
        assert!(Pin::parse_for("123456", Mode::Kiosk).is_ok());
        assert_eq!(
            Pin::parse_for("12a456", Mode::Kiosk).unwrap_err().code(),
            "STAFF_PIN_FORMAT"
        );
    }

    #[test]
    fn the_hash_round_trips_and_is_salted() {
        let pin = Pin::parse("482913").unwrap();
        let first = hash_pin(&pin);
        let second = hash_pin(&pin);
        assert!(
            first.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{first}"
        );
        assert_ne!(first, second, "a fresh salt each time");
        assert!(!first.contains("482913"));
        assert!(verify_pin(&pin, &first).unwrap());
        assert!(verify_pin(&pin, &second).unwrap());
        assert!(!verify_pin(&Pin::parse("482914").unwrap(), &first).unwrap());
    }

    #[test]
    fn a_damaged_hash_is_an_error_not_a_match() {
        let pin = Pin::parse("1234").unwrap();
        assert_eq!(
            verify_pin(&pin, "not a phc string").unwrap_err().code(),
            "STAFF_PIN_STORED_INVALID"
        );
    }

    #[test]
    fn debug_never_shows_the_pin() {
        let pin = Pin::parse("987654").unwrap();
        let printed = format!("{pin:?} {:?}", Some(&pin));
        assert!(!printed.contains("987654"), "{printed}");
        assert!(printed.contains("<redacted>"));
    }
}
