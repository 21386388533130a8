//! Every Aeropay operation in both API versions against a loopback server:
//! the exact path, headers and body sent, and the typed answer.

mod aeropay_support;

use aeropay_client::{ApiVersion, LinkSource, MfaType, NewUser, TokenScope};
use aeropay_support::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const V1: ApiVersion = ApiVersion::V1;
const V2: ApiVersion = ApiVersion::V2;

async fn answer(server: &MockServer, verb: &str, full_path: String, body: serde_json::Value) {
    Mock::given(method(verb))
        .and(path(full_path))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

fn user_json() -> serde_json::Value {
    json!({
        "id": USER_ID, "firstName": "JohnNew", "lastName": "DoeNew", "type": "consumer",
        "email": "test-1754932665@aeropay.com", "phoneNumber": "+11754932665",
        "createdDate": "2025-02-27T12:59:32+00:00", "userStatus": "Active"
    })
}

fn new_user() -> NewUser {
    NewUser {
        first_name: "John".into(),
        last_name: "Doe".into(),
        phone_number: "+13125826818".into(),
        email: "test@test.com".into(),
    }
}

// ---- token ----------------------------------------------------------------

async fn check_merchant_token(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let client = client(&server, version);
    let token = client.merchant_token().await.expect("token");
    assert_eq!(token.token.expose(), "merchant-token-1");
    assert_eq!(token.scope, TokenScope::Merchant);
    assert_eq!(token.user_id, None);

    let sent = requests_to(&server, &format!("{}/token", prefix(version))).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_common_headers(&sent[0]);
    assert_eq!(sent[0].headers.get("authorization"), None);
    assert_eq!(sent[0].headers.get("authorizationToken"), None);
    let expected = match version {
        V1 => {
            json!({"api_key": API_KEY, "api_secret": API_SECRET, "scope": "merchant", "id": MERCHANT_ID})
        }
        V2 => {
            json!({"apiKey": API_KEY, "apiSecret": API_SECRET, "scope": "merchant", "id": MERCHANT_ID})
        }
    };
    assert_eq!(body_json(&sent[0]), expected);
}

#[tokio::test]
async fn token_merchant_scope_v1() {
    check_merchant_token(V1).await;
}

#[tokio::test]
async fn token_merchant_scope_v2() {
    check_merchant_token(V2).await;
}

async fn check_user_token(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let client = client(&server, version);
    let before = aeropay_client::MintCounts::default();
    assert_eq!(client.mint_counts(), before);
    let token = client.user_token(USER_ID).await.expect("token");
    assert_eq!(token.token.expose(), "user-token-1");
    assert_eq!(token.scope, TokenScope::UserForMerchant);
    assert_eq!(token.user_id.as_deref(), Some(USER_ID));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!(
        (now + 1795..=now + 1801).contains(&token.expires_at),
        "{}",
        token.expires_at
    );
    assert_eq!(client.cached_user_token(USER_ID), Some(token));

    let sent = requests_to(&server, &format!("{}/token", prefix(version))).await;
    assert_eq!(sent.len(), 1);
    assert_common_headers(&sent[0]);
    let expected = match version {
        V1 => {
            json!({"api_key": API_KEY, "api_secret": API_SECRET, "scope": "userForMerchant", "id": MERCHANT_ID, "userId": USER_ID})
        }
        V2 => {
            json!({"apiKey": API_KEY, "apiSecret": API_SECRET, "scope": "userForMerchant", "id": MERCHANT_ID, "userId": USER_ID})
        }
    };
    assert_eq!(body_json(&sent[0]), expected);
    let counts = client.mint_counts();
    assert_eq!(
        (counts.merchant, counts.user_for_merchant, counts.failed),
        (0, 1, 0)
    );
}

#[tokio::test]
async fn token_user_for_merchant_scope_v1() {
    check_user_token(V1).await;
}

#[tokio::test]
async fn token_user_for_merchant_scope_v2() {
    check_user_token(V2).await;
}

// ---- users ------------------------------------------------------------------

async fn check_create_user(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let user_path = format!("{}/user", prefix(version));
    answer(
        &server,
        "POST",
        user_path.clone(),
        json!({"user": user_json(), "mfaType": "sms"}),
    )
    .await;
    let client = client(&server, version);

    let created = client.create_user(&new_user()).await.expect("created");
    assert_eq!(created.user.id, USER_ID);
    assert_eq!(created.user.first_name.as_deref(), Some("JohnNew"));
    assert_eq!(created.mfa_type, Some(MfaType::Sms));
    assert!(created.needs_confirmation());

    let sent = requests_to(&server, &user_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "merchant-token-1");
    let (expected, api_version) = match version {
        V1 => (
            json!({"first_name": "John", "last_name": "Doe", "phone_number": "+13125826818", "email": "test@test.com"}),
            Some("1.1"),
        ),
        V2 => (
            json!({"firstName": "John", "lastName": "Doe", "phoneNumber": "+13125826818", "email": "test@test.com"}),
            None,
        ),
    };
    assert_eq!(body_json(&sent[0]), expected);
    assert_eq!(header(&sent[0], "x-api-version"), api_version);
}

#[tokio::test]
async fn create_user_v1() {
    check_create_user(V1).await;
}

#[tokio::test]
async fn create_user_v2() {
    check_create_user(V2).await;
}

#[tokio::test]
async fn create_user_without_mfa_needs_no_confirmation() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    answer(
        &server,
        "POST",
        "/v2/user".into(),
        json!({"user": user_json(), "mfaType": null}),
    )
    .await;
    let created = client(&server, V2)
        .create_user(&new_user())
        .await
        .expect("created");
    assert_eq!(created.mfa_type, None);
    assert!(!created.needs_confirmation());
}

