//! The simulator's API against the documented sandbox: tokens, scopes,
//! header versions, user validation and triggers, confirmation and the
//! disconnect rule, in the error shapes of each endpoint and version.

mod simulator_support;

use aeropay_simulator::{MfaType, SimulatorConfig};
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use simulator_support::{phone, Sim, V};

#[tokio::test]
async fn token_is_a_signed_jwt_with_ttl_scope_and_user() {
    let s = Sim::default().await;
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "merchant", None)),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["TTL"], 1800);
    let token = r.body["token"].as_str().unwrap();
    let parts: Vec<&str> = token.split('.').collect();
    assert_eq!(parts.len(), 3);
    let decode = |p: &str| -> Value {
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .unwrap(),
        )
        .unwrap()
    };
    assert_eq!(decode(parts[0])["alg"], "HS256");
    let claims = decode(parts[1]);
    assert_eq!(claims["sub"], "merchant");
    let exp = claims["exp"].as_i64().unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        (now + 1790..=now + 1801).contains(&exp),
        "exp {exp} now {now}"
    );

    let user = s.confirmed_user().await;
    let token = s.user_token(V::V2, &user).await;
    let claims = decode(token.split('.').nth(1).unwrap());
    assert_eq!(claims["sub"], "userformerchant");
    assert_eq!(claims["userId"], user.as_str());
}

#[tokio::test]
async fn v1_token_takes_snake_case_and_string_merchant_id() {
    let s = Sim::default().await;
    let mut body = s.token_body(V::V1, "merchant", None);
    body["id"] = json!(s.sim.credentials().merchant_id.to_string());
    let r = s.v(V::V1, Method::POST, "/token", None, Some(body)).await;
    assert_eq!(r.body["TTL"], 1800, "{}", r.body);
    // camelCase keys are the v2 spelling: v1 reports the missing api_key.
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "merchant", None)),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"success": false, "error": {"code": "AP700", "message": "Missing required Parameter: 'api_key'"}})
    );
}

#[tokio::test]
async fn wrong_credentials_are_ap002_in_each_versions_shape() {
    let s = Sim::default().await;
    for field in ["apiKey", "apiSecret"] {
        let mut body = s.token_body(V::V2, "merchant", None);
        body[field] = json!("wrong");
        let r = s.v(V::V2, Method::POST, "/token", None, Some(body)).await;
        assert_eq!(r.status, 401);
        assert_eq!(
            r.body,
            json!({"error": {"code": "AP002", "message": "Invalid API key or secret key"}})
        );
    }
    let mut body = s.token_body(V::V2, "merchant", None);
    body["id"] = json!(999);
    let r = s.v(V::V2, Method::POST, "/token", None, Some(body)).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, Some("AP002")));

    let mut body = s.token_body(V::V1, "merchant", None);
    body["api_secret"] = json!("wrong");
    let r = s.v(V::V1, Method::POST, "/token", None, Some(body)).await;
    assert_eq!(r.status, 200, "v1 answers errors with HTTP 200");
    assert_eq!(r.body["success"], false);
    assert_eq!(r.code(), Some("AP002"));
}

#[tokio::test]
async fn token_parameter_errors_are_400_ap700_ap701() {
    let s = Sim::default().await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"apiSecret": "x", "scope": "merchant", "id": 1}),
            "AP700",
            "Missing required Parameter: 'apiKey'",
        ),
        (
            json!({"apiKey": "x", "scope": "merchant", "id": 1}),
            "AP700",
            "Missing required Parameter: 'apiSecret'",
        ),
        (
            json!({"apiKey": "x", "apiSecret": "y", "id": 1}),
            "AP700",
            "Missing required Parameter: 'scope'",
        ),
        (
            json!({"apiKey": "x", "apiSecret": "y", "scope": "admin", "id": 1}),
            "AP700",
            "Invalid scope",
        ),
        (
            json!({"apiKey": "x", "apiSecret": "y", "scope": "merchant", "id": "1234"}),
            "AP701",
            "Improperly formatted parameter: ['id']",
        ),
    ];
    for (body, code, message) in cases {
        let r = s.v(V::V2, Method::POST, "/token", None, Some(body)).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body, json!({"error": {"code": code, "message": message}}));
    }
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "userForMerchant", None)),
        )
        .await;
    assert_eq!(
        r.body["error"]["message"],
        "Missing required Parameter: 'userId'"
    );
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "userForMerchant", Some("14831"))),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, Some("AP701")));
}

