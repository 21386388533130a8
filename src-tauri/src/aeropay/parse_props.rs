//! Property tests: no byte sequence and no JSON document makes the response
//! parsers or the redaction panic.

use super::redact::{redact_json, redact_text};
use super::response::{detect_error, parse_response};
use super::types::{
    AggregatorCredentials, BankAccountsEnvelope, CreatedUser, LinkEnvelope,
    SelectedBankAccountEnvelope, UserEnvelope,
};
use super::wire::TokenResponse;
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Keys the parsers look at, so generated documents reach deep paths.
const KEYS: &[&str] = &[
    "error",
    "code",
    "message",
    "help",
    "success",
    "user",
    "id",
    "userId",
    "mfaType",
    "token",
    "TTL",
    "fastlinkURL",
    "username",
    "userBankInfo",
    "bankAccounts",
    "bankAccount",
    "bankAccountId",
    "accountHolderInfo",
    "name",
    "fullName",
    "balance",
    "connectionId",
    "apiSecret",
    "user_password",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,20}".prop_map(Value::String),
        prop::sample::select(vec!["AP007", "AP300", "", "eyJa.b.c", "Bearer x", "<html>"])
            .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS.to_vec()).prop_map(str::to_owned),
                        ".{0,8}"
                    ],
                    inner
                ),
                0..8
            )
            .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn parse_all(status: u16, content_type: Option<&str>, body: &[u8]) {
    // Results are irrelevant; only the absence of panics is checked. Errors
    // must still render.
    fn check<T: serde::de::DeserializeOwned>(status: u16, content_type: Option<&str>, body: &[u8]) {
        if let Err(error) = parse_response::<T>(status, content_type, body) {
            let _ = (
                error.to_string(),
                error.code(),
                error.retryable(),
                format!("{error:?}"),
            );
        }
    }
    check::<TokenResponse>(status, content_type, body);
    check::<CreatedUser>(status, content_type, body);
    check::<UserEnvelope>(status, content_type, body);
    check::<AggregatorCredentials>(status, content_type, body);
    check::<LinkEnvelope>(status, content_type, body);
    check::<BankAccountsEnvelope>(status, content_type, body);
    check::<SelectedBankAccountEnvelope>(status, content_type, body);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(
        status in 0u16..1000,
        html in any::<bool>(),
        body in prop::collection::vec(any::<u8>(), 0..512),
    ) {
        let content_type = if html { Some("text/html") } else { Some("application/json") };
        parse_all(status, content_type, &body);
        let _ = redact_text(&String::from_utf8_lossy(&body));
    }

    #[test]
    fn arbitrary_text_never_panics(status in 0u16..1000, body in ".{0,300}") {
        parse_all(status, None, body.as_bytes());
        let _ = redact_text(&body);
    }

    #[test]
    fn arbitrary_json_never_panics(status in prop::sample::select(vec![200u16, 400, 401, 404, 500, 502]), value in json_value()) {
        let body = value.to_string();
        parse_all(status, Some("application/json"), body.as_bytes());
        let _ = detect_error(&value);
        let redacted = redact_json(&value);
        // Redaction keeps the shape: same kind of value at the top.
        prop_assert_eq!(redacted.is_object(), value.is_object());
        prop_assert_eq!(redacted.is_array(), value.is_array());
    }

    #[test]
    fn error_bodies_are_never_successes(code in "[A-Z]{2}[0-9]{3}", message in ".{0,40}") {
        let body = serde_json::json!({"error": {"code": code, "message": message}, "user": {"id": "u"}, "mfaType": null});
        let error = parse_response::<CreatedUser>(200, None, body.to_string().as_bytes()).unwrap_err();
        prop_assert_eq!(error.code(), code.as_str());
    }
}
