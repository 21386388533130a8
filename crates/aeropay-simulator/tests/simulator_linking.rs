//! Bank linking on the simulator: aggregatorCredentials, the widget's
//! internal API (test banks, MFA, OAuth consent), the pageSuccess payload of
//! each SDK generation, linkAccountFromAggregator in v1 and v2 with its
//! error codes, bankAccounts and the default-account selection.

mod simulator_support;

use aeropay_simulator::SimulatorConfig;
use reqwest::Method;
use serde_json::{json, Value};
use simulator_support::{Sim, V};

#[tokio::test]
async fn aggregator_credentials_point_at_the_simulated_widget() {
    let s = Sim::default().await;
    let user = s.confirmed_user().await;
    let v2 = s.user_token(V::V2, &user).await;
    let body = s.widget_credentials(V::V2, &v2).await;
    assert_eq!(body["fastlinkURL"], s.sim.widget_url());
    assert!(body["fastlinkURL"]
        .as_str()
        .unwrap()
        .starts_with("http://127.0.0.1:"));
    assert!(body.get("success").is_none(), "v2 has no success flag");
    let token = body["token"].as_str().unwrap();
    assert_eq!(token.split('.').count(), 3);
    assert!(body["username"].is_string());
    // The widget token is not an API token.
    let r = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(token), None)
        .await;
    assert_eq!(r.code(), Some("AP008"));

    let v1 = s.user_token(V::V1, &user).await;
    let body = s.widget_credentials(V::V1, &v1).await;
    assert_eq!(body["success"], true);
    assert_eq!(body["fastlinkURL"], s.sim.widget_url());
}

#[tokio::test]
async fn aggregator_credentials_errors() {
    let s = Sim::default().await;
    let user = s.confirmed_user().await;
    let token = s.user_token(V::V2, &user).await;
    let r = s
        .v(
            V::V2,
            Method::GET,
            "/aggregatorCredentials",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"code": "MISSING_PARAMETER", "message": "The aggregator parameter is required."})
    );
    let r = s
        .v(
            V::V2,
            Method::GET,
            "/aggregatorCredentials?aggregator=aerosyncj",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"error": {"code": "AP408", "message": "Unknown Aggregator aerosyncj"}})
    );
    let r = s
        .v(
            V::V2,
            Method::GET,
            "/aggregatorCredentials?aggregator=aerosync&redirectURI=not%20a%20url",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.body["code"], "INVALID_FORMAT");
    let v1 = s.user_token(V::V1, &user).await;
    let r = s
        .v(
            V::V1,
            Method::GET,
            "/aggregatorCredentials?aggregator=plaid",
            Some(&v1),
            None,
        )
        .await;
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP408", "error": "Unknown Aggregator plaid"})
    );
}

async fn widget_token(s: &Sim, v: V) -> (String, String, String) {
    let user = s.confirmed_user().await;
    let token = s.user_token(v, &user).await;
    let creds = s.widget_credentials(v, &token).await;
    (user, token, creds["token"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn widget_session_lists_the_documented_test_banks() {
    let s = Sim::default().await;
    let (user, _, wt) = widget_token(&s, V::V2).await;
    let (status, info) = s.widget(&wt, Method::GET, "/session", None).await;
    assert_eq!(status, 200);
    assert_eq!(info["aeroPassUserUuid"], user.as_str());
    let names: Vec<&str> = info["banks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["name"].as_str().unwrap())
        .collect();
    for bank in [
        "Aerosync Bank (MFA)",
        "Aerosync Bank (OAuth)",
        "Aerosync Bank (MFA Trigger)",
        "Aerobank",
    ] {
        assert!(names.contains(&bank), "{bank} in {names:?}");
    }
    let (status, err) = s.widget("forged", Method::GET, "/session", None).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (401, Some("AC-401"))
    );
}

#[tokio::test]
async fn widget_banks_credentials_and_mfa() {
    let s = Sim::default().await;
    let (_, _, wt) = widget_token(&s, V::V2).await;
    let login = |bank: &str, user: &str, pass: &str| json!({"bankId": bank, "username": user, "password": pass});
    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/login",
            Some(login("aerobank", "sync", "wrong")),
        )
        .await;
    assert_eq!(r["step"], "error");
    assert_eq!(r["code"], "AC-101");
    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/login",
            Some(login("aerobank", "sync", "mfa")),
        )
        .await;
    assert_eq!(r["step"], "mfa");
    assert_eq!(r["question"], "What city were you born in?");
    let id = r["loginId"].clone();
    let (_, r2) = s
        .widget(
            &wt,
            Method::POST,
            "/mfa",
            Some(json!({"loginId": id, "answer": "Chicago"})),
        )
        .await;
    assert_eq!(r2["step"], "error");
    let (_, r2) = s
        .widget(
            &wt,
            Method::POST,
            "/mfa",
            Some(json!({"loginId": id, "answer": "correct"})),
        )
        .await;
    assert_eq!(r2["step"], "accounts");
    let types: Vec<&str> = r2["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["accountType"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["checking", "savings"]);

    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/login",
            Some(login("aerosync-mfa-trigger", "user", "pass")),
        )
        .await;
    assert_eq!(r["step"], "error");
    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/login",
            Some(login("aerosync-mfa-trigger", "mxuser", "challenge")),
        )
        .await;
    assert_eq!(r["step"], "mfa");
    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/mfa",
            Some(json!({"loginId": r["loginId"], "answer": "correct"})),
        )
        .await;
    assert_eq!(r["step"], "accounts");

    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/login",
            Some(login("aerosync-mfa", "anything", "at all")),
        )
        .await;
    assert_eq!(r["step"], "mfa");
    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/mfa",
            Some(json!({"loginId": r["loginId"], "answer": "1234"})),
        )
        .await;
    assert_eq!(r["step"], "accounts");
    assert_eq!(r["bankName"], "Aerosync Bank (MFA)");
}

