//! The one place that removes secrets before anything is logged or shown:
//! Aeropay tokens, the API key and secret, the Aerosync widget token,
//! `user_password`, authorization headers, and anything shaped like a JWT.
//!
//! [`redact_json`] walks a JSON value; [`redact_text`] handles any text,
//! JSON or not (HTML pages, `key=value` pairs, error strings).

use serde_json::Value;

/// What a removed secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Whether a field of this name holds a secret. Names are compared without
/// case, `_` or `-`, so `api_secret`, `apiSecret` and `API-SECRET` match.
pub fn is_sensitive_key(key: &str) -> bool {
    let normalized: String = key
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    normalized.ends_with("token")
        || normalized.ends_with("secret")
        || normalized.ends_with("password")
        || matches!(
            normalized.as_str(),
            "apikey" | "authorization" | "jwt" | "cookie" | "setcookie"
        )
}

/// A copy of `value` with the value of every sensitive field replaced by
/// [`REDACTED`] and JWT-like or `Bearer …` text inside strings removed.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, inner)| {
                    let redacted = if is_sensitive_key(key) && !inner.is_null() {
                        Value::String(REDACTED.to_owned())
                    } else {
                        redact_json(inner)
                    };
                    (key.clone(), redacted)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(redact_json).collect()),
        Value::String(text) => Value::String(scrub(text)),
        other => other.clone(),
    }
}

/// Redacts any text: JSON is parsed and passed through [`redact_json`];
/// other text has `Bearer …`, JWT-shaped words and `secret=…`/`"token": "…"`
/// pairs removed.
pub fn redact_text(text: &str) -> String {
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        if let Ok(value) = serde_json::from_str::<Value>(text) {
            return redact_json(&value).to_string();
        }
    }
    scrub(text)
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'+' | b'/' | b'=')
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')
}

/// Looks like a JWT: three or more base64url segments, the first a JSON header.
fn looks_like_jwt(word: &str) -> bool {
    word.starts_with("eyJ") && word.matches('.').count() >= 2
}

fn scrub(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        // `Bearer <token>` in any case.
        if bytes.len() - i >= 7
            && bytes[i..i + 7].eq_ignore_ascii_case(b"bearer ")
            && (i == 0 || !is_key_byte(bytes[i - 1]))
        {
            out.push_str(&text[i..i + 7]);
            let mut j = i + 7;
            while j < bytes.len() && bytes[j] == b' ' {
                j += 1;
            }
            let start = j;
            while j < bytes.len()
                && !matches!(
                    bytes[j],
                    b' ' | b'"'
                        | b'\''
                        | b','
                        | b'\n'
                        | b'\r'
                        | b'\t'
                        | b'}'
                        | b']'
                        | b'<'
                        | b'&'
                        | b';'
                )
            {
                j += 1;
            }
            if j > start {
                out.push_str(REDACTED);
            }
            i = j;
            continue;
        }
        if is_word_byte(bytes[i]) && (i == 0 || !is_key_byte(bytes[i - 1])) {
            let mut j = i;
            while j < bytes.len() && is_word_byte(bytes[j]) {
                j += 1;
            }
            let word = &text[i..j];
            if looks_like_jwt(word) {
                out.push_str(REDACTED);
                i = j;
                continue;
            }
            // `key=value`, `key: value`, `"key": "value"`.
            let mut k = i;
            while k < j && is_key_byte(bytes[k]) {
                k += 1;
            }
            let key = &text[i..k];
            if !key.is_empty() && is_sensitive_key(key) {
                if let Some(end) = sensitive_value_span(bytes, k) {
                    out.push_str(&text[i..end.value_start]);
                    if end.value_end > end.value_start {
                        out.push_str(REDACTED);
                    }
                    i = end.value_end;
                    continue;
                }
            }
            out.push_str(&text[i..k.max(i + 1)]);
            i = k.max(i + 1);
            continue;
        }
        // Copy one whole character.
        let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&text[i..i + ch_len]);
        i += ch_len;
    }
    out
}

struct ValueSpan {
    value_start: usize,
    value_end: usize,
}

