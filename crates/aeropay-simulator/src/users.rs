//! `POST /user`, `POST /confirmUser`, `GET /user`: user creation with the
//! sandbox's validation and trigger values, the simulated OTP and the rule
//! that a repeated `POST /user` disconnects a user until they confirm again.

use super::auth::{json_object, require, text, Scope};
use super::errors::{ApiResult, ApiVersion, At, Endpoint, Fail};
use super::state::{aeropay_date, now, Data, Otp, User};
use super::Sim;
use axum::http::HeaderMap;
use axum::Json;
use serde_json::{json, Map, Value};

/// The sandbox's trigger e-mails (reference §6).
const EMAIL_TRIGGERS: &[(&str, &str, &str)] = &[
    (
        "no-authenticated-user@aeropay.com",
        "AP101",
        "No authenticated user",
    ),
    (
        "unable-to-create-user@aeropay.com",
        "AP102",
        "Unable to create user",
    ),
    (
        "cannot-extract-user-info@aeropay.com",
        "AP104",
        "Unable to extract user information",
    ),
    (
        "user-already-exists@aeropay.com",
        "AP107",
        "User already exists",
    ),
    (
        "error-adding-user@aeropay.com",
        "AP108",
        "Error adding user",
    ),
];

const PHONE_UNSUPPORTED: &str =
    "We're sorry, but the type of phone you entered is not supported or invalid.";
const PHONE_COUNTRY: &str = "Unsupported country code - US numbers only";

/// The sandbox's trigger phone numbers (reference §6), matched verbatim.
const PHONE_TRIGGERS: &[(&str, &str)] = &[
    ("5550173", "AP115"),
    ("3105550187", "AP115"),
    ("+65-718-555-0134", "AP119"),
    ("+657185550134", "AP119"),
    ("+14045550124", "AP115"),
    ("+13125550198", "AP115"),
    ("+19175550163", "AP115"),
];

pub fn check_name(field: &str, value: &str) -> Result<(), Fail> {
    let ok = value
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '.'));
    if ok {
        Ok(())
    } else {
        let _ = field;
        Err(Fail::new(
            "AP118",
            "User cannot be created with numbers or special characters",
        ))
    }
}

/// Accepts only `+1` followed by a ten-digit NANP number, as the API asks.
pub fn check_phone(phone: &str) -> Result<(), Fail> {
    if let Some((_, code)) = PHONE_TRIGGERS.iter().find(|(p, _)| *p == phone) {
        return Err(phone_fail(code));
    }
    if let Some(rest) = phone.strip_prefix("+1") {
        let digits = rest.len() == 10 && rest.bytes().all(|b| b.is_ascii_digit());
        // Area codes never start with 0 or 1.
        if digits && !rest.starts_with(['0', '1']) {
            return Ok(());
        }
        return Err(phone_fail("AP106"));
    }
    if phone.starts_with('+') {
        return Err(phone_fail("AP119"));
    }
    let all_digits = phone.bytes().all(|b| b.is_ascii_digit());
    match phone.len() {
        7 if all_digits => Err(phone_fail("AP105")),
        10 if all_digits => Err(phone_fail("AP115")),
        _ => Err(phone_fail("AP106")),
    }
}

fn phone_fail(code: &str) -> Fail {
    match code {
        "AP105" => Fail::new("AP105", "Phone number missing area code"),
        "AP106" => Fail::new("AP106", "Improperly formatted phone number"),
        "AP119" => Fail::new("AP119", PHONE_COUNTRY),
        _ => Fail::new("AP115", PHONE_UNSUPPORTED),
    }
}

fn check_email(email: &str) -> Result<(), Fail> {
    if let Some((_, code, message)) = EMAIL_TRIGGERS
        .iter()
        .find(|(e, _, _)| e.eq_ignore_ascii_case(email))
    {
        return Err(Fail::new(code, *message));
    }
    let valid = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    if valid {
        Ok(())
    } else {
        Err(Fail::malformed("email"))
    }
}

struct NewUser {
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
}

