//! The broker end to end: a real HTTP server on 127.0.0.1, a real SQLite
//! file (PostgreSQL for the replicas), and the simulator as Aeropay.

mod common;

use broker_store::testing::TestPostgres;
use broker_store::Store;
use common::{broker, config, enrolled, jwts_in, new_user, phone, simulator, Device};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::Duration;

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("broker.db").display())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_enrolls_verifies_a_customer_and_links_directly() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sqlite_url(&dir), &sim);
    let store = Store::open(&config.database_url).await.unwrap();
    let b = broker(config, &sim).await;

    // Enrollment: once per code.
    let (_, code) = store
        .add_device("store-1-kiosk-1", "store-1")
        .await
        .unwrap();
    let mut kiosk = Device::new(&b.url());
    let answer = kiosk.enroll(code.reveal()).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["secret"].as_str().unwrap().len(), 43);
    let again = Device::new(&b.url()).enroll(code.reveal()).await;
    assert_eq!(again.status, 400);
    assert_eq!(again.body["code"], "BROKER_ENROLLMENT_CODE_USED");
    assert_eq!(again.body["retry"], false);

    // The customer is created, then confirmed, through the broker.
    let created = kiosk
        .call(
            Method::POST,
            "/v1/users",
            Some(new_user(&phone())),
            Some("k-1"),
        )
        .await;
    assert_eq!(created.status, 200, "{:?}", created.body);
    assert_eq!(created.body["mfaType"], "sms");
    let user_id = created.body["user"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created.body["user"]["aeroPassUserUuid"], user_id.as_str());
    let early = kiosk
        .post(&format!("/v1/users/{user_id}/token"), json!({}))
        .await;
    assert_eq!(early.status, 403);
    assert_eq!(early.body["code"], "BROKER_USER_NOT_VERIFIED_HERE");
    let wrong = kiosk
        .post(
            &format!("/v1/users/{user_id}/confirm"),
            json!({"code": "123456"}),
        )
        .await;
    assert_eq!(wrong.status, 422, "{:?}", wrong.body);
    assert_eq!(wrong.body["code"], "AP111");
    let confirmed = kiosk
        .post(
            &format!("/v1/users/{user_id}/confirm"),
            json!({"code": "000000"}),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    assert_eq!(confirmed.body["user"]["userStatus"], "Active");

    // A short-lived user token for this device only.
    let token = kiosk
        .post(&format!("/v1/users/{user_id}/token"), json!({}))
        .await;
    assert_eq!(token.status, 200, "{:?}", token.body);
    assert_eq!(token.body["scope"], "userForMerchant");
    assert_eq!(token.body["userId"], user_id.as_str());
    let other = enrolled(&store, &b, "store-1-kiosk-2", "store-1").await;
    let refused = other
        .post(&format!("/v1/users/{user_id}/token"), json!({}))
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(refused.body["code"], "BROKER_USER_NOT_VERIFIED_HERE");

    // The device links straight with Aeropay using only that token.
    let user_token = token.body["token"].as_str().unwrap();
    let http = reqwest::Client::new();
    for path in [
        "/aggregatorCredentials?aggregator=aerosync",
        "/bankAccounts",
    ] {
        let r = http
            .get(format!("{}{path}", sim.v2_base_url()))
            .bearer_auth(user_token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
    }
    // …and cannot act as the merchant with it.
    let r = http
        .post(format!("{}/user", sim.v2_base_url()))
        .bearer_auth(user_token)
        .json(&new_user(&phone()))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert!(body.to_string().contains("AP006"), "scope refused: {body}");

    // No answer the devices got holds a merchant token, the API key or
    // the secret.
    let creds = sim.credentials();
    let mut bodies = kiosk.bodies();
    bodies.extend(other.bodies());
    let mut tokens = Vec::new();
    for body in &bodies {
        assert!(!body.contains(&creds.api_secret), "{body}");
        assert!(!body.contains(&creds.api_key), "{body}");
        let value: Value = serde_json::from_str(body).unwrap();
        jwts_in(&value, &mut tokens);
    }
    assert_eq!(tokens.len(), 1, "only the user token: {tokens:?}");
    for claims in tokens {
        assert_eq!(claims["sub"], "userformerchant", "{claims}");
        assert_eq!(claims["userId"], user_id.as_str());
    }
    assert_eq!(sim.counts().merchant_mints, 1);
    b.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_that_are_not_in_good_standing_are_refused() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let config = config(&sqlite_url(&dir), &sim);
    let store = Store::open(&config.database_url).await.unwrap();
    let b = broker(config, &sim).await;
    let kiosk = enrolled(&store, &b, "kiosk-1", "store-1").await;
    let call = |d: Device| async move {
        d.call(Method::POST, "/v1/users", Some(new_user(&phone())), None)
            .await
    };

    let mut anonymous = kiosk.clone();
    anonymous.credential = None;
    let r = call(anonymous).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (401, Some("BROKER_DEVICE_CREDENTIAL_MISSING"))
    );
    let mut forged = kiosk.clone();
    let id = kiosk
        .credential
        .as_ref()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    forged.credential = Some(format!("{id}.not-the-secret"));
    let r = call(forged).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (401, Some("BROKER_DEVICE_CREDENTIAL_INVALID"))
    );
    let mut unknown = kiosk.clone();
    unknown.credential = Some(format!("{}.x", uuid::Uuid::new_v4()));
    let r = call(unknown).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (401, Some("BROKER_DEVICE_UNKNOWN"))
    );

    store.disable("kiosk-1").await.unwrap();
    let r = call(kiosk.clone()).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (403, Some("BROKER_DEVICE_DISABLED"))
    );
    store.enable("kiosk-1").await.unwrap();
    assert_eq!(call(kiosk.clone()).await.status, 200);
    store.revoke("kiosk-1").await.unwrap();
    let r = call(kiosk.clone()).await;
    assert_eq!(r.status, 403);
    assert_eq!(
        r.body,
        json!({
            "code": "BROKER_DEVICE_REVOKED",
            "message": "This device has been removed from the fleet. Ask your manager to enroll it again.",
            "retry": false
        })
    );
    let r = kiosk.call(Method::GET, "/v1/nothing", None, None).await;
    assert_eq!(r.status, 404);
    assert_eq!(r.body["code"], "BROKER_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_sent_are_limited_per_device() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&sqlite_url(&dir), &sim);
    config.limits.codes_per_hour = 2;
    let store = Store::open(&config.database_url).await.unwrap();
    let b = broker(config, &sim).await;
    let kiosk = enrolled(&store, &b, "kiosk-1", "store-1").await;
    let other = enrolled(&store, &b, "kiosk-2", "store-1").await;
    for _ in 0..2 {
        let r = kiosk.post("/v1/users", new_user(&phone())).await;
        assert_eq!(r.status, 200, "{:?}", r.body);
    }
    let r = kiosk.post("/v1/users", new_user(&phone())).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.body["code"], "BROKER_RATE_LIMITED");
    assert_eq!(r.body["retry"], true);
    let wait: u64 = r.retry_after.unwrap().parse().unwrap();
    assert!((1..=3600).contains(&wait), "{wait}");
    // Another device has its own budget; Aeropay saw two calls only from
    // the first.
    assert_eq!(
        other.post("/v1/users", new_user(&phone())).await.status,
        200
    );
    assert_eq!(sim.counts().create_user_calls, 3);

    // The operator sees it in the metrics.
    let metrics = Device::new(&b.url())
        .call(Method::GET, "/metrics", None, None)
        .await;
    let text = metrics.body.as_str().unwrap();
    for line in [
        "broker_errors_total{code=\"BROKER_RATE_LIMITED\"} 1",
        "broker_requests_total{route=\"/v1/users\",status=\"200\"} 3",
        "broker_requests_total{route=\"/v1/users\",status=\"429\"} 1",
        "broker_merchant_token_mints_total 1",
        "broker_devices_active 2",
        "broker_request_duration_seconds_count{route=\"/v1/users\"} 4",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} not in:\n{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_is_uploaded_once_and_read_by_office_devices() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&sqlite_url(&dir), &sim);
    config.audit_reader_groups = vec!["office".into()];
    let store = Store::open(&config.database_url).await.unwrap();
    let b = broker(config, &sim).await;
    let kiosk = enrolled(&store, &b, "kiosk-1", "store-1").await;
    let desk = enrolled(&store, &b, "desk-1", "office").await;
    let entries: Vec<Value> = (1..=3)
        .map(|seq| {
            json!({"id": uuid::Uuid::new_v4(), "seq": seq, "at": "2026-12-05T10:00:00Z",
                   "kind": "enrollment_started", "detail": {"step": seq}})
        })
        .collect();
    let batch = json!({ "entries": entries });
    let r = kiosk.post("/v1/audit", batch.clone()).await;
    assert_eq!(r.body, json!({"new": 3, "duplicates": 0}));
    let r = kiosk.post("/v1/audit", batch).await;
    assert_eq!(r.body, json!({"new": 0, "duplicates": 3}));

    let r = kiosk.call(Method::GET, "/v1/audit", None, None).await;
    assert_eq!(
        (r.status, r.body["code"].as_str()),
        (403, Some("BROKER_AUDIT_FORBIDDEN"))
    );
    let r = desk
        .call(Method::GET, "/v1/audit?group=store-1&limit=2", None, None)
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(r.body["entries"].as_array().unwrap().len(), 2);
    assert_eq!(r.body["entries"][0]["device"], "kiosk-1");
    let next = r.body["next"].as_str().unwrap().to_owned();
    let r = desk
        .call(
            Method::GET,
            &format!("/v1/audit?group=store-1&after={next}"),
            None,
            None,
        )
        .await;
    assert_eq!(r.body["entries"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["entries"][0]["seq"], 3);
    assert!(r.body["next"].is_null());
    let r = desk
        .call(Method::GET, "/v1/audit?after=not-a-cursor", None, None)
        .await;
    assert_eq!(r.body["code"], "BROKER_AUDIT_CURSOR_INVALID");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_readiness_and_body_limit() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = config(&sqlite_url(&dir), &sim);
    config.limits.body_bytes = 2048;
    let b = broker(config, &sim).await;
    let anyone = Device::new(&b.url());
    let r = anyone.call(Method::GET, "/healthz", None, None).await;
    assert_eq!(r.status, 200);
    let r = anyone.call(Method::GET, "/readyz", None, None).await;
    assert_eq!(
        (r.status, r.body["database"].as_str()),
        (200, Some("sqlite"))
    );
    let r = anyone
        .post("/v1/devices/enroll", json!({"code": "x".repeat(4096)}))
        .await;
    assert_eq!(r.status, 413);
}

