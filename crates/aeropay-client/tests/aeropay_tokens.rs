//! Token cache behaviour: renewal on AP007/AP008, renewal before expiry,
//! one mint for many concurrent callers, credentials from a source.

mod aeropay_support;

use aeropay_client::{
    AeropayClient, ApiVersion, CredentialError, CredentialSource, Credentials, ErrorCategory,
};
use aeropay_support::*;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const V2: ApiVersion = ApiVersion::V2;

async fn mount_accounts(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"bankAccounts": []})))
        .mount(server)
        .await;
}

async fn mount_rejection_once(server: &MockServer, code: &str) {
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"error": {"code": code, "message": "Token has expired"}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn expired_token_is_renewed_once_and_the_call_repeated() {
    for code in ["AP007", "AP008"] {
        let server = MockServer::start().await;
        mount_token(&server, V2).await;
        mount_rejection_once(&server, code).await;
        mount_accounts(&server).await;
        let client = client(&server, V2);

        assert!(client.bank_accounts(USER_ID).await.expect(code).is_empty());
        assert_eq!(
            client.mint_counts().user_for_merchant,
            2,
            "{code}: exactly one extra mint"
        );
        let sent = requests_to(&server, "/v2/bankAccounts").await;
        assert_eq!(sent.len(), 2);
        assert_bearer(&sent[0], V2, "user-token-1");
        assert_bearer(&sent[1], V2, "user-token-2");
    }
}

#[tokio::test]
async fn expired_token_on_link_is_renewed_too() {
    // AP007 means the link was refused, so sending it again is harmless.
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    Mock::given(method("POST"))
        .and(path("/v2/linkAccountFromAggregator"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"error": {"code": "AP007", "message": "Token has expired"}})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v2/linkAccountFromAggregator"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"userBankInfo": {"bankAccountId": 5}})),
        )
        .mount(&server)
        .await;
    let client = client(&server, V2);
    let source = aeropay_client::LinkSource::Connection {
        connection_id: "c".into(),
    };
    assert_eq!(
        client
            .link_account(USER_ID, &source)
            .await
            .unwrap()
            .bank_account_id,
        5
    );
    assert_eq!(client.mint_counts().user_for_merchant, 2);
}

#[tokio::test]
async fn token_rejected_twice_is_surfaced_after_one_renewal() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    Mock::given(method("POST"))
        .and(path("/v2/user"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"error": {"code": "AP007", "message": "Token has expired"}})),
        )
        .mount(&server)
        .await;
    let client = client(&server, V2);
    let user = aeropay_client::NewUser {
        first_name: "A".into(),
        last_name: "B".into(),
        phone_number: "+13125826818".into(),
        email: "a@b.c".into(),
    };
    let error = client.create_user(&user).await.unwrap_err();
    assert_eq!(error.code(), "AP007");
    assert_eq!(error.category(), ErrorCategory::ExpiredToken);
    assert_eq!(client.mint_counts().merchant, 2);
    assert_eq!(requests_to(&server, "/v2/user").await.len(), 2);
}

#[tokio::test]
async fn token_is_renewed_before_it_expires() {
    let server = MockServer::start().await;
    // TTL 2 s: renewed after 1 s (the 60 s margin is capped at half the lifetime).
    mount_token_with(&server, V2, 2, Duration::ZERO).await;
    mount_accounts(&server).await;
    let client = client(&server, V2);

    client.bank_accounts(USER_ID).await.unwrap();
    client.bank_accounts(USER_ID).await.unwrap();
    assert_eq!(client.mint_counts().user_for_merchant, 1, "still fresh");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.bank_accounts(USER_ID).await.unwrap();
    assert_eq!(
        client.mint_counts().user_for_merchant,
        2,
        "renewed before expiry"
    );
    let sent = requests_to(&server, "/v2/bankAccounts").await;
    assert_bearer(&sent[2], V2, "user-token-2");
}

