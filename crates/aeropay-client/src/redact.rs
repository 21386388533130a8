//! The one place that removes secrets and personal data before anything is
//! logged or shown: Aeropay tokens, the API key and secret, the Aerosync
//! widget token, `user_password`, authorization headers, anything shaped
//! like a JWT; and the customer's names, phone number, e-mail and one-time
//! code (by field name, in camelCase and snake_case), and anywhere in text
//! e-mail addresses (masked as `a•••@e•••.com`) and `+1…` phone numbers
//! (masked as `•••-•••-••23`).
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

fn normalized_key(key: &str) -> String {
    key.chars()
        .filter(|c| *c != '_' && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Whether a field of this name holds the customer's personal data: names,
/// phone, e-mail, date of birth, one-time code. Compared like
/// [`is_sensitive_key`] (`first_name`, `firstName` and `FIRST-NAME` match).
/// `code` is personal only when its value is not an error code: see
/// [`is_personal_code`].
pub fn is_personal_key(key: &str) -> bool {
    matches!(
        normalized_key(key).as_str(),
        "firstname"
            | "lastname"
            | "middlename"
            | "fullname"
            | "customername"
            | "phone"
            | "phonenumber"
            | "mobile"
            | "mobilenumber"
            | "email"
            | "emailaddress"
            | "dateofbirth"
            | "dob"
            | "ssn"
            | "code"
            | "otp"
            | "otpcode"
            | "verificationcode"
            | "mfacode"
    )
}

/// A `code` field is a one-time code (personal) unless its value is an
/// error code such as Aeropay's `AP106` or `WIDGET_WRONG_ORIGIN`, which
/// support needs: error codes have letters, one-time codes are digits.
fn is_personal_code(value: &str) -> bool {
    !value.chars().any(|c| c.is_ascii_alphabetic())
}

/// Whether the value of field `key` must not be logged.
fn hides_value(key: &str, value: &Value) -> bool {
    if value.is_null() {
        return false;
    }
    if is_sensitive_key(key) {
        return true;
    }
    if !is_personal_key(key) {
        return false;
    }
    match (normalized_key(key).as_str(), value) {
        ("code", Value::String(text)) => is_personal_code(text),
        _ => true,
    }
}

/// A copy of `value` with the value of every sensitive or personal field
/// replaced by [`REDACTED`], and JWT-like or `Bearer …` text, e-mail
/// addresses and `+1…` phone numbers inside strings removed or masked.
pub fn redact_json(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, inner)| {
                    let redacted = if hides_value(key, inner) {
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
/// other text has `Bearer …`, JWT-shaped words, `secret=…`/`"token": "…"`
/// pairs and `email=…`/`"firstName": "…"` pairs removed, and e-mail
/// addresses and `+1…` phone numbers masked.
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
    let masked = mask_emails(text);
    let text = masked.as_str();
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
        // `+1…`: a phone number in E.164 form (10 to 15 digits), masked.
        if bytes[i] == b'+' && (i == 0 || !bytes[i - 1].is_ascii_alphanumeric()) {
            let digits = bytes[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let after = i + 1 + digits;
            if (10..=15).contains(&digits)
                && (after == bytes.len() || !bytes[after].is_ascii_alphanumeric())
            {
                // Masked as everywhere in the app: the last two digits.
                out.push_str("•••-•••-••");
                out.push_str(&text[after - 2..after]);
                i = after;
                continue;
            }
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
            // Personal fields only as data (`"email": "…"`, `email=…`), not
            // in prose such as "Invalid email: must be valid".
            if !key.is_empty() && is_personal_key(key) {
                let quoted = i > 0 && matches!(bytes[i - 1], b'"' | b'\'');
                if let Some(end) = sensitive_value_span(bytes, k) {
                    let value = &text[end.value_start..end.value_end];
                    let as_data = quoted || end.separator == b'=';
                    let is_code = normalized_key(key) == "code";
                    if as_data && (!is_code || is_personal_code(value)) {
                        out.push_str(&text[i..end.value_start]);
                        if end.value_end > end.value_start {
                            out.push_str(REDACTED);
                        }
                        i = end.value_end;
                        continue;
                    }
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

/// Whether `b` may be part of an e-mail's local part (RFC 5322 atext, dots).
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+/=?^_`{|}~.-".contains(&b)
}

fn is_domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.')
}

/// Masks every e-mail address in `text`: `jane.doe@example.com` becomes
/// `j•••@e•••.com` (first character of the name and of the domain, and the
/// top-level domain). Anything with an `@` that is not `name@host.tld` is
/// left as it is; masking twice changes nothing.
pub fn mask_emails(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while let Some(offset) = text[at..].find('@') {
        let pos = at + offset;
        at = pos + 1;
        let mut start = pos;
        while start > copied && is_local_byte(bytes[start - 1]) {
            start -= 1;
        }
        // A quote or dot before the name is punctuation, not part of it.
        while start < pos && matches!(bytes[start], b'\'' | b'.') {
            start += 1;
        }
        let mut end = pos + 1;
        while end < bytes.len() && is_domain_byte(bytes[end]) {
            end += 1;
        }
        // A sentence's full stop or a hyphen after the address is not part of it.
        while end > pos + 1 && matches!(bytes[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[pos + 1..end];
        let Some((host, tld)) = domain.rsplit_once('.') else {
            continue;
        };
        if start == pos
            || host.is_empty()
            || tld.len() < 2
            || !tld.bytes().all(|b| b.is_ascii_alphabetic())
        {
            continue;
        }
        out.push_str(&text[copied..start]);
        out.push_str(&text[start..start + 1]);
        out.push_str("•••@");
        out.push_str(&host[..1]);
        out.push_str("•••.");
        out.push_str(tld);
        copied = end;
        at = end;
    }
    out.push_str(&text[copied..]);
    out
}

struct ValueSpan {
    separator: u8,
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
    let separator = bytes[j];
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
            separator,
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
        separator,
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
    fn personal_keys_in_both_spellings() {
        for key in [
            "firstName",
            "first_name",
            "lastName",
            "last_name",
            "fullName",
            "full_name",
            "phoneNumber",
            "phone_number",
            "phone",
            "email",
            "emailAddress",
            "email_address",
            "code",
            "otp",
            "verificationCode",
            "verification_code",
        ] {
            assert!(is_personal_key(key), "{key}");
        }
        for key in [
            "userId", "user_id", "bankName", "message", "username", "status",
        ] {
            assert!(!is_personal_key(key), "{key}");
        }
    }

    #[test]
    fn json_personal_data_is_replaced_and_error_codes_kept() {
        let body = json!({
            "firstName": "Grace", "last_name": "Hopper", "fullName": "Grace Hopper",
            "phoneNumber": "+14155550123", "email": "grace@navy.example.com",
            "user": {"phone_number": "4155550123", "emailAddress": "g@h.example"},
            "userId": "u-1", "code": "123456",
            "error": {"code": "AP106", "message": "sent to +14155550123 and grace@navy.example.com"},
            "confirm": {"code": 654321},
        });
        let redacted = redact_json(&body);
        let text = redacted.to_string();
        for (n, personal) in [
            "Grace",
            "Hopper",
            "4155550123",
            "grace@",
            "navy",
            "g@h",
            "123456",
            "654321",
        ]
        .iter()
        .enumerate()
        {
            assert!(!text.contains(personal), "personal item #{n} left");
        }
        assert_eq!(redacted["firstName"], REDACTED);
        assert_eq!(redacted["user"]["phone_number"], REDACTED);
        assert_eq!(redacted["code"], REDACTED);
        assert_eq!(redacted["userId"], "u-1");
        assert_eq!(redacted["error"]["code"], "AP106");
        assert_eq!(
            redacted["error"]["message"],
            "sent to •••-•••-••23 and g•••@n•••.com"
        );
    }

    #[test]
    fn text_personal_pairs_are_removed_but_prose_is_kept() {
        let out = redact_text("first_name=Grace&email=grace%40navy.example&code=123456&x=1");
        assert_eq!(
            out,
            "first_name=<redacted>&email=<redacted>&code=<redacted>&x=1"
        );
        let out = redact_text(r#"{"phoneNumber": "+1415555", "code": "AP106""#);
        assert_eq!(out, r#"{"phoneNumber": "<redacted>", "code": "AP106""#);
        for prose in [
            "Invalid email: must be a valid address",
            "error code: AP106",
            "Missing required Parameter: 'phoneNumber'",
        ] {
            assert_eq!(redact_text(prose), prose);
        }
    }

    #[test]
    fn text_phone_numbers_and_emails_anywhere() {
        assert_eq!(
            redact_text("user +14155550123 exists."),
            "user •••-•••-••23 exists."
        );
        assert_eq!(
            redact_text("Contact jane.doe+kiosk@mail.example.co.uk."),
            "Contact j•••@m•••.uk."
        );
        // Not phone numbers: too short, or part of a word.
        for kept in ["+123456789 short", "id+14155550123", "1+1 = 2"] {
            assert_eq!(redact_text(kept), kept);
        }
    }

    #[test]
    fn emails_are_masked_once_and_non_addresses_kept() {
        assert_eq!(mask_emails("ada@example.com"), "a•••@e•••.com");
        assert_eq!(
            mask_emails("to 'ada@example.com', bob@b.org"),
            "to 'a•••@e•••.com', b•••@b•••.org"
        );
        assert_eq!(
            mask_emails(&mask_emails("ada@example.com")),
            "a•••@e•••.com"
        );
        for kept in [
            "@handle",
            "a@b",
            "user@localhost",
            "x@y.1",
            "ünï@café",
            "@",
            "",
        ] {
            assert_eq!(mask_emails(kept), kept);
        }
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
