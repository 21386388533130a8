//! A device's side of the fleet broker (`crates/broker`): enrolling with a
//! one-time code, the merchant-scope enrollment calls the broker makes for
//! it, short-lived userForMerchant tokens, audit upload, and reading the
//! fleet's audit trail (desks of a reader group). Plain Rust, no tauri. The
//! request and answer bodies live in [`wire`], which the broker uses too.
//!
//! ```no_run
//! # async fn demo() -> Result<(), fleet_client::FleetError> {
//! use fleet_client::{BrokerClient, BrokerConfig};
//! let url = url::Url::parse("https://broker.example").unwrap();
//! let unenrolled = BrokerClient::new(BrokerConfig::new(url), None)?;
//! let enrolled = unenrolled.enroll(&"code-from-device-add".into()).await?;
//! let client = unenrolled.with_credential(enrolled.credential);
//! let me = client.device().await?;
//! # let _ = me; Ok(()) }
//! ```

mod client;
mod credential;
mod error;
pub mod messages;
pub mod wire;

pub use client::{
    AuditFilter, BrokerClient, BrokerConfig, EnrolledDevice, IdempotencyKey, RetryPolicy,
    AUDIT_PAGE_MAX,
};
pub use credential::DeviceCredential;
pub use error::{
    FleetError, AUDIT_FORBIDDEN, DEVICE_DISABLED, DEVICE_REVOKED, USER_NOT_VERIFIED_HERE,
};
