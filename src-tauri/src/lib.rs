//! Aeropay Onboarding: enrolls a customer with Aeropay and links their bank
//! account through the Aerosync widget hosted in the app's webview.
//!
//! Everything except `commands`, `app` and `cli` is plain Rust with no tauri
//! dependency, testable without a window.

pub mod backend;
pub mod cli;
pub mod commands;
pub mod config;
pub mod csp;
pub mod desk;
pub mod doctor;
pub mod enrollment;
pub mod i18n;
pub mod instance;
pub mod kiosk;
pub mod logging;
pub mod origins;
pub mod settings_form;
pub mod staff;
pub mod startup;
pub mod store;
pub mod system_open;
pub mod text;
pub mod updates;
pub mod vault;
pub mod web_engine;

mod app;
mod app_updates;

/// The Aeropay client, its secrets and its TLS set-up (crate `aeropay_client`).
pub use aeropay_client as aeropay;
pub use aeropay_client::{secret, tls};
/// The loopback Aeropay and Aerosync stand-in (crate `aeropay_simulator`).
pub use aeropay_simulator as simulator;
/// The Aerosync widget's protocol (crate `aerosync`).
pub use aerosync;

pub use app::{app_builder, run, set_csp, AppState};
