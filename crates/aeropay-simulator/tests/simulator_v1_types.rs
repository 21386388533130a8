//! The simulator answers each API version in its own types: v1 as
//! Aeropay's v1 linking page prints it (every value of the link answer a
//! string, `isSelected` "1"/"0", epoch seconds as a string, `success`
//! beside), v2 as the OpenAPI types it (integers, booleans, ISO dates).
//! The same account, read through both versions, keeps each version's types.

mod simulator_support;

use aeropay_simulator::{SimulatorConfig, V1UserShape};
use reqwest::Method;
use serde_json::{json, Map, Value};
use simulator_support::{phone, Sim, V};
use std::collections::BTreeSet;

/// The link answer of Aeropay's v1 page ("Step 3 - Link a bank to the
/// User", 3C), as the page prints it.
const PAGE_LINK_ANSWER: &str = r#"{
  "userBankInfo": {
    "bankAccountId": "15991",
    "userId": "11622",
    "bankName": "Aerosync Bank (MFA)",
    "accountLast4": "5016",
    "name": "Aerosync Checking",
    "externalBankAccountId": "",
    "isSelected": "1",
    "accountType": "checking",
    "status": "verified",
    "createdDate": "1686439169"
  },
  "success": true
}"#;

fn keys(object: &Value) -> BTreeSet<String> {
    object
        .as_object()
        .unwrap_or_else(|| panic!("an object: {object}"))
        .keys()
        .cloned()
        .collect()
}