async fn check_get_user(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let user_path = format!("{}/user", prefix(version));
    answer(
        &server,
        "GET",
        user_path.clone(),
        json!({"user": user_json()}),
    )
    .await;
    let client = client(&server, version);

    let user = client.get_user(USER_ID).await.expect("user");
    assert_eq!(user.id, USER_ID);
    assert_eq!(user.user_status.as_deref(), Some("Active"));

    let sent = requests_to(&server, &user_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "user-token-1");
    assert!(sent[0].body.is_empty());
    assert_eq!(sent[0].url.query(), None);
}

#[tokio::test]
async fn get_user_v1() {
    check_get_user(V1).await;
}

#[tokio::test]
async fn get_user_v2() {
    check_get_user(V2).await;
}

#[tokio::test]
async fn v1_user_with_numeric_user_id_and_uuid() {
    let server = MockServer::start().await;
    mount_token(&server, V1).await;
    answer(
        &server,
        "GET",
        "/user".into(),
        json!({"success": true, "user": {"userId": 12973, "aeroPassUserUuid": USER_ID, "firstName": "A"}}),
    )
    .await;
    let user = client(&server, V1).get_user("12973").await.expect("user");
    assert_eq!(user.id, "12973");
    assert_eq!(user.aero_pass_user_uuid, USER_ID);
}

async fn check_confirm_user(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let confirm_path = format!("{}/confirmUser", prefix(version));
    answer(
        &server,
        "POST",
        confirm_path.clone(),
        json!({"user": user_json()}),
    )
    .await;
    let client = client(&server, version);

    let user = client
        .confirm_user(USER_ID, "000000")
        .await
        .expect("confirmed");
    assert_eq!(user.id, USER_ID);

    let sent = requests_to(&server, &confirm_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "merchant-token-1");
    assert_eq!(
        body_json(&sent[0]),
        json!({"userId": USER_ID, "code": "000000", "merchantId": MERCHANT_ID})
    );
}

#[tokio::test]
async fn confirm_user_v1() {
    check_confirm_user(V1).await;
}

#[tokio::test]
async fn confirm_user_v2() {
    check_confirm_user(V2).await;
}

// ---- bank linking -----------------------------------------------------------

async fn check_aggregator_credentials(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let credentials_path = format!("{}/aggregatorCredentials", prefix(version));
    let mut body = json!({
        "fastlinkURL": "https://sandbox.aerosync.com/",
        "token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJ4In0.sig",
        "username": "16d96afbeaf0"
    });
    if version == V1 {
        body["success"] = json!(true);
    }
    answer(&server, "GET", credentials_path.clone(), body).await;
    let client = client(&server, version);

    let credentials = client
        .aggregator_credentials(USER_ID)
        .await
        .expect("credentials");
    assert_eq!(
        credentials.fastlink_url.as_deref(),
        Some("https://sandbox.aerosync.com/")
    );
    assert_eq!(credentials.username.as_deref(), Some("16d96afbeaf0"));
    assert!(credentials.token.expose().starts_with("eyJ0eX"));
    assert!(
        !format!("{credentials:?}").contains("eyJ0eX"),
        "widget token in Debug"
    );

    let sent = requests_to(&server, &credentials_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_eq!(sent[0].url.query(), Some("aggregator=aerosync"));
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "user-token-1");
}

#[tokio::test]
async fn aggregator_credentials_v1() {
    check_aggregator_credentials(V1).await;
}

#[tokio::test]
async fn aggregator_credentials_v2() {
    check_aggregator_credentials(V2).await;
}

