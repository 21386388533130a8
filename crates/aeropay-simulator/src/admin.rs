//! `/__admin/...`: what tests and trainers need that Aeropay has no API for —
//! reading the simulated OTP, injecting faults, resetting, and a demo
//! session for the `/demo` page.
//!
//! Every admin request must name the simulator by its loopback address in
//! `Host` (`127.0.0.1:<port>` or `localhost:<port>`: a page elsewhere that
//! rebinds its own name to 127.0.0.1 is refused with 421) and carry the
//! token of this run in [`ADMIN_TOKEN_HEADER`] (missing: 401, wrong: 403).
//! The token is random at each start; in-process callers read it from
//! `RunningSimulator::admin_token`, `aeropay-onboarding simulate` prints it.

use super::faults::{Fault, OPERATIONS};
use super::linking::open_widget_session;
use super::state::{now, User};
use super::Shared;
use axum::extract::{Query, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

/// The header that carries the admin token.
pub const ADMIN_TOKEN_HEADER: &str = "x-simulator-admin-token";

/// A fresh admin token: 32 random bytes, hex.
pub(crate) fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn routes(sim: Shared) -> Router<Shared> {
    Router::new()
        .route(
            "/__admin/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/__admin/otp", get(otp))
        .route("/__admin/reset", post(reset))
        .route("/__admin/merchant", get(merchant))
        .route("/__admin/demo-session", post(demo_session))
        .route_layer(middleware::from_fn_with_state(sim, guard))
}

fn refused(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({"error": message}))).into_response()
}

/// Whether `Host` names this simulator on the loopback interface.
fn is_loopback_host(host: &str, port: u16) -> bool {
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    host_port == port.to_string() && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// Compares without stopping at the first differing byte.
fn same_token(given: &[u8], expected: &[u8]) -> bool {
    given.len() == expected.len()
        && given
            .iter()
            .zip(expected)
            .fold(0u8, |diff, (a, b)| diff | (a ^ b))
            == 0
}

async fn guard(State(sim): State<Shared>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|host| is_loopback_host(host, sim.port)) {
        return refused(
            StatusCode::MISDIRECTED_REQUEST,
            "the admin API answers only to 127.0.0.1:<port> or localhost:<port>",
        );
    }
    match headers.get(ADMIN_TOKEN_HEADER) {
        None => refused(
            StatusCode::UNAUTHORIZED,
            "the admin API needs the token this simulator printed at start (header x-simulator-admin-token)",
        ),
        Some(given) if same_token(given.as_bytes(), sim.admin_token.as_bytes()) => {
            next.run(request).await
        }
        Some(_) => refused(StatusCode::FORBIDDEN, "wrong admin token"),
    }
}

fn bad_request(message: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn add_fault(State(sim): State<Shared>, Json(fault): Json<Fault>) -> Response {
    if fault.operation != "any" && !OPERATIONS.contains(&fault.operation.as_str()) {
        return bad_request(format!(
            "unknown operation {:?}; expected any or one of {OPERATIONS:?}",
            fault.operation
        ));
    }
    if fault.count == 0 {
        return bad_request("count must be at least 1".into());
    }
    sim.faults.add(fault);
    Json(json!({"faults": sim.faults.list()})).into_response()
}

async fn list_faults(State(sim): State<Shared>) -> Response {
    Json(json!({"faults": sim.faults.list()})).into_response()
}

async fn clear_faults(State(sim): State<Shared>) -> Response {
    sim.faults.clear();
    Json(json!({"faults": []})).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OtpQuery {
    user_id: Option<String>,
    phone: Option<String>,
}

async fn otp(State(sim): State<Shared>, Query(q): Query<OtpQuery>) -> Response {
    let found = sim.store.read(|d| {
        let user = match (&q.user_id, &q.phone) {
            (Some(id), _) => d.user_by_any_id(id),
            (None, Some(phone)) => d.user_by_phone(phone),
            (None, None) => None,
        };
        user.cloned()
    });
    match found {
        Some(user) => Json(json!({
            "userId": user.id,
            "phoneNumber": user.phone,
            "code": user.otp.as_ref().map(|o| o.code.clone()),
            "attempts": user.otp.as_ref().map(|o| o.attempts).unwrap_or(0),
            "connected": user.connected,
        }))
        .into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such user"})),
        )
            .into_response(),
    }
}

async fn reset(State(sim): State<Shared>) -> Response {
    sim.store.write(|d| d.reset());
    sim.faults.clear();
    Json(json!({"ok": true})).into_response()
}

async fn merchant(State(sim): State<Shared>) -> Response {
    let m = &sim.merchant;
    Json(json!({
        "apiKey": m.api_key,
        "apiSecret": m.api_secret,
        "merchantId": m.merchant_id,
        "name": m.name,
        "mfaType": m.mfa.map(|t| t.as_str()),
        "multiAccount": m.multi_account,
        "tokenTtl": sim.token_ttl,
    }))
    .into_response()
}

/// A confirmed demo customer with a fresh widget token, for `/demo`.
async fn demo_session(State(sim): State<Shared>) -> Response {
    let user = sim.store.write(|d| {
        let user = User {
            id: uuid::Uuid::new_v4().to_string(),
            legacy_id: d.next_legacy_id,
            first_name: "Demo".into(),
            last_name: "Customer".into(),
            email: format!("demo-{}@example.com", d.next_legacy_id),
            phone: format!("+1415555{:04}", 2000 + d.next_legacy_id % 8000),
            created: now(),
            connected: true,
            otp: None,
            aerosync_user: format!("{:x}", uuid::Uuid::new_v4().as_u128()),
        };
        d.next_legacy_id += 1;
        d.users.insert(user.id.clone(), user.clone());
        user
    });
    let Some((token, username)) = open_widget_session(&sim, &user.id) else {
        return bad_request("demo user vanished".into());
    };
    Json(json!({
        "fastlinkURL": sim.widget_url(),
        "token": token,
        "username": username,
        "aeroPassUserUuid": user.id,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_names_with_the_right_port_pass() {
        for host in ["127.0.0.1:4000", "localhost:4000", "LOCALHOST:4000"] {
            assert!(is_loopback_host(host, 4000), "{host}");
        }
        for host in [
            "127.0.0.1:4001",
            "127.0.0.1",
            "localhost",
            "evil.example:4000",
            "127.0.0.1.evil.example:4000",
            "[::1]:4000",
            "0.0.0.0:4000",
            "",
        ] {
            assert!(!is_loopback_host(host, 4000), "{host}");
        }
    }

    #[test]
    fn tokens_are_random_and_compared_whole() {
        let (a, b) = (new_token(), new_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert!(same_token(a.as_bytes(), a.as_bytes()));
        assert!(!same_token(a.as_bytes(), b.as_bytes()));
        assert!(!same_token(&a.as_bytes()[..63], a.as_bytes()));
        assert!(!same_token(b"", a.as_bytes()));
    }
}