/// A non-empty string of ASCII digits.
fn is_digit_string(value: &Value) -> bool {
    value
        .as_str()
        .is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Epoch seconds as a string, within a minute of now.
fn assert_recent_epoch_string(value: &Value) {
    assert!(is_digit_string(value), "epoch seconds as a string: {value}");
    let at: i64 = value.as_str().unwrap().parse().unwrap();
    assert!((unix_now() - at).abs() < 60, "{at} is not now");
}

/// An ISO date in Aeropay's form: `2025-02-27T12:59:32+00:00`.
fn assert_iso_date(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a date string: {value}"));
    assert!(
        text.len() == 25 && text.as_bytes()[10] == b'T' && text.ends_with("+00:00"),
        "{text:?}"
    );
}

/// An account as v1 lists it: string id, "1"/"0", epoch-string date.
fn assert_v1_account(account: &Value) {
    assert!(
        is_digit_string(&account["bankAccountId"]),
        "{}",
        account["bankAccountId"]
    );
    assert!(
        account["isSelected"] == "1" || account["isSelected"] == "0",
        "{}",
        account["isSelected"]
    );
    assert_recent_epoch_string(&account["createdDate"]);
    for field in ["bankName", "accountLast4", "name", "accountType", "status"] {
        assert!(account[field].is_string(), "{field}: {account}");
    }
}

/// An account as v2 lists it: integer id, boolean, ISO date.
fn assert_v2_account(account: &Value) {
    assert!(account["bankAccountId"].is_u64(), "{account}");
    assert!(account["isSelected"].is_boolean(), "{account}");
    assert_iso_date(&account["createdDate"]);
}

/// Creates a customer through v1 and confirms them with the sandbox's
/// bypass code. Returns the `POST /user` and `confirmUser` answers.
async fn v1_customer(s: &Sim) -> (Value, Value) {
    let merchant = s.merchant_token(V::V1).await;
    let created = s
        .create_user(V::V1, &merchant, Sim::user_body(V::V1, &phone()))
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let legacy = created.body["user"]["userId"].clone();
    let confirmed = s
        .v(
            V::V1,
            Method::POST,
            "/confirmUser",
            Some(&merchant),
            Some(json!({"userId": legacy, "code": "000000", "merchantId": "1234"})),
        )
        .await;
    assert_eq!(confirmed.body["success"], true, "{}", confirmed.body);
    (created.body, confirmed.body)
}

/// The customer's network-wide id (what tokens are minted for).
fn uuid_of(user: &Value) -> String {
    user["aeroPassUserUuid"].as_str().unwrap().to_owned()
}

/// A widget flow at `bank` (signing in, answering any question), choosing
/// `account`, with the given SDK version (`None`: a 1.x widget). Returns
/// the `pageSuccess` payload.
async fn widget_success(
    s: &Sim,
    widget_token: &str,
    bank: &str,
    credentials: (&str, &str),
    account: &str,
    version: Option<&str>,
) -> Value {
    let (_, mut step) = s
        .widget(
            widget_token,
            Method::POST,
            "/login",
            Some(json!({"bankId": bank, "username": credentials.0, "password": credentials.1})),
        )
        .await;
    if step["step"] == "mfa" {
        step = s
            .widget(
                widget_token,
                Method::POST,
                "/mfa",
                Some(json!({"loginId": step["loginId"], "answer": "correct"})),
            )
            .await
            .1;
    }
    assert_eq!(step["step"], "accounts", "{step}");
    let (status, done) = s
        .widget(
            widget_token,
            Method::POST,
            "/complete",
            Some(json!({"loginId": step["loginId"], "accountIds": [account], "version": version})),
        )
        .await;
    assert_eq!(status, 200, "{done}");
    done["messages"][0]["payload"].clone()
}

/// Links `account` at `bank` for the customer through v1 and the 1.x
/// widget; returns the link answer.
async fn v1_link(s: &Sim, token: &str, bank: &str, creds: (&str, &str), account: &str) -> Value {
    let widget = s.widget_credentials(V::V1, token).await;
    let payload = widget_success(
        s,
        widget["token"].as_str().unwrap(),
        bank,
        creds,
        account,
        None,
    )
    .await;
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(token),
            Some(json!({
                "user_id": payload["user_id"],
                "user_password": payload["user_password"],
                "aggregator": "aerosync",
            })),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

/// Links `account` at `bank` for the customer through v2 and the 2.1
/// widget; returns the link answer.
async fn v2_link(s: &Sim, token: &str, bank: &str, creds: (&str, &str), account: &str) -> Value {
    let widget = s.widget_credentials(V::V2, token).await;
    let payload = widget_success(
        s,
        widget["token"].as_str().unwrap(),
        bank,
        creds,
        account,
        Some("2.0.0"),
    )
    .await;
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(token),
            Some(json!({"connectionId": payload["connectionId"], "aggregator": "aerosync"})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

const MFA_BANK: (&str, (&str, &str)) = ("aerosync-mfa", ("any", "thing"));
const AEROBANK: (&str, (&str, &str)) = ("aerobank", ("sync", "no_mfa"));

#[tokio::test]
async fn v1_link_answer_is_the_pages_example_field_for_field_all_strings() {
    let s = Sim::default().await;
    let (created, _) = v1_customer(&s).await;
    let token = s.user_token(V::V1, &uuid_of(&created["user"])).await;
    let (bank, creds) = MFA_BANK;
    let answer = v1_link(&s, &token, bank, creds, "5016").await;

    let page: Value = serde_json::from_str(PAGE_LINK_ANSWER).unwrap();
    assert_eq!(keys(&answer), keys(&page), "{answer}");
    assert_eq!(answer["success"], true);
    let info = &answer["userBankInfo"];
    assert_eq!(keys(info), keys(&page["userBankInfo"]), "{info}");
    let strings: &Map<String, Value> = info.as_object().unwrap();
    for (field, value) in strings {
        assert!(value.is_string(), "{field} is not a string: {info}");
    }
    // The page's own values, where they are not ids or dates.
    for field in [
        "bankName",
        "accountLast4",
        "name",
        "externalBankAccountId",
        "isSelected",
        "accountType",
        "status",
    ] {
        assert_eq!(info[field], page["userBankInfo"][field], "{field}");
    }
    assert!(is_digit_string(&info["bankAccountId"]), "{info}");
    assert_eq!(info["userId"], created["user"]["userId"]);
    assert!(is_digit_string(&info["userId"]), "{info}");
    assert_recent_epoch_string(&info["createdDate"]);
}

#[tokio::test]
async fn v1_lists_and_selects_accounts_in_v1_types() {
    let s = Sim::default().await;
    let (created, _) = v1_customer(&s).await;
    let token = s.user_token(V::V1, &uuid_of(&created["user"])).await;
    let (bank, creds) = MFA_BANK;
    let first = v1_link(&s, &token, bank, creds, "5016").await;
    let (bank, creds) = AEROBANK;
    let second = v1_link(&s, &token, bank, creds, "6789").await;
    // Only the first account becomes the default.
    assert_eq!(first["userBankInfo"]["isSelected"], "1");
    assert_eq!(second["userBankInfo"]["isSelected"], "0");
    assert_eq!(second["success"], true);

    let r = s
        .v(V::V1, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    assert_eq!(r.body["success"], true, "{}", r.body);
    let list = r.body["bankAccounts"].as_array().unwrap();
    assert_eq!(list.len(), 2, "{}", r.body);
    for account in list {
        assert_v1_account(account);
        assert!(
            uuid::Uuid::parse_str(account["connectionId"].as_str().unwrap()).is_ok(),
            "{account}"
        );
    }
    let selected: Vec<&Value> = list.iter().map(|a| &a["isSelected"]).collect();
    assert_eq!(selected, [&json!("1"), &json!("0")]);
    assert_eq!(
        list[0]["bankAccountId"],
        first["userBankInfo"]["bankAccountId"]
    );

    let second_id = second["userBankInfo"]["bankAccountId"].clone();
    let r = s
        .v(
            V::V1,
            Method::PATCH,
            "/userBankAccount",
            Some(&token),
            Some(json!({"bankAccountId": second_id})),
        )
        .await;
    assert_eq!(r.body["success"], true, "{}", r.body);
    let chosen = &r.body["bankAccount"];
    assert_v1_account(chosen);
    assert_eq!(chosen["bankAccountId"], second_id);
    assert_eq!(chosen["isSelected"], "1");
    assert!(chosen.get("connectionId").is_none(), "{chosen}");
    let r = s
        .v(V::V1, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    let selected: Vec<&Value> = r.body["bankAccounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["isSelected"])
        .collect();
    assert_eq!(selected, [&json!("0"), &json!("1")]);
}

#[tokio::test]
async fn v2_keeps_the_openapi_types_for_the_same_accounts() {
    let s = Sim::default().await;
    let user = s.confirmed_user().await;
    let v2 = s.user_token(V::V2, &user).await;
    let (bank, creds) = MFA_BANK;
    let answer = v2_link(&s, &v2, bank, creds, "5016").await;
    assert!(answer.get("success").is_none(), "{answer}");
    let info = &answer["userBankInfo"];
    assert_v2_account(info);
    assert_eq!(info["isSelected"], true);
    assert_eq!(info["accountLast4"], "5016");
    assert_eq!(info["name"], "Aerosync Checking");
    assert_eq!(info["bankName"], "Aerosync Bank (MFA)");
    assert!(info["balance"].is_i64() && info["canFetchBalance"] == true);
    assert!(info["accountHolderInfo"].is_array());
    assert!(info.get("userId").is_none(), "{info}");

    let r = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(&v2), None)
        .await;
    assert!(r.body.get("success").is_none(), "{}", r.body);
    let v2_listed = r.body["bankAccounts"][0].clone();
    assert_v2_account(&v2_listed);
    assert!(v2_listed["connectionId"].is_string());
    let r = s
        .v(
            V::V2,
            Method::PATCH,
            &format!("/userBankAccount/{}", info["bankAccountId"]),
            Some(&v2),
            None,
        )
        .await;
    assert!(r.body.get("success").is_none(), "{}", r.body);
    assert_v2_account(&r.body["bankAccount"]);
    assert_eq!(r.body["bankAccount"]["isSelected"], true);

    // The same account through v1: the same values, v1's types.
    let v1 = s.user_token(V::V1, &user).await;
    let r = s
        .v(V::V1, Method::GET, "/bankAccounts", Some(&v1), None)
        .await;
    let v1_listed = &r.body["bankAccounts"][0];
    assert_v1_account(v1_listed);
    assert_eq!(
        v1_listed["bankAccountId"],
        v2_listed["bankAccountId"].to_string()
    );
    assert_eq!(v1_listed["isSelected"], "1");
    assert_eq!(v1_listed["connectionId"], v2_listed["connectionId"]);
}

#[tokio::test]
async fn v1_user_object_carries_user_id_and_uuid_but_no_id_by_default() {
    let s = Sim::default().await;
    let (created, confirmed) = v1_customer(&s).await;
    let token = s.user_token(V::V1, &uuid_of(&created["user"])).await;
    let fetched = s.v(V::V1, Method::GET, "/user", Some(&token), None).await;
    assert_eq!(fetched.body["success"], true);
    for user in [&created["user"], &confirmed["user"], &fetched.body["user"]] {
        assert!(is_digit_string(&user["userId"]), "{user}");
        assert!(
            uuid::Uuid::parse_str(user["aeroPassUserUuid"].as_str().unwrap()).is_ok(),
            "{user}"
        );
        assert!(user.get("id").is_none(), "no `id` in this shape: {user}");
        assert_eq!(user["userId"], created["user"]["userId"]);
        assert_recent_epoch_string(&user["createdDate"]);
    }
}

#[tokio::test]
async fn v1_user_object_with_id_adds_the_uuid_as_id() {
    let s = Sim::start(SimulatorConfig {
        v1_user_shape: V1UserShape::WithId,
        ..SimulatorConfig::default()
    })
    .await;
    let (created, confirmed) = v1_customer(&s).await;
    let uuid = uuid_of(&created["user"]);
    let token = s.user_token(V::V1, &uuid).await;
    let fetched = s.v(V::V1, Method::GET, "/user", Some(&token), None).await;
    for user in [&created["user"], &confirmed["user"], &fetched.body["user"]] {
        assert!(is_digit_string(&user["userId"]), "{user}");
        assert_eq!(user["aeroPassUserUuid"], uuid.as_str(), "{user}");
        assert_eq!(user["id"], uuid.as_str(), "{user}");
    }
    // A linked account shows in the user object with v1's string id.
    let (bank, creds) = MFA_BANK;
    let linked = v1_link(&s, &token, bank, creds, "5016").await;
    assert_eq!(linked["userBankInfo"]["userId"], created["user"]["userId"]);
    let fetched = s.v(V::V1, Method::GET, "/user", Some(&token), None).await;
    assert_eq!(
        fetched.body["user"]["bankAccounts"][0]["bankAccountId"],
        linked["userBankInfo"]["bankAccountId"]
    );

    // v2 knows nothing of v1 shapes.
    let merchant = s.merchant_token(V::V2).await;
    let r = s
        .create_user(V::V2, &merchant, Sim::user_body(V::V2, &phone()))
        .await;
    let user = &r.body["user"];
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert!(user.get("userId").is_none() && user.get("aeroPassUserUuid").is_none());
    assert_iso_date(&user["createdDate"]);
}

#[tokio::test]
async fn the_mfa_banks_checking_account_is_5016_in_the_widget() {
    let s = Sim::default().await;
    let user = s.confirmed_user().await;
    let token = s.user_token(V::V2, &user).await;
    let widget = s.widget_credentials(V::V2, &token).await;
    let wt = widget["token"].as_str().unwrap();
    let (_, step) = s
        .widget(
            wt,
            Method::POST,
            "/login",
            Some(json!({"bankId": "aerosync-mfa", "username": "a", "password": "b"})),
        )
        .await;
    let (_, step) = s
        .widget(
            wt,
            Method::POST,
            "/mfa",
            Some(json!({"loginId": step["loginId"], "answer": "1"})),
        )
        .await;
    assert_eq!(step["accounts"][0]["last4"], "5016", "{step}");
    assert_eq!(step["accounts"][0]["name"], "Aerosync Checking");
    assert_eq!(step["accounts"][0]["accountType"], "checking");
}
