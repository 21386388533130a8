//! How the client fails: Aeropay's four error shapes (mostly with HTTP 200),
//! broken answers, timeouts and unreachable servers. Each failure must be a
//! typed error, and requests that must not repeat must not repeat.

mod aeropay_support;

use aeropay_client::{ApiVersion, ErrorCategory, LinkSource, NewUser};
use aeropay_support::*;
use serde_json::json;
use std::time::Duration;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const V2: ApiVersion = ApiVersion::V2;

async fn server_with_token() -> MockServer {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    server
}

async fn respond(server: &MockServer, verb: &str, full_path: &str, template: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(full_path))
        .respond_with(template)
        .mount(server)
        .await;
}

fn connection() -> LinkSource {
    LinkSource::Connection {
        connection_id: "bd9d48bd-8b51-4e6e-9f4b-5f5e8f4b0a10".into(),
    }
}

fn new_user() -> NewUser {
    NewUser {
        first_name: "John".into(),
        last_name: "Doe".into(),
        phone_number: "+13125826818".into(),
        email: "test@test.com".into(),
    }
}

// ---- the four error shapes ------------------------------------------------

#[tokio::test]
async fn shape_a_with_http_200() {
    let server = server_with_token().await;
    let body = json!({"error": {"code": "AP113", "message": "User does not exist", "help": "contact support@aeropay.com for help"}});
    respond(
        &server,
        "POST",
        "/v2/confirmUser",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let error = client(&server, V2)
        .confirm_user(USER_ID, "123456")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "AP113");
    assert_eq!(error.aeropay_code(), Some("AP113"));
    assert_eq!(error.category(), ErrorCategory::NotFound);
    assert_eq!(error.http_status(), Some(200));
    assert_eq!(error.detail(), Some("User does not exist"));
    assert!(!error.retryable());
}

#[tokio::test]
async fn shape_a_without_help_with_http_401() {
    let server = MockServer::start().await;
    let body = json!({"error": {"code": "AP002", "message": "invalid API key or secret key"}});
    respond(
        &server,
        "POST",
        "/v2/token",
        ResponseTemplate::new(401).set_body_json(body),
    )
    .await;
    let client = client(&server, V2);
    let error = client.merchant_token().await.unwrap_err();
    assert_eq!(error.code(), "AP002");
    assert_eq!(error.category(), ErrorCategory::Auth);
    assert_eq!(error.http_status(), Some(401));
    // An Aeropay answer is final: the mint is not repeated.
    assert_eq!(requests_to(&server, "/v2/token").await.len(), 1);
    assert_eq!(client.mint_counts().failed, 1);
    assert_eq!(client.mint_counts().total(), 0);
}

#[tokio::test]
async fn shape_b_on_link_with_http_200() {
    let server = server_with_token().await;
    let body = json!({"success": false, "code": "AP300", "error": "We are having issues connecting to your bank. Try reconnecting your bank or reach out to support@aeropay.com to resolve the issue."});
    respond(
        &server,
        "POST",
        "/v2/linkAccountFromAggregator",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let error = client(&server, V2)
        .link_account(USER_ID, &connection())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "AP300");
    assert_eq!(error.category(), ErrorCategory::UpstreamDown);
    assert!(error.retryable());
    assert!(error.detail().unwrap().starts_with("We are having issues"));
}

