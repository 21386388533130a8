//! Error bodies in the shapes Aeropay itself uses. The real API is not
//! uniform: the shape and the HTTP status depend on the endpoint and on the
//! API version, and many failures come back as HTTP 200. A stand-in that
//! answered every error the same way would let a client that only handles one
//! shape pass its tests and fail against the sandbox.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// Which API generation a request came in on (`/token` vs `/v2/token`).
/// Not the client's `ApiVersion`: the stand-in shares no code with the
/// client it tests, so it reads Aeropay's documents on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    V2,
}

/// The endpoint a failure belongs to; it decides shape and status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Token,
    CreateUser,
    GetUser,
    ConfirmUser,
    AggregatorCredentials,
    Link,
    BankAccounts,
    SelectBankAccount,
}

/// A failure as the business logic sees it: an Aeropay code and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    pub code: &'static str,
    pub message: String,
}

impl Fail {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Fail {
            code,
            message: message.into(),
        }
    }

    pub fn missing(param: &str) -> Self {
        Fail::new("AP700", format!("Missing required Parameter: '{param}'"))
    }

    pub fn malformed(param: &str) -> Self {
        Fail::new(
            "AP701",
            format!("Improperly formatted parameter: ['{param}']"),
        )
    }

    pub fn missing_header() -> Self {
        Fail::new("AP004", "Missing authorization header")
    }

    pub fn no_authenticated_user() -> Self {
        Fail::new("AP101", "No authenticated user")
    }

    pub fn wrong_scope() -> Self {
        Fail::new("AP006", "Client is not authorized for this scope")
    }

    pub fn expired() -> Self {
        Fail::new("AP007", "Token has expired")
    }

    pub fn invalid_token() -> Self {
        Fail::new("AP008", "Invalid token")
    }

    pub fn bad_credentials() -> Self {
        Fail::new("AP002", "Invalid API key or secret key")
    }

    pub fn user_not_associated() -> Self {
        Fail::new(
            "AP002",
            "User ID doesn't exist or hasn't been associated with this merchant",
        )
    }

    fn is_auth(&self) -> bool {
        matches!(
            self.code,
            "AP002" | "AP004" | "AP005" | "AP006" | "AP007" | "AP008" | "AP101"
        )
    }
}

/// The body shapes listed in the reference (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// `{"error":{"code","message"}}`
    A,
    /// `{"error":{"help","code","message"}}`, the POST/confirm user examples.
    AWithHelp,
    /// `{"success":false,"code","error"}`, legacy; still used by link.
    B,
    /// `{"success":false,"error":{"code","message"}}`, v1 `/token`.
    C,
}

const HELP: &str = "Contact support@aeropay.com for help.";

/// Picks status and shape for a failure on an endpoint, following the
/// per-operation glossaries and examples of the v2 description; v1 answers
/// with HTTP 200 and the legacy shapes, as its documentation says.
pub fn classify(version: ApiVersion, endpoint: Endpoint, fail: &Fail) -> (StatusCode, Shape) {
    use Endpoint::*;
    if version == ApiVersion::V1 {
        let shape = if endpoint == Token {
            Shape::C
        } else {
            Shape::B
        };
        return (StatusCode::OK, shape);
    }
    if fail.is_auth() {
        return (StatusCode::UNAUTHORIZED, Shape::A);
    }
    let bad_request = matches!(fail.code, "AP700" | "AP701");
    match endpoint {
        Token => (StatusCode::BAD_REQUEST, Shape::A),
        // The 200 examples of POST /v2/user include the AP700 ones.
        CreateUser => (StatusCode::OK, Shape::AWithHelp),
        GetUser | BankAccounts | AggregatorCredentials => (StatusCode::OK, Shape::A),
        ConfirmUser if bad_request => (StatusCode::BAD_REQUEST, Shape::AWithHelp),
        ConfirmUser => (StatusCode::OK, Shape::AWithHelp),
        Link if bad_request => (StatusCode::BAD_REQUEST, Shape::B),
        Link => (StatusCode::OK, Shape::B),
        SelectBankAccount if bad_request || fail.code == "AP401" => {
            (StatusCode::BAD_REQUEST, Shape::A)
        }
        SelectBankAccount => (StatusCode::OK, Shape::A),
    }
}

pub fn body(shape: Shape, fail: &Fail) -> Value {
    match shape {
        Shape::A => json!({"error": {"code": fail.code, "message": fail.message}}),
        Shape::AWithHelp => {
            json!({"error": {"help": HELP, "code": fail.code, "message": fail.message}})
        }
        Shape::B => json!({"success": false, "code": fail.code, "error": fail.message}),
        Shape::C => {
            json!({"success": false, "error": {"code": fail.code, "message": fail.message}})
        }
    }
}

/// A failure bound to the endpoint and version it happened on, ready to send.
#[derive(Debug)]
pub struct ApiError {
    pub version: ApiVersion,
    pub endpoint: Endpoint,
    pub fail: Fail,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, shape) = classify(self.version, self.endpoint, &self.fail);
        (status, Json(body(shape, &self.fail))).into_response()
    }
}

/// The 400 `{code,message}` shape that aggregatorCredentials uses for a
/// malformed query (shape D in the reference).
pub fn shape_d(code: &str, message: &str) -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"code": code, "message": message})),
    )
        .into_response()
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Attaches endpoint and version to a bare failure.
pub trait At<T> {
    fn at(self, version: ApiVersion, endpoint: Endpoint) -> ApiResult<T>;
}

impl<T> At<T> for Result<T, Fail> {
    fn at(self, version: ApiVersion, endpoint: Endpoint) -> ApiResult<T> {
        self.map_err(|fail| ApiError {
            version,
            endpoint,
            fail,
        })
    }
}
