//! No token, API secret, widget token or `user_password` in logs, errors or
//! `Debug` output. Alone in its binary: tracing caches per-callsite interest
//! globally, so a thread-local subscriber is only reliable without other
//! tests running in parallel.

mod aeropay_support;

use aeropay_onboarding::aeropay::ApiVersion;
use aeropay_support::*;
use serde_json::json;
use std::io::Write;
use std::sync::{Arc, Mutex};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const V2: ApiVersion = ApiVersion::V2;

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

#[tokio::test]
async fn secrets_never_reach_logs_errors_or_debug() {
    let widget_token =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyUGFzc3dvcmQiOiJ4In0.widget-sig";
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    Mock::given(method("GET"))
        .and(path("/v2/aggregatorCredentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"fastlinkURL": "https://sandbox.aerosync.com/", "token": widget_token, "username": "u"}),
        ))
        .mount(&server)
        .await;
    // An error whose server text echoes the API secret and a bearer token.
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"error": {
            "code": "AP999",
            "message": format!("apiSecret={API_SECRET} header authorization: Bearer user-token-1 rejected")
        }})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/linkAccountFromAggregator"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("not json user_password=legacy-pw-55", "text/plain"),
        )
        .mount(&server)
        .await;

    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        // Only this crate's events: the client's own logging is under test.
        .with_env_filter("aeropay_onboarding=trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let client = client(&server, V2);
    let credentials = client.aggregator_credentials(USER_ID).await.unwrap();
    let error = client.bank_accounts(USER_ID).await.unwrap_err();
    let token = client.user_token(USER_ID).await.unwrap();

    // A v1 client on the same server, seeded with the token (no v1 mint needed).
    let v1 = aeropay_support::client(&server, ApiVersion::V1);
    assert!(v1.install_user_token(token.clone()));
    let legacy = aeropay_onboarding::aeropay::LinkSource::LegacyCredentials {
        user_id: "aerosync-user".into(),
        user_password: "legacy-pw-55".into(),
    };
    let link_error = v1.link_account(USER_ID, &legacy).await.unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("Aeropay request"), "logging is on: {logs}");
    assert!(
        logs.contains("<redacted>"),
        "bodies are logged redacted: {logs}"
    );
    let shown = format!(
        "{logs}\n{error}\n{error:?}\n{link_error}\n{link_error:?}\n{credentials:?}\n{token:?}\n{client:?}\n{legacy:?}"
    );
    for secret in [
        API_KEY,
        API_SECRET,
        "user-token-1",
        "merchant-token-1",
        widget_token,
        "legacy-pw-55",
    ] {
        assert!(!shown.contains(secret), "{secret} leaked:\n{shown}");
    }
}
