//! A whole device flow with every log line captured (debug level, the
//! broker, the Aeropay client and the store): neither the API key, the
//! secret, a device secret nor any token appears.

mod common;

use broker_store::Store;
use common::{broker, config, enrolled, simulator};
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tracing_subscriber::filter::Targets;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_or_token_reaches_the_logs() {
    let captured = Captured::default();
    let filter = Targets::new().with_default(tracing::Level::DEBUG);
    tracing::subscriber::set_global_default(aeropay_onboarding_broker::logging::subscriber(
        captured.clone(),
        filter,
    ))
    .unwrap();

    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("broker.db").display());
    let store = Store::open(&url).await.unwrap();
    let b = broker(config(&url, &sim), &sim).await;
    let kiosk = enrolled(&store, &b, "kiosk-1", "store-1").await;
    let user_id = kiosk.verify_customer(&common::phone()).await;
    let token = kiosk
        .post(&format!("/v1/users/{user_id}/token"), json!({}))
        .await;
    assert_eq!(token.status, 200);
    b.shutdown(std::time::Duration::from_secs(1)).await;

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("merchant token minted"), "{logs}");
    assert!(logs.contains("user confirmed"), "{logs}");
    let creds = sim.credentials();
    let device_secret = kiosk
        .credential
        .as_ref()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    for (what, secret) in [
        ("API key", creds.api_key.as_str()),
        ("API secret", creds.api_secret.as_str()),
        ("device secret", device_secret),
        ("user token", token.body["token"].as_str().unwrap()),
        ("a token", "eyJ"),
    ] {
        assert!(!logs.contains(secret), "the {what} is in the logs");
    }
    // Every line is one JSON object.
    for line in logs.lines() {
        serde_json::from_str::<serde_json::Value>(line).expect(line);
    }
}