fn user_bank_info() -> serde_json::Value {
    json!({
        "bankAccountId": 0, "bankName": "Aerosync Bank (oAuth)", "accountLast4": "1329",
        "name": "Aerosync Checking", "externalBankAccountId": "None", "isSelected": true,
        "accountType": "checking", "status": "verified", "createdDate": "2025-12-11T21:50:22+00:00",
        "accountHolderInfo": [{"name": {"fullName": "Dwight Schrute"}}],
        "canFetchBalance": true, "balance": 312425
    })
}

async fn check_link_account(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let link_path = format!("{}/linkAccountFromAggregator", prefix(version));
    answer(
        &server,
        "POST",
        link_path.clone(),
        json!({"userBankInfo": user_bank_info()}),
    )
    .await;
    let client = client(&server, version);

    let source = match version {
        V1 => LinkSource::LegacyCredentials {
            user_id: "e79432cb-aerosync-user".into(),
            user_password: "8614878a-widget-password".into(),
        },
        V2 => LinkSource::Connection {
            connection_id: "bd9d48bd-8b51-4e6e-9f4b-5f5e8f4b0a10".into(),
        },
    };
    assert!(
        !format!("{source:?}").contains("8614878a"),
        "user_password in Debug"
    );
    let linked = client.link_account(USER_ID, &source).await.expect("linked");
    assert_eq!(linked.bank_account_id, 0);
    assert_eq!(linked.account_last4.as_deref(), Some("1329"));
    assert_eq!(linked.balance, Some(312425));

    let sent = requests_to(&server, &link_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "POST");
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "user-token-1");
    let expected = match version {
        V1 => {
            json!({"user_id": "e79432cb-aerosync-user", "user_password": "8614878a-widget-password", "aggregator": "aerosync"})
        }
        V2 => {
            json!({"connectionId": "bd9d48bd-8b51-4e6e-9f4b-5f5e8f4b0a10", "aggregator": "aerosync"})
        }
    };
    assert_eq!(body_json(&sent[0]), expected);
}

#[tokio::test]
async fn link_account_v1() {
    check_link_account(V1).await;
}

#[tokio::test]
async fn link_account_v2() {
    check_link_account(V2).await;
}

#[tokio::test]
async fn link_payload_of_the_other_version_is_refused_before_sending() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    let legacy = LinkSource::LegacyCredentials {
        user_id: "u".into(),
        user_password: "p".into(),
    };
    let error = client(&server, V2)
        .link_account(USER_ID, &legacy)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "INVALID_REQUEST");
    let connection = LinkSource::Connection {
        connection_id: "c".into(),
    };
    let error = client(&server, V1)
        .link_account(USER_ID, &connection)
        .await
        .unwrap_err();
    assert_eq!(error.code(), "INVALID_REQUEST");
    assert!(server.received_requests().await.unwrap().is_empty());
}

async fn check_bank_accounts(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let list_path = format!("{}/bankAccounts", prefix(version));
    answer(
        &server,
        "GET",
        list_path.clone(),
        json!({"bankAccounts": [
            {"bankAccountId": 1139036, "bankName": "Aerosync Bank (MFA)", "accountLast4": "3535",
             "name": "Aerosync Checking", "isSelected": true, "accountType": "checking", "status": "verified",
             "createdDate": "2025-12-01T18:52:37+00:00", "connectionId": "bd9d48bd-8b51-4e6e-9f4b-5f5e8f4b0a10"},
            {"bankAccountId": 957022, "bankName": "undefined", "accountLast4": "5432", "name": "Test EA Account",
             "isSelected": false, "accountType": "checking", "status": "None", "createdDate": "2025-08-13T16:47:00+00:00"}
        ]}),
    )
    .await;
    let client = client(&server, version);

    let accounts = client.bank_accounts(USER_ID).await.expect("accounts");
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0].bank_account_id, 1139036);
    assert_eq!(
        accounts[0].connection_id.as_deref(),
        Some("bd9d48bd-8b51-4e6e-9f4b-5f5e8f4b0a10")
    );
    assert_eq!(accounts[1].connection_id, None);

    let sent = requests_to(&server, &list_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "GET");
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "user-token-1");
}

#[tokio::test]
async fn bank_accounts_v1() {
    check_bank_accounts(V1).await;
}

#[tokio::test]
async fn bank_accounts_v2() {
    check_bank_accounts(V2).await;
}

#[tokio::test]
async fn bank_accounts_empty_list() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    answer(
        &server,
        "GET",
        "/v2/bankAccounts".into(),
        json!({"bankAccounts": []}),
    )
    .await;
    assert!(client(&server, V2)
        .bank_accounts(USER_ID)
        .await
        .unwrap()
        .is_empty());
}

