//! Kiosk rules that are plain Rust (no tauri): when a quiet customer is
//! warned and when their session is reset. The app's window code runs the
//! clock and carries out what these rules decide.

mod idle;
mod lockdown;
pub mod session;

pub use idle::{IdleState, IdleWatch};
pub use lockdown::Lockdown;
