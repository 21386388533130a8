use thiserror::Error;

/// What can go wrong with the staff PIN. Messages tell a shop assistant what
/// to do; none ever contains a PIN or its hash.
#[derive(Debug, Error)]
pub enum StaffError {
    /// The PIN dialog counts the wait down beside this message (from
    /// `staff_status`), so the message does not repeat it.
    #[error("That PIN is not right.")]
    PinWrong { wait_seconds: u64 },
    #[error("Too many wrong PINs in a row. Wait {}, then try again.", seconds(*.wait_seconds))]
    PinWait { wait_seconds: u64 },
    #[error("Staff only: unlock with the staff PIN first.")]
    Locked,
    #[error("No staff PIN is set on this machine, so settings are closed. Set one from a terminal: `aeropay-onboarding configure --staff-pin-stdin …` or `aeropay-onboarding set-staff-pin` (the PIN is read from standard input).")]
    NoPin,
    #[error("A staff PIN is 4 to 12 digits.")]
    PinFormat,
    #[error("On a kiosk the staff PIN is 6 to 12 digits. If this kiosk's PIN is shorter, set a longer one from a terminal: `aeropay-onboarding set-staff-pin` (the PIN is read from standard input).")]
    PinTooShortForKiosk,
    #[error("Too many wrong PINs in a row: staff access to this kiosk is locked. Set the staff PIN again from a terminal on this machine: `aeropay-onboarding set-staff-pin` (the PIN is read from standard input).")]
    LockedOut,
    #[error("The two PINs are not the same. Type the new PIN twice.")]
    PinMismatch,
    #[error(
        "The stored staff PIN is damaged: set a new one with `aeropay-onboarding set-staff-pin`."
    )]
    StoredHashInvalid,
    #[error("{0}")]
    Vault(#[from] crate::vault::VaultError),
}

/// "1 second", "7 seconds".
fn seconds(count: u64) -> String {
    if count == 1 {
        "1 second".into()
    } else {
        format!("{count} seconds")
    }
}

impl StaffError {
    pub fn code(&self) -> &'static str {
        match self {
            StaffError::PinWrong { .. } => "STAFF_PIN_WRONG",
            StaffError::PinWait { .. } => "STAFF_PIN_WAIT",
            StaffError::Locked => "STAFF_LOCKED",
            StaffError::NoPin => "STAFF_NO_PIN",
            StaffError::PinFormat => "STAFF_PIN_FORMAT",
            StaffError::PinTooShortForKiosk => "STAFF_PIN_KIOSK_SHORT",
            StaffError::LockedOut => "STAFF_LOCKED_OUT",
            StaffError::PinMismatch => "STAFF_PIN_MISMATCH",
            StaffError::StoredHashInvalid => "STAFF_PIN_STORED_INVALID",
            StaffError::Vault(err) => err.code(),
        }
    }

    /// What the page shows (`Display` stays for logs).
    pub fn text(&self) -> crate::i18n::ErrorText {
        use crate::i18n::ErrorText;
        match self {
            StaffError::PinWait { wait_seconds } => {
                ErrorText::message("err-pin-wait", [("seconds", (*wait_seconds).into())])
            }
            StaffError::Vault(err) => err.text(),
            other => ErrorText::sentence(other.to_string()),
        }
    }

    /// Whether trying again (later) can help.
    pub fn retry(&self) -> bool {
        match self {
            StaffError::PinWrong { .. } | StaffError::PinWait { .. } | StaffError::Locked => true,
            StaffError::Vault(err) => matches!(
                err,
                crate::vault::VaultError::Locked { .. }
                    | crate::vault::VaultError::NoSecretService { .. }
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_messages_say_what_to_do() {
        let cases = [
            (
                StaffError::PinWrong { wait_seconds: 2 },
                "STAFF_PIN_WRONG",
                "That PIN is not right.",
            ),
            (
                StaffError::PinWait { wait_seconds: 7 },
                "STAFF_PIN_WAIT",
                "Wait 7 seconds,",
            ),
            (
                StaffError::PinWait { wait_seconds: 1 },
                "STAFF_PIN_WAIT",
                "Wait 1 second,",
            ),
            (
                StaffError::Locked,
                "STAFF_LOCKED",
                "unlock with the staff PIN",
            ),
            (StaffError::NoPin, "STAFF_NO_PIN", "configure --staff-pin"),
            (StaffError::PinFormat, "STAFF_PIN_FORMAT", "4 to 12 digits"),
        ];
        for (err, code, says) in cases {
            assert_eq!(err.code(), code);
            assert!(err.to_string().contains(says), "{err}");
        }
    }
}