#[tokio::test]
async fn expired_tokens_are_ap007_and_forged_ones_ap008() {
    // Expiry is kept in whole seconds (`exp = now + TTL`, expired once
    // `exp <= now`): a token lives between TTL - 1 and TTL seconds. With 3,
    // the first call has at least 2 s even on a loaded machine.
    let s = Sim::start(SimulatorConfig {
        token_ttl_secs: 3,
        ..Default::default()
    })
    .await;
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "merchant", None)),
        )
        .await;
    assert_eq!(r.body["TTL"], 3);
    let token = r.body["token"].as_str().unwrap().to_owned();
    let body = Sim::user_body(V::V2, &phone());
    let fresh = s.create_user(V::V2, &token, body.clone()).await;
    assert!(fresh.body["user"]["id"].is_string(), "{}", fresh.body);
    tokio::time::sleep(std::time::Duration::from_millis(3100)).await;
    let r = s.create_user(V::V2, &token, body.clone()).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": {"code": "AP007", "message": "Token has expired"}})
    );

    // Same claims, signature from another key.
    let mut forged: Vec<String> = token.split('.').map(str::to_owned).collect();
    forged[2] = "c2lnbmF0dXJl".into();
    let r = s.create_user(V::V2, &forged.join("."), body.clone()).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, Some("AP008")));
    let r = s.create_user(V::V2, "not-a-jwt", body).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, Some("AP008")));
}

#[tokio::test]
async fn header_names_follow_the_api_version() {
    let s = Sim::default().await;
    let v2 = s.merchant_token(V::V2).await;
    let body = Sim::user_body(V::V2, &phone());
    // v1 header name on a v2 path: no authenticated user.
    let r = s
        .call(
            Method::POST,
            "/v2/user",
            Some(("authorizationToken", &v2)),
            Some(body.clone()),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": {"code": "AP101", "message": "No authenticated user"}})
    );
    let r = s.call(Method::POST, "/v2/user", None, Some(body)).await;
    assert_eq!((r.status.as_u16(), r.code()), (401, Some("AP004")));
    // And the reverse on v1, in v1's flag shape with HTTP 200.
    let v1 = s.merchant_token(V::V1).await;
    let r = s
        .call(
            Method::POST,
            "/user",
            Some(("authorization", &v1)),
            Some(Sim::user_body(V::V1, &phone())),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP101", "error": "No authenticated user"})
    );
    let r = s.call(Method::GET, "/bankAccounts", None, None).await;
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP004", "error": "Missing authorization header"})
    );
}

#[tokio::test]
async fn scopes_are_enforced_per_endpoint() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let user = s.confirmed_user().await;
    let user_token = s.user_token(V::V2, &user).await;
    let wrong_scope =
        json!({"error": {"code": "AP006", "message": "Client is not authorized for this scope"}});
    for path in [
        "/user",
        "/bankAccounts",
        "/aggregatorCredentials?aggregator=aerosync",
    ] {
        let r = s.v(V::V2, Method::GET, path, Some(&merchant), None).await;
        assert_eq!((r.status.as_u16(), &r.body), (401, &wrong_scope), "{path}");
    }
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&merchant),
            Some(json!({"connectionId": "x", "aggregator": "aerosync"})),
        )
        .await;
    assert_eq!(r.status, 401);
    let r = s
        .create_user(V::V2, &user_token, Sim::user_body(V::V2, &phone()))
        .await;
    assert_eq!((r.status.as_u16(), &r.body), (401, &wrong_scope));
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/confirmUser",
            Some(&user_token),
            Some(json!({"userId": user, "code": "000000", "merchantId": 1234})),
        )
        .await;
    assert_eq!(r.code(), Some("AP006"));
}

#[tokio::test]
async fn create_user_v2_returns_the_user_and_mfa_type() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let p = phone();
    let r = s
        .create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["mfaType"], "sms");
    let user = &r.body["user"];
    assert!(uuid::Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert_eq!(user["phoneNumber"], p.as_str());
    assert_eq!(user["type"], "consumer");
    assert!(user["createdDate"].as_str().unwrap().ends_with("+00:00"));
    // Not associated with the merchant until confirmed.
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "userForMerchant", user["id"].as_str())),
        )
        .await;
    assert_eq!(r.code(), Some("AP002"));
}

