//! Aeropay's own v1 linking examples ("Step 3 – Link a bank to the User"),
//! byte for byte, through the client over real HTTP on loopback: the
//! fixtures under `tests/fixtures/v1-page/` are the page's code blocks
//! (checked against `../shared/reference/seed-v1-examples.md`), served
//! exactly as written.

#[path = "../../aeropay-client/tests/aeropay_support/mod.rs"]
mod aeropay_support;

use aeropay_client::{ApiVersion, LinkSource};
use aeropay_support::*;
use aerosync::{self, LinkCredentials, WidgetEvent};
use onboarding_core::config::Environment;
use serde_json::Value;
use std::path::PathBuf;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CREDENTIALS: &str = include_str!("fixtures/v1-page/aggregator-credentials.response.json");
const WIDGET_SUCCESS: &str = include_str!("fixtures/v1-page/widget-success.older-sdk.json");
const LINK_REQUEST: &str = include_str!("fixtures/v1-page/link.request.json");
const LINK_RESPONSE: &str = include_str!("fixtures/v1-page/link.response.json");

/// The page's user id for the linked account (`userBankInfo.userId`).
const PAGE_USER_ID: &str = "11622";

async fn serve_verbatim(server: &MockServer, verb: &str, at: &str, body: &'static str) {
    Mock::given(method(verb))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.as_bytes(), "application/json"))
        .mount(server)
        .await;
}

#[test]
fn the_fixtures_are_the_pages_examples_byte_for_byte() {
    let doc = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/reference/seed-v1-examples.md");
    let text = std::fs::read_to_string(&doc).unwrap_or_else(|e| {
        panic!(
            "Aeropay's v1 examples not found at {} ({e}): check out ../shared beside the repo",
            doc.display()
        )
    });
    let blocks: Vec<&str> = text
        .split("```json\n")
        .skip(1)
        .map(|rest| rest.split("\n```").next().expect("closed block"))
        .collect();
    let fixtures = [CREDENTIALS, WIDGET_SUCCESS, LINK_REQUEST, LINK_RESPONSE];
    assert_eq!(
        blocks.len(),
        fixtures.len(),
        "code blocks in {}",
        doc.display()
    );
    for (block, fixture) in blocks.iter().zip(fixtures) {
        assert_eq!(fixture, format!("{block}\n"));
    }
}

#[tokio::test]
async fn aggregator_credentials_as_the_page_prints_them() {
    let server = MockServer::start().await;
    mount_token(&server, ApiVersion::V1).await;
    serve_verbatim(&server, "GET", "/aggregatorCredentials", CREDENTIALS).await;
    let credentials = client(&server, ApiVersion::V1)
        .aggregator_credentials(PAGE_USER_ID)
        .await
        .expect("the page's answer is accepted");
    let page: Value = serde_json::from_str(CREDENTIALS).unwrap();
    assert_eq!(credentials.token.expose(), page["token"].as_str().unwrap());
    assert_eq!(credentials.username.as_deref(), page["username"].as_str());
    assert_eq!(
        credentials.fastlink_url.as_deref(),
        page["fastlinkURL"].as_str()
    );
    let request = &requests_to(&server, "/aggregatorCredentials").await[0];
    assert_eq!(request.url.query(), Some("aggregator=aerosync"));
    assert_eq!(header(request, "accept"), Some("application/json"));
    assert_bearer(request, ApiVersion::V1, "user-token-1");
}

/// Links with the older SDK's success through a server answering `answer`.
async fn link_as_the_page(
    answer: &'static str,
) -> (
    MockServer,
    Result<aeropay_client::LinkedBankAccount, aeropay_client::AeropayError>,
) {
    let LinkCredentials::V1 {
        user_id,
        user_password,
    } = older_sdk_success()
    else {
        panic!("the older SDK's payload must give v1 credentials");
    };
    let server = MockServer::start().await;
    mount_token(&server, ApiVersion::V1).await;
    serve_verbatim(&server, "POST", "/linkAccountFromAggregator", answer).await;
    let result = client(&server, ApiVersion::V1)
        .link_account(
            PAGE_USER_ID,
            &LinkSource::LegacyCredentials {
                user_id,
                user_password,
            },
        )
        .await;
    (server, result)
}