fn parse_new_user(version: ApiVersion, body: &Map<String, Value>) -> Result<NewUser, Fail> {
    let names: [&str; 4] = match version {
        ApiVersion::V1 => ["first_name", "last_name", "email", "phone_number"],
        ApiVersion::V2 => ["firstName", "lastName", "email", "phoneNumber"],
    };
    let field = |name: &str| {
        text(body, name)
            .map(str::to_owned)
            .ok_or_else(|| Fail::missing(name))
    };
    let user = NewUser {
        first_name: field(names[0])?,
        last_name: field(names[1])?,
        email: field(names[2])?,
        phone: field(names[3])?,
    };
    check_name(names[0], &user.first_name)?;
    check_name(names[1], &user.last_name)?;
    check_email(&user.email)?;
    check_phone(&user.phone)?;
    Ok(user)
}

pub fn v2_user(user: &User, with_status: bool) -> Value {
    let mut v = json!({
        "id": user.id,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "type": "consumer",
        "email": user.email,
        "phoneNumber": user.phone,
        "createdDate": aeropay_date(user.created),
    });
    if with_status {
        v["userStatus"] = json!("Active");
    }
    v
}

/// Which identifiers the v1 user object carries. Aeropay's v1 pages show
/// `userId` (numeric) beside `aeroPassUserUuid`; nothing says a real v1
/// answer never adds an `id`, so a client must cope with both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum V1UserShape {
    /// `userId` (the numeric v1 id, as a string) and `aeroPassUserUuid`.
    #[default]
    UserId,
    /// The same plus `id`.
    WithId,
}

/// The v1 user object, as in the v1 "create a user" example: numeric
/// `userId` as a string, `phone`, epoch `createdDate` as a string, plus the
/// network-wide UUID.
pub fn v1_user(user: &User, data: &Data, shape: V1UserShape) -> Value {
    let accounts: Vec<Value> = data
        .accounts_of(&user.id)
        .into_iter()
        .map(|a| {
            json!({
                "bankAccountId": a.id.to_string(),
                "bankName": a.bank_name,
                "accountLast4": a.last4,
            })
        })
        .collect();
    let mut v = json!({
        "userId": user.legacy_id.to_string(),
        "aeroPassUserUuid": user.id,
        "firstName": user.first_name,
        "lastName": user.last_name,
        "type": "consumer",
        "email": user.email,
        "phone": user.phone,
        "username": user.id,
        "bankAccounts": accounts,
        "createdDate": user.created.to_string(),
        "userStatus": "Active",
    });
    if shape == V1UserShape::WithId {
        // The UUID, not the numeric id: v2's `user.id` is this UUID, and
        // Aeropay's migration guide says it is the same value as v1's
        // `aeroPassUserUuid`. So `id` and `userId` differ here, and a client
        // has to choose between them; either one mints a token.
        v["id"] = json!(user.id);
    }
    v
}

fn new_code() -> String {
    format!("{:06}", rand::random_range(0..1_000_000u32))
}

