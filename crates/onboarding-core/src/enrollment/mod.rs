//! One customer's enrollment as a state machine: details → code (when Aeropay
//! asks for one) → existing accounts → the widget → finishing the link →
//! done, or failed / cancelled. Plain Rust: the command layer calls the
//! transitions and the page renders the [`EnrollmentView`] they return.

mod details;
mod error;
pub(crate) mod flow;
pub(crate) mod linking;
pub mod merchant;
pub(crate) mod resume;
mod view;

pub use details::{normalize_us_phone, CustomerDetails, FieldErrors};
pub use error::EnrollmentError;
pub use flow::{
    EnrollmentDeps, Enrollments, StateListener, CODE_SENDS_PER_WINDOW, CODE_SEND_WINDOW_SECS,
};
pub use linking::SETTLE_EVERY;
pub use merchant::{FleetMerchant, MerchantCalls, NoApiKey};
pub use resume::{resume_point, ListRow, ResumePoint};
pub use view::{AccountView, EnrollmentView, Step, ViewError};
