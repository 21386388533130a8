//! The crypto provider of every TLS connection the app makes (the Aeropay
//! API, `doctor`, the updater's feed and downloads): rustls with ring. reqwest
//! is built without a provider of its own (its default, aws-lc-rs, is a large
//! C library), so one must be installed before the first HTTP client is
//! built. Certificates are still verified against the system's roots.

/// Makes ring the process's default provider. Idempotent; a provider that
/// is already installed stays.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err only when another thread installed one first: either will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}
