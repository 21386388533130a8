//! Shared helpers for the simulator tests: a started simulator plus a
//! reqwest client and the calls every test needs.
#![allow(dead_code)]

use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig, ADMIN_TOKEN_HEADER};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};

pub struct Sim {
    pub sim: RunningSimulator,
    pub http: reqwest::Client,
}

/// Fresh valid US mobile numbers, distinct across the test binary.
pub fn phone() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    format!("+1415{:07}", 5_552_000 + n + std::process::id() % 1000 * 10)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum V {
    V1,
    V2,
}

impl V {
    pub fn prefix(self) -> &'static str {
        match self {
            V::V1 => "",
            V::V2 => "/v2",
        }
    }
    pub fn auth_header(self) -> &'static str {
        match self {
            V::V1 => "authorizationToken",
            V::V2 => "authorization",
        }
    }
}

pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
}

impl Reply {
    /// The Aeropay code in whichever error shape the body uses.
    pub fn code(&self) -> Option<&str> {
        self.body
            .pointer("/error/code")
            .or_else(|| self.body.get("code"))
            .and_then(Value::as_str)
    }
}

impl Sim {
    pub async fn start(config: SimulatorConfig) -> Sim {
        let sim = Simulator::start(config).await.expect("simulator starts");
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(20))
            .build()
            .unwrap();
        Sim { sim, http }
    }

    pub async fn default() -> Sim {
        Sim::start(SimulatorConfig::default()).await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.sim.base_url(), path)
    }

    /// Sends a request with the given auth header (name, token) and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: Option<(&str, &str)>,
        body: Option<Value>,
    ) -> Reply {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("Content-Type", "application/json");
        if let Some((name, token)) = auth {
            req = req.header(name, format!("Bearer {token}"));
        }
        if path == "/user" {
            req = req.header("X-API-Version", "1.1");
        }
        if let Some(body) = body {
            req = req.body(body.to_string());
        }
        let resp = req.send().await.expect("request is answered");
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    pub async fn v(
        &self,
        v: V,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let full = format!("{}{}", v.prefix(), path);
        self.call(method, &full, token.map(|t| (v.auth_header(), t)), body)
            .await
    }

    pub fn token_body(&self, v: V, scope: &str, user_id: Option<&str>) -> Value {
        let c = self.sim.credentials();
        let mut body = match v {
            V::V1 => {
                json!({"api_key": c.api_key, "api_secret": c.api_secret, "scope": scope, "id": c.merchant_id})
            }
            V::V2 => {
                json!({"apiKey": c.api_key, "apiSecret": c.api_secret, "scope": scope, "id": c.merchant_id})
            }
        };
        if let Some(id) = user_id {
            body["userId"] = json!(id);
        }
        body
    }

    pub async fn merchant_token(&self, v: V) -> String {
        let r = self
            .v(
                v,
                Method::POST,
                "/token",
                None,
                Some(self.token_body(v, "merchant", None)),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body["token"].as_str().expect("token").to_owned()
    }

    pub async fn user_token(&self, v: V, user_id: &str) -> String {
        let r = self
            .v(
                v,
                Method::POST,
                "/token",
                None,
                Some(self.token_body(v, "userForMerchant", Some(user_id))),
            )
            .await;
        assert!(r.body["token"].is_string(), "{}", r.body);
        r.body["token"].as_str().unwrap().to_owned()
    }

    pub fn user_body(v: V, phone: &str) -> Value {
        match v {
            V::V1 => {
                json!({"first_name": "Jane", "last_name": "Doe", "phone_number": phone, "email": "jane@example.com"})
            }
            V::V2 => {
                json!({"firstName": "Jane", "lastName": "Doe", "phoneNumber": phone, "email": "jane@example.com"})
            }
        }
    }

    pub async fn create_user(&self, v: V, merchant: &str, body: Value) -> Reply {
        self.v(v, Method::POST, "/user", Some(merchant), Some(body))
            .await
    }

    pub async fn otp(&self, user_id: &str) -> Value {
        self.http
            .get(self.url(&format!("/__admin/otp?userId={user_id}")))
            .header(ADMIN_TOKEN_HEADER, self.sim.admin_token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Creates and confirms a v2 user with the code the simulator "sent".
    pub async fn confirmed_user(&self) -> String {
        let merchant = self.merchant_token(V::V2).await;
        let r = self
            .create_user(V::V2, &merchant, Self::user_body(V::V2, &phone()))
            .await;
        let id = r.body["user"]["id"].as_str().expect("user id").to_owned();
        let code = self.otp(&id).await["code"].as_str().unwrap().to_owned();
        let r = self
            .v(V::V2, Method::POST, "/confirmUser", Some(&merchant),
               Some(json!({"userId": id, "code": code, "merchantId": self.sim.credentials().merchant_id})))
            .await;
        assert_eq!(r.body["user"]["userStatus"], "Active", "{}", r.body);
        id
    }

    /// aggregatorCredentials: (widget token, username, fastlinkURL).
    pub async fn widget_credentials(&self, v: V, user_token: &str) -> Value {
        let r = self
            .v(
                v,
                Method::GET,
                "/aggregatorCredentials?aggregator=aerosync",
                Some(user_token),
                None,
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        r.body
    }

    /// Calls the widget's internal API with the widget token.
    pub async fn widget(
        &self,
        widget_token: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, self.url(&format!("/aerosync/api{path}")))
            .bearer_auth(widget_token);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        (resp.status(), resp.json().await.unwrap_or(Value::Null))
    }

    /// Runs a whole widget flow at Aerobank (sync/no_mfa) and returns the
    /// messages the widget would post.
    pub async fn widget_flow(
        &self,
        widget_token: &str,
        accounts: &[&str],
        version: Option<&str>,
    ) -> Vec<Value> {
        let (_, step) = self
            .widget(
                widget_token,
                Method::POST,
                "/login",
                Some(json!({"bankId": "aerobank", "username": "sync", "password": "no_mfa"})),
            )
            .await;
        assert_eq!(step["step"], "accounts", "{step}");
        let (status, done) = self
            .widget(
                widget_token,
                Method::POST,
                "/complete",
                Some(
                    json!({"loginId": step["loginId"], "accountIds": accounts, "version": version}),
                ),
            )
            .await;
        assert_eq!(status, 200, "{done}");
        done["messages"].as_array().unwrap().clone()
    }

    /// A confirmed user, their userForMerchant token, and a v2 connection id
    /// from a finished widget flow on Aerobank checking.
    pub async fn user_with_connection(&self) -> (String, String, String) {
        let user = self.confirmed_user().await;
        let token = self.user_token(V::V2, &user).await;
        let creds = self.widget_credentials(V::V2, &token).await;
        let messages = self
            .widget_flow(creds["token"].as_str().unwrap(), &["6789"], Some("2.1.4"))
            .await;
        let conn = messages[0]["payload"]["connectionId"]
            .as_str()
            .unwrap()
            .to_owned();
        (user, token, conn)
    }

    pub async fn admin(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        self.admin_as(
            method,
            path,
            body,
            None,
            Some(self.sim.admin_token().to_owned()),
        )
        .await
    }

    /// An admin request with `Host` overridden when `host` is given, and the
    /// token header only when `token` is given.
    pub async fn admin_as(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        host: Option<&str>,
        token: Option<String>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(host) = host {
            req = req.header(reqwest::header::HOST, host);
        }
        if let Some(token) = token {
            req = req.header(ADMIN_TOKEN_HEADER, token);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        (resp.status(), resp.json().await.unwrap_or(Value::Null))
    }
}