pub async fn create(
    sim: &Sim,
    version: ApiVersion,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json<Value>> {
    let ep = Endpoint::CreateUser;
    require(sim, headers, version, ep, Scope::Merchant)?;
    if version == ApiVersion::V1 {
        // The v1 documentation makes this header part of the user flow; a
        // client that forgets it gets the pre-MFA API in production.
        let api_version = headers.get("x-api-version").and_then(|v| v.to_str().ok());
        if api_version != Some("1.1") {
            return Err(Fail::missing("X-API-Version")).at(version, ep);
        }
    }
    let new = parse_new_user(version, &json_object(body)).at(version, ep)?;
    let mfa = sim.merchant.mfa;
    let (user, existing) = sim.store.write(|data| {
        let otp = mfa.map(|_| Otp {
            code: new_code(),
            attempts: 0,
        });
        // Users are identified by phone: a known phone is the same person
        // (a network or returning user), who is disconnected from the
        // merchant until the new code is confirmed.
        let existing = data.user_by_phone(&new.phone).map(|u| u.id.clone());
        let user = match &existing {
            Some(id) => {
                let user = data.users.get_mut(id).expect("found by phone");
                user.connected = mfa.is_none();
                user.otp = otp;
                user.clone()
            }
            None => {
                let user = User {
                    id: uuid::Uuid::new_v4().to_string(),
                    legacy_id: data.next_legacy_id,
                    first_name: new.first_name,
                    last_name: new.last_name,
                    email: new.email,
                    phone: new.phone,
                    created: now(),
                    connected: mfa.is_none(),
                    otp,
                    aerosync_user: format!("{:x}", uuid::Uuid::new_v4().as_u128()),
                };
                data.next_legacy_id += 1;
                data.users.insert(user.id.clone(), user.clone());
                user
            }
        };
        (user, existing.is_some())
    });
    sim.counters.user_created(!existing);
    if let (Some(mfa), Some(_)) = (mfa, &user.otp) {
        // Never the phone number, nor the code, at any level: whoever trains
        // without the bypass code reads it from `GET /__admin/otp`.
        tracing::info!(
            user_id = %user.id,
            channel = mfa.as_str(),
            "simulator: verification code sent"
        );
    }
    let mfa_type = mfa.map(|m| m.as_str());
    Ok(Json(match version {
        ApiVersion::V2 => json!({"user": v2_user(&user, false), "mfaType": mfa_type}),
        ApiVersion::V1 => {
            let v1 = sim.store.read(|d| v1_user(&user, d, sim.v1_user_shape));
            json!({"user": v1, "existingUser": existing, "mfaType": mfa_type})
        }
    }))
}

pub async fn confirm(
    sim: &Sim,
    version: ApiVersion,
    headers: &HeaderMap,
    body: &[u8],
) -> ApiResult<Json<Value>> {
    let ep = Endpoint::ConfirmUser;
    let claims = require(sim, headers, version, ep, Scope::Merchant)?;
    let body = json_object(body);
    let user_id = match body.get("userId") {
        None | Some(Value::Null) => Err(Fail::missing("userId")),
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(Value::Number(n)) if version == ApiVersion::V1 => Ok(n.to_string()),
        Some(_) => Err(Fail::malformed("userId")),
    }
    .at(version, ep)?;
    let code = text(&body, "code")
        .ok_or_else(|| Fail::missing("code"))
        .at(version, ep)?;
    let merchant_id = match body.get("merchantId") {
        None | Some(Value::Null) => Err(Fail::missing("merchantId")),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| Fail::malformed("merchantId")),
        Some(Value::String(s)) if version == ApiVersion::V1 => {
            s.trim().parse().map_err(|_| Fail::malformed("merchantId"))
        }
        Some(_) => Err(Fail::malformed("merchantId")),
    }
    .at(version, ep)?;
    if version == ApiVersion::V2 && uuid::Uuid::parse_str(&user_id).is_err() {
        return Err(Fail::malformed("userId")).at(version, ep);
    }
    if merchant_id != claims.merchant_id {
        return Err(Fail::new("AP005", "Session mismatch")).at(version, ep);
    }
    let max = sim.max_otp_attempts;
    let outcome = sim.store.write(|data| {
        let id = data
            .user_by_any_id(&user_id)
            .map(|u| u.id.clone())
            .ok_or_else(|| Fail::new("AP113", "User does not exist"))?;
        let user = data.users.get_mut(&id).expect("just found");
        let Some(otp) = user.otp.as_mut() else {
            // Nothing pending: the user is already confirmed.
            return Ok(user.clone());
        };
        if otp.attempts >= max {
            return Err(max_attempts());
        }
        // 000000 is the sandbox's documented bypass.
        if code == "000000" || code == otp.code {
            user.otp = None;
            user.connected = true;
            return Ok(user.clone());
        }
        otp.attempts += 1;
        if otp.attempts >= max {
            Err(max_attempts())
        } else {
            Err(Fail::new("AP111", "Invalid verification code"))
        }
    });
    let user = outcome.at(version, ep)?;
    Ok(Json(user_body(sim, version, &user)))
}

fn max_attempts() -> Fail {
    Fail::new("AP112", "Max verification attempts exceeded")
}

fn user_body(sim: &Sim, version: ApiVersion, user: &User) -> Value {
    match version {
        ApiVersion::V2 => json!({"user": v2_user(user, true)}),
        ApiVersion::V1 => {
            let v1 = sim.store.read(|d| v1_user(user, d, sim.v1_user_shape));
            json!({"success": true, "user": v1})
        }
    }
}

pub async fn get(sim: &Sim, version: ApiVersion, headers: &HeaderMap) -> ApiResult<Json<Value>> {
    let ep = Endpoint::GetUser;
    let claims = require(sim, headers, version, ep, Scope::UserForMerchant)?;
    let id = claims.user_id.unwrap_or_default();
    let user = sim
        .store
        .read(|d| d.users.get(&id).cloned())
        .ok_or_else(Fail::no_authenticated_user)
        .at(version, ep)?;
    Ok(Json(user_body(sim, version, &user)))
}
