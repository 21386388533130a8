//! How every Aeropay answer is read, both API versions: one policy, applied
//! in one place, because Aeropay's own pages print the same field in several
//! encodings (the v1 link example has every value a string, `"isSelected":
//! "1"` and an epoch-string `createdDate`; the v2 OpenAPI types them as
//! integer, boolean and ISO date) and a real answer may mix both.
//!
//! The policy:
//! - **keys**: camelCase, snake_case and acronym spellings of one field are
//!   the same field (`userBankInfo`/`user_bank_info`, `fastlinkURL`/
//!   `fastlink_url`). When an answer carries two spellings of one field the
//!   one with a value wins, then the camelCase one (the spelling of both
//!   Aeropay's v1 page and the v2 OpenAPI) — never a "duplicate field" error.
//! - **booleans**: `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`.
//! - **integers**: numbers or strings of digits.
//! - **ids**: strings, or integer numbers (kept as their digits).
//! - **dates**: ISO 8601 / RFC 3339 strings, or epoch seconds as a number or
//!   a string of digits.
//! - **absent**: `null`, a missing key, or an empty string, for optional fields.
//! - unknown fields are ignored; the v1 `success` flag beside the payload is
//!   read by [`super::response::detect_error`] (with the boolean rules above).
//!
//! Anything outside the policy is an error naming the field's path (the
//! operation is added by the transport); messages never quote the value,
//! which may be personal data.

use serde::de::{Deserialize, Deserializer, Error as _};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::fmt;
use time::format_description::well_known::{Iso8601, Rfc3339};
use time::{Date, OffsetDateTime, PrimitiveDateTime};

/// Rewrites every object key of an answer to its snake_case form, so the
/// typed answers have one name per field whatever spelling Aeropay used.
pub fn normalize_keys(value: Value) -> Value {
    match value {
        Value::Object(object) => {
            let mut out: Map<String, Value> = Map::new();
            // Which spelling each kept value came under, to settle collisions.
            let mut spelled: HashMap<String, String> = HashMap::new();
            for (key, inner) in object {
                let name = snake_case(&key);
                let inner = normalize_keys(inner);
                let replace = match (out.get(&name), spelled.get(&name)) {
                    (Some(current), Some(current_key)) => {
                        prefer(&key, &inner, current_key, current)
                    }
                    _ => true,
                };
                if replace {
                    spelled.insert(name.clone(), key);
                    out.insert(name, inner);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.into_iter().map(normalize_keys).collect()),
        other => other,
    }
}

/// Whether `(key, value)` should replace `(current_key, current)` when both
/// spell the same field: a value beats an absent one, then camelCase wins.
fn prefer(key: &str, value: &Value, current_key: &str, current: &Value) -> bool {
    match (is_absent(value), is_absent(current)) {
        (false, true) => true,
        (true, false) => false,
        _ => {
            let camel = |k: &str| k.chars().any(|c| c.is_ascii_uppercase());
            camel(key) && !camel(current_key)
        }
    }
}

fn is_absent(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(text) => text.trim().is_empty(),
        _ => false,
    }
}

/// `bankAccountId` → `bank_account_id`, `fastlinkURL` → `fastlink_url`,
/// `TTL` → `ttl`, `accountLast4` → `account_last4`, `user_id` unchanged.
pub fn snake_case(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let boundary = match i.checked_sub(1).map(|p| chars[p]) {
                None | Some('_') => false,
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                // The last capital of an acronym starts the next word: FILogin → fi_login.
                Some(p) if p.is_ascii_uppercase() => {
                    chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())
                }
                Some(_) => false,
            };
            if boundary {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A point in time as Aeropay sent it (ISO 8601 or epoch seconds), shown as
/// RFC 3339 in UTC.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn from_unix(seconds: i64) -> Option<Self> {
        OffsetDateTime::from_unix_timestamp(seconds).ok().map(Self)
    }

    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    /// RFC 3339 in UTC, e.g. `2023-06-10T23:19:29Z`.
    pub fn rfc3339(&self) -> String {
        self.0
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.unix().to_string())
    }

    /// Reads the text forms of the policy: digits are epoch seconds,
    /// anything else ISO 8601 (an offset, or none meaning UTC, or a date).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
            return text.parse().ok().and_then(Self::from_unix);
        }
        if let Ok(at) = OffsetDateTime::parse(text, &Rfc3339) {
            return Some(Self(at));
        }
        if let Ok(at) = OffsetDateTime::parse(text, &Iso8601::DEFAULT) {
            return Some(Self(at));
        }
        if let Ok(at) = PrimitiveDateTime::parse(text, &Iso8601::DEFAULT) {
            return Some(Self(at.assume_utc()));
        }
        Date::parse(text, &Iso8601::DEFAULT)
            .ok()
            .map(|date| Self(date.midnight().assume_utc()))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.rfc3339())
    }
}