/// 50 device calls at once against two brokers on one PostgreSQL database:
/// Aeropay mints one merchant token for all of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_share_one_merchant_token() {
    let sim = simulator().await;
    let pg = TestPostgres::start();
    let mut config_a = config(&pg.url(), &sim);
    config_a.limits.users_per_hour = 1000;
    config_a.limits.codes_per_hour = 1000;
    let config_b = config_a.clone();
    let store = Store::open(&pg.url()).await.unwrap();
    let a = broker(config_a, &sim).await;
    let b = broker(config_b, &sim).await;
    let mut devices = Vec::new();
    for i in 0..5 {
        let device = enrolled(&store, &a, &format!("kiosk-{i}"), "store-1").await;
        devices.push(device);
    }
    let calls = (0..50).map(|i| {
        let replica = if i % 2 == 0 { a.url() } else { b.url() };
        let device = devices[i % devices.len()].at(&replica);
        async move { device.post("/v1/users", new_user(&phone())).await }
    });
    let answers = futures::future::join_all(calls).await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
    assert_eq!(sim.counts().create_user_calls, 50);
    assert_eq!(sim.counts().merchant_mints, 1);
    assert_eq!(a.merchant_mints() + b.merchant_mints(), 1);
    // The token is sealed in the database, not readable as is.
    let stored = store.merchant_token().await.unwrap().unwrap();
    assert!(!stored.ciphertext.starts_with(b"eyJ"));
    a.shutdown(Duration::from_secs(1)).await;
    b.shutdown(Duration::from_secs(1)).await;
}

