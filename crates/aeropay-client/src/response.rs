//! Turns an HTTP answer into either the operation's success type or an
//! [`AeropayError`], whatever the status: Aeropay sends most errors with
//! HTTP 200, in four shapes:
//!
//! - A `{"error":{"code","message","help"?}}`
//! - B `{"success":false,"code","error":"text"}`
//! - C `{"success":false,"error":{"code","message"}}`
//! - D `{"code","message"}` (400 answers of aggregatorCredentials)
//!
//! A success is trusted only when the body deserializes into the typed
//! success struct, so it has the fields the operation needs.

use super::error::{AeropayError, ErrorCategory};
use super::tolerant;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// An error body found in an answer, before it becomes an [`AeropayError`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiErrorBody {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// Parses an answer. Never panics, whatever the bytes.
pub fn parse_response<T: DeserializeOwned>(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
) -> Result<T, AeropayError> {
    let value = match parse_json(body) {
        Ok(value) => value,
        Err(kind) => return Err(unreadable_body(status, content_type, body, kind)),
    };
    if let Some(api_error) = detect_error(&value) {
        return Err(AeropayError::from_api(
            api_error.code.as_deref(),
            api_error.message.as_deref(),
            status,
        ));
    }
    if !(200..300).contains(&status) {
        return Err(status_error(status).with_detail(value.to_string()));
    }
    read_answer(value).map_err(|e| e.with_status(status))
}

/// Reads a success answer into its type under the one reading policy
/// ([`tolerant`]): keys normalized, every field in any tolerated encoding.
/// Outside the policy: `UNEXPECTED_RESPONSE` naming the field's path.
pub fn read_answer<T: DeserializeOwned>(value: Value) -> Result<T, AeropayError> {
    let normalized = tolerant::normalize_keys(value);
    serde_path_to_error::deserialize::<_, T>(normalized).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { "(the answer)".to_owned() } else { path };
        AeropayError::new(
            ErrorCategory::UnexpectedResponse,
            "UNEXPECTED_RESPONSE",
            "Aeropay sent an answer this app does not understand. Please try again or contact support.",
        )
        .with_detail(format!("{field}: {}", tolerant::describe(&e.inner().to_string())))
        .with_field(field)
    })
}

enum Unreadable {
    Empty,
    NotJson,
}

fn parse_json(body: &[u8]) -> Result<Value, Unreadable> {
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(_) => return Err(Unreadable::NotJson),
    };
    let text = text.trim_start_matches('\u{feff}');
    if text.trim().is_empty() {
        return Err(Unreadable::Empty);
    }
    serde_json::from_str(text).map_err(|_| Unreadable::NotJson)
}

fn looks_like_html(content_type: Option<&str>, body: &[u8]) -> bool {
    let html_type = content_type
        .map(|t| t.to_ascii_lowercase().contains("html"))
        .unwrap_or(false);
    let start: Vec<u8> = body
        .iter()
        .copied()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(15)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    html_type || start.starts_with(b"<!doctype") || start.starts_with(b"<html")
}

fn unreadable_body(
    status: u16,
    content_type: Option<&str>,
    body: &[u8],
    kind: Unreadable,
) -> AeropayError {
    let snippet = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    let by_status = super::codes::category_for_status(status);
    match kind {
        _ if looks_like_html(content_type, body) => AeropayError::new(
            match by_status {
                Some(ErrorCategory::UpstreamDown) | None => ErrorCategory::UpstreamDown,
                Some(other) => other,
            },
            "UPSTREAM_HTML",
            "Aeropay is not answering properly right now (a web page came back instead of data). Please try again in a moment.",
        )
        .with_status(status)
        .with_detail(snippet),
        Unreadable::Empty => AeropayError::new(
            by_status.unwrap_or(ErrorCategory::UnexpectedResponse),
            "RESPONSE_EMPTY",
            "Aeropay sent an empty answer. Please try again.",
        )
        .with_status(status),
        Unreadable::NotJson => AeropayError::new(
            by_status.unwrap_or(ErrorCategory::UnexpectedResponse),
            "RESPONSE_NOT_JSON",
            "Aeropay sent an answer this app cannot read. Please try again or contact support.",
        )
        .with_status(status)
        .with_detail(snippet),
    }
}

fn status_error(status: u16) -> AeropayError {
    let category =
        super::codes::category_for_status(status).unwrap_or(ErrorCategory::UnexpectedResponse);
    let message = match category {
        ErrorCategory::UpstreamDown => {
            "Aeropay is having trouble right now. Please try again in a moment."
        }
        ErrorCategory::Auth => {
            "Aeropay refused this device's sign-in. Ask a manager to check the setup."
        }
        ErrorCategory::NotFound => "Aeropay could not find what was asked for.",
        _ => "Aeropay refused the request.",
    };
    AeropayError::new(
        category,
        if category == ErrorCategory::UpstreamDown {
            "UPSTREAM_STATUS"
        } else {
            "HTTP_STATUS"
        },
        message,
    )
    .with_status(status)
}

fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

