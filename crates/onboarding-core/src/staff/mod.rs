//! The staff PIN: who may open settings or leave kiosk mode. Plain Rust, no
//! tauri.
//!
//! - The PIN is 4 to 12 digits; the keychain keeps only its argon2id hash
//!   (`pin`, `stored`). It is never logged, audited or shown.
//! - On a kiosk the PIN is at least 6 digits.
//! - After the n-th wrong PIN in a row the next attempt waits
//!   min(2^(n-1), 300) seconds (`throttle`); the count is restored from the
//!   audit trail at start. On a kiosk the 10th wrong PIN in a row locks
//!   staff out until a PIN is set again from the command line.
//! - The right PIN opens a staff session that ends after 15 minutes without
//!   staff activity (`session`).
//! - `guard` puts these together for the commands; `clock` lets tests move
//!   time.

mod clock;
mod error;
mod guard;
mod pin;
mod session;
mod stored;
mod throttle;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::StaffError;
pub use guard::{StaffGuard, StaffStatus, KIOSK_LOCKOUT_FAILURES, STAFF_ACTOR};
pub use pin::{hash_pin, verify_pin, Pin, KIOSK_MIN_DIGITS, MAX_DIGITS, MIN_DIGITS};
pub use session::SESSION_IDLE_MS;
pub use stored::{read_pin_hash, store_pin};
pub use throttle::{delay_after, MAX_WAIT_SECONDS};

#[cfg(test)]
mod tests;
