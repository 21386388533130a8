//! Fault injection through the admin API, reset, and `--state` persistence
//! across a restart.

mod simulator_support;

use aeropay_simulator::SimulatorConfig;
use reqwest::Method;
use serde_json::json;
use simulator_support::{Sim, V};
use std::time::{Duration, Instant};

async fn fault(s: &Sim, body: serde_json::Value) {
    let (status, r) = s.admin(Method::POST, "/__admin/faults", Some(body)).await;
    assert_eq!(status, 200, "{r}");
}

fn token_request(s: &Sim) -> reqwest::RequestBuilder {
    s.http
        .post(s.url("/v2/token"))
        .json(&s.token_body(V::V2, "merchant", None))
}

#[tokio::test]
async fn latency_delays_then_answers_normally() {
    let s = Sim::default().await;
    fault(
        &s,
        json!({"operation": "token", "kind": "latency", "ms": 700, "count": 1}),
    )
    .await;
    let start = Instant::now();
    let r = token_request(&s).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(start.elapsed() >= Duration::from_millis(700));
    let start = Instant::now();
    token_request(&s).send().await.unwrap();
    assert!(
        start.elapsed() < Duration::from_millis(700),
        "only the next call was slowed"
    );
}

#[tokio::test]
async fn drop_breaks_the_connection_for_count_calls() {
    let s = Sim::default().await;
    fault(
        &s,
        json!({"operation": "token", "kind": "drop", "count": 2}),
    )
    .await;
    for _ in 0..2 {
        let outcome = match token_request(&s).send().await {
            Ok(resp) => resp.bytes().await.map(|_| ()),
            Err(err) => Err(err),
        };
        assert!(outcome.is_err(), "a dropped call yields no complete answer");
    }
    assert_eq!(token_request(&s).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn html502_answers_like_a_load_balancer() {
    let s = Sim::default().await;
    let (_, token, conn) = s.user_with_connection().await;
    fault(
        &s,
        json!({"operation": "link", "kind": "html502", "count": 1}),
    )
    .await;
    let link = || {
        s.http
            .post(s.url("/v2/linkAccountFromAggregator"))
            .header("authorization", format!("Bearer {token}"))
            .json(&json!({"connectionId": conn, "aggregator": "aerosync"}))
            .send()
    };
    // Other operations are untouched.
    assert_eq!(token_request(&s).send().await.unwrap().status(), 200);
    let r = link().await.unwrap();
    assert_eq!(r.status(), 502);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(r.text().await.unwrap().contains("502 Bad Gateway"));
    let r: serde_json::Value = link().await.unwrap().json().await.unwrap();
    assert!(r["userBankInfo"].is_object(), "{r}");
}

#[tokio::test]
async fn timeout_holds_the_request_past_the_client_deadline() {
    let s = Sim::default().await;
    fault(
        &s,
        json!({"operation": "any", "kind": "timeout", "count": 1}),
    )
    .await;
    let err = token_request(&s)
        .timeout(Duration::from_millis(500))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(token_request(&s).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn faults_are_listed_validated_and_cleared_by_reset() {
    let s = Sim::default().await;
    let (status, _) = s
        .admin(
            Method::POST,
            "/__admin/faults",
            Some(json!({"operation": "nope", "kind": "drop", "count": 1})),
        )
        .await;
    assert_eq!(status, 400);
    fault(
        &s,
        json!({"operation": "bankAccounts", "kind": "html502", "count": 3}),
    )
    .await;
    let (_, list) = s.admin(Method::GET, "/__admin/faults", None).await;
    assert_eq!(list["faults"][0]["count"], 3);
    let user = s.confirmed_user().await;
    s.admin(Method::POST, "/__admin/reset", None).await;
    let (_, list) = s.admin(Method::GET, "/__admin/faults", None).await;
    assert_eq!(list["faults"], json!([]));
    // Reset forgot the user.
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "userForMerchant", Some(&user))),
        )
        .await;
    assert_eq!(r.code(), Some("AP002"));
}

#[tokio::test]
async fn state_file_keeps_users_and_accounts_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sim.sqlite");
    let config = SimulatorConfig {
        state_file: Some(file.clone()),
        ..Default::default()
    };
    let s = Sim::start(config.clone()).await;
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
    assert!(r.body["userBankInfo"].is_object());
    s.sim.shutdown().await;

    let s = Sim::start(config.clone()).await;
    // The old token still verifies: the signing key was kept too.
    let r = s
        .v(V::V2, Method::GET, "/bankAccounts", Some(&token), None)
        .await;
    assert_eq!(
        r.body["bankAccounts"][0]["connectionId"],
        conn.as_str(),
        "{}",
        r.body
    );
    let fresh = s.user_token(V::V2, &user).await;
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/linkAccountFromAggregator",
            Some(&fresh),
            Some(json!({"connectionId": conn, "aggregator": "aerosync"})),
        )
        .await;
    assert_eq!(r.body["code"], "AP415");
    drop(s);

    // Without the file, nothing is remembered.
    let s = Sim::default().await;
    let r = s
        .v(
            V::V2,
            Method::POST,
            "/token",
            None,
            Some(s.token_body(V::V2, "userForMerchant", Some(&user))),
        )
        .await;
    assert_eq!(r.code(), Some("AP002"));
}

#[tokio::test]
async fn the_admin_api_needs_this_runs_token() {
    let s = Sim::default().await;
    let html502 = json!({"operation":"token","kind":"html502","count":1});
    let (status, _) = s
        .admin_as(
            Method::POST,
            "/__admin/faults",
            Some(html502.clone()),
            None,
            None,
        )
        .await;
    assert_eq!(status, 401, "no token");
    let other = Sim::default().await;
    assert_ne!(
        other.sim.admin_token(),
        s.sim.admin_token(),
        "each start has its own token"
    );
    let (status, _) = s
        .admin_as(
            Method::POST,
            "/__admin/faults",
            Some(html502.clone()),
            None,
            Some(other.sim.admin_token().to_owned()),
        )
        .await;
    assert_eq!(status, 403, "another run's token");
    for path in ["/__admin/otp?userId=x", "/__admin/merchant"] {
        let (status, body) = s.admin_as(Method::GET, path, None, None, None).await;
        assert_eq!(status, 401, "{path}");
        assert!(body.get("apiSecret").is_none(), "{path} answered");
    }
    // Nothing refused took effect.
    let (status, list) = s.admin(Method::GET, "/__admin/faults", None).await;
    assert_eq!(status, 200);
    assert_eq!(list["faults"], json!([]));
    let resp = token_request(&s).send().await.unwrap();
    assert_eq!(resp.status(), 200);

    // With the token, the same request works.
    fault(&s, html502).await;
    let (_, list) = s.admin(Method::GET, "/__admin/faults", None).await;
    assert_eq!(list["faults"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn the_admin_api_answers_only_to_its_loopback_address() {
    let s = Sim::default().await;
    let port = s.sim.addr().port();
    let token = || Some(s.sim.admin_token().to_owned());
    for host in [
        "evil.example".to_owned(),
        format!("evil.example:{port}"),
        format!("127.0.0.1.evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_owned(),
    ] {
        let (status, _) = s
            .admin_as(Method::POST, "/__admin/reset", None, Some(&host), token())
            .await;
        assert_eq!(status, 421, "Host {host}");
    }
    for host in [format!("127.0.0.1:{port}"), format!("localhost:{port}")] {
        let (status, body) = s
            .admin_as(Method::GET, "/__admin/faults", None, Some(&host), token())
            .await;
        assert_eq!(status, 200, "Host {host}");
        assert_eq!(body["faults"], json!([]));
    }
}