/// Finds an Aeropay error in any of the four shapes, or a bare
/// `success:false`. `"error": null` (seen in v1 successes) is not an error.
pub fn detect_error(value: &Value) -> Option<ApiErrorBody> {
    let object: &Map<String, Value> = value.as_object()?;
    // The flag in any of the policy's boolean encodings (`false`, `"0"` …).
    let success = object
        .get("success")
        .and_then(|flag| tolerant::bool_from(flag).ok().flatten());
    let failed_flag = success == Some(false);
    match object.get("error") {
        // Shapes A and C.
        Some(Value::Object(inner)) => {
            return Some(ApiErrorBody {
                code: text_of(inner.get("code")).or_else(|| text_of(object.get("code"))),
                message: text_of(inner.get("message"))
                    .or_else(|| text_of(inner.get("error")))
                    .or_else(|| text_of(object.get("message"))),
            });
        }
        // Shape B (and a bare `{"error":"text"}`).
        Some(Value::String(text)) => {
            return Some(ApiErrorBody {
                code: text_of(object.get("code")),
                message: Some(text.clone()),
            });
        }
        _ => {}
    }
    let code = text_of(object.get("code"));
    let message = text_of(object.get("message"));
    // Shape D: a top-level code and message and nothing saying success.
    if code.is_some() && message.is_some() && success != Some(true) {
        return Some(ApiErrorBody { code, message });
    }
    if failed_flag {
        return Some(ApiErrorBody { code, message });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CreatedUser;
    use serde_json::json;

    fn err(status: u16, body: &str) -> AeropayError {
        parse_response::<CreatedUser>(status, Some("application/json"), body.as_bytes())
            .expect_err("should be an error")
    }

    #[test]
    fn shape_a() {
        let e = err(
            200,
            r#"{"error":{"code":"AP113","message":"User does not exist","help":"contact support"}}"#,
        );
        assert_eq!(e.code(), "AP113");
        assert_eq!(e.category(), ErrorCategory::NotFound);
        assert_eq!(e.http_status(), Some(200));
    }

    #[test]
    fn shape_b() {
        let e = err(
            200,
            r#"{"success":false,"code":"AP300","error":"We are having issues connecting to your bank."}"#,
        );
        assert_eq!(e.code(), "AP300");
        assert_eq!(
            e.detail(),
            Some("We are having issues connecting to your bank.")
        );
    }

    #[test]
    fn shape_c() {
        let e = err(
            401,
            r#"{"success":false,"error":{"code":"AP002","message":"invalid API key or secret key"}}"#,
        );
        assert_eq!(e.code(), "AP002");
        assert_eq!(e.category(), ErrorCategory::Auth);
    }

    #[test]
    fn shape_d() {
        let e = err(
            400,
            r#"{"code":"MISSING_PARAMETER","message":"The aggregator parameter is required."}"#,
        );
        assert_eq!(e.code(), "MISSING_PARAMETER");
        assert_eq!(e.category(), ErrorCategory::InvalidInput);
    }

    #[test]
    fn bare_failure_flag() {
        let e = err(200, r#"{"success":false}"#);
        assert_eq!(e.code(), "AEROPAY_ERROR");
    }

    #[test]
    fn v1_success_with_null_error_is_success() {
        let body = json!({"success":true,"error":null,"user":{"id":"u-1"},"mfaType":"sms"});
        let created: CreatedUser = parse_response(200, None, body.to_string().as_bytes()).unwrap();
        assert_eq!(created.user.id, "u-1");
        assert!(created.needs_confirmation());
    }

    #[test]
    fn success_missing_required_field_is_unexpected() {
        let e = err(200, r#"{"user":{"firstName":"A"}}"#);
        assert_eq!(e.code(), "UNEXPECTED_RESPONSE");
        assert_eq!(e.category(), ErrorCategory::UnexpectedResponse);
    }

    #[test]
    fn success_body_on_error_status_is_not_trusted() {
        let e = err(503, r#"{"user":{"id":"u-1"},"mfaType":null}"#);
        assert_eq!(e.code(), "UPSTREAM_STATUS");
        assert!(e.retryable());
    }

    #[test]
    fn unreadable_bodies() {
        let e = parse_response::<CreatedUser>(
            502,
            Some("text/html"),
            b"<html><body>502 Bad Gateway</body></html>",
        )
        .unwrap_err();
        assert_eq!(e.code(), "UPSTREAM_HTML");
        assert_eq!(e.category(), ErrorCategory::UpstreamDown);
        let e =
            parse_response::<CreatedUser>(200, None, b"<!DOCTYPE html><p>portal</p>").unwrap_err();
        assert_eq!(e.code(), "UPSTREAM_HTML");
        let e = parse_response::<CreatedUser>(200, None, b"   ").unwrap_err();
        assert_eq!(e.code(), "RESPONSE_EMPTY");
        assert_eq!(e.category(), ErrorCategory::UnexpectedResponse);
        let e = parse_response::<CreatedUser>(200, None, b"\xff\xfe garbage").unwrap_err();
        assert_eq!(e.code(), "RESPONSE_NOT_JSON");
        let e = parse_response::<CreatedUser>(200, None, b"[1,2,3]").unwrap_err();
        assert_eq!(e.code(), "UNEXPECTED_RESPONSE");
    }
}