#[tokio::test]
async fn shape_c_on_token() {
    let server = MockServer::start().await;
    let body = json!({"success": false, "error": {"code": "AP002", "message": "invalid API key or secret key"}});
    respond(
        &server,
        "POST",
        "/v2/token",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let error = client(&server, V2).user_token(USER_ID).await.unwrap_err();
    assert_eq!(error.code(), "AP002");
    assert_eq!(error.category(), ErrorCategory::Auth);
    // For a customer's token, AP002 also means "not connected to this merchant".
    assert!(
        error.user_message().contains("confirm their code"),
        "{}",
        error.user_message()
    );
}

#[tokio::test]
async fn shape_d_on_aggregator_credentials_with_http_400() {
    let server = server_with_token().await;
    let body =
        json!({"code": "MISSING_PARAMETER", "message": "The aggregator parameter is required."});
    respond(
        &server,
        "GET",
        "/v2/aggregatorCredentials",
        ResponseTemplate::new(400).set_body_json(body),
    )
    .await;
    let error = client(&server, V2)
        .aggregator_credentials(USER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "MISSING_PARAMETER");
    assert_eq!(error.category(), ErrorCategory::InvalidInput);
    assert_eq!(error.http_status(), Some(400));
    // Not transient: a GET is retried only on network or upstream failures.
    assert_eq!(
        requests_to(&server, "/v2/aggregatorCredentials")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn every_documented_create_user_error_arrives_as_http_200() {
    let cases = [
        ("AP105", ErrorCategory::InvalidInput),
        ("AP106", ErrorCategory::InvalidInput),
        ("AP107", ErrorCategory::Conflict),
        ("AP115", ErrorCategory::InvalidInput),
        ("AP118", ErrorCategory::InvalidInput),
        ("AP119", ErrorCategory::InvalidInput),
        ("AP700", ErrorCategory::InvalidInput),
    ];
    for (code, category) in cases {
        let server = server_with_token().await;
        let body = json!({"error": {"help": "Contact support@aeropay.com for help.", "code": code, "message": "server text"}});
        respond(
            &server,
            "POST",
            "/v2/user",
            ResponseTemplate::new(200).set_body_json(body),
        )
        .await;
        let error = client(&server, V2)
            .create_user(&new_user())
            .await
            .unwrap_err();
        assert_eq!(error.code(), code);
        assert_eq!(error.category(), category, "{code}");
        assert!(!error.user_message().is_empty());
        assert_ne!(
            error.user_message(),
            "server text",
            "{code} should have its own words"
        );
    }
}

#[tokio::test]
async fn unknown_code_keeps_code_and_server_message() {
    let server = server_with_token().await;
    let body = json!({"error": {"code": "AP999", "message": "A brand new failure"}});
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(200).set_body_json(body),
    )
    .await;
    let error = client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "AP999");
    assert!(error.user_message().contains("A brand new failure"));
}

// ---- broken answers ---------------------------------------------------------

#[tokio::test]
async fn garbage_body() {
    let server = server_with_token().await;
    respond(
        &server,
        "POST",
        "/v2/confirmUser",
        ResponseTemplate::new(200)
            .set_body_raw(vec![0u8, 159, 146, 150, b'{', b'x'], "application/json"),
    )
    .await;
    let error = client(&server, V2)
        .confirm_user(USER_ID, "1")
        .await
        .unwrap_err();
    assert_eq!(error.code(), "RESPONSE_NOT_JSON");
    // confirmUser is not repeatable: whether the code was accepted is unknown.
    assert_eq!(error.category(), ErrorCategory::OutcomeUnknown);
    assert_eq!(requests_to(&server, "/v2/confirmUser").await.len(), 1);
}

#[tokio::test]
async fn json_without_the_needed_fields_is_unexpected() {
    let server = server_with_token().await;
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(200).set_body_json(json!({"accounts": []})),
    )
    .await;
    respond(
        &server,
        "GET",
        "/v2/user",
        ResponseTemplate::new(200).set_body_json(json!({"user": {"firstName": "A"}})),
    )
    .await;
    let client = client(&server, V2);
    let error = client.bank_accounts(USER_ID).await.unwrap_err();
    assert_eq!(error.code(), "UNEXPECTED_RESPONSE");
    assert_eq!(error.category(), ErrorCategory::UnexpectedResponse);
    let error = client.get_user(USER_ID).await.unwrap_err();
    assert_eq!(error.code(), "UNEXPECTED_RESPONSE");
}

#[tokio::test]
async fn token_answer_without_token_is_unexpected() {
    let server = MockServer::start().await;
    respond(
        &server,
        "POST",
        "/v2/token",
        ResponseTemplate::new(200).set_body_json(json!({"TTL": 1800})),
    )
    .await;
    let error = client(&server, V2).merchant_token().await.unwrap_err();
    assert_eq!(error.code(), "UNEXPECTED_RESPONSE");
}

#[tokio::test]
async fn html_502_on_a_get_is_retried_then_reported() {
    let server = server_with_token().await;
    let page = "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>";
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(502).set_body_raw(page, "text/html"),
    )
    .await;
    let error = client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "UPSTREAM_HTML");
    assert_eq!(error.category(), ErrorCategory::UpstreamDown);
    assert_eq!(error.http_status(), Some(502));
    assert!(error.retryable());
    assert_eq!(requests_to(&server, "/v2/bankAccounts").await.len(), 3);
}