#[tokio::test]
async fn create_user_v1_uses_snake_case_and_the_version_header() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V1).await;
    let r = s
        .create_user(V::V1, &merchant, Sim::user_body(V::V1, &phone()))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body["user"]["userId"]
        .as_str()
        .unwrap()
        .parse::<u64>()
        .is_ok());
    assert!(r.body["user"]["aeroPassUserUuid"].is_string());
    assert_eq!(r.body["existingUser"], false);
    // camelCase is the v2 spelling.
    let r = s
        .create_user(V::V1, &merchant, Sim::user_body(V::V2, &phone()))
        .await;
    assert_eq!(
        r.body,
        json!({"success": false, "code": "AP700", "error": "Missing required Parameter: 'first_name'"})
    );
    let r = s
        .http
        .post(s.url("/user"))
        .header("authorizationToken", format!("Bearer {merchant}"))
        .json(&Sim::user_body(V::V1, &phone()))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "AP700");
    assert_eq!(body["error"], "Missing required Parameter: 'X-API-Version'");
}

#[tokio::test]
async fn mfa_type_follows_the_merchant_configuration() {
    for (mfa, expected) in [(Some(MfaType::Email), json!("email")), (None, Value::Null)] {
        let s = Sim::start(SimulatorConfig {
            mfa,
            ..Default::default()
        })
        .await;
        let merchant = s.merchant_token(V::V2).await;
        let r = s
            .create_user(V::V2, &merchant, Sim::user_body(V::V2, &phone()))
            .await;
        assert_eq!(r.body["mfaType"], expected);
        let id = r.body["user"]["id"].as_str().unwrap().to_owned();
        let token = s
            .v(
                V::V2,
                Method::POST,
                "/token",
                None,
                Some(s.token_body(V::V2, "userForMerchant", Some(&id))),
            )
            .await;
        // Without MFA no confirmation is needed.
        assert_eq!(
            token.body["token"].is_string(),
            mfa.is_none(),
            "{}",
            token.body
        );
    }
}

#[tokio::test]
async fn sandbox_trigger_values_produce_their_documented_errors() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let phones = [
        ("5550173", "AP115"),
        ("3105550187", "AP115"),
        ("+65-718-555-0134", "AP119"),
        ("+657185550134", "AP119"),
        ("+14045550124", "AP115"),
        ("+13125550198", "AP115"),
        ("+19175550163", "AP115"),
    ];
    for (p, code) in phones {
        let r = s
            .create_user(V::V2, &merchant, Sim::user_body(V::V2, p))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (200, Some(code)),
            "{p}: {}",
            r.body
        );
        assert_eq!(
            r.body["error"]["help"],
            "Contact support@aeropay.com for help."
        );
    }
    let emails = [
        // The glossary of POST /v2/user gives AP101 status 401, the rest 200.
        ("no-authenticated-user@aeropay.com", "AP101", 401),
        ("unable-to-create-user@aeropay.com", "AP102", 200),
        ("cannot-extract-user-info@aeropay.com", "AP104", 200),
        ("user-already-exists@aeropay.com", "AP107", 200),
        ("error-adding-user@aeropay.com", "AP108", 200),
    ];
    for (email, code, status) in emails {
        let mut body = Sim::user_body(V::V2, &phone());
        body["email"] = json!(email);
        let r = s.create_user(V::V2, &merchant, body).await;
        assert_eq!(
            (r.status.as_u16(), r.code()),
            (status, Some(code)),
            "{email}: {}",
            r.body
        );
    }
    // v1 reports the same codes in its flag shape.
    let v1 = s.merchant_token(V::V1).await;
    let r = s
        .create_user(V::V1, &v1, Sim::user_body(V::V1, "+13125550198"))
        .await;
    assert_eq!(r.body["success"], false);
    assert_eq!(r.body["code"], "AP115");
}

