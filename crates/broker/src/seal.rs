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
}
