//! `POST /token` and the checks every other endpoint makes on its bearer
//! token. Tokens are real HS256 JWTs with a real `exp`, so clients that
//! decode them, cache them or let them expire behave as against Aeropay.

use super::errors::{ApiResult, ApiVersion, At, Endpoint, Fail};
use super::state::now;
use super::Sim;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde_json::{json, Map, Value};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Merchant,
    UserForMerchant,
}

impl Scope {
    /// The `sub` claim, spelled as in Aeropay's sample token.
    fn sub(self) -> &'static str {
        match self {
            Scope::Merchant => "merchant",
            Scope::UserForMerchant => "userformerchant",
        }
    }
}

/// What a verified API token says.
#[derive(Debug, Clone)]
pub struct Claims {
    pub merchant_id: u64,
    pub user_id: Option<String>,
}

pub fn sign(key: &[u8], claims: &Value) -> String {
    let header = B64.encode(br#"{"typ":"JWT","alg":"HS256"}"#);
    let payload = B64.encode(claims.to_string());
    let input = format!("{header}.{payload}");
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(input.as_bytes());
    format!("{input}.{}", B64.encode(mac.finalize().into_bytes()))
}

/// Checks signature and expiry; returns the claims. AP008 for anything that
/// is not a token this simulator signed, AP007 once `exp` has passed.
pub fn verify(key: &[u8], token: &str) -> Result<Map<String, Value>, Fail> {
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Fail::invalid_token());
    };
    let sig = B64.decode(sig).map_err(|_| Fail::invalid_token())?;
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(format!("{header}.{payload}").as_bytes());
    mac.verify_slice(&sig).map_err(|_| Fail::invalid_token())?;
    let claims: Value = B64
        .decode(payload)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(Fail::invalid_token)?;
    let Value::Object(claims) = claims else {
        return Err(Fail::invalid_token());
    };
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(Fail::invalid_token)?;
    if exp <= now() {
        return Err(Fail::expired());
    }
    Ok(claims)
}

/// Reads the version's header (`authorization` on v2, `authorizationToken`
/// on v1), verifies the token and its scope. The other version's header name
/// alone is answered with AP101, as the real API does.
pub fn authenticate(
    sim: &Sim,
    headers: &HeaderMap,
    version: ApiVersion,
    scope: Scope,
) -> Result<Claims, Fail> {
    let (ours, theirs) = match version {
        ApiVersion::V2 => ("authorization", "authorizationtoken"),
        ApiVersion::V1 => ("authorizationtoken", "authorization"),
    };
    let Some(value) = headers.get(ours) else {
        if headers.contains_key(theirs) {
            return Err(Fail::no_authenticated_user());
        }
        return Err(Fail::missing_header());
    };
    let value = value.to_str().map_err(|_| Fail::invalid_token())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(Fail::invalid_token)?
        .trim();
    let key = sim.store.read(|d| d.signing_key.clone());
    let claims = verify(&key, token)?;
    let sub = claims.get("sub").and_then(Value::as_str);
    let token_scope = match sub {
        Some("merchant") => Scope::Merchant,
        Some("userformerchant") => Scope::UserForMerchant,
        // Widget tokens and anything else are not API tokens.
        _ => return Err(Fail::invalid_token()),
    };
    if token_scope != scope {
        return Err(Fail::wrong_scope());
    }
    let merchant_id = claims
        .get("merchantId")
        .and_then(Value::as_u64)
        .ok_or_else(Fail::invalid_token)?;
    let user_id = claims
        .get("userId")
        .and_then(Value::as_str)
        .map(str::to_owned);
    if scope == Scope::UserForMerchant {
        let exists = user_id
            .as_deref()
            .is_some_and(|id| sim.store.read(|d| d.users.contains_key(id)));
        if !exists {
            return Err(Fail::no_authenticated_user());
        }
    }
    Ok(Claims {
        merchant_id,
        user_id,
    })
}

