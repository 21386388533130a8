//! The Aerosync widget stand-in: its static page and the internal API the
//! page talks to. Bank logic, connection registration and the exact
//! `postMessage` payloads are built here so that tests can check them without
//! a browser; the page only renders and relays.

use super::auth::verify;
use super::banks::{self, BankKind, LoginResult};
use super::state::{now, BankLogin, Connection, LoginStage, WidgetSession};
use super::Sim;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

/// The SDK generations whose `pageSuccess` payloads differ (reference §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdkGeneration {
    /// npm 1.1.0–1.1.3: `{user_id, user_password, ClientName, FILoginAcctId}`.
    V1,
    /// npm 2.0.5: `{connectionId, ClientName, aeroPassUserUuid}`.
    V2_0_5,
    /// npm 2.1.0: adds `userId`.
    V2_1_0,
    /// npm 2.1.1+ / RN / Android: `{connectionId, clientName, aeroPassUserUuid}`.
    V2_1,
}

impl SdkGeneration {
    /// Maps the widget's `version` query parameter. 1.x SDKs send none;
    /// SDK 2.1.x sends the literal `2.0.0`, so that value means the current
    /// payload, while other 2.0.x values select the 2.0.5 one.
    pub fn from_param(version: Option<&str>) -> Self {
        let v = version.map(str::trim).unwrap_or("");
        if v.is_empty() || v.starts_with("1.") || v == "1" {
            SdkGeneration::V1
        } else if v == "2.0.0" {
            SdkGeneration::V2_1
        } else if v.starts_with("2.0.") {
            SdkGeneration::V2_0_5
        } else if v == "2.1.0" {
            SdkGeneration::V2_1_0
        } else {
            SdkGeneration::V2_1
        }
    }

    /// Generations whose SDK closed the widget right after a success.
    pub fn closes_after_success(self) -> bool {
        matches!(self, SdkGeneration::V1 | SdkGeneration::V2_0_5)
    }
}

/// One registered connection, as the success payload describes it.
#[derive(Debug, Clone)]
pub struct SuccessAccount {
    pub connection_id: String,
    pub account_type: String,
    pub last4: String,
    pub fi_login_acct_id: u64,
}

/// What a successful widget flow reports about its session.
#[derive(Debug, Clone)]
pub struct SuccessContext {
    pub aerosync_user: String,
    pub user_password: String,
    pub client_name: String,
    pub aero_pass_user_uuid: String,
    pub accounts: Vec<SuccessAccount>,
}

/// The messages the widget posts to its parent after a success, in order.
pub fn success_messages(
    gen: SdkGeneration,
    multi_account: bool,
    ctx: &SuccessContext,
) -> Vec<Value> {
    let first = &ctx.accounts[0];
    let payload = match gen {
        SdkGeneration::V1 => json!({
            "user_id": ctx.aerosync_user,
            "user_password": ctx.user_password,
            "ClientName": ctx.client_name,
            "FILoginAcctId": first.fi_login_acct_id.to_string(),
        }),
        _ if multi_account => json!({
            "accounts": ctx.accounts.iter().map(|a| json!({
                "connectionId": a.connection_id,
                "accountType": a.account_type,
                "accountNumberDisplay": format!("****{}", a.last4),
            })).collect::<Vec<_>>(),
            "clientName": ctx.client_name,
            "aeroPassUserUuid": ctx.aero_pass_user_uuid,
        }),
        SdkGeneration::V2_0_5 => json!({
            "connectionId": first.connection_id,
            "ClientName": ctx.client_name,
            "aeroPassUserUuid": ctx.aero_pass_user_uuid,
        }),
        SdkGeneration::V2_1_0 => json!({
            "userId": ctx.aerosync_user,
            "connectionId": first.connection_id,
            "clientName": ctx.client_name,
            "aeroPassUserUuid": ctx.aero_pass_user_uuid,
        }),
        SdkGeneration::V2_1 => json!({
            "connectionId": first.connection_id,
            "clientName": ctx.client_name,
            "aeroPassUserUuid": ctx.aero_pass_user_uuid,
        }),
    };
    let mut messages = vec![json!({"type": "pageSuccess", "payload": payload})];
    if gen.closes_after_success() {
        messages.push(json!({"type": "widgetClose"}));
    }
    messages
}

fn widget_error(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({"code": code, "message": message}))).into_response()
}

/// Resolves the widget token on a request to its live session.
/// Errors are boxed responses: a `Response` is large and these are rare.
fn session(sim: &Sim, headers: &HeaderMap) -> Result<WidgetSession, Box<Response>> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    let key = sim.store.read(|d| d.signing_key.clone());
    let claims = verify(&key, token).map_err(|fail| {
        let msg = if fail.code == "AP007" {
            "The session has expired. Please start again."
        } else {
            "This link is not valid. Please start again."
        };
        Box::new(widget_error(StatusCode::UNAUTHORIZED, "AC-401", msg))
    })?;
    let jti = claims.get("jti").and_then(Value::as_str).unwrap_or("");
    sim.store
        .read(|d| d.sessions.get(jti).cloned())
        .ok_or_else(|| {
            Box::new(widget_error(
                StatusCode::UNAUTHORIZED,
                "AC-401",
                "This link is not valid. Please start again.",
            ))
        })
}

