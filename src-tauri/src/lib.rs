//! Aeropay Onboarding: enrolls a customer with Aeropay and links their bank
//! account through the Aerosync widget hosted in the app's webview.
//!
//! The plain-Rust parts are crates of their own, which the compiler keeps
//! free of tauri: `aeropay_client`, `aerosync`, `aeropay_simulator` and
//! `onboarding_core`, re-exported here under their old module names. This
//! crate holds the window, the commands, the command line and what runs
//! them.

pub mod backend;
pub mod cli;
pub mod commands;
pub mod csp;
pub mod doctor;
pub mod instance;
pub mod logging;
pub mod origins;
pub mod page_events;
pub mod settings_form;
pub mod startup;
pub mod system_open;
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
/// A fleet device's client of the broker (crate `fleet_client`).
pub use fleet_client;
/// The core without a window (crate `onboarding_core`).
pub use onboarding_core::{
    config, desk, enrollment, i18n, kiosk, policy, staff, store, text, updates, vault,
};

pub use app::{app_builder, run, set_csp, AppState};