/// After a sensitive key ending at `at`: finds its separator and value.
fn sensitive_value_span(bytes: &[u8], at: usize) -> Option<ValueSpan> {
    let mut j = at;
    if j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
        j += 1;
    }
    while j < bytes.len() && bytes[j] == b' ' {
        j += 1;
    }
    if j >= bytes.len() || !matches!(bytes[j], b'=' | b':') {
        return None;
    }
    j += 1;
    while j < bytes.len() && bytes[j] == b' ' {
        j += 1;
    }
    if j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
        let quote = bytes[j];
        let start = j + 1;
        let mut end = start;
        while end < bytes.len() && bytes[end] != quote {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        let end = end.min(bytes.len());
        return Some(ValueSpan {
            value_start: start,
            value_end: end,
        });
    }
    let start = j;
    let mut end = start;
    // `authorization: Bearer <token>`: the value is both words.
    if bytes.len() - start > 7 && bytes[start..start + 7].eq_ignore_ascii_case(b"bearer ") {
        end = start + 7;
    }
    while end < bytes.len()
        && !matches!(
            bytes[end],
            b'&' | b',' | b' ' | b'\n' | b'\r' | b'\t' | b'}' | b']' | b';' | b'<'
        )
    {
        end += 1;
    }
    Some(ValueSpan {
        value_start: start,
        value_end: end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const JWT: &str =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyZm9ybWVyY2hhbnQifQ.sig-nature_x";

    #[test]
    fn sensitive_keys_in_all_spellings() {
        for key in [
            "token",
            "TTLtoken",
            "apiSecret",
            "api_secret",
            "API-SECRET",
            "apiKey",
            "api_key",
            "user_password",
            "userPassword",
            "authorization",
            "authorizationToken",
            "Cookie",
        ] {
            assert!(is_sensitive_key(key), "{key}");
        }
        for key in [
            "TTL",
            "userId",
            "user_id",
            "code",
            "message",
            "connectionId",
            "username",
        ] {
            assert!(!is_sensitive_key(key), "{key}");
        }
    }

    #[test]
    fn json_secrets_are_replaced_at_any_depth() {
        let body = json!({
            "apiKey": "key-123", "apiSecret": "s3cret", "scope": "merchant", "id": 7,
            "TTL": 1800, "token": JWT,
            "nested": [{"user_password": "pw-987", "user_id": "u-1"}],
            "error": null,
            "message": format!("bad token {JWT}"),
        });
        let redacted = redact_json(&body);
        let text = redacted.to_string();
        for secret in ["key-123", "s3cret", JWT, "pw-987"] {
            assert!(!text.contains(secret), "{secret} left in {text}");
        }
        assert_eq!(redacted["scope"], "merchant");
        assert_eq!(redacted["id"], 7);
        assert_eq!(redacted["TTL"], 1800);
        assert_eq!(redacted["nested"][0]["user_id"], "u-1");
        assert_eq!(redacted["error"], Value::Null);
        assert_eq!(redacted["token"], REDACTED);
        assert_eq!(redacted["message"], format!("bad token {REDACTED}"));
    }

    #[test]
    fn widget_credentials_keep_url_and_username() {
        let body = json!({"fastlinkURL": "https://sandbox.aerosync.com/", "token": JWT, "username": "16d96afb"});
        let redacted = redact_json(&body);
        assert_eq!(redacted["fastlinkURL"], "https://sandbox.aerosync.com/");
        assert_eq!(redacted["username"], "16d96afb");
        assert_eq!(redacted["token"], REDACTED);
    }

    #[test]
    fn text_json_is_parsed() {
        let text = format!(r#"{{"token":"{JWT}","TTL":1800}}"#);
        let out = redact_text(&text);
        assert!(!out.contains(JWT));
        assert!(out.contains("1800"));
    }

    #[test]
    fn text_bearer_and_jwt_are_removed() {
        let out = redact_text("authorizationToken: Bearer abc.def-123 sent");
        assert!(!out.contains("abc.def-123"), "{out}");
        let out = redact_text("header was bearer opaque-value, retry");
        assert_eq!(out, "header was bearer <redacted>, retry");
        let out = redact_text(&format!("<html>token {JWT}</html>"));
        assert_eq!(out, "<html>token <redacted></html>");
        let out = redact_text(&format!("url?x={JWT}&y=1"));
        assert_eq!(out, "url?x=<redacted>&y=1");
    }

    #[test]
    fn text_key_value_pairs_are_removed() {
        let out = redact_text("user_id=42&user_password=hunter2&aggregator=aerosync");
        assert_eq!(
            out,
            "user_id=42&user_password=<redacted>&aggregator=aerosync"
        );
        // Broken JSON that cannot be parsed is scrubbed as text.
        let out = redact_text(r#"{"apiSecret": "s3cret", "scope": "merchant""#);
        assert_eq!(out, r#"{"apiSecret": "<redacted>", "scope": "merchant""#);
        let out = redact_text("api_key: k-1 and apiSecret='x y'");
        assert_eq!(out, "api_key: <redacted> and apiSecret='<redacted>'");
    }

    #[test]
    fn ordinary_text_is_unchanged() {
        for text in [
            "We are having issues connecting to your bank.",
            "Missing required Parameter: 'apiKey'",
            "<html><body>502 Bad Gateway</body></html>",
            "naïve café — ünïcode ✓",
            "",
        ] {
            assert_eq!(redact_text(text), text);
        }
    }
}