/// The older SDK's `pageSuccess` payload, as the widget posts it inside its
/// `{type, payload}` envelope, gives the credentials of the v1 link call.
fn older_sdk_success() -> LinkCredentials {
    let fastlink = url::Url::parse("https://sandbox.aerosync.com/").unwrap();
    let origin = aerosync::widget_origin(&Environment::Sandbox, &fastlink).unwrap();
    let raw = format!(r#"{{"type":"pageSuccess","payload":{WIDGET_SUCCESS}}}"#);
    let event = aerosync::parse_message(&origin, origin.as_str(), &raw, PAGE_USER_ID)
        .expect("the page's payload is accepted");
    let WidgetEvent::Success(success) = event else {
        panic!("not a success: {event:?}");
    };
    assert_eq!(success.client_name.as_deref(), Some("client3"));
    assert_eq!(success.links.len(), 1);
    success.links.into_iter().next().unwrap()
}

#[tokio::test]
async fn the_older_sdk_success_links_with_the_pages_request_and_reads_its_answer() {
    let payload: Value = serde_json::from_str(WIDGET_SUCCESS).unwrap();
    let (server, linked) = link_as_the_page(LINK_RESPONSE).await;
    let linked = linked.expect("the page's link answer is accepted");

    // What the client sent has the page's request fields and types, with
    // the values the widget reported.
    let request = &requests_to(&server, "/linkAccountFromAggregator").await[0];
    assert_bearer(request, ApiVersion::V1, "user-token-1");
    let sent = body_json(request);
    let page_request: Value = serde_json::from_str(LINK_REQUEST).unwrap();
    let keys = |v: &Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    assert_eq!(keys(&sent), keys(&page_request));
    assert!(sent.as_object().unwrap().values().all(Value::is_string));
    assert_eq!(sent["aggregator"], page_request["aggregator"]);
    assert_eq!(sent["user_id"], payload["user_id"]);
    assert_eq!(sent["user_password"], payload["user_password"]);

    // The answer, read into the right values.
    assert_eq!(linked.bank_account_id, 15991);
    assert_eq!(linked.user_id.as_deref(), Some("11622"));
    assert_eq!(linked.bank_name.as_deref(), Some("Aerosync Bank (MFA)"));
    assert_eq!(linked.account_last4.as_deref(), Some("5016"));
    assert_eq!(linked.name.as_deref(), Some("Aerosync Checking"));
    assert_eq!(linked.external_bank_account_id, None, "\"\" is absent");
    assert_eq!(linked.is_selected, Some(true));
    assert_eq!(linked.account_type.as_deref(), Some("checking"));
    assert_eq!(linked.status.as_deref(), Some("verified"));
    assert_eq!(
        linked.created_date.map(|d| d.rfc3339()).as_deref(),
        Some("2023-06-10T23:19:29Z")
    );
}

#[tokio::test]
async fn the_account_list_in_the_pages_types_reconciles() {
    // v1 documents no account list; read it in the page's link-answer types,
    // as a v1 answer may carry them.
    let list = r#"{"bankAccounts":[{"bankAccountId":"15991","userId":"11622","bankName":"Aerosync Bank (MFA)","accountLast4":"5016","name":"Aerosync Checking","externalBankAccountId":"","isSelected":"1","accountType":"checking","status":"verified","createdDate":"1686439169"},{"bankAccountId":"15992","isSelected":"0","createdDate":""}],"success":true}"#;
    let server = MockServer::start().await;
    mount_token(&server, ApiVersion::V1).await;
    serve_verbatim(&server, "GET", "/bankAccounts", list).await;
    let accounts = client(&server, ApiVersion::V1)
        .bank_accounts(PAGE_USER_ID)
        .await
        .expect("the list is accepted");
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0].bank_account_id, 15991);
    assert_eq!(accounts[0].is_selected, Some(true));
    assert_eq!(accounts[0].created_date.map(|d| d.unix()), Some(1686439169));
    assert_eq!(accounts[1].is_selected, Some(false));
    assert_eq!(accounts[1].created_date, None);
}

#[tokio::test]
async fn a_link_answer_outside_the_policy_is_an_unknown_outcome_naming_field_and_operation() {
    let broken: &'static str = Box::leak(
        LINK_RESPONSE
            .replace(r#""isSelected": "1""#, r#""isSelected": "maybe""#)
            .into_boxed_str(),
    );
    assert_ne!(broken, LINK_RESPONSE);
    let (_server, result) = link_as_the_page(broken).await;
    let error = result.unwrap_err();
    // The account may be linked: the caller must reconcile, not report a failure.
    assert_eq!(
        error.category(),
        aeropay_client::ErrorCategory::OutcomeUnknown
    );
    assert_eq!(error.code(), "UNEXPECTED_RESPONSE");
    assert_eq!(error.operation(), Some("linkAccountFromAggregator"));
    assert_eq!(error.field(), Some("user_bank_info.is_selected"));
    assert!(!error.detail().unwrap_or_default().contains("maybe"));
}
