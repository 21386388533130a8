//! Bank linking on the API side: `aggregatorCredentials` (opens a widget
//! session), `linkAccountFromAggregator` (turns what the widget returned into
//! a linked account), `bankAccounts` and `userBankAccount` (default account).

use super::auth::{json_object, require, sign, text, Scope};
use super::errors::{shape_d, ApiError, ApiResult, ApiVersion, At, Endpoint, Fail};
use super::state::{aeropay_date, now, BankAccount, Connection, WidgetSession};
use super::Sim;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use std::collections::HashMap;

fn fail_at(version: ApiVersion, endpoint: Endpoint, fail: Fail) -> Response {
    ApiError {
        version,
        endpoint,
        fail,
    }
    .into_response()
}

/// Aeropay's documented ceiling on linked accounts per user.
const MAX_ACCOUNTS: usize = 5;

pub async fn aggregator_credentials(
    sim: &Sim,
    version: ApiVersion,
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Response {
    let ep = Endpoint::AggregatorCredentials;
    let claims = match require(sim, headers, version, ep, Scope::UserForMerchant) {
        Ok(c) => c,
        Err(err) => return err.into_response(),
    };
    let aggregator = query.get("aggregator").map(|s| s.trim()).unwrap_or("");
    if aggregator.is_empty() {
        return shape_d("MISSING_PARAMETER", "The aggregator parameter is required.");
    }
    if let Some(uri) = query.get("redirectURI") {
        if url::Url::parse(uri).is_err() {
            return shape_d(
                "INVALID_FORMAT",
                "The redirectURI is not a valid URL structure.",
            );
        }
    }
    if aggregator != "aerosync" {
        return fail_at(
            version,
            ep,
            Fail::new("AP408", format!("Unknown Aggregator {aggregator}")),
        );
    }
    let user_id = claims.user_id.unwrap_or_default();
    let Some((token, aerosync_user)) = open_widget_session(sim, &user_id) else {
        return fail_at(version, ep, Fail::no_authenticated_user());
    };
    let mut body = json!({
        "fastlinkURL": sim.widget_url(),
        "token": token,
        "username": aerosync_user,
    });
    if version == ApiVersion::V1 {
        body["success"] = json!(true);
    }
    Json(body).into_response()
}

/// Starts a widget session for a user: returns the widget token (claims as
/// in the decoded sandbox widget token) and the Aerosync username.
pub fn open_widget_session(sim: &Sim, user_id: &str) -> Option<(String, String)> {
    let aerosync_user = sim
        .store
        .read(|d| d.users.get(user_id).map(|u| u.aerosync_user.clone()))?;
    let session = WidgetSession {
        jti: uuid::Uuid::new_v4().to_string(),
        user_id: user_id.to_owned(),
        password: format!("{:x}", uuid::Uuid::new_v4().as_u128()),
        exp: now() + sim.token_ttl as i64,
    };
    let claims = json!({
        "jti": session.jti,
        "exp": session.exp,
        "userId": aerosync_user,
        "userPassword": session.password,
        "ClientId": format!("sim-{}", sim.merchant.merchant_id),
        "ClientName": sim.merchant.name,
    });
    let key = sim.store.write(|d| {
        d.sessions.insert(session.jti.clone(), session.clone());
        d.signing_key.clone()
    });
    Some((sign(&key, &claims), aerosync_user))
}

/// What `linkAccountFromAggregator` reports about the account's owner.
struct Owner {
    full_name: String,
    legacy_id: u64,
}

/// The link answer in the version's own types: v2 as the OpenAPI types it
/// (integer id, boolean, ISO date, holder and balance); v1 as Aeropay's v1
/// page prints it, every value a string and `success` beside.
fn link_answer(version: ApiVersion, account: &BankAccount, owner: &Owner) -> Value {
    match version {
        ApiVersion::V2 => json!({"userBankInfo": v2_bank_info(account, &owner.full_name)}),
        ApiVersion::V1 => json!({
            "userBankInfo": v1_bank_info(account, owner.legacy_id),
            "success": true,
        }),
    }
}

fn v2_bank_info(account: &BankAccount, holder: &str) -> Value {
    json!({
        "bankAccountId": account.id,
        "bankName": account.bank_name,
        "accountLast4": account.last4,
        "name": account.name,
        // Aeropay's own example carries the string "None" here.
        "externalBankAccountId": "None",
        "isSelected": account.selected,
        "accountType": account.account_type,
        "status": "verified",
        "createdDate": aeropay_date(account.created),
        "accountHolderInfo": [{"name": {"fullName": holder}}],
        "canFetchBalance": true,
        "balance": account.balance,
    })
}

/// Exactly the fields of the v1 page's example, all strings.
fn v1_bank_info(account: &BankAccount, legacy_user_id: u64) -> Value {
    json!({
        "bankAccountId": account.id.to_string(),
        "userId": legacy_user_id.to_string(),
        "bankName": account.bank_name,
        "accountLast4": account.last4,
        "name": account.name,
        "externalBankAccountId": "",
        "isSelected": v1_flag(account.selected),
        "accountType": account.account_type,
        "status": "verified",
        "createdDate": account.created.to_string(),
    })
}

/// v1 writes booleans as the strings "1" and "0".
fn v1_flag(on: bool) -> &'static str {
    if on {
        "1"
    } else {
        "0"
    }
}