#[tokio::test]
async fn names_phones_and_missing_fields_are_validated() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let mut body = Sim::user_body(V::V2, &phone());
    body["firstName"] = json!("J0hn");
    let r = s.create_user(V::V2, &merchant, body).await;
    assert_eq!(r.body["error"]["code"], "AP118");
    assert_eq!(
        r.body["error"]["message"],
        "User cannot be created with numbers or special characters"
    );
    let mut body = Sim::user_body(V::V2, &phone());
    body["lastName"] = json!("O'Brien-Smith");
    assert!(s.create_user(V::V2, &merchant, body).await.body["user"].is_object());
    for (p, code) in [
        ("+442071838750", "AP119"),
        ("5551234", "AP105"),
        ("+1415555", "AP106"),
        ("(415) 555-1234", "AP106"),
        ("+10155551234", "AP106"),
    ] {
        let r = s
            .create_user(V::V2, &merchant, Sim::user_body(V::V2, p))
            .await;
        assert_eq!(r.code(), Some(code), "{p}");
    }
    let mut body = Sim::user_body(V::V2, &phone());
    body.as_object_mut().unwrap().remove("email");
    let r = s.create_user(V::V2, &merchant, body).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"error": {"help": "Contact support@aeropay.com for help.", "code": "AP700", "message": "Missing required Parameter: 'email'"}})
    );
}

#[tokio::test]
async fn confirm_with_the_sent_code_or_the_sandbox_bypass() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    for use_bypass in [false, true] {
        let r = s
            .create_user(V::V2, &merchant, Sim::user_body(V::V2, &phone()))
            .await;
        let id = r.body["user"]["id"].as_str().unwrap().to_owned();
        let otp = s.otp(&id).await;
        let code = otp["code"].as_str().unwrap();
        assert_eq!(code.len(), 6);
        let code = if use_bypass { "000000" } else { code };
        let r = s
            .v(
                V::V2,
                Method::POST,
                "/confirmUser",
                Some(&merchant),
                Some(json!({"userId": id, "code": code, "merchantId": 1234})),
            )
            .await;
        assert_eq!(r.body["user"]["userStatus"], "Active", "{}", r.body);
        assert_eq!(s.otp(&id).await["connected"], true);
        s.user_token(V::V2, &id).await;
    }
}

#[tokio::test]
async fn otp_lookup_works_by_phone() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let p = phone();
    let r = s
        .create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    let (status, otp) = s
        .admin(
            Method::GET,
            &format!("/__admin/otp?phone={}", p.replace('+', "%2B")),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(otp["userId"], r.body["user"]["id"]);
    assert!(otp["code"].is_string());
}

#[tokio::test]
async fn wrong_codes_count_to_ap112() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let p = phone();
    let r = s
        .create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    let id = r.body["user"]["id"].as_str().unwrap().to_owned();
    let real = s.otp(&id).await["code"].as_str().unwrap().to_owned();
    let wrong = if real == "123456" { "654321" } else { "123456" };
    let confirm = |code: String| {
        let body = json!({"userId": id, "code": code, "merchantId": 1234});
        let merchant = merchant.clone();
        let s = &s;
        async move {
            s.v(
                V::V2,
                Method::POST,
                "/confirmUser",
                Some(&merchant),
                Some(body),
            )
            .await
        }
    };
    for attempt in 1..=4 {
        let r = confirm(wrong.into()).await;
        assert_eq!(r.status, 200);
        assert_eq!(
            r.body,
            json!({"error": {"help": "Contact support@aeropay.com for help.", "code": "AP111", "message": "Invalid verification code"}}),
            "attempt {attempt}"
        );
    }
    assert_eq!(confirm(wrong.into()).await.code(), Some("AP112"));
    // Locked: even the right code is refused until a new code is sent.
    assert_eq!(confirm(real).await.code(), Some("AP112"));
    assert_eq!(s.otp(&id).await["attempts"], 5);
    // A new POST /user sends a new code and clears the lock.
    s.create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    let fresh = s.otp(&id).await["code"].as_str().unwrap().to_owned();
    assert_eq!(confirm(fresh).await.body["user"]["userStatus"], "Active");
}

#[tokio::test]
async fn confirm_errors_unknown_user_and_bad_parameters() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/confirmUser",
            Some(&merchant),
            Some(json!({"userId": unknown, "code": "000000", "merchantId": 1234})),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"error": {"help": "Contact support@aeropay.com for help.", "code": "AP113", "message": "User does not exist"}})
    );
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/confirmUser",
            Some(&merchant),
            Some(json!({"userId": "14831", "code": "000000", "merchantId": 1234})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, Some("AP701")));
    assert_eq!(
        r.body["error"]["message"],
        "Improperly formatted parameter: ['userId']"
    );
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/confirmUser",
            Some(&merchant),
            Some(json!({"userId": unknown, "code": "000000", "merchantId": "1234"})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, Some("AP701")));
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/confirmUser",
            Some(&merchant),
            Some(json!({"userId": unknown, "merchantId": 1234})),
        )
        .await;
    assert_eq!((r.status.as_u16(), r.code()), (400, Some("AP700")));
}