/// The broker restarts between a device's request and its retry: the
/// retry, with the same idempotency key, gets the kept answer and Aeropay
/// is not asked again (no second user, no second code).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_broker_answers_retries_without_a_second_user() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let store = Store::open(&url).await.unwrap();
    let first = broker(config(&url, &sim), &sim).await;
    let kiosk = enrolled(&store, &first, "kiosk-1", "store-1").await;
    let customer = new_user(&phone());

    let created = kiosk
        .call(
            Method::POST,
            "/v1/users",
            Some(customer.clone()),
            Some("create-1"),
        )
        .await;
    assert_eq!(created.status, 200);
    first.shutdown(Duration::from_secs(1)).await;

    // The answer was lost with the broker; the device tries again.
    let second = broker(config(&url, &sim), &sim).await;
    let kiosk = kiosk.at(&second.url());
    let retried = kiosk
        .call(
            Method::POST,
            "/v1/users",
            Some(customer.clone()),
            Some("create-1"),
        )
        .await;
    assert_eq!(retried.status, 200);
    assert_eq!(retried.body, created.body);
    let counts = sim.counts();
    assert_eq!((counts.create_user_calls, counts.users_created), (1, 1));
    // The same key with another customer is refused, not answered.
    let mismatch = kiosk
        .call(
            Method::POST,
            "/v1/users",
            Some(new_user(&phone())),
            Some("create-1"),
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert_eq!(mismatch.body["code"], "BROKER_IDEMPOTENCY_KEY_REUSED");

    let user_id = created.body["user"]["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/users/{user_id}/confirm");
    let confirmed = kiosk
        .call(
            Method::POST,
            &path,
            Some(json!({"code": "000000"})),
            Some("confirm-1"),
        )
        .await;
    assert_eq!(confirmed.status, 200);
    second.shutdown(Duration::from_secs(1)).await;

    let third = broker(config(&url, &sim), &sim).await;
    let kiosk = kiosk.at(&third.url());
    let retried = kiosk
        .call(
            Method::POST,
            &path,
            Some(json!({"code": "000000"})),
            Some("confirm-1"),
        )
        .await;
    assert_eq!(retried.body, confirmed.body);
    // The verification survived the restarts: the token is handed out.
    let token = kiosk
        .post(&format!("/v1/users/{user_id}/token"), json!({}))
        .await;
    assert_eq!(token.status, 200, "{:?}", token.body);
    assert_eq!(sim.counts().users_created, 1);
    // Three brokers, one database: one merchant token.
    assert_eq!(sim.counts().merchant_mints, 1);
    third.shutdown(Duration::from_secs(1)).await;
}