/// An account in a list (`bankAccounts`) or a selection answer, in the
/// version's types; `connectionId` names the widget flow that linked it.
fn listed(version: ApiVersion, account: &BankAccount) -> Value {
    match version {
        ApiVersion::V2 => json!({
            "bankAccountId": account.id,
            "bankName": account.bank_name,
            "accountLast4": account.last4,
            "name": account.name,
            "isSelected": account.selected,
            "accountType": account.account_type,
            "status": "verified",
            "createdDate": aeropay_date(account.created),
            "connectionId": account.connection_id,
        }),
        ApiVersion::V1 => json!({
            "bankAccountId": account.id.to_string(),
            "bankName": account.bank_name,
            "accountLast4": account.last4,
            "name": account.name,
            "isSelected": v1_flag(account.selected),
            "accountType": account.account_type,
            "status": "verified",
            "createdDate": account.created.to_string(),
            "connectionId": account.connection_id,
        }),
    }
}

fn with_success(version: ApiVersion, mut body: Value) -> Value {
    if version == ApiVersion::V1 {
        body["success"] = json!(true);
    }
    body
}

fn unable_to_connect() -> Fail {
    Fail::new(
        "AP300",
        "We are having issues connecting to your bank. Try reconnecting your bank or reach out to support@aeropay.com to resolve the issue.",
    )
}

fn foreign_connection() -> Fail {
    Fail::new(
        "AP410",
        "Error linking bank account: this bank account is connected to another user.",
    )
}

/// Finds the connection a link request refers to, checking it came from a
/// widget session of the calling user.
fn resolve(
    sim: &Sim,
    version: ApiVersion,
    user_id: &str,
    body: &serde_json::Map<String, Value>,
) -> Result<Connection, Fail> {
    sim.store.read(|d| match version {
        ApiVersion::V2 => {
            let id = text(body, "connectionId").ok_or_else(|| Fail::missing("connectionId"))?;
            let conn = d.connections.get(id).ok_or_else(unable_to_connect)?;
            if conn.user_id != user_id {
                return Err(foreign_connection());
            }
            Ok(conn.clone())
        }
        ApiVersion::V1 => {
            let aerosync_user = text(body, "user_id").ok_or_else(|| Fail::missing("user_id"))?;
            let password =
                text(body, "user_password").ok_or_else(|| Fail::missing("user_password"))?;
            let session = d
                .sessions
                .values()
                .find(|s| s.password == password)
                .ok_or_else(unable_to_connect)?;
            let owner = d
                .users
                .get(&session.user_id)
                .ok_or_else(unable_to_connect)?;
            if owner.aerosync_user != aerosync_user {
                return Err(unable_to_connect());
            }
            if session.user_id != user_id {
                return Err(foreign_connection());
            }
            // The 1.x widget reports one login per success; link its newest.
            d.connections
                .values()
                .filter(|c| c.session == session.jti)
                .max_by_key(|c| (c.created, c.fi_login_acct_id))
                .cloned()
                .ok_or_else(unable_to_connect)
        }
    })
}

