//! The broker's answers when something fails, in the app's error shape:
//! `{"code", "message", "retry"}`. Messages are written for the person at
//! the kiosk; the code is for the app and the logs.

use aeropay_client::{AeropayError, ErrorCategory};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use broker_store::StoreError;
use fleet_client::messages;

/// The code of an error answer, for the metrics.
#[derive(Debug, Clone)]
pub struct ErrorCode(pub String);

/// The body of every error answer; the devices read the same type.
pub use fleet_client::wire::ErrorBody;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds, for `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: &str, retry: bool) -> Self {
        Self {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                retry,
            },
            retry_after: None,
        }
    }

    pub fn code(&self) -> &str {
        &self.body.code
    }

    pub fn bad_request(message: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "BROKER_BAD_REQUEST",
            message,
            false,
        )
    }

    pub fn unauthenticated() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "BROKER_DEVICE_CREDENTIAL_MISSING",
            NOT_ENROLLED,
            false,
        )
    }

    pub fn user_not_verified_here() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "BROKER_USER_NOT_VERIFIED_HERE",
            messages::USER_NOT_VERIFIED_HERE,
            false,
        )
    }

    pub fn audit_forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            fleet_client::AUDIT_FORBIDDEN,
            messages::AUDIT_FORBIDDEN,
            false,
        )
    }

    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "BROKER_IDEMPOTENCY_KEY_REUSED",
            messages::IDEMPOTENCY_KEY_REUSED,
            false,
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "BROKER_INTERNAL",
            messages::INTERNAL,
            true,
        )
    }
}

const NOT_ENROLLED: &str = messages::NOT_ENROLLED;

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        use StoreError as E;
        let code = e.code();
        let (status, message, retry) = match &e {
            E::DeviceUnknown | E::CredentialInvalid | E::DeviceNotEnrolled => {
                (StatusCode::UNAUTHORIZED, NOT_ENROLLED, false)
            }
            E::DeviceRevoked => (StatusCode::FORBIDDEN, messages::DEVICE_REVOKED, false),
            E::DeviceDisabled => (StatusCode::FORBIDDEN, messages::DEVICE_DISABLED, false),
            E::CodeInvalid => (StatusCode::BAD_REQUEST, messages::CODE_INVALID, false),
            E::CodeExpired => (StatusCode::BAD_REQUEST, messages::CODE_EXPIRED, false),
            E::CodeUsed => (StatusCode::BAD_REQUEST, messages::CODE_USED, false),
            E::Limited { retry_after, .. } => {
                let secs = (retry_after.whole_milliseconds() + 999)
                    .div_euclid(1000)
                    .max(1) as u64;
                let mut error = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    code,
                    messages::RATE_LIMITED,
                    true,
                );
                error.retry_after = Some(secs);
                return error;
            }
            E::Unavailable { .. } => (StatusCode::SERVICE_UNAVAILABLE, messages::UNAVAILABLE, true),
            E::AuditSequenceConflict { .. } => (
                StatusCode::CONFLICT,
                "The audit trail was sent out of order.",
                false,
            ),
            E::CursorInvalid
            | E::InvalidArgument(_)
            | E::InvalidName { .. }
            | E::InvalidGroup { .. } => (StatusCode::BAD_REQUEST, messages::BAD_REQUEST, false),
            _ => {
                tracing::error!(code, error = %e, "broker store failed");
                (StatusCode::INTERNAL_SERVER_ERROR, messages::INTERNAL, true)
            }
        };
        if e.is_unavailable() {
            tracing::warn!(code, error = %e, "broker store unavailable");
        }
        ApiError::new(status, code, message, retry)
    }
}

impl From<AeropayError> for ApiError {
    fn from(e: AeropayError) -> Self {
        let status = match e.category() {
            ErrorCategory::InvalidInput
            | ErrorCategory::NotFound
            | ErrorCategory::Conflict
            | ErrorCategory::RateOrAttemptsLimit => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCategory::Auth
            | ErrorCategory::ExpiredToken
            | ErrorCategory::UpstreamDown
            | ErrorCategory::Network
            | ErrorCategory::OutcomeUnknown
            | ErrorCategory::UnexpectedResponse => StatusCode::BAD_GATEWAY,
        };
        tracing::warn!(
            code = e.code(),
            operation = e.operation(),
            "Aeropay call failed"
        );
        ApiError::new(status, e.code(), e.user_message(), e.retryable())
    }
}

impl From<crate::fleet_token::TokenError> for ApiError {
    fn from(e: crate::fleet_token::TokenError) -> Self {
        match e {
            crate::fleet_token::TokenError::Store(e) => e.into(),
            crate::fleet_token::TokenError::Aeropay(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = ErrorCode(self.body.code.clone());
        let mut response = (self.status, Json(self.body)).into_response();
        response.extensions_mut().insert(code);
        if let Some(secs) = self.retry_after {
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}