#[tokio::test]
async fn html_502_then_success_on_a_get() {
    let server = server_with_token().await;
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .respond_with(ResponseTemplate::new(502).set_body_raw("<html>502</html>", "text/html"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(200).set_body_json(json!({"bankAccounts": []})),
    )
    .await;
    assert!(client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(requests_to(&server, "/v2/bankAccounts").await.len(), 2);
}

#[tokio::test]
async fn html_502_on_link_is_not_repeated_and_outcome_unknown() {
    let server = server_with_token().await;
    respond(
        &server,
        "POST",
        "/v2/linkAccountFromAggregator",
        ResponseTemplate::new(502).set_body_raw("<html>502 Bad Gateway</html>", "text/html"),
    )
    .await;
    let error = client(&server, V2)
        .link_account(USER_ID, &connection())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "UPSTREAM_HTML");
    assert_eq!(error.category(), ErrorCategory::OutcomeUnknown);
    assert!(!error.retryable());
    assert_eq!(
        requests_to(&server, "/v2/linkAccountFromAggregator")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn empty_body() {
    let server = server_with_token().await;
    respond(&server, "GET", "/v2/user", ResponseTemplate::new(200)).await;
    let error = client(&server, V2).get_user(USER_ID).await.unwrap_err();
    assert_eq!(error.code(), "RESPONSE_EMPTY");
    assert_eq!(error.category(), ErrorCategory::UnexpectedResponse);
}

#[tokio::test]
async fn oversized_body_is_refused() {
    let server = server_with_token().await;
    let huge = format!(
        r#"{{"bankAccounts":[],"padding":"{}"}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(200).set_body_raw(huge, "application/json"),
    )
    .await;
    let error = client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "RESPONSE_TOO_LARGE");
    assert_eq!(error.category(), ErrorCategory::UnexpectedResponse);
}

#[tokio::test]
async fn body_just_under_a_small_cap_is_accepted() {
    let server = server_with_token().await;
    // Longer than the token answer, so only this body meets the cap.
    let body = json!({"bankAccounts": [], "note": "n".repeat(200)}).to_string();
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(200).set_body_raw(body.clone(), "application/json"),
    )
    .await;
    let mut config = config(&server, V2);
    config.max_body_bytes = body.len();
    assert!(client_with(config.clone())
        .bank_accounts(USER_ID)
        .await
        .is_ok());
    config.max_body_bytes = body.len() - 1;
    let error = client_with(config)
        .bank_accounts(USER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "RESPONSE_TOO_LARGE");
}

// ---- timeouts ---------------------------------------------------------------

#[tokio::test]
async fn timed_out_get_is_retried() {
    let server = server_with_token().await;
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"bankAccounts": []}))
                .set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(200).set_body_json(json!({"bankAccounts": []})),
    )
    .await;
    assert!(client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(requests_to(&server, "/v2/bankAccounts").await.len(), 2);
}