// ---- field readers (`#[serde(default, deserialize_with = "…")]`) ----------

const BOOLEAN: &str = "expected a boolean (true/false, 1/0, \"1\"/\"0\" or \"true\"/\"false\")";
const INTEGER: &str = "expected an integer (a number or a string of digits)";
const ID: &str = "expected an id (a string or an integer)";
const TEXT: &str = "expected text";
const DATE: &str = "expected a date (ISO 8601, or epoch seconds as a number or a string)";

/// `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`; `null` or `""` is absent.
pub fn bool_from(value: &Value) -> Result<Option<bool>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Ok(Some(true)),
            Some(0) => Ok(Some(false)),
            _ => Err(BOOLEAN),
        },
        Value::String(text) => {
            let text = text.trim();
            if text.is_empty() {
                Ok(None)
            } else if text == "1" || text.eq_ignore_ascii_case("true") {
                Ok(Some(true))
            } else if text == "0" || text.eq_ignore_ascii_case("false") {
                Ok(Some(false))
            } else {
                Err(BOOLEAN)
            }
        }
        _ => Err(BOOLEAN),
    }
}

fn integer_from(value: &Value) -> Result<Option<i64>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n.as_i64().map(Some).ok_or(INTEGER),
        Value::String(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            let digits = text.strip_prefix('-').unwrap_or(text);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return Err(INTEGER);
            }
            text.parse().map(Some).map_err(|_| INTEGER)
        }
        _ => Err(INTEGER),
    }
}

fn id_from(value: &Value) -> Result<Option<String>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Some(n.to_string())),
        _ => Err(ID),
    }
}

fn text_from(value: &Value) -> Result<Option<String>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::String(text) => Ok(Some(text.trim().to_owned()).filter(|t| !t.is_empty())),
        // e.g. `accountLast4: 5016`.
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(TEXT),
    }
}

fn date_from(value: &Value) -> Result<Option<Timestamp>, &'static str> {
    match value {
        Value::Null => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .and_then(Timestamp::from_unix)
            .map(Some)
            .ok_or(DATE),
        Value::String(text) if text.trim().is_empty() => Ok(None),
        Value::String(text) => Timestamp::parse(text).map(Some).ok_or(DATE),
        _ => Err(DATE),
    }
}

fn read<'de, D, T>(
    deserializer: D,
    reader: fn(&Value) -> Result<Option<T>, &'static str>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    let value = Value::deserialize(deserializer)?;
    reader(&value).map_err(D::Error::custom)
}

fn required<'de, D: Deserializer<'de>, T>(
    value: Option<T>,
    what: &'static str,
) -> Result<T, D::Error> {
    value.ok_or_else(|| D::Error::custom(format!("{what}, found nothing")))
}

pub fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    read(d, bool_from)
}

pub fn opt_int<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    read(d, integer_from)
}

pub fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let value = read(d, integer_from)?;
    required::<D, _>(value, INTEGER)
}

/// A non-negative integer (a lifetime in seconds, say).
pub fn opt_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    match read(d, integer_from)? {
        None => Ok(None),
        Some(n) => u64::try_from(n)
            .map(Some)
            .map_err(|_| D::Error::custom("expected a positive integer")),
    }
}

pub fn opt_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    read(d, id_from)
}

pub fn opt_text<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    read(d, text_from)
}

pub fn opt_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
    read(d, date_from)
}

