//! The app's core, plain Rust with no tauri: one enrollment's state machine,
//! the store (SQLite), the keychain, the staff PIN, the desk's lists and
//! export, the settings and the policy that manages some of them, the texts in English and Spanish, the kiosk's
//! rules and the update policy. The app (`src-tauri`) puts a window and
//! commands around it; all of it is testable without a window.

pub mod config;
pub mod desk;
pub mod enrollment;
pub mod fleet_audit;
pub mod group_settings;
pub mod i18n;
pub mod kiosk;
pub mod policy;
pub mod staff;
pub mod store;
pub mod text;
pub mod updates;
pub mod vault;