pub(crate) async fn session_info(sim: &Sim, headers: &HeaderMap) -> Response {
    let session = match session(sim, headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    Json(json!({
        "clientName": sim.merchant.name,
        "multiAccount": sim.merchant.multi_account,
        "aeroPassUserUuid": session.user_id,
        "banks": banks::BANKS,
    }))
    .into_response()
}

fn accounts_step(login: &BankLogin) -> Value {
    let bank = banks::bank(&login.bank).expect("logins name known banks");
    json!({
        "step": "accounts",
        "loginId": login.id,
        "bankName": bank.name,
        "accounts": bank.accounts,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LoginRequest {
    bank_id: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

pub(crate) async fn login(sim: &Sim, headers: &HeaderMap, req: LoginRequest) -> Response {
    let session = match session(sim, headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(bank) = banks::bank(&req.bank_id) else {
        return widget_error(StatusCode::BAD_REQUEST, "AC-400", "Unknown bank");
    };
    let mut login = BankLogin {
        id: uuid::Uuid::new_v4().to_string(),
        session: session.jti,
        bank: bank.id.to_owned(),
        stage: LoginStage::Ready,
    };
    let step = if bank.kind == BankKind::OAuth {
        login.stage = LoginStage::AwaitingConsent;
        json!({"step": "oauth", "loginId": login.id, "oauthUrl": sim.oauth_url(&login.id)})
    } else {
        match banks::login(bank, &req.username, &req.password) {
            LoginResult::WrongCredentials => {
                return Json(json!({
                    "step": "error", "code": "AC-101", "message": banks::WRONG_CREDENTIALS
                }))
                .into_response()
            }
            LoginResult::Mfa { question } => {
                login.stage = LoginStage::AwaitingMfa;
                json!({"step": "mfa", "loginId": login.id, "question": question})
            }
            LoginResult::Accounts => accounts_step(&login),
        }
    };
    sim.store
        .write(|d| d.logins.insert(login.id.clone(), login));
    Json(step).into_response()
}

fn own_login(
    sim: &Sim,
    session: &WidgetSession,
    login_id: &str,
) -> Result<BankLogin, Box<Response>> {
    sim.store
        .read(|d| d.logins.get(login_id).cloned())
        .filter(|l| l.session == session.jti)
        .ok_or_else(|| {
            Box::new(widget_error(
                StatusCode::NOT_FOUND,
                "AC-404",
                "Unknown login",
            ))
        })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MfaRequest {
    login_id: String,
    #[serde(default)]
    answer: String,
}

pub(crate) async fn mfa(sim: &Sim, headers: &HeaderMap, req: MfaRequest) -> Response {
    let session = match session(sim, headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let mut login = match own_login(sim, &session, &req.login_id) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    if login.stage != LoginStage::AwaitingMfa {
        return widget_error(StatusCode::CONFLICT, "AC-409", "No question is pending");
    }
    let bank = banks::bank(&login.bank).expect("logins name known banks");
    if !banks::answer_ok(bank, &req.answer) {
        return Json(json!({"step": "error", "code": "AC-102", "message": banks::WRONG_ANSWER}))
            .into_response();
    }
    login.stage = LoginStage::Ready;
    sim.store
        .write(|d| d.logins.insert(login.id.clone(), login.clone()));
    Json(accounts_step(&login)).into_response()
}

/// Polled by the widget while the OAuth window is open.
pub(crate) async fn login_status(sim: &Sim, headers: &HeaderMap, login_id: &str) -> Response {
    let session = match session(sim, headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    match own_login(sim, &session, login_id) {
        Ok(login) if login.stage == LoginStage::Ready => {
            Json(accounts_step(&login)).into_response()
        }
        Ok(login) if login.stage == LoginStage::AwaitingConsent => Json(json!({
            "step": "oauth", "loginId": login.id, "oauthUrl": sim.oauth_url(&login.id)
        }))
        .into_response(),
        Ok(_) => widget_error(StatusCode::CONFLICT, "AC-409", "This login is finished"),
        Err(r) => *r,
    }
}

#[derive(Deserialize)]
pub(crate) struct ConsentRequest {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

/// The OAuth window's "Allow" button. The unguessable login id in its URL is
/// what authorises it: the window has no widget token, like a bank's page.
pub(crate) async fn consent(sim: &Sim, login_id: &str, req: ConsentRequest) -> Response {
    let Some(login) = sim.store.read(|d| d.logins.get(login_id).cloned()) else {
        return widget_error(StatusCode::NOT_FOUND, "AC-404", "Unknown login");
    };
    if login.stage != LoginStage::AwaitingConsent {
        return widget_error(StatusCode::CONFLICT, "AC-409", "Consent was already given");
    }
    let bank = banks::bank(&login.bank).expect("logins name known banks");
    if banks::login(bank, &req.username, &req.password) != LoginResult::Accounts {
        return Json(json!({"ok": false, "message": banks::WRONG_CREDENTIALS})).into_response();
    }
    sim.store.write(|d| {
        if let Some(l) = d.logins.get_mut(login_id) {
            l.stage = LoginStage::Ready;
        }
    });
    Json(json!({"ok": true, "bankName": bank.name})).into_response()
}

pub(crate) async fn oauth_info(sim: &Sim, login_id: &str) -> Response {
    match sim.store.read(|d| d.logins.get(login_id).cloned()) {
        Some(login) => {
            let bank = banks::bank(&login.bank).expect("logins name known banks");
            Json(json!({
                "bankName": bank.name,
                "hint": bank.hint,
                "pending": login.stage == LoginStage::AwaitingConsent,
            }))
            .into_response()
        }
        None => widget_error(StatusCode::NOT_FOUND, "AC-404", "Unknown login"),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CompleteRequest {
    login_id: String,
    account_ids: Vec<String>,
    #[serde(default)]
    version: Option<String>,
}

/// Registers one connection per chosen account and returns the messages the
/// widget must post, in the chosen SDK generation's form.
pub(crate) async fn complete(sim: &Sim, headers: &HeaderMap, req: CompleteRequest) -> Response {
    let session = match session(sim, headers) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let login = match own_login(sim, &session, &req.login_id) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    if login.stage != LoginStage::Ready {
        return widget_error(
            StatusCode::CONFLICT,
            "AC-409",
            "This login cannot finish now",
        );
    }
    let gen = SdkGeneration::from_param(req.version.as_deref());
    let multi = sim.merchant.multi_account && gen != SdkGeneration::V1;
    let allowed = if multi { 1..=usize::MAX } else { 1..=1 };
    if !allowed.contains(&req.account_ids.len()) {
        return widget_error(StatusCode::BAD_REQUEST, "AC-400", "Choose one account");
    }
    let bank = banks::bank(&login.bank).expect("logins name known banks");
    let mut chosen = Vec::new();
    for id in &req.account_ids {
        match banks::account(bank, id) {
            Some(a) => chosen.push(*a),
            None => return widget_error(StatusCode::BAD_REQUEST, "AC-400", "Unknown account"),
        }
    }
    let (accounts, aerosync_user) = sim.store.write(|d| {
        let mut out = Vec::new();
        for account in &chosen {
            let conn = Connection {
                id: uuid::Uuid::new_v4().to_string(),
                user_id: session.user_id.clone(),
                session: session.jti.clone(),
                bank: bank.id.to_owned(),
                account: account.account_id.to_owned(),
                fi_login_acct_id: d.next_fi_id,
                created: now(),
            };
            d.next_fi_id += 1;
            out.push(SuccessAccount {
                connection_id: conn.id.clone(),
                account_type: account.account_type.to_owned(),
                last4: account.last4.to_owned(),
                fi_login_acct_id: conn.fi_login_acct_id,
            });
            d.connections.insert(conn.id.clone(), conn);
        }
        if let Some(l) = d.logins.get_mut(&login.id) {
            l.stage = LoginStage::Completed;
        }
        let user = d
            .users
            .get(&session.user_id)
            .map(|u| u.aerosync_user.clone());
        (out, user.unwrap_or_default())
    });
    let ctx = SuccessContext {
        aerosync_user,
        user_password: session.password.clone(),
        client_name: sim.merchant.name.clone(),
        aero_pass_user_uuid: session.user_id.clone(),
        accounts,
    };
    tracing::info!(user_id = %session.user_id, bank = bank.id, "simulator: widget link completed");
    Json(json!({"messages": success_messages(gen, multi, &ctx)})).into_response()
}

/// The widget's static files, embedded so the binary needs nothing on disk.
pub mod assets {
    pub const INDEX_HTML: &str = include_str!("widget/index.html");
    pub const WIDGET_CSS: &str = include_str!("widget/widget.css");
    pub const WIDGET_JS: &str = include_str!("widget/widget.js");
    pub const OAUTH_HTML: &str = include_str!("widget/oauth.html");
    pub const OAUTH_JS: &str = include_str!("widget/oauth.js");
    pub const DEMO_HTML: &str = include_str!("widget/demo.html");
    pub const DEMO_JS: &str = include_str!("widget/demo.js");
}

/// Serves an asset. Our pages allow only same-origin scripts: no inline code,
/// so they also run under the strict CSP of the app that frames them.
pub fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; img-src 'self' data:; style-src 'self'",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
