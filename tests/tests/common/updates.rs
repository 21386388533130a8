//! Signed-update helpers: a throwaway minisign key pair in the format the
//! Tauri CLI writes (base64 of the key and signature files), signatures
//! bound to a version, and settings that turn updates on against a feed.

use aeropay_onboarding_e2e::Launch;
use base64::Engine as _;

pub struct TestKey {
    pair: minisign::KeyPair,
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

impl TestKey {
    pub fn generate() -> Self {
        Self {
            pair: minisign::KeyPair::generate_unencrypted_keypair().expect("minisign key pair"),
        }
    }

    /// The public key as tauri.conf.json's `plugins.updater.pubkey` holds it.
    pub fn public(&self) -> String {
        b64(&self.pair.pk.to_box().expect("public key box").into_string())
    }

    /// A signature of `data` for `version`, as `tauri signer sign
    /// --app-version` writes it into `<file>.sig`.
    pub fn sign(&self, data: &[u8], version: &str) -> String {
        let trusted = format!(
            "timestamp:1796400000\tfile:aeropay-onboarding_{version}_amd64.deb\tversion:{version}"
        );
        let signature = minisign::sign(
            Some(&self.pair.pk),
            &self.pair.sk,
            std::io::Cursor::new(data),
            Some(&trusted),
            Some("signature from tauri secret key"),
        )
        .expect("minisign signature");
        b64(&signature.into_string())
    }
}

/// A quiet kiosk whose API is a closed loopback port (nothing leaves the
/// machine, and the simulator, which never updates, is off), with updates
/// on against `feed_url`.
pub fn kiosk_with_updates(feed_url: &str) -> Launch {
    let settings = serde_json::json!({
        "environment": { "kind": "custom", "base_url": "http://127.0.0.1:9/" },
        "merchantId": 1,
        "kiosk": { "idleSeconds": 600, "warningSeconds": 30, "widgetIdleSeconds": 600 },
        "updates": { "enabled": true, "feedUrl": feed_url, "channel": "stable", "checkEveryMinutes": 60 },
    });
    Launch {
        settings_json: Some(settings.to_string()),
        args: vec!["--mode".into(), "kiosk".into()],
        ..Default::default()
    }
}