/// Aeropay refuses the token in the database (here, one it never signed):
/// the broker that meets the refusal mints once and shares the new token,
/// and the other replica uses it without minting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_shared_token_is_replaced_once_for_the_fleet() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let store = Store::open(&url).await.unwrap();
    let sealer =
        aeropay_onboarding_broker::seal::Sealer::new(&sim.credentials().api_secret.as_str().into());
    let expires = time::OffsetDateTime::now_utc() + time::Duration::minutes(25);
    let forged = sealer.seal(
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJtZXJjaGFudCJ9.bm90LXNpZ25lZA",
        expires.unix_timestamp(),
    );
    store
        .put_merchant_token(
            &forged,
            time::OffsetDateTime::from_unix_timestamp(expires.unix_timestamp()).unwrap(),
        )
        .await
        .unwrap();
    let a = broker(config(&url, &sim), &sim).await;
    let b = broker(config(&url, &sim), &sim).await;
    let kiosk = enrolled(&store, &a, "kiosk-1", "store-1").await;

    let r = kiosk.post("/v1/users", new_user(&phone())).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(sim.counts().merchant_mints, 1);
    let stored = store.merchant_token().await.unwrap().unwrap();
    assert_ne!(
        stored.ciphertext, forged,
        "the new token replaced the refused one"
    );

    let r = kiosk
        .at(&b.url())
        .post("/v1/users", new_user(&phone()))
        .await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_eq!(
        sim.counts().merchant_mints,
        1,
        "the other replica minted nothing"
    );
    assert_eq!(a.merchant_mints() + b.merchant_mints(), 1);
}

/// A device that sends the same request several times at once (a retry
/// racing the original) reaches Aeropay once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeats_racing_the_original_reach_aeropay_once() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir);
    let store = Store::open(&url).await.unwrap();
    let b = broker(config(&url, &sim), &sim).await;
    let kiosk = enrolled(&store, &b, "kiosk-1", "store-1").await;
    let customer = new_user(&phone());
    let answers = futures::future::join_all((0..5).map(|_| {
        kiosk.call(
            Method::POST,
            "/v1/users",
            Some(customer.clone()),
            Some("same-key"),
        )
    }))
    .await;
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body, answers[0].body);
    }
    assert_eq!(sim.counts().create_user_calls, 1);
}
