//! What the broker's tests share: a simulator as Aeropay, a broker on a
//! free port of 127.0.0.1, and a device talking to it over HTTP that keeps
//! every answer it got.
#![allow(dead_code)]

use aeropay_onboarding_broker::config::{Config, Limits};
use aeropay_onboarding_broker::{RunningBroker, Secrets};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use base64::Engine as _;
use broker_store::Store;
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

pub async fn simulator() -> RunningSimulator {
    Simulator::start(SimulatorConfig::default())
        .await
        .expect("simulator starts")
}

pub fn config(database_url: &str, sim: &RunningSimulator) -> Config {
    let env = |name: &str| match name {
        "BROKER_DATABASE_URL" => Some(database_url.to_owned()),
        "BROKER_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "BROKER_AEROPAY_ENVIRONMENT" => Some(sim.base_url().to_owned()),
        _ => None,
    };
    let mut config = Config::load(None, &env).expect("test config");
    config.limits = Limits::default();
    config
}

pub fn secrets(sim: &RunningSimulator) -> Secrets {
    let c = sim.credentials();
    Secrets {
        api_key: c.api_key.as_str().into(),
        api_secret: c.api_secret.as_str().into(),
        merchant_id: c.merchant_id,
    }
}

pub async fn broker(config: Config, sim: &RunningSimulator) -> RunningBroker {
    let store = Store::open(&config.database_url)
        .await
        .expect("store opens");
    RunningBroker::start(config, secrets(sim), store)
        .await
        .expect("broker starts")
}

/// A phone number no other test of this process uses.
pub fn phone() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!(
        "+1415{:07}",
        3_000_000 + n + std::process::id() % 1000 * 100
    )
}

pub fn new_user(phone: &str) -> Value {
    json!({"firstName": "Ana", "lastName": "Lopez", "phoneNumber": phone, "email": "ana@example.com"})
}

#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    pub body: Value,
}

/// A device of the fleet as the broker sees it: its credential and every
/// answer body it received.
#[derive(Clone)]
pub struct Device {
    pub base: String,
    pub credential: Option<String>,
    pub http: reqwest::Client,
    pub seen: Arc<Mutex<Vec<String>>>,
}

impl Device {
    pub fn new(base: &str) -> Device {
        aeropay_client::tls::install_crypto_provider();
        Device {
            base: base.trim_end_matches('/').to_owned(),
            credential: None,
            http: reqwest::Client::new(),
            seen: Arc::default(),
        }
    }

    /// The same device talking to another broker replica.
    pub fn at(&self, base: &str) -> Device {
        Device {
            base: base.trim_end_matches('/').to_owned(),
            ..self.clone()
        }
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(credential) = &self.credential {
            request = request.bearer_auth(credential);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the broker answers");
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let text = response.text().await.expect("an answer body");
        self.seen.lock().unwrap().push(text.clone());
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            retry_after,
            body,
        }
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.call(Method::POST, path, Some(body), None).await
    }

    /// Redeems `code`; the device keeps its credential.
    pub async fn enroll(&mut self, code: &str) -> Answer {
        let answer = self.post("/v1/devices/enroll", json!({"code": code})).await;
        if answer.status == 200 {
            self.credential = Some(format!(
                "{}.{}",
                answer.body["device_id"].as_str().unwrap(),
                answer.body["secret"].as_str().unwrap()
            ));
        }
        answer
    }

    /// Creates (or finds) the customer and confirms the sandbox's bypass
    /// code; their user id.
    pub async fn verify_customer(&self, phone: &str) -> String {
        let created = self
            .call(Method::POST, "/v1/users", Some(new_user(phone)), None)
            .await;
        assert_eq!(created.status, 200, "{:?}", created.body);
        let user_id = created.body["user"]["id"].as_str().unwrap().to_owned();
        let confirmed = self
            .post(
                &format!("/v1/users/{user_id}/confirm"),
                json!({"code": "000000"}),
            )
            .await;
        assert_eq!(confirmed.status, 200, "{:?}", confirmed.body);
        user_id
    }

    pub fn bodies(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

/// A device enrolled through `broker` under `name`.
pub async fn enrolled(store: &Store, broker: &RunningBroker, name: &str, group: &str) -> Device {
    let (_, code) = store.add_device(name, group).await.unwrap();
    let mut device = Device::new(&broker.url());
    let answer = device.enroll(code.reveal()).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    device
}

/// The claims of a JWT, if `text` is one.
pub fn jwt_claims(text: &str) -> Option<Value> {
    let mut parts = text.split('.');
    let (_, payload, _) = (parts.next()?, parts.next()?, parts.next()?);
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Every JWT anywhere in a JSON answer.
pub fn jwts_in(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::String(s) => {
            if let Some(claims) = jwt_claims(s) {
                out.push(claims);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| jwts_in(v, out)),
        Value::Object(map) => map.values().for_each(|v| jwts_in(v, out)),
        _ => {}
    }
}
