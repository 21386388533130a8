//! Fault injection: the next N calls of an operation are slowed, dropped,
//! answered by an HTML 502 (as a load balancer would) or left hanging. Lets
//! tests prove the client survives the network, not just the API.

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    /// Wait `ms`, then answer normally.
    Latency,
    /// Close the connection without a complete response.
    Drop,
    /// `502 Bad Gateway` with an HTML body.
    Html502,
    /// Hold the request for `ms` (default ten minutes), then drop it.
    Timeout,
    /// Carry out the request, then drop the answer: the change happened but
    /// the client never hears of it (what a timeout after the fact looks like).
    #[serde(rename = "lose_answer")]
    LoseAnswer,
    /// Carry out the request, then hold the answer for `ms` (default ten
    /// minutes) before sending it: the change is made while the client is
    /// still waiting (what a crash of the client at that moment meets).
    #[serde(rename = "hold_answer")]
    HoldAnswer,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Fault {
    /// An operation name (see [`operation`]) or `any`.
    pub operation: String,
    pub kind: FaultKind,
    #[serde(default)]
    pub ms: Option<u64>,
    /// How many matching calls it applies to.
    #[serde(default = "one")]
    pub count: u32,
}

fn one() -> u32 {
    1
}

pub const OPERATIONS: &[&str] = &[
    "token",
    "createUser",
    "getUser",
    "confirmUser",
    "aggregatorCredentials",
    "link",
    "bankAccounts",
    "selectBankAccount",
    "widget",
];

#[derive(Default, Clone)]
pub struct Faults(Arc<Mutex<Vec<Fault>>>);

impl Faults {
    pub fn add(&self, fault: Fault) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(fault);
    }

    pub fn list(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Consumes one use of the first fault matching this operation.
    fn take(&self, op: &str) -> Option<Fault> {
        let mut faults = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let index = faults
            .iter()
            .position(|f| f.operation == op || (f.operation == "any" && op != "widget"))?;
        let fault = faults[index].clone();
        faults[index].count -= 1;
        if faults[index].count == 0 {
            faults.remove(index);
        }
        Some(fault)
    }
}

/// Names the API operation a request is for; `None` for pages, assets and
/// the admin API, which faults never touch.
pub fn operation(method: &Method, path: &str) -> Option<&'static str> {
    if path.starts_with("/aerosync/api/") {
        return Some("widget");
    }
    let path = path.strip_prefix("/v2").unwrap_or(path);
    let op = match (method.as_str(), path) {
        ("POST", "/token") => "token",
        ("POST", "/user") => "createUser",
        ("GET", "/user") => "getUser",
        ("POST", "/confirmUser") => "confirmUser",
        ("GET", "/aggregatorCredentials") => "aggregatorCredentials",
        ("POST", "/linkAccountFromAggregator") => "link",
        ("GET", "/bankAccounts") => "bankAccounts",
        ("PATCH", p) if p == "/userBankAccount" || p.starts_with("/userBankAccount/") => {
            "selectBankAccount"
        }
        _ => return None,
    };
    Some(op)
}

/// A body that fails on first read: hyper then closes the connection, and the
/// client sees a broken response rather than an answer.
fn dropped() -> Response {
    let stream = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::other("simulated connection drop"))
    });
    Response::new(Body::from_stream(stream))
}

pub async fn middleware(State(faults): State<Faults>, req: Request, next: Next) -> Response {
    let Some(op) = operation(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    let Some(fault) = faults.take(op) else {
        return next.run(req).await;
    };
    tracing::info!(operation = op, kind = ?fault.kind, "simulator: injecting fault");
    match fault.kind {
        FaultKind::Latency => {
            tokio::time::sleep(Duration::from_millis(fault.ms.unwrap_or(1000))).await;
            next.run(req).await
        }
        FaultKind::Drop => dropped(),
        FaultKind::Html502 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n",
        )
            .into_response(),
        FaultKind::Timeout => {
            tokio::time::sleep(Duration::from_millis(fault.ms.unwrap_or(600_000))).await;
            dropped()
        }
        FaultKind::LoseAnswer => {
            let _carried_out = next.run(req).await;
            dropped()
        }
        FaultKind::HoldAnswer => {
            let answer = next.run(req).await;
            tokio::time::sleep(Duration::from_millis(fault.ms.unwrap_or(600_000))).await;
            answer
        }
    }
}
