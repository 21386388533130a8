//! The broker process killed while Aeropay is creating a customer: the
//! device retries against a new broker process on the same database, and
//! Aeropay still has one user for that customer.

mod common;

use aeropay_simulator::{RunningSimulator, ADMIN_TOKEN_HEADER};
use broker_store::Store;
use common::{new_user, phone, simulator, Device};
use reqwest::Method;
use serde_json::json;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A broker process; killed when dropped.
struct Process {
    child: Child,
    url: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(database_url: &str, sim: &RunningSimulator) -> Process {
    serve_on(database_url, sim, "127.0.0.1:0")
}

fn serve_on(database_url: &str, sim: &RunningSimulator, listen: &str) -> Process {
    let creds = sim.credentials();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding-broker"))
        .arg("serve")
        .env("BROKER_DATABASE_URL", database_url)
        .env("BROKER_LISTEN", listen)
        .env("BROKER_AEROPAY_ENVIRONMENT", sim.base_url())
        .env("AEROPAY_API_KEY", &creds.api_key)
        .env("AEROPAY_API_SECRET", &creds.api_secret)
        .env("AEROPAY_MERCHANT_ID", creds.merchant_id.to_string())
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the broker starts");
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("the broker logs its address before anything else ends")
            .unwrap();
        let entry: serde_json::Value = serde_json::from_str(&line).expect(&line);
        if entry["fields"]["message"] == "broker listening" {
            break entry["fields"]["addr"].as_str().unwrap().to_owned();
        }
    };
    // Keep reading its logs so that it never blocks on a full pipe.
    std::thread::spawn(move || lines.for_each(drop));
    Process {
        child,
        url: format!("http://{addr}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_killed_mid_create_user_leaves_one_aeropay_user() {
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("broker.db").display());
    let store = Store::open(&url).await.unwrap();
    let (_, code) = store.add_device("kiosk-1", "store-1").await.unwrap();

    let first = serve(&url, &sim);
    let mut kiosk = Device::new(&first.url);
    assert_eq!(kiosk.enroll(code.reveal()).await.status, 200);

    // Aeropay creates the user, then holds its answer.
    let admin = reqwest::Client::new();
    let r = admin
        .post(format!("{}/__admin/faults", sim.base_url()))
        .header(ADMIN_TOKEN_HEADER, sim.admin_token())
        .json(&json!({"operation": "createUser", "kind": "hold_answer", "count": 1}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let customer = new_user(&phone());
    let pending = {
        let kiosk = kiosk.clone();
        let customer = customer.clone();
        tokio::spawn(async move {
            let request = kiosk
                .http
                .post(format!("{}/v1/users", kiosk.base))
                .bearer_auth(kiosk.credential.as_ref().unwrap())
                .header("Idempotency-Key", "create-1")
                .json(&customer)
                .send()
                .await;
            request.is_ok()
        })
    };
    // Wait (bounded) until Aeropay has created the user, then kill the broker.
    for _ in 0..500 {
        if sim.counts().create_user_calls == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sim.counts().create_user_calls, 1);
    drop(first);
    assert!(!pending.await.unwrap(), "the device never got an answer");

    // A new broker process on the same database; the device retries.
    let second = serve(&url, &sim);
    kiosk = kiosk.at(&second.url);
    let retried = kiosk
        .call(Method::POST, "/v1/users", Some(customer), Some("create-1"))
        .await;
    assert_eq!(retried.status, 200, "{:?}", retried.body);
    let counts = sim.counts();
    assert_eq!(counts.users_created, 1, "one user for one customer");
    assert_eq!(counts.create_user_calls, 2);
    let user_id = retried.body["user"]["id"].as_str().unwrap().to_owned();
    let confirmed = kiosk
        .call(
            Method::POST,
            &format!("/v1/users/{user_id}/confirm"),
            Some(json!({"code": "000000"})),
            Some("confirm-1"),
        )
        .await;
    assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
    let token = kiosk
        .post(&format!("/v1/users/{user_id}/token"), json!({}))
        .await;
    assert_eq!(token.status, 200, "{:?}", token.body);
    // The second process read the first one's merchant token from the database.
    assert_eq!(sim.counts().merchant_mints, 1);
    drop(second);
    sim.shutdown().await;
}

/// The device's own client (`fleet_client::BrokerClient`) meets the same
/// kill: its connection is cut, it repeats the request with the same
/// Idempotency-Key until the new process on the same address answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_devices_client_repeats_through_a_broker_restart_and_aeropay_keeps_one_user() {
    use fleet_client::{BrokerClient, BrokerConfig, IdempotencyKey, RetryPolicy};
    let sim = simulator().await;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("broker.db").display());
    let store = Store::open(&url).await.unwrap();
    let (_, code) = store.add_device("kiosk-1", "store-1").await.unwrap();

    let first = serve(&url, &sim);
    let mut config = BrokerConfig::new(first.url.parse().unwrap());
    config.retry = RetryPolicy {
        attempts: 12,
        first_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_secs(1),
    };
    let unenrolled = BrokerClient::new(config, None).unwrap();
    let enrolled = unenrolled.enroll(&code.reveal().into()).await.unwrap();
    let kiosk = unenrolled.with_credential(enrolled.credential);

    let admin = reqwest::Client::new();
    let r = admin
        .post(format!("{}/__admin/faults", sim.base_url()))
        .header(ADMIN_TOKEN_HEADER, sim.admin_token())
        .json(&json!({"operation": "createUser", "kind": "hold_answer", "count": 1}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let customer: fleet_client::wire::NewUser = serde_json::from_value(new_user(&phone())).unwrap();
    let pending = {
        let kiosk = kiosk.clone();
        tokio::spawn(async move {
            kiosk
                .create_user(&customer, &IdempotencyKey::new("create-1").unwrap())
                .await
        })
    };
    for _ in 0..500 {
        if sim.counts().create_user_calls == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(sim.counts().create_user_calls, 1);
    let listen = first.url.trim_start_matches("http://").to_owned();
    drop(first);
    let second = serve_on(&url, &sim, &listen);

    let created = pending
        .await
        .unwrap()
        .expect("the repeat reached the new process");
    let counts = sim.counts();
    assert_eq!(counts.users_created, 1, "one user for one customer");
    assert_eq!(counts.create_user_calls, 2);
    assert!(!created.user.id.is_empty());
    drop(second);
    sim.shutdown().await;
}
