//! Typed client for Aeropay's REST API (v1 and v2). Plain Rust, no tauri:
//! the app and a headless server share it.
//!
//! ```no_run
//! # async fn demo() -> Result<(), aeropay_client::AeropayError> {
//! use aeropay_client::*;
//! use std::sync::Arc;
//! let config = ClientConfig::for_environment(&Environment::Sandbox, ApiVersion::V2).unwrap();
//! let client = AeropayClient::new(config, Arc::new(StaticCredentials::new("key", "secret", 1234)))?;
//! let accounts = client.bank_accounts("2ac82269-9315-4bb6-8a19-f37e20d50238").await?;
//! let token = client.user_token("2ac82269-9315-4bb6-8a19-f37e20d50238").await?; // for the keychain
//! assert_eq!(client.mint_counts().user_for_merchant, 1);
//! # let _ = (accounts, token); Ok(()) }
//! ```
//!
//! - Every operation is one method of [`AeropayClient`]; paths, headers and
//!   body spellings per version live in `wire`.
//! - Errors: one type, [`AeropayError`], whatever shape Aeropay answered in.
//! - Tokens are cached per scope and user and renewed before they expire.
//! - Anything logged passes through [`redact`].

mod client;
mod codes;
mod config;
mod credentials;
mod error;
pub mod redact;
mod response;
mod token;
pub mod tolerant;
mod transport;
mod types;
mod wire;

pub mod secret;
pub mod tls;

#[cfg(test)]
mod documented_examples;
#[cfg(test)]
mod parse_props;

pub use client::AeropayClient;

/// The words shown for one of Aeropay's documented codes (for the
/// catalog's checks: every one has its translation).
pub fn known_message(code: &str) -> Option<&'static str> {
    codes::lookup(code).map(|known| known.message)
}

/// The AP002 sentence for a customer's sign-in (see `for_user_scope_mint`).
pub const AP002_USER_SCOPE: &str = codes::AP002_USER_SCOPE_MESSAGE;
pub use config::{
    is_safe_base_url, ClientConfig, Environment, RetryPolicy, PRODUCTION_BASE_URL,
    SANDBOX_BASE_URL, UNSAFE_BASE_URL_HINT,
};
pub use credentials::{CredentialError, CredentialSource, Credentials, StaticCredentials};
pub use error::{AeropayError, CatalogMessage, ErrorCategory};
pub use response::{detect_error, parse_response, read_answer, ApiErrorBody};
pub use token::MintCounts;
pub use tolerant::Timestamp;
pub use transport::Operation;
pub use types::{
    AccountHolderInfo, AccountHolderName, AggregatorCredentials, ApiVersion, BankAccount,
    CreatedUser, LinkSource, LinkedBankAccount, MfaType, NewUser, ScopedToken, TokenScope, User,
    UserIds,
};

/// Every message of the client's own the page can show, built with sample
/// data, for an app's check that its message catalogs hold every one.
pub fn every_client_error() -> Vec<AeropayError> {
    let mut out = client::every_invalid_request();
    out.extend(transport::every_setup_error());
    out.push(transport::redirect_error(Some(
        "https://elsewhere.example".into(),
    )));
    out.push(transport::redirect_error(None));
    out.push(AeropayError::from_api(
        Some("AP999"),
        Some("Something new"),
        400,
    ));
    out.push(AeropayError::from_api(None, None, 400));
    out
}