#[tokio::test]
async fn oauth_bank_waits_for_consent_in_its_own_window() {
    let s = Sim::default().await;
    let (_, token, wt) = widget_token(&s, V::V2).await;
    let (_, r) = s
        .widget(
            &wt,
            Method::POST,
            "/login",
            Some(json!({"bankId": "aerosync-oauth"})),
        )
        .await;
    assert_eq!(r["step"], "oauth");
    let id = r["loginId"].as_str().unwrap().to_owned();
    let oauth_url = r["oauthUrl"].as_str().unwrap().to_owned();
    assert_eq!(
        oauth_url,
        format!("{}/aerosync/oauth/{id}", s.sim.base_url())
    );
    let page = s.http.get(&oauth_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("oauth.js"));
    // Until consent, polling says to keep waiting; completing is refused.
    let (_, poll) = s
        .widget(&wt, Method::GET, &format!("/login/{id}"), None)
        .await;
    assert_eq!(poll["step"], "oauth");
    let (status, _) = s
        .widget(
            &wt,
            Method::POST,
            "/complete",
            Some(json!({"loginId": id, "accountIds": ["1329"], "version": "2.1.4"})),
        )
        .await;
    assert_eq!(status, 409);
    let consent = s.url(&format!("/aerosync/api/oauth/{id}"));
    let r: Value = s
        .http
        .post(&consent)
        .json(&json!({"username": "", "password": ""}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["ok"], false);
    let r: Value = s
        .http
        .post(&consent)
        .json(&json!({"username": "u", "password": "p"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["ok"], true);
    let (_, poll) = s
        .widget(&wt, Method::GET, &format!("/login/{id}"), None)
        .await;
    assert_eq!(poll["step"], "accounts");
    let (_, done) = s
        .widget(
            &wt,
            Method::POST,
            "/complete",
            Some(json!({"loginId": id, "accountIds": ["1329"], "version": "2.1.4"})),
        )
        .await;
    let conn = done["messages"][0]["payload"]["connectionId"]
        .as_str()
        .unwrap();
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&token),
            Some(json!({"connectionId": conn, "aggregator": "aerosync"})),
        )
        .await;
    assert_eq!(r.body["userBankInfo"]["bankName"], "Aerosync Bank (oAuth)");
    assert_eq!(r.body["userBankInfo"]["accountLast4"], "1329");
}

#[tokio::test]
async fn page_success_payload_per_sdk_generation() {
    let s = Sim::default().await;
    let (user, _, wt) = widget_token(&s, V::V2).await;
    let keys = |v: &Value| {
        let mut k: Vec<String> = v["payload"].as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    let cases: [(Option<&str>, &[&str], bool); 6] = [
        (
            None,
            &["ClientName", "FILoginAcctId", "user_id", "user_password"],
            true,
        ),
        (
            Some("1.1.3"),
            &["ClientName", "FILoginAcctId", "user_id", "user_password"],
            true,
        ),
        (
            Some("2.0.5"),
            &["ClientName", "aeroPassUserUuid", "connectionId"],
            true,
        ),
        (
            Some("2.1.0"),
            &["aeroPassUserUuid", "clientName", "connectionId", "userId"],
            false,
        ),
        (
            Some("2.1.4"),
            &["aeroPassUserUuid", "clientName", "connectionId"],
            false,
        ),
        // SDK 2.1.x puts the literal version=2.0.0 in the widget URL.
        (
            Some("2.0.0"),
            &["aeroPassUserUuid", "clientName", "connectionId"],
            false,
        ),
    ];
    for (version, expected, closes) in cases {
        let messages = s.widget_flow(&wt, &["6789"], version).await;
        assert_eq!(messages[0]["type"], "pageSuccess");
        assert_eq!(keys(&messages[0]), expected, "{version:?}");
        let payload = &messages[0]["payload"];
        if let Some(uuid) = payload.get("aeroPassUserUuid") {
            assert_eq!(uuid, user.as_str());
        }
        let client = payload
            .get("clientName")
            .or_else(|| payload.get("ClientName"))
            .unwrap();
        assert_eq!(client, "Simulated Merchant");
        assert_eq!(messages.len(), if closes { 2 } else { 1 }, "{version:?}");
        if closes {
            assert_eq!(messages[1], json!({"type": "widgetClose"}));
        }
    }
}

#[tokio::test]
async fn multi_account_merchants_get_the_accounts_form() {
    let s = Sim::start(SimulatorConfig {
        multi_account: true,
        ..Default::default()
    })
    .await;
    let (user, token, wt) = widget_token(&s, V::V2).await;
    let messages = s.widget_flow(&wt, &["6789", "2468"], Some("2.1.4")).await;
    assert_eq!(messages.len(), 1);
    let payload = &messages[0]["payload"];
    assert_eq!(payload["clientName"], "Simulated Merchant");
    assert_eq!(payload["aeroPassUserUuid"], user.as_str());
    let accounts = payload["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 2);
    assert_eq!(accounts[0]["accountType"], "checking");
    assert_eq!(accounts[0]["accountNumberDisplay"], "****6789");
    assert_eq!(accounts[1]["accountType"], "savings");
    // One link call per connection; savings is refused as Aeropay does.
    let link = |conn: &Value| {
        let body = json!({"connectionId": conn, "aggregator": "aerosync"});
        let token = token.clone();
        let s = &s;
        async move {
            s.v(
                V::V2,
                Method::POST,
                "/linkAccountFromAggregator",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    let r = link(&accounts[0]["connectionId"]).await;
    assert_eq!(r.body["userBankInfo"]["accountLast4"], "6789");
    let r = link(&accounts[1]["connectionId"]).await;
    assert_eq!(r.body["code"], "AP411");
    // 1.x has no multi-account form.
    let messages = s.widget_flow(&wt, &["6789"], Some("1.1.3")).await;
    assert!(messages[0]["payload"]["user_id"].is_string());
}

#[tokio::test]
async fn link_v2_with_a_connection_from_this_users_widget() {
    let s = Sim::default().await;
    let (user, token, conn) = s.user_with_connection().await;
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&token),
            Some(json!({"connectionId": conn, "aggregator": "aerosync"})),
        )
        .await;
    assert_eq!(r.status, 200);
    let info = &r.body["userBankInfo"];
    assert!(info["bankAccountId"].is_u64());
    assert_eq!(info["bankName"], "Aerobank");
    assert_eq!(info["accountLast4"], "6789");
    assert_eq!(info["accountType"], "checking");
    assert_eq!(info["status"], "verified");
    assert_eq!(info["isSelected"], true);
    assert_eq!(info["accountHolderInfo"][0]["name"]["fullName"], "Jane Doe");
    assert!(info["balance"].is_i64());
    assert!(r.body.get("success").is_none());
    let accounts = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    assert_eq!(
        accounts.body["bankAccounts"][0]["connectionId"],
        conn.as_str()
    );
    let _ = user;
}

#[tokio::test]
async fn link_v1_with_user_id_and_password_from_the_1x_widget() {
    let s = Sim::default().await;
    let (_, token, wt) = widget_token(&s, V::V1).await;
    let messages = s.widget_flow(&wt, &["6789"], Some("1.1.0")).await;
    let p = &messages[0]["payload"];
    let body = json!({"user_id": p["user_id"], "user_password": p["user_password"], "aggregator": "aerosync"});
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.body["success"], true, "{}", r.body);
    assert_eq!(r.body["userBankInfo"]["accountLast4"], "6789");
    assert_eq!(r.body["userBankInfo"]["isSelected"], "1");
    // Same account again.
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP415", "error": "Bank account already linked"})
    );
    let mut wrong = body.clone();
    wrong["user_password"] = json!("guess");
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&token),
            Some(wrong),
        )
        .await;
    assert_eq!(r.body["code"], "AP300");
    let mut missing = body;
    missing.as_object_mut().unwrap().remove("user_password");
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&token),
            Some(missing),
        )
        .await;
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP700", "error": "Missing required Parameter: 'user_password'"})
    );
    let r = s
        .v(V::V1, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    assert_eq!(r.body["success"], true);
    assert_eq!(r.body["bankAccounts"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn link_errors_duplicate_foreign_missing_unknown() {
    let s = Sim::default().await;
    let (_, token, conn) = s.user_with_connection().await;
    let link = |token: String, body: Value| {
        let s = &s;
        async move {
            s.v(
                V::V2,
                Method::POST,
                "/linkAccountFromAggregator",
                Some(&token),
                Some(body),
            )
            .await
        }
    };
    assert!(link(
        token.clone(),
        json!({"connectionId": conn, "aggregator": "aerosync"})
    )
    .await
    .body["userBankInfo"]
        .is_object());
    let r = link(
        token.clone(),
        json!({"connectionId": conn, "aggregator": "aerosync"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP415", "error": "Bank account already linked"})
    );
    // The same bank account through a new widget session is still a duplicate.
    let creds = s.widget_credentials(V::V2, &token).await;
    let messages = s
        .widget_flow(creds["token"].as_str().unwrap(), &["6789"], Some("2.1.4"))
        .await;
    let again = messages[0]["payload"]["connectionId"].clone();
    assert_eq!(
        link(
            token.clone(),
            json!({"connectionId": again, "aggregator": "aerosync"})
        )
        .await
        .body["code"],
        "AP415"
    );

    // Another user's connection.
    let (_, _, foreign) = s.user_with_connection().await;
    let r = link(
        token.clone(),
        json!({"connectionId": foreign, "aggregator": "aerosync"}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["code"], "AP410");

    let r = link(token.clone(), json!({"aggregator": "aerosync"})).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP700", "error": "Missing required Parameter: 'connectionId'"})
    );
    let r = link(token.clone(), json!({"connectionId": conn})).await;
    assert_eq!(
        (r.status.as_u16(), r.body["code"].as_str()),
        (400, Some("AP700"))
    );
    let r = link(
        token.clone(),
        json!({"connectionId": uuid::Uuid::new_v4().to_string(), "aggregator": "aerosync"}),
    )
    .await;
    assert_eq!(r.body["code"], "AP300");
    let r = link(token, json!({"connectionId": conn, "aggregator": "plaid"})).await;
    assert_eq!(r.body["code"], "AP408");
}

#[tokio::test]
async fn bank_accounts_and_default_selection() {
    let s = Sim::default().await;
    let user = s.confirmed_user().await;
    let token = s.user_token(V::V2, &user).await;
    let r = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    assert_eq!(r.body, json!({"bankAccounts": []}));
    let r = s
        .v(
            V::V2,
            Method::PATCH,
            "/userBankAccount/1",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"error": {"code": "AP400", "message": "No bank account linked"}})
    );

    // Two accounts at two banks.
    let mut ids = Vec::new();
    for (bank, user_name, pass, account) in [
        ("aerobank", "sync", "no_mfa", "6789"),
        ("aerosync-mfa", "a", "b", "5016"),
    ] {
        let creds = s.widget_credentials(V::V2, &token).await;
        let wt = creds["token"].as_str().unwrap();
        let (_, mut step) = s
            .widget(
                wt,
                Method::POST,
                "/login",
                Some(json!({"bankId": bank, "username": user_name, "password": pass})),
            )
            .await;
        if step["step"] == "mfa" {
            step = s
                .widget(
                    wt,
                    Method::POST,
                    "/mfa",
                    Some(json!({"loginId": step["loginId"], "answer": "x"})),
                )
                .await
                .1;
        }
        let (_, done) = s.widget(wt, Method::POST, "/complete", Some(json!({"loginId": step["loginId"], "accountIds": [account], "version": "2.1.4"}))).await;
        let conn = &done["messages"][0]["payload"]["connectionId"];
        let r = s
            .v(
                V::V2,
                Method::POST,
                "/linkAccountFromAggregator",
                Some(&token),
                Some(json!({"connectionId": conn, "aggregator": "aerosync"})),
            )
            .await;
        ids.push(r.body["userBankInfo"]["bankAccountId"].as_u64().unwrap());
    }
    let r = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    let list = r.body["bankAccounts"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list.iter().filter(|a| a["isSelected"] == true).count(), 1);
    assert!(list.iter().all(|a| a["connectionId"].is_string()));

    let r = s
        .v(
            V::V2,
            Method::PATCH,
            &format!("/userBankAccount/{}", ids[1]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(r.body["bankAccount"]["bankAccountId"], ids[1]);
    assert_eq!(r.body["bankAccount"]["isSelected"], true);
    let r = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    for a in r.body["bankAccounts"].as_array().unwrap() {
        assert_eq!(a["isSelected"], a["bankAccountId"] == ids[1]);
    }

    // Someone else's account id.
    let other = s.confirmed_user().await;
    let other_token = s.user_token(V::V2, &other).await;
    let (_, _, conn) = s.user_with_connection().await;
    let _ = conn;
    let r = s
        .v(
            V::V2,
            Method::PATCH,
            &format!("/userBankAccount/{}", ids[0]),
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!(r.code(), Some("AP400"), "no accounts of their own yet");
    let creds = s.widget_credentials(V::V2, &other_token).await;
    let messages = s
        .widget_flow(creds["token"].as_str().unwrap(), &["6789"], Some("2.1.4"))
        .await;
    s.v(V::V2, Method::POST, "/linkAccountFromAggregator", Some(&other_token),
        Some(json!({"connectionId": messages[0]["payload"]["connectionId"], "aggregator": "aerosync"}))).await;
    let r = s
        .v(
            V::V2,
            Method::PATCH,
            &format!("/userBankAccount/{}", ids[0]),
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["error"]["code"], "AP401");
    let r = s
        .v(
            V::V2,
            Method::PATCH,
            "/userBankAccount/abc",
            Some(&other_token),
            None,
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, Some("AP701")));
    // v1 takes the id in the body.
    let v1 = s.user_token(V::V1, &user).await;
    let r = s
        .v(
            V::V1,
            Method::PATCH,
            "/userBankAccount",
            Some(&v1),
            Some(json!({"bankAccountId": ids[0]})),
        )
        .await;
    assert_eq!(r.body["success"], true);
    // v1's own types: the id as a string, "1" for selected.
    assert_eq!(r.body["bankAccount"]["bankAccountId"], ids[0].to_string());
    assert_eq!(r.body["bankAccount"]["isSelected"], "1");
}

#[tokio::test]
async fn widget_pages_are_served_without_inline_scripts() {
    let s = Sim::default().await;
    for (path, script) in [("/aerosync/", "widget.js"), ("/demo", "demo.js")] {
        let resp = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200);
        let csp = resp.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("default-src 'self'"), "{csp}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!("src=\"{script}\""))
                || html.contains(&format!("src=\"/{script}\""))
                || html.contains(&format!("src=\"/aerosync/{script}\"")),
            "{path}"
        );
        for line in html.lines() {
            let l = line.trim();
            if l.starts_with("<script") {
                assert!(l.contains("src="), "inline script in {path}: {l}");
            }
        }
        assert!(
            html.contains("Simulated"),
            "{path} is labelled as simulated"
        );
    }
    for path in [
        "/aerosync/widget.js",
        "/aerosync/widget.css",
        "/aerosync/oauth.js",
        "/demo.js",
    ] {
        let resp = s.http.get(s.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.text().await.unwrap().len() > 200, "{path} has content");
    }
}

#[tokio::test]
async fn demo_session_gives_a_ready_widget_token() {
    let s = Sim::default().await;
    let (status, demo) = s.admin(Method::POST, "/__admin/demo-session", None).await;
    assert_eq!(status, 200);
    assert_eq!(demo["fastlinkURL"], s.sim.widget_url());
    let messages = s
        .widget_flow(demo["token"].as_str().unwrap(), &["6789"], Some("2.1.4"))
        .await;
    assert_eq!(
        messages[0]["payload"]["aeroPassUserUuid"],
        demo["aeroPassUserUuid"]
    );
}