async fn check_select_bank_account(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let select_path = format!("{}/userBankAccount/1139682", prefix(version));
    answer(
        &server,
        "PATCH",
        select_path.clone(),
        json!({"bankAccount": {"bankAccountId": 1139682, "bankName": "Aerosync Bank (oAuth)", "accountLast4": "1329",
            "name": "Aerosync Checking", "isSelected": true, "accountType": "checking", "status": "verified",
            "createdDate": "2025-12-11T21:50:22+00:00"}}),
    )
    .await;
    let client = client(&server, version);

    let account = client
        .select_bank_account(USER_ID, 1139682)
        .await
        .expect("selected");
    assert_eq!(account.bank_account_id, 1139682);
    assert_eq!(account.is_selected, Some(true));

    let sent = requests_to(&server, &select_path).await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].method.as_str(), "PATCH");
    assert_common_headers(&sent[0]);
    assert_bearer(&sent[0], version, "user-token-1");
    assert!(sent[0].body.is_empty());
}

#[tokio::test]
async fn select_bank_account_v1() {
    check_select_bank_account(V1).await;
}

#[tokio::test]
async fn select_bank_account_v2() {
    check_select_bank_account(V2).await;
}

// ---- a whole enrollment -----------------------------------------------------

async fn check_enrollment_mints(version: ApiVersion) {
    let server = MockServer::start().await;
    mount_token(&server, version).await;
    let p = prefix(version);
    answer(
        &server,
        "POST",
        format!("{p}/user"),
        json!({"user": user_json(), "mfaType": "sms"}),
    )
    .await;
    answer(
        &server,
        "POST",
        format!("{p}/confirmUser"),
        json!({"user": user_json()}),
    )
    .await;
    answer(
        &server,
        "GET",
        format!("{p}/user"),
        json!({"user": user_json()}),
    )
    .await;
    answer(
        &server,
        "GET",
        format!("{p}/bankAccounts"),
        json!({"bankAccounts": []}),
    )
    .await;
    answer(
        &server,
        "GET",
        format!("{p}/aggregatorCredentials"),
        json!({"fastlinkURL": "https://sandbox.aerosync.com/", "token": "widget", "username": "u"}),
    )
    .await;
    answer(
        &server,
        "POST",
        format!("{p}/linkAccountFromAggregator"),
        json!({"userBankInfo": user_bank_info()}),
    )
    .await;
    answer(
        &server,
        "PATCH",
        format!("{p}/userBankAccount/0"),
        json!({"bankAccount": {"bankAccountId": 0, "isSelected": true}}),
    )
    .await;
    let client = client(&server, version);

    let created = client.create_user(&new_user()).await.unwrap();
    let user_id = created.user.id.clone();
    client.confirm_user(&user_id, "000000").await.unwrap();
    client.get_user(&user_id).await.unwrap();
    assert!(client.bank_accounts(&user_id).await.unwrap().is_empty());
    client.aggregator_credentials(&user_id).await.unwrap();
    let source = match version {
        V1 => LinkSource::LegacyCredentials {
            user_id: "aerosync-user".into(),
            user_password: "pw".into(),
        },
        V2 => LinkSource::Connection {
            connection_id: "conn".into(),
        },
    };
    let linked = client.link_account(&user_id, &source).await.unwrap();
    client
        .select_bank_account(&user_id, linked.bank_account_id)
        .await
        .unwrap();
    let stored = client.user_token(&user_id).await.unwrap();

    let counts = client.mint_counts();
    assert_eq!(
        (counts.merchant, counts.user_for_merchant, counts.failed),
        (1, 1, 0)
    );
    assert_eq!(counts.total(), 2);
    assert_eq!(stored.token.expose(), "user-token-1");
    assert_eq!(requests_to(&server, &format!("{p}/token")).await.len(), 2);
}

#[tokio::test]
async fn new_customer_enrollment_mints_two_tokens_v1() {
    check_enrollment_mints(V1).await;
}

#[tokio::test]
async fn new_customer_enrollment_mints_two_tokens_v2() {
    check_enrollment_mints(V2).await;
}

#[tokio::test]
async fn returning_customer_reuses_a_kept_token_without_minting() {
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    answer(
        &server,
        "GET",
        "/v2/bankAccounts".into(),
        json!({"bankAccounts": []}),
    )
    .await;
    let first = client(&server, V2);
    let kept = first.user_token(USER_ID).await.unwrap();

    let second = client(&server, V2);
    assert!(second.install_user_token(kept.clone()));
    second.bank_accounts(USER_ID).await.unwrap();
    assert_eq!(second.mint_counts().total(), 0);
    let sent = requests_to(&server, "/v2/bankAccounts").await;
    assert_bearer(&sent[0], V2, kept.token.expose());

    second.forget_user(USER_ID);
    assert_eq!(second.cached_user_token(USER_ID), None);
}