#[tokio::test]
async fn short_margin_keeps_the_token_longer() {
    let server = MockServer::start().await;
    mount_token_with(&server, V2, 2, Duration::ZERO).await;
    mount_accounts(&server).await;
    let mut config = config(&server, V2);
    config.token_refresh_margin = Duration::from_millis(100);
    let client = client_with(config);
    client.bank_accounts(USER_ID).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.bank_accounts(USER_ID).await.unwrap();
    assert_eq!(client.mint_counts().user_for_merchant, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_mint() {
    let server = MockServer::start().await;
    mount_token_with(&server, V2, 1800, Duration::from_millis(200)).await;
    mount_accounts(&server).await;
    let client = client(&server, V2);

    let calls = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.bank_accounts(USER_ID).await })
    });
    let calls: Vec<_> = calls.collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
    assert_eq!(client.mint_counts().user_for_merchant, 1);
    assert_eq!(requests_to(&server, "/v2/token").await.len(), 1);
    assert_eq!(requests_to(&server, "/v2/bankAccounts").await.len(), 20);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_rejections_share_one_renewal() {
    let server = MockServer::start().await;
    mount_token_with(&server, V2, 1800, Duration::from_millis(100)).await;
    let client = client(&server, V2);
    // Warm the cache, then reject that token (and only that one): callers
    // holding it must share one renewal and succeed with the new token.
    mount_accounts(&server).await;
    client.bank_accounts(USER_ID).await.unwrap();
    let stale = client.cached_user_token(USER_ID).expect("cached").token;
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .and(wiremock::matchers::header(
            "authorization",
            format!("Bearer {}", stale.expose()).as_str(),
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"error": {"code": "AP007", "message": "expired"}})),
        )
        .with_priority(1)
        .mount(&server)
        .await;
    let calls = (0..10).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.bank_accounts(USER_ID).await })
    });
    let calls: Vec<_> = calls.collect();
    for call in calls {
        call.await.expect("task").expect("call");
    }
    assert_eq!(
        client.mint_counts().user_for_merchant,
        2,
        "one renewal for all"
    );
}

#[tokio::test]
async fn merchant_and_each_user_have_their_own_token() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    let client = client(&server, V2);
    let merchant = client.merchant_token().await.unwrap();
    let a = client.user_token("user-a").await.unwrap();
    let b = client.user_token("user-b").await.unwrap();
    assert_eq!(client.user_token("user-a").await.unwrap(), a);
    assert_eq!(client.merchant_token().await.unwrap(), merchant);
    assert_ne!(a.token, b.token);
    let counts = client.mint_counts();
    assert_eq!((counts.merchant, counts.user_for_merchant), (1, 2));
    client.forget_all_tokens();
    client.merchant_token().await.unwrap();
    assert_eq!(client.mint_counts().merchant, 2);
}

// ---- credentials ------------------------------------------------------------

struct CountingSource {
    reads: AtomicUsize,
    fail: bool,
}

impl CredentialSource for CountingSource {
    fn credentials(&self) -> Result<Credentials, CredentialError> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if self.fail {
            return Err(CredentialError("the keychain is locked".into()));
        }
        Ok(Credentials {
            api_key: API_KEY.into(),
            api_secret: API_SECRET.into(),
            merchant_id: 77,
        })
    }
}

#[tokio::test]
async fn credentials_come_from_the_source() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    let source = Arc::new(CountingSource {
        reads: AtomicUsize::new(0),
        fail: false,
    });
    let client = AeropayClient::new(config(&server, V2), source.clone()).unwrap();
    client.merchant_token().await.unwrap();
    assert_eq!(source.reads.load(Ordering::SeqCst), 1);
    let sent = requests_to(&server, "/v2/token").await;
    assert_eq!(body_json(&sent[0])["id"], 77);
}

#[tokio::test]
async fn unreadable_credentials_fail_without_a_request() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    let source = Arc::new(CountingSource {
        reads: AtomicUsize::new(0),
        fail: true,
    });
    let client = AeropayClient::new(config(&server, V2), source).unwrap();
    let error = client.bank_accounts(USER_ID).await.unwrap_err();
    assert_eq!(error.code(), "CREDENTIALS_UNAVAILABLE");
    assert_eq!(error.category(), ErrorCategory::Auth);
    assert_eq!(error.detail(), Some("the keychain is locked"));
    assert!(server.received_requests().await.unwrap().is_empty());
}
