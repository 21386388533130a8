//! The device's credential: the id the broker gave it and the secret it
//! showed once. It cannot be printed (`Debug` shows the id only) nor
//! serialized; the keychain keeps it through the app's own vault type.

use aeropay_client::secret::SecretString;
use uuid::Uuid;

#[derive(Clone, PartialEq, Eq)]
pub struct DeviceCredential {
    pub device_id: Uuid,
    pub secret: SecretString,
}

impl DeviceCredential {
    pub fn new(device_id: Uuid, secret: SecretString) -> Self {
        Self { device_id, secret }
    }

    /// The `Authorization` header's value.
    pub(crate) fn bearer(&self) -> String {
        format!("Bearer {}.{}", self.device_id, self.secret.expose())
    }
}

impl std::fmt::Debug for DeviceCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeviceCredential")
            .field("device_id", &self.device_id)
            .field("secret", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_id_and_never_the_secret() {
        let credential = DeviceCredential::new(Uuid::nil(), "s3cr3t-device".into());
        let shown = format!("{credential:?} {:?}", Some(&credential));
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert!(shown.contains(&Uuid::nil().to_string()));
    }
}