#[tokio::test]
async fn repeated_post_user_disconnects_until_confirmed_again() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V2).await;
    let p = phone();
    let first = s
        .create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    let id = first.body["user"]["id"].as_str().unwrap().to_owned();
    let confirm = json!({"userId": id, "code": "000000", "merchantId": 1234});
    s.v(
        V::V2,
        Method::POST,
        "/confirmUser",
        Some(&merchant),
        Some(confirm.clone()),
    )
    .await;
    s.user_token(V::V2, &id).await;

    // Same phone again: same user, now disconnected from the merchant.
    let again = s
        .create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    assert_eq!(again.body["user"]["id"], id.as_str());
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "userForMerchant", Some(&id))),
        )
        .await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.body,
        json!({"error": {"code": "AP002", "message": "User ID doesn't exist or hasn't been associated with this merchant"}})
    );
    // v1 says the same in its token shape.
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V1, "userForMerchant", Some(&id))),
        )
        .await;
    assert_eq!(r.body["error"]["code"], "AP002");
    assert_eq!(r.body["success"], false);

    s.v(
        V::V2,
        Method::POST,
        "/confirmUser",
        Some(&merchant),
        Some(confirm),
    )
    .await;
    s.user_token(V::V2, &id).await;
    // An id that never existed gets the same answer.
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(
                V::V2,
                "userForMerchant",
                Some(&uuid::Uuid::new_v4().to_string()),
            )),
        )
        .await;
    assert_eq!(r.code(), Some("AP002"));
}

#[tokio::test]
async fn get_user_in_both_versions() {
    let s = Sim::default().await;
    let id = s.confirmed_user().await;
    let v2 = s.user_token(V::V2, &id).await;
    let r = s.v(V::V2, Method::GET, "/user", Some(&v2), None).await;
    assert_eq!(r.body["user"]["id"], id.as_str());
    assert_eq!(r.body["user"]["userStatus"], "Active");
    // v1 tokens accept the numeric v1 id as well.
    let v1 = s.user_token(V::V1, &id).await;
    let r = s.v(V::V1, Method::GET, "/user", Some(&v1), None).await;
    assert_eq!(r.body["success"], true);
    let legacy = r.body["user"]["userId"].as_str().unwrap().to_owned();
    assert_eq!(r.body["user"]["aeroPassUserUuid"], id.as_str());
    let v1_numeric = s.user_token(V::V1, &legacy).await;
    let r = s
        .v(V::V1, Method::GET, "/user", Some(&v1_numeric), None)
        .await;
    assert_eq!(r.body["user"]["aeroPassUserUuid"], id.as_str());
}

#[tokio::test]
async fn v1_confirm_takes_the_numeric_id() {
    let s = Sim::default().await;
    let merchant = s.merchant_token(V::V1).await;
    let r = s
        .create_user(V::V1, &merchant, Sim::user_body(V::V1, &phone()))
        .await;
    let legacy = r.body["user"]["userId"].as_str().unwrap().to_owned();
    let r = s
        .v(
            V::V1,
            Method::POST,
            "/confirmUser",
            Some(&merchant),
            Some(json!({"userId": legacy, "code": "000000", "merchantId": "1234"})),
        )
        .await;
    assert_eq!(r.body["success"], true, "{}", r.body);
    s.user_token(V::V1, &legacy).await;
}

#[tokio::test]
async fn counts_mints_by_scope_and_user_creations() {
    let s = Sim::default().await;
    assert_eq!(s.sim.counts(), aeropay_simulator::Counts::default());
    let user = s.confirmed_user().await;
    s.user_token(V::V2, &user).await;
    // The same phone again: a known user, not a new one.
    let merchant = s.merchant_token(V::V2).await;
    let p = phone();
    s.create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    s.create_user(V::V2, &merchant, Sim::user_body(V::V2, &p))
        .await;
    let counts = s.sim.counts();
    assert_eq!(counts.merchant_mints, 2);
    assert_eq!(counts.user_mints, 1);
    assert_eq!(counts.create_user_calls, 3);
    assert_eq!(counts.users_created, 2);
}