/// Parses a JSON body leniently: the simulator answers malformed input with
/// Aeropay's codes rather than the framework's own 4xx.
pub fn json_object(body: &[u8]) -> Map<String, Value> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

pub fn text<'a>(body: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    body.get(key)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

pub async fn token(sim: &Sim, version: ApiVersion, body: &[u8]) -> Response {
    match mint(sim, version, body).at(version, Endpoint::Token) {
        Ok(response) => response.into_response(),
        Err(err) => err.into_response(),
    }
}

fn mint(sim: &Sim, version: ApiVersion, body: &[u8]) -> Result<Json<Value>, Fail> {
    let body = json_object(body);
    let (key_field, secret_field) = match version {
        ApiVersion::V1 => ("api_key", "api_secret"),
        ApiVersion::V2 => ("apiKey", "apiSecret"),
    };
    let api_key = text(&body, key_field).ok_or_else(|| Fail::missing(key_field))?;
    let api_secret = text(&body, secret_field).ok_or_else(|| Fail::missing(secret_field))?;
    let scope = match text(&body, "scope") {
        None => return Err(Fail::missing("scope")),
        Some("merchant") => Scope::Merchant,
        Some("userForMerchant") => Scope::UserForMerchant,
        Some(_) => return Err(Fail::new("AP700", "Invalid scope")),
    };
    let id = match body.get("id") {
        None | Some(Value::Null) => return Err(Fail::missing("id")),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| Fail::malformed("id"))?,
        // The v1 documentation sends the merchant id as a string; v2 types
        // it as an integer.
        Some(Value::String(s)) if version == ApiVersion::V1 => {
            s.trim().parse().map_err(|_| Fail::malformed("id"))?
        }
        Some(_) => return Err(Fail::malformed("id")),
    };
    let merchant = &sim.merchant;
    if api_key != merchant.api_key
        || api_secret != merchant.api_secret
        || id != merchant.merchant_id
    {
        return Err(Fail::bad_credentials());
    }
    let user_id = match scope {
        Scope::Merchant => None,
        Scope::UserForMerchant => {
            let raw = match body.get("userId") {
                None | Some(Value::Null) => return Err(Fail::missing("userId")),
                Some(Value::String(s)) => s.trim().to_owned(),
                Some(Value::Number(n)) if version == ApiVersion::V1 => n.to_string(),
                Some(_) => return Err(Fail::malformed("userId: invalid username format")),
            };
            if version == ApiVersion::V2 && uuid::Uuid::parse_str(&raw).is_err() {
                return Err(Fail::malformed("userId: invalid username format"));
            }
            let user = sim
                .store
                .read(|d| d.user_by_any_id(&raw).map(|u| (u.id.clone(), u.connected)));
            match user {
                Some((id, true)) => Some(id),
                _ => return Err(Fail::user_not_associated()),
            }
        }
    };
    let ttl = sim.token_ttl;
    let issued = now();
    let mut claims = json!({
        "auth": merchant.merchant_id.to_string(),
        "sub": scope.sub(),
        "jti": uuid::Uuid::new_v4().to_string(),
        "iat": issued,
        "exp": issued + ttl as i64,
        "merchantId": merchant.merchant_id,
    });
    if let Some(user_id) = user_id {
        claims["userId"] = Value::String(user_id);
    }
    let key = sim.store.read(|d| d.signing_key.clone());
    sim.counters.minted(scope == Scope::Merchant);
    Ok(Json(json!({"TTL": ttl, "token": sign(&key, &claims)})))
}

/// Shorthand for handlers: authenticate or fail on this endpoint.
pub fn require(
    sim: &Sim,
    headers: &HeaderMap,
    version: ApiVersion,
    endpoint: Endpoint,
    scope: Scope,
) -> ApiResult<Claims> {
    authenticate(sim, headers, version, scope).at(version, endpoint)
}