#[tokio::test]
async fn get_timing_out_every_time_is_a_network_timeout() {
    let server = server_with_token().await;
    respond(
        &server,
        "GET",
        "/v2/user",
        ResponseTemplate::new(200)
            .set_body_json(json!({"user": {"id": USER_ID}}))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let error = client(&server, V2).get_user(USER_ID).await.unwrap_err();
    assert_eq!(error.code(), "NETWORK_TIMEOUT");
    assert_eq!(error.category(), ErrorCategory::Network);
    assert!(error.retryable());
    assert_eq!(requests_to(&server, "/v2/user").await.len(), 3);
}

#[tokio::test]
async fn timed_out_link_is_outcome_unknown_and_sent_once() {
    let server = server_with_token().await;
    respond(
        &server,
        "POST",
        "/v2/linkAccountFromAggregator",
        ResponseTemplate::new(200)
            .set_body_json(json!({"userBankInfo": {"bankAccountId": 1}}))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let error = client(&server, V2)
        .link_account(USER_ID, &connection())
        .await
        .unwrap_err();
    assert_eq!(error.category(), ErrorCategory::OutcomeUnknown);
    assert_eq!(error.code(), "NETWORK_TIMEOUT");
    assert!(!error.retryable());
    assert!(error.user_message().contains("may or may not"));
    assert_eq!(
        requests_to(&server, "/v2/linkAccountFromAggregator")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn timed_out_create_user_is_sent_exactly_once() {
    let server = server_with_token().await;
    respond(
        &server,
        "POST",
        "/v2/user",
        ResponseTemplate::new(200)
            .set_body_json(json!({"user": {"id": USER_ID}, "mfaType": "sms"}))
            .set_delay(Duration::from_secs(3)),
    )
    .await;
    let error = client(&server, V2)
        .create_user(&new_user())
        .await
        .unwrap_err();
    assert_eq!(error.category(), ErrorCategory::OutcomeUnknown);
    assert_eq!(requests_to(&server, "/v2/user").await.len(), 1);
}

#[tokio::test]
async fn timed_out_token_mint_is_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/token"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"TTL": 1800, "token": "slow"}))
                .set_delay(Duration::from_secs(3)),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    respond(
        &server,
        "POST",
        "/v2/token",
        ResponseTemplate::new(200).set_body_json(json!({"TTL": 1800, "token": "fast"})),
    )
    .await;
    let client = client(&server, V2);
    assert_eq!(
        client.merchant_token().await.unwrap().token.expose(),
        "fast"
    );
    assert_eq!(requests_to(&server, "/v2/token").await.len(), 2);
    assert_eq!(client.mint_counts().merchant, 1);
}

// ---- unreachable servers ----------------------------------------------------

#[tokio::test]
async fn connection_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let mut config = aeropay_client::ClientConfig::with_base_url(
        format!("http://127.0.0.1:{port}").parse().unwrap(),
        V2,
    );
    config.retry.initial_backoff = Duration::from_millis(5);
    let client = client_with(config);
    let error = client.merchant_token().await.unwrap_err();
    assert_eq!(error.code(), "NETWORK_UNREACHABLE");
    assert_eq!(error.category(), ErrorCategory::Network);
    assert!(error.retryable());
    assert_eq!(client.mint_counts().failed, 1);
    // Nothing was sent, so even a link is a plain network failure.
    let error = client
        .link_account(USER_ID, &connection())
        .await
        .unwrap_err();
    assert_eq!(error.category(), ErrorCategory::Network);
}

#[tokio::test]
async fn tls_failure_is_typed() {
    // A plain-HTTP server spoken to over https: the TLS handshake fails.
    let server = server_with_token().await;
    let address = server.address();
    let base = format!("https://127.0.0.1:{}", address.port());
    let config = aeropay_client::ClientConfig::with_base_url(base.parse().unwrap(), V2);
    let error = client_with(config).merchant_token().await.unwrap_err();
    assert_eq!(error.code(), "NETWORK_TLS", "{error:?}");
    assert_eq!(error.category(), ErrorCategory::Network);
    assert!(!error.retryable());
}

#[tokio::test]
async fn a_redirect_is_reported_with_its_origin_and_never_followed() {
    let server = server_with_token().await;
    let elsewhere = MockServer::start().await;
    respond(
        &server,
        "GET",
        "/v2/bankAccounts",
        ResponseTemplate::new(302).insert_header(
            "location",
            format!("{}/steal?token=secret-in-query", elsewhere.uri()),
        ),
    )
    .await;
    let error = client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "HTTP_REDIRECT");
    assert_eq!(error.http_status(), Some(302));
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains(&elsewhere.uri()),
        "names the origin: {shown}"
    );
    assert!(
        !shown.contains("secret-in-query"),
        "never the path or query"
    );
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_redirect_of_a_link_is_an_unknown_outcome() {
    let server = server_with_token().await;
    respond(
        &server,
        "POST",
        "/v2/linkAccountFromAggregator",
        ResponseTemplate::new(307).insert_header("location", "https://elsewhere.example/"),
    )
    .await;
    let error = client(&server, V2)
        .link_account(USER_ID, &connection())
        .await
        .unwrap_err();
    assert_eq!(error.code(), "HTTP_REDIRECT");
    assert_eq!(error.category(), ErrorCategory::OutcomeUnknown);
}

#[test]
fn plain_http_is_refused_outside_this_machine() {
    use aeropay_client::{AeropayClient, ClientConfig, StaticCredentials};
    use std::sync::Arc;
    let make = |base: &str| {
        AeropayClient::new(
            ClientConfig::with_base_url(base.parse().unwrap(), V2),
            Arc::new(StaticCredentials::new(API_KEY, API_SECRET, MERCHANT_ID)),
        )
    };
    for refused in [
        "http://api.aeropay.com",
        "http://10.0.0.5:8080",
        "ftp://127.0.0.1",
    ] {
        let error = make(refused).unwrap_err();
        assert_eq!(error.code(), "INVALID_REQUEST", "{refused}");
        assert!(error.user_message().contains("https://"), "{refused}");
    }
    for allowed in [
        "https://api.aeropay.com",
        "http://127.0.0.1:9",
        "http://localhost:9",
        "http://[::1]:9",
    ] {
        assert!(make(allowed).is_ok(), "{allowed}");
    }
}
