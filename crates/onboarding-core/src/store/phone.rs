use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Turns a phone number into a keyed hash (HMAC-SHA256), so the database can
/// recognise a returning customer without holding their number. The key lives
/// in the keychain: a copied database alone cannot be matched to numbers.
pub struct PhoneHasher {
    key: std::sync::OnceLock<Vec<u8>>,
    /// Fetches the key the first time it is needed ([`PhoneHasher::lazy`]).
    load: Option<KeyLoader>,
}

type KeyLoader = Box<dyn Fn() -> Vec<u8> + Send + Sync>;

impl PhoneHasher {
    pub fn new(key: &[u8]) -> Self {
        Self {
            key: std::sync::OnceLock::from(key.to_vec()),
            load: None,
        }
    }

    /// A hasher whose key `load` fetches the first time a number is hashed
    /// (or [`PhoneHasher::load_key`] is called), once: the keychain's
    /// round trips stay off the app's start.
    pub fn lazy(load: impl Fn() -> Vec<u8> + Send + Sync + 'static) -> Self {
        Self {
            key: std::sync::OnceLock::new(),
            load: Some(Box::new(load)),
        }
    }

    /// Fetches the key now if it is not there yet. Blocks (the keychain):
    /// call it off the async threads. Concurrent callers wait for the one
    /// fetch.
    pub fn load_key(&self) {
        self.key();
    }

    fn key(&self) -> &[u8] {
        self.key.get_or_init(|| match &self.load {
            Some(load) => load(),
            // `new` always sets the key.
            None => Vec::new(),
        })
    }

    /// A fresh random key (32 bytes, hex) to keep in the keychain.
    pub fn generate_key() -> String {
        let bytes: [u8; 32] = rand::random();
        hex(&bytes)
    }

    /// Hashes the number's digits, so `+1 (312) 555-0198` and `+13125550198`
    /// are the same customer.
    pub fn hash(&self, phone: &str) -> String {
        let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key()).expect("HMAC accepts any key length");
        mac.update(digits.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What staff may see of a number: its last two digits.
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
    format!("•••-•••-••{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_number_same_hash_whatever_the_formatting() {
        let hasher = PhoneHasher::new(b"key");
        assert_eq!(
            hasher.hash("+1 (312) 555-0198"),
            hasher.hash("+13125550198")
        );
        assert_ne!(hasher.hash("+13125550198"), hasher.hash("+13125550199"));
        assert_eq!(hasher.hash("+13125550198").len(), 64);
    }

    #[test]
    fn the_key_matters() {
        let a = PhoneHasher::new(b"key-a").hash("+13125550198");
        let b = PhoneHasher::new(b"key-b").hash("+13125550198");
        assert_ne!(a, b);
        assert!(!a.contains("3125550198"));
    }

    #[test]
    fn a_lazy_key_is_fetched_once_when_first_needed() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let fetched = Arc::new(AtomicUsize::new(0));
        let counter = fetched.clone();
        let hasher = PhoneHasher::lazy(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            b"key".to_vec()
        });
        assert_eq!(fetched.load(Ordering::Relaxed), 0);
        let hash = hasher.hash("+13125550198");
        hasher.load_key();
        assert_eq!(hasher.hash("+13125550198"), hash);
        assert_eq!(fetched.load(Ordering::Relaxed), 1);
        assert_eq!(hash, PhoneHasher::new(b"key").hash("+13125550198"));
    }

    #[test]
    fn generated_keys_are_random_hex() {
        let (a, b) = (PhoneHasher::generate_key(), PhoneHasher::generate_key());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
    }

    #[test]
    fn masking_keeps_two_digits() {
        assert_eq!(mask_phone("+13125550198"), "•••-•••-••98");
        assert_eq!(mask_phone("7"), "•••-•••-••7");
    }
}
