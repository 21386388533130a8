//! The fleet broker of Aeropay Onboarding: a headless server (no tauri, no
//! webview) that enrolls a fleet's devices, keeps the merchant's Aeropay
//! API secret and one shared merchant token, makes the merchant-scope
//! enrollment calls for the devices, and hands each device short-lived
//! userForMerchant tokens for the customers it verified.

pub mod api;
pub mod cli;
pub mod config;
pub mod error;
pub mod fleet_token;
pub mod groups;
pub mod logging;
pub mod metrics;
pub mod seal;
#[cfg(feature = "testing")]
pub mod testing;

pub use api::{RunningBroker, StartError};
pub use config::{Config, Secrets};
