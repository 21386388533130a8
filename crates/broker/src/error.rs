//! The broker's answers when something fails, in the app's error shape:
//! `{"code", "message", "retry"}`. Messages are written for the person at
//! the kiosk; the code is for the app and the logs.

use aeropay_client::{AeropayError, ErrorCategory};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use broker_store::StoreError;

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
            "This customer has not confirmed their code on this device recently. Start their enrollment again.",
            false,
        )
    }

    pub fn audit_forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "BROKER_AUDIT_FORBIDDEN",
            "This device cannot read the fleet's audit trail. Use a desk of the office group.",
            false,
        )
    }

    pub fn idempotency_key_reused() -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "BROKER_IDEMPOTENCY_KEY_REUSED",
            "This request was already sent with other details. Start this step again.",
            false,
        )
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "BROKER_INTERNAL",
            "Something went wrong on the fleet's server. Please try again.",
            true,
        )
    }
}

const NOT_ENROLLED: &str =
    "This device is not enrolled with the fleet. Ask your manager for an enrollment code.";

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        use StoreError as E;
        let code = e.code();
        let (status, message, retry) = match &e {
            E::DeviceUnknown | E::CredentialInvalid | E::DeviceNotEnrolled => {
                (StatusCode::UNAUTHORIZED, NOT_ENROLLED, false)
            }
            E::DeviceRevoked => (
                StatusCode::FORBIDDEN,
                "This device has been removed from the fleet. Ask your manager to enroll it again.",
                false,
            ),
            E::DeviceDisabled => (
                StatusCode::FORBIDDEN,
                "This device is paused by the fleet's operator. Ask your manager to enable it again.",
                false,
            ),
            E::CodeInvalid => (
                StatusCode::BAD_REQUEST,
                "This enrollment code is not valid. Check it was typed as printed.",
                false,
            ),
            E::CodeExpired => (
                StatusCode::BAD_REQUEST,
                "This enrollment code has expired. Ask your manager for a new one.",
                false,
            ),
            E::CodeUsed => (
                StatusCode::BAD_REQUEST,
                "This enrollment code was already used. Ask your manager for a new one.",
                false,
            ),
            E::Limited { retry_after, .. } => {
                let secs = (retry_after.whole_milliseconds() + 999).div_euclid(1000).max(1) as u64;
                let mut error = ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    code,
                    "Too many attempts from this device. Please wait a little and try again.",
                    true,
                );
                error.retry_after = Some(secs);
                return error;
            }
            E::Unavailable { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The fleet's server is briefly unavailable. Please try again in a moment.",
                true,
            ),
            E::AuditSequenceConflict { .. } => (
                StatusCode::CONFLICT,
                "The audit trail was sent out of order.",
                false,
            ),
            E::CursorInvalid | E::InvalidArgument(_) | E::InvalidName { .. } | E::InvalidGroup { .. } => {
                (StatusCode::BAD_REQUEST, "The request is not valid.", false)
            }
            _ => {
                tracing::error!(code, error = %e, "broker store failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on the fleet's server. Please try again.",
                    true,
                )
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
