use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Turns a phone number into a keyed hash (HMAC-SHA256), so the database can
/// recognise a returning customer without holding their number. The key lives
/// in the keychain: a copied database alone cannot be matched to numbers.
pub struct PhoneHasher {
    key: Vec<u8>,
}

impl PhoneHasher {
    pub fn new(key: &[u8]) -> Self {
        Self { key: key.to_vec() }
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
            Hmac::<Sha256>::new_from_slice(&self.key).expect("HMAC accepts any key length");
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
