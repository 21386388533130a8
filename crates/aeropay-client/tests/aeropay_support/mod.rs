//! Shared set-up for the Aeropay client tests: a loopback mock server with a
//! token endpoint, a client with short timeouts, and request inspection.
#![allow(dead_code)]

use aeropay_client::{AeropayClient, ApiVersion, ClientConfig, RetryPolicy, StaticCredentials};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

pub const API_KEY: &str = "test-api-key-7d1c";
pub const API_SECRET: &str = "test-api-secret-93fa";
pub const MERCHANT_ID: u64 = 1234;
pub const USER_ID: &str = "2ac82269-9315-4bb6-8a19-f37e20d50238";

pub fn prefix(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "",
        ApiVersion::V2 => "/v2",
    }
}

pub fn auth_header(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "authorizationToken",
        ApiVersion::V2 => "authorization",
    }
}

pub fn config(server: &MockServer, version: ApiVersion) -> ClientConfig {
    let mut config =
        ClientConfig::with_base_url(server.uri().parse().expect("server uri"), version);
    config.connect_timeout = Duration::from_millis(500);
    config.request_timeout = Duration::from_millis(700);
    config.retry = RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(40),
    };
    config
}

pub fn client_with(config: ClientConfig) -> AeropayClient {
    AeropayClient::new(
        config,
        Arc::new(StaticCredentials::new(API_KEY, API_SECRET, MERCHANT_ID)),
    )
    .expect("client")
}

pub fn client(server: &MockServer, version: ApiVersion) -> AeropayClient {
    client_with(config(server, version))
}

/// Answers POST /token with `merchant-token-N` or `user-token-N` (N counts
/// mints of that scope) and the given TTL, after an optional delay.
pub struct TokenResponder {
    pub ttl: u64,
    pub delay: Duration,
    merchant: AtomicUsize,
    user: AtomicUsize,
}

impl Respond for TokenResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let token = if body["scope"] == "merchant" {
            format!(
                "merchant-token-{}",
                self.merchant.fetch_add(1, Ordering::SeqCst) + 1
            )
        } else {
            format!(
                "user-token-{}",
                self.user.fetch_add(1, Ordering::SeqCst) + 1
            )
        };
        ResponseTemplate::new(200)
            .set_body_json(json!({"TTL": self.ttl, "token": token}))
            .set_delay(self.delay)
    }
}

pub async fn mount_token(server: &MockServer, version: ApiVersion) {
    mount_token_with(server, version, 1800, Duration::ZERO).await;
}

pub async fn mount_token_with(server: &MockServer, version: ApiVersion, ttl: u64, delay: Duration) {
    Mock::given(method("POST"))
        .and(path(format!("{}/token", prefix(version))))
        .respond_with(TokenResponder {
            ttl,
            delay,
            merchant: AtomicUsize::new(0),
            user: AtomicUsize::new(0),
        })
        .mount(server)
        .await;
}

/// Requests the server received on this path, in order.
pub async fn requests_to(server: &MockServer, path: &str) -> Vec<Request> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == path)
        .collect()
}

pub fn header<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn body_json(request: &Request) -> Value {
    serde_json::from_slice(&request.body).expect("request body is JSON")
}

/// Headers every request carries.
pub fn assert_common_headers(request: &Request) {
    assert_eq!(
        header(request, "content-type"),
        Some("application/json"),
        "{}",
        request.url
    );
    let agent = header(request, "user-agent").unwrap_or_default();
    assert!(
        agent.starts_with("aeropay-onboarding/"),
        "user-agent {agent}"
    );
}

/// The authorization header of a request is exactly `Bearer <token>` under
/// the version's header name, and the other version's name is absent.
pub fn assert_bearer(request: &Request, version: ApiVersion, token: &str) {
    let expected = format!("Bearer {token}");
    assert_eq!(
        header(request, auth_header(version)),
        Some(expected.as_str()),
        "{}",
        request.url
    );
    let other = match version {
        ApiVersion::V1 => "authorization",
        ApiVersion::V2 => "authorizationToken",
    };
    assert_eq!(
        header(request, other),
        None,
        "{} also sent {other}",
        request.url
    );
}