/// serde's own messages may quote the offending value (`invalid type:
/// string "Ada"`); the value may be personal data, so quotes and backticks
/// are dropped with what they hold — except a field's name (`missing
/// field \`token\``), which is ours, not the customer's.
pub fn describe(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    // Inside a quote: its closing character, and whether its text is kept.
    let mut inside: Option<(char, bool)> = None;
    for c in message.chars() {
        match inside {
            Some((end, keep)) if c == end => {
                inside = None;
                if keep {
                    out.push(c);
                }
            }
            Some((_, keep)) => {
                if keep {
                    out.push(c);
                }
            }
            None if c == '"' || c == '`' => {
                let keep = c == '`' && out.ends_with("field ");
                inside = Some((c, keep));
                if keep {
                    out.push(c);
                } else if out.ends_with(' ') {
                    out.pop();
                }
            }
            None => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_in_every_spelling_become_one() {
        for (key, snake) in [
            ("bankAccountId", "bank_account_id"),
            ("fastlinkURL", "fastlink_url"),
            ("fastlinkUrl", "fastlink_url"),
            ("TTL", "ttl"),
            ("accountLast4", "account_last4"),
            ("aeroPassUserUuid", "aero_pass_user_uuid"),
            ("aeropassUUID", "aeropass_uuid"),
            ("FILoginAcctId", "fi_login_acct_id"),
            ("user_id", "user_id"),
            ("userId", "user_id"),
            ("id", "id"),
        ] {
            assert_eq!(snake_case(key), snake, "{key}");
        }
    }

    #[test]
    fn two_spellings_of_one_field_never_collide() {
        let camel_last = normalize_keys(json!({"user_id": "a", "userId": "b"}));
        let camel_first = normalize_keys(json!({"userId": "b", "user_id": "a"}));
        assert_eq!(camel_last, json!({"user_id": "b"}));
        assert_eq!(camel_first, json!({"user_id": "b"}));
        // A value beats an empty spelling, whatever the order.
        assert_eq!(
            normalize_keys(json!({"userId": "", "user_id": "a"})),
            json!({"user_id": "a"})
        );
        assert_eq!(
            normalize_keys(json!({"outer": [{"isSelected": "1"}]})),
            json!({"outer": [{"is_selected": "1"}]})
        );
    }

    #[test]
    fn dates_in_every_encoding() {
        let at = Timestamp::from_unix(1_686_439_169).unwrap();
        assert_eq!(at.rfc3339(), "2023-06-10T23:19:29Z");
        for text in [
            "1686439169",
            "2023-06-10T23:19:29Z",
            "2023-06-10T23:19:29+00:00",
            "2023-06-10T19:19:29-04:00",
            "2023-06-10T23:19:29",
            " 1686439169 ",
        ] {
            assert_eq!(Timestamp::parse(text), Some(at), "{text}");
        }
        assert_eq!(
            Timestamp::parse("2023-06-10").map(|t| t.rfc3339()),
            Some("2023-06-10T00:00:00Z".into())
        );
        assert_eq!(Timestamp::parse("yesterday"), None);
        assert_eq!(date_from(&json!(1686439169)), Ok(Some(at)));
        assert_eq!(date_from(&json!("")), Ok(None));
        assert!(date_from(&json!(true)).is_err());
    }

    #[test]
    fn booleans_integers_ids_and_text() {
        for (value, expected) in [
            (json!(true), Some(true)),
            (json!("1"), Some(true)),
            (json!("TRUE"), Some(true)),
            (json!(1), Some(true)),
            (json!(false), Some(false)),
            (json!("0"), Some(false)),
            (json!("false"), Some(false)),
            (json!(0), Some(false)),
            (json!(""), None),
            (json!(null), None),
        ] {
            assert_eq!(bool_from(&value), Ok(expected), "{value}");
        }
        for junk in [json!("yes"), json!(2), json!([]), json!({}), json!(0.5)] {
            assert!(bool_from(&junk).is_err(), "{junk}");
        }
        assert_eq!(integer_from(&json!("15991")), Ok(Some(15991)));
        assert_eq!(integer_from(&json!(15991)), Ok(Some(15991)));
        assert_eq!(integer_from(&json!("-3")), Ok(Some(-3)));
        for junk in [
            json!("15a"),
            json!("-"),
            json!(1.5),
            json!(true),
            json!("99999999999999999999"),
        ] {
            assert!(integer_from(&junk).is_err(), "{junk}");
        }
        assert_eq!(id_from(&json!(11622)), Ok(Some("11622".into())));
        assert_eq!(id_from(&json!(" 11622 ")), Ok(Some("11622".into())));
        assert_eq!(id_from(&json!("")), Ok(None));
        assert!(id_from(&json!(1.5)).is_err());
        assert!(id_from(&json!({"id": 1})).is_err());
        assert_eq!(text_from(&json!(5016)), Ok(Some("5016".into())));
        assert!(text_from(&json!(false)).is_err());
    }

    #[test]
    fn messages_never_quote_the_value() {
        assert_eq!(
            describe("invalid type: string \"Ada Lovelace\", expected a boolean"),
            "invalid type: string, expected a boolean"
        );
        assert_eq!(
            describe("invalid value: integer `13125550198`, expected u8"),
            "invalid value: integer, expected u8"
        );
        assert_eq!(
            describe("missing field `bank_account_id`"),
            "missing field `bank_account_id`"
        );
    }
}
