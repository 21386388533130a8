//! The merchant token at rest: ChaCha20-Poly1305 under a key derived from
//! the API secret with HKDF-SHA256. Any replica with the secret reads what
//! another sealed; the database alone opens nothing. The token's expiry is
//! bound as associated data, so a row's expiry cannot be moved without the
//! token failing to open.

use aeropay_client::secret::SecretString;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use sha2::Sha256;

const SALT: &[u8] = b"aeropay-onboarding-broker";
const INFO: &[u8] = b"merchant token v1";
const REQUEST_INFO: &[u8] = b"idempotent request v1";
const NONCE_LEN: usize = 12;

pub struct Sealer {
    cipher: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<key redacted>)")
    }
}

impl Sealer {
    pub fn new(api_secret: &SecretString) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(SALT), api_secret.expose().as_bytes());
        let mut key = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's limit of 255 * 32.
        hk.expand(INFO, &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        let cipher = ChaCha20Poly1305::new(Key::from_slice(&key));
        key.fill(0);
        Self { cipher }
    }

    /// nonce (12 random bytes) followed by the ciphertext and tag.
    pub fn seal(&self, token: &str, expires_at: i64) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let aad = expires_at.to_be_bytes();
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: token.as_bytes(),
                    aad: &aad,
                },
            )
            .expect("ChaCha20-Poly1305 encrypts any message of this size");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// `None` when it was sealed under another secret, for another expiry,
    /// or changed.
    pub fn open(&self, sealed: &[u8], expires_at: i64) -> Option<SecretString> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let aad = expires_at.to_be_bytes();
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: body,
                    aad: &aad,
                },
            )
            .ok()?;
        String::from_utf8(plain).ok().map(SecretString::new)
    }
}

/// Fingerprints of the requests whose replies are kept for a repeated
/// `Idempotency-Key`: HMAC-SHA256 under a key derived from the API secret.
/// The requests hold a customer's name, phone, e-mail and the code they
/// typed; a plain hash of a six-digit code or a phone number is undone by
/// trying them all, a keyed one is not without the secret. (After the
/// secret changes, a kept reply no longer matches its repeat, which is then
/// refused as a key reused for another request.)
pub struct RequestDigest {
    key: [u8; 32],
}

impl std::fmt::Debug for RequestDigest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RequestDigest(<key redacted>)")
    }
}

impl RequestDigest {
    pub fn new(api_secret: &SecretString) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(SALT), api_secret.expose().as_bytes());
        let mut key = [0u8; 32];
        hk.expand(REQUEST_INFO, &mut key)
            .expect("32 bytes is a valid HKDF-SHA256 output length");
        Self { key }
    }

    /// The fingerprint of one request: its operation, its path and its body.
    pub fn of(&self, operation: &str, path: &str, body: &serde_json::Value) -> [u8; 32] {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.key)
            .expect("HMAC takes a key of any length");
        mac.update(operation.as_bytes());
        mac.update(&[0]);
        mac.update(path.as_bytes());
        mac.update(&[0]);
        mac.update(body.to_string().as_bytes());
        mac.finalize().into_bytes().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_only_with_the_same_secret_and_expiry() {
        let a = Sealer::new(&"secret-a".into());
        let sealed = a.seal("eyJ.token.sig", 1_900_000_000);
        assert!(!sealed
            .windows(b"eyJ.token.sig".len())
            .any(|w| w == b"eyJ.token.sig"));
        // Another replica with the same secret.
        let a2 = Sealer::new(&"secret-a".into());
        assert_eq!(
            a2.open(&sealed, 1_900_000_000).unwrap().expose(),
            "eyJ.token.sig"
        );
        assert!(a2.open(&sealed, 1_900_000_001).is_none());
        assert!(Sealer::new(&"secret-b".into())
            .open(&sealed, 1_900_000_000)
            .is_none());
        let mut changed = sealed.clone();
        *changed.last_mut().unwrap() ^= 1;
        assert!(a.open(&changed, 1_900_000_000).is_none());
        assert!(a.open(&sealed[..5], 1_900_000_000).is_none());
        // A fresh nonce each time.
        assert_ne!(a.seal("t", 1), a.seal("t", 1));
    }

    #[test]
    fn request_fingerprints_need_the_secret() {
        let body = serde_json::json!({ "code": "123456" });
        let a = RequestDigest::new(&"secret-a".into());
        let fingerprint = a.of("confirm_user", "user-1", &body);
        // The same request on another replica with the same secret.
        assert_eq!(
            RequestDigest::new(&"secret-a".into()).of("confirm_user", "user-1", &body),
            fingerprint
        );
        assert_ne!(a.of("confirm_user", "user-2", &body), fingerprint);
        assert_ne!(
            a.of(
                "confirm_user",
                "user-1",
                &serde_json::json!({ "code": "123457" })
            ),
            fingerprint
        );
        // Without the secret, trying every code gives nothing: not the
        // request's plain SHA-256, nor another secret's fingerprint.
        use sha2::Digest;
        let plain: [u8; 32] = Sha256::digest(b"confirm_user\0user-1\0{\"code\":\"123456\"}").into();
        assert_ne!(plain, fingerprint);
        assert_ne!(
            RequestDigest::new(&"secret-b".into()).of("confirm_user", "user-1", &body),
            fingerprint
        );
    }
}