pub async fn link(
    sim: &Sim,
    version: ApiVersion,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json<Value>> {
    let ep = Endpoint::Link;
    let claims = require(sim, headers, version, ep, Scope::UserForMerchant)?;
    let user_id = claims.user_id.unwrap_or_default();
    let body = json_object(body);
    let aggregator = text(&body, "aggregator")
        .ok_or_else(|| Fail::missing("aggregator"))
        .at(version, ep)?;
    // Parameters are checked before the aggregator value, as a missing one is
    // a malformed request whatever the aggregator.
    let conn = resolve(sim, version, &user_id, &body).at(version, ep);
    if aggregator != "aerosync" {
        return Err(Fail::new(
            "AP408",
            format!("Unknown Aggregator {aggregator}"),
        ))
        .at(version, ep);
    }
    let conn = conn?;
    let bank = super::banks::bank(&conn.bank)
        .ok_or_else(unable_to_connect)
        .at(version, ep)?;
    let account = super::banks::account(bank, &conn.account)
        .ok_or_else(unable_to_connect)
        .at(version, ep)?;
    if account.account_type != "checking" {
        return Err(Fail::new(
            "AP411",
            "Invalid account type - connect a checking account",
        ))
        .at(version, ep);
    }
    let created = sim.store.write(|d| {
        let mine = d.accounts_of(&user_id);
        if mine
            .iter()
            .any(|a| a.bank == conn.bank && a.account == conn.account)
        {
            return Err(Fail::new("AP415", "Bank account already linked"));
        }
        if mine.len() >= MAX_ACCOUNTS {
            return Err(Fail::new("AP414", "Maximum linked accounts reached"));
        }
        let first = mine.is_empty();
        let owner = d
            .users
            .get(&user_id)
            .map(|u| Owner {
                full_name: u.full_name(),
                legacy_id: u.legacy_id,
            })
            .ok_or_else(Fail::no_authenticated_user)?;
        let account = BankAccount {
            id: d.next_account_id,
            user_id: user_id.clone(),
            connection_id: conn.id.clone(),
            bank: conn.bank.clone(),
            account: conn.account.clone(),
            bank_name: bank.api_name.to_owned(),
            name: account.name.to_owned(),
            last4: account.last4.to_owned(),
            account_type: account.account_type.to_owned(),
            // The first account becomes the default for transactions.
            selected: first,
            created: now(),
            balance: 312_425 + (d.next_account_id % 1000) as i64 * 100,
        };
        d.next_account_id += 1;
        d.accounts.insert(account.id, account.clone());
        Ok((account, owner))
    });
    let (account, owner) = created.at(version, ep)?;
    Ok(Json(link_answer(version, &account, &owner)))
}

pub async fn bank_accounts(
    sim: &Sim,
    version: ApiVersion,
    headers: &HeaderMap,
) -> ApiResult<Json<Value>> {
    let claims = require(
        sim,
        headers,
        version,
        Endpoint::BankAccounts,
        Scope::UserForMerchant,
    )?;
    let user_id = claims.user_id.unwrap_or_default();
    let list: Vec<Value> = sim.store.read(|d| {
        d.accounts_of(&user_id)
            .into_iter()
            .map(|a| listed(version, a))
            .collect()
    });
    Ok(Json(with_success(version, json!({"bankAccounts": list}))))
}

/// `PATCH /v2/userBankAccount/{id}`; v1 also takes `bankAccountId` in the body.
pub async fn select_account(
    sim: &Sim,
    version: ApiVersion,
    headers: &HeaderMap,
    path_id: Option<&str>,
    body: &[u8],
) -> ApiResult<Json<Value>> {
    let ep = Endpoint::SelectBankAccount;
    let claims = require(sim, headers, version, ep, Scope::UserForMerchant)?;
    let user_id = claims.user_id.unwrap_or_default();
    let body = json_object(body);
    let raw = match path_id {
        Some(id) => Some(id.to_owned()),
        None => match body.get("bankAccountId") {
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        },
    };
    let raw = raw
        .ok_or_else(|| Fail::missing("bankAccountId"))
        .at(version, ep)?;
    let id: u64 = raw
        .trim()
        .parse()
        .map_err(|_| Fail::malformed("bankAccountId"))
        .at(version, ep)?;
    let selected = sim.store.write(|d| {
        if d.accounts_of(&user_id).is_empty() {
            return Err(Fail::new("AP400", "No bank account linked"));
        }
        match d.accounts.get(&id) {
            Some(a) if a.user_id == user_id => {}
            _ => {
                return Err(Fail::new(
                    "AP401",
                    "We cannot validate the account you're attempting to connect. Please connect a valid account.",
                ))
            }
        }
        for account in d.accounts.values_mut().filter(|a| a.user_id == user_id) {
            account.selected = account.id == id;
        }
        Ok(d.accounts[&id].clone())
    });
    let account = selected.at(version, ep)?;
    let mut view = listed(version, &account);
    view.as_object_mut().map(|o| o.remove("connectionId"));
    Ok(Json(with_success(version, json!({"bankAccount": view}))))
}
