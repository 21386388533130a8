//! `/__admin/...`: what tests and trainers need that Aeropay has no API for —
//! reading the simulated OTP, injecting faults, resetting, and a demo
//! session for the `/demo` page.

use super::faults::{Fault, OPERATIONS};
use super::linking::open_widget_session;
use super::state::{now, User};
use super::Shared;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Router<Shared> {
    Router::new()
        .route(
            "/__admin/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/__admin/otp", get(otp))
        .route("/__admin/reset", post(reset))
        .route("/__admin/merchant", get(merchant))
        .route("/__admin/demo-session", post(demo_session))
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
