//! Request bodies, paths and headers as each API version spells them.
//!
//! v1: `<base>/token` with `api_key`/`api_secret`, snake_case user fields,
//! header `authorizationToken`. v2: `<base>/v2/token` with `apiKey`/`apiSecret`,
//! camelCase, header `authorization`. Both send `scope`, `id` and `userId`.

use super::types::{ApiVersion, NewUser, TokenScope};
use crate::secret::SecretString;
use serde::{Deserialize, Serialize};

/// The aggregator value Aeropay accepts (the only one documented).
pub const AGGREGATOR: &str = "aerosync";

/// Header carrying the bearer token.
pub fn auth_header(version: ApiVersion) -> &'static str {
    match version {
        ApiVersion::V1 => "authorizationToken",
        ApiVersion::V2 => "authorization",
    }
}

/// Path of an operation, relative to the base URL, for this version.
pub fn path(version: ApiVersion, operation_path: &str) -> String {
    match version {
        ApiVersion::V1 => format!("/{operation_path}"),
        ApiVersion::V2 => format!("/v2/{operation_path}"),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRequestV2<'a> {
    pub api_key: &'a SecretString,
    pub api_secret: &'a SecretString,
    pub scope: TokenScope,
    pub id: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_id: Option<&'a str>,
}

#[derive(Serialize)]
pub struct TokenRequestV1<'a> {
    pub api_key: &'a SecretString,
    pub api_secret: &'a SecretString,
    pub scope: TokenScope,
    pub id: u64,
    #[serde(rename = "userId", skip_serializing_if = "Option::is_none")]
    pub user_id: Option<&'a str>,
}

/// Answer of POST /token. The token is required; a missing `TTL` falls back
/// to the documented 30 minutes.
#[derive(Debug, Deserialize)]
pub struct TokenResponse {
    #[serde(default, deserialize_with = "super::tolerant::opt_count")]
    pub ttl: Option<u64>,
    pub token: SecretString,
}

/// Documented token lifetime when an answer has no `TTL`.
pub const DEFAULT_TTL_SECS: u64 = 1800;

#[derive(Serialize)]
pub struct CreateUserV1<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub phone_number: &'a str,
    pub email: &'a str,
}

impl<'a> From<&'a NewUser> for CreateUserV1<'a> {
    fn from(user: &'a NewUser) -> Self {
        Self {
            first_name: &user.first_name,
            last_name: &user.last_name,
            phone_number: &user.phone_number,
            email: &user.email,
        }
    }
}

/// Same fields in both versions (v1's page names them the same way).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfirmUserRequest<'a> {
    pub user_id: &'a str,
    pub code: &'a str,
    pub merchant_id: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LinkRequestV2<'a> {
    pub connection_id: &'a str,
    pub aggregator: &'a str,
}

#[derive(Serialize)]
pub struct LinkRequestV1<'a> {
    pub user_id: &'a str,
    pub user_password: &'a SecretString,
    pub aggregator: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn token_bodies_per_version() {
        let key = SecretString::new("k");
        let secret = SecretString::new("s");
        let v2 = TokenRequestV2 {
            api_key: &key,
            api_secret: &secret,
            scope: TokenScope::UserForMerchant,
            id: 1234,
            user_id: Some("u-1"),
        };
        assert_eq!(
            serde_json::to_value(&v2).unwrap(),
            json!({"apiKey":"k","apiSecret":"s","scope":"userForMerchant","id":1234,"userId":"u-1"})
        );
        let v1 = TokenRequestV1 {
            api_key: &key,
            api_secret: &secret,
            scope: TokenScope::Merchant,
            id: 1234,
            user_id: None,
        };
        assert_eq!(
            serde_json::to_value(&v1).unwrap(),
            json!({"api_key":"k","api_secret":"s","scope":"merchant","id":1234})
        );
    }

    #[test]
    fn paths_and_headers() {
        assert_eq!(path(ApiVersion::V1, "token"), "/token");
        assert_eq!(path(ApiVersion::V2, "bankAccounts"), "/v2/bankAccounts");
        assert_eq!(auth_header(ApiVersion::V1), "authorizationToken");
        assert_eq!(auth_header(ApiVersion::V2), "authorization");
    }
}
