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

/// Every tolerated encoding of every field parses to the same value; junk
/// in a field is an `UNEXPECTED_RESPONSE` naming that field.
mod encodings {
    use super::super::tolerant::snake_case;
    use super::*;
    use serde_json::json;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Kind {
        Bool,
        Int,
        Id,
        Text,
        Date,
    }

    /// The fields of a bank account (linked or listed) and their kinds.
    const ACCOUNT: &[(&str, Kind)] = &[
        ("bankAccountId", Kind::Int),
        ("userId", Kind::Id),
        ("bankName", Kind::Text),
        ("accountLast4", Kind::Text),
        ("name", Kind::Text),
        ("isSelected", Kind::Bool),
        ("accountType", Kind::Text),
        ("status", Kind::Text),
        ("createdDate", Kind::Date),
        ("connectionId", Kind::Id),
        ("canFetchBalance", Kind::Bool),
        ("balance", Kind::Int),
    ];

    /// The canonical value of a field (v2 types), from generated parts.
    fn canonical(kind: Kind, n: i64, flag: bool, word: &str) -> Value {
        match kind {
            Kind::Bool => json!(flag),
            Kind::Int => json!(n),
            Kind::Id => json!(format!("id-{word}")),
            Kind::Text => json!(word),
            Kind::Date => json!(super::super::tolerant::Timestamp::from_unix(n)
                .unwrap()
                .rfc3339()),
        }
    }

    /// One tolerated encoding of `value`, picked by `pick`.
    fn encode(kind: Kind, value: &Value, pick: u8) -> Value {
        match kind {
            Kind::Bool => {
                let b = value.as_bool().unwrap();
                match pick % 5 {
                    0 => json!(b),
                    1 => json!(if b { "1" } else { "0" }),
                    2 => json!(if b { "true" } else { "false" }),
                    3 => json!(if b { "TRUE" } else { "False" }),
                    _ => json!(if b { 1 } else { 0 }),
                }
            }
            Kind::Int => match pick % 3 {
                0 => value.clone(),
                1 => json!(value.to_string()),
                _ => json!(format!(" {value} ")),
            },
            Kind::Id | Kind::Text => match pick % 2 {
                0 => value.clone(),
                _ => json!(format!(" {} ", value.as_str().unwrap())),
            },
            Kind::Date => {
                let at = super::super::tolerant::Timestamp::parse(value.as_str().unwrap()).unwrap();
                match pick % 4 {
                    0 => value.clone(),
                    1 => json!(at.unix()),
                    2 => json!(at.unix().to_string()),
                    _ => json!(value.as_str().unwrap().replace('Z', "+00:00")),
                }
            }
        }
    }

    fn junk(kind: Kind, pick: u8) -> Value {
        let options: Vec<Value> = match kind {
            Kind::Bool => vec![json!("yes"), json!(2), json!([]), json!({}), json!(0.5)],
            Kind::Int => vec![
                json!("12a"),
                json!(1.5),
                json!(true),
                json!({}),
                json!("1e3"),
            ],
            Kind::Id => vec![json!(1.5), json!(true), json!({}), json!([1])],
            Kind::Text => vec![json!(true), json!({}), json!([])],
            Kind::Date => vec![json!("not a date"), json!(true), json!({}), json!(1.5)],
        };
        options[pick as usize % options.len()].clone()
    }

    /// A key in camelCase or snake_case.
    fn spell(key: &str, snake: bool) -> String {
        if snake {
            snake_case(key)
        } else {
            key.to_owned()
        }
    }

    fn account(n: i64, flag: bool, word: &str, picks: &[u8], encoded: bool) -> Map<String, Value> {
        ACCOUNT
            .iter()
            .enumerate()
            .map(|(i, (key, kind))| {
                let value = canonical(*kind, n + i as i64, flag ^ (i % 2 == 0), word);
                let pick = picks[i % picks.len()];
                if encoded {
                    (
                        spell(key, pick.is_multiple_of(7)),
                        encode(*kind, &value, pick),
                    )
                } else {
                    ((*key).to_owned(), value)
                }
            })
            .collect()
    }

    fn parse<T: serde::de::DeserializeOwned>(
        body: &Value,
    ) -> Result<T, super::super::AeropayError> {
        parse_response::<T>(200, Some("application/json"), body.to_string().as_bytes())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn every_encoding_of_an_account_reads_the_same(
            n in 1i64..4_000_000_000,
            flag in any::<bool>(),
            word in "[A-Za-z0-9]{1,12}",
            picks in prop::collection::vec(any::<u8>(), 12),
            v1_flag in any::<bool>(),
        ) {
            let plain = Value::Object(account(n, flag, &word, &picks, false));
            let mixed = Value::Object(account(n, flag, &word, &picks, true));
            let mut link = json!({"userBankInfo": mixed.clone()});
            if v1_flag { link["success"] = json!(true); }
            prop_assert_eq!(
                parse::<LinkEnvelope>(&json!({"userBankInfo": plain.clone()})).unwrap(),
                parse::<LinkEnvelope>(&link).unwrap()
            );
            prop_assert_eq!(
                parse::<BankAccountsEnvelope>(&json!({"bankAccounts": [plain.clone()]})).unwrap(),
                parse::<BankAccountsEnvelope>(&json!({"bank_accounts": [mixed.clone()], "success": "1"})).unwrap()
            );
            prop_assert_eq!(
                parse::<SelectedBankAccountEnvelope>(&json!({"bankAccount": plain})).unwrap(),
                parse::<SelectedBankAccountEnvelope>(&json!({"bankAccount": mixed})).unwrap()
            );
        }

        #[test]
        fn junk_in_any_account_field_names_the_field(
            n in 1i64..4_000_000_000,
            word in "[A-Za-z0-9]{1,12}",
            field in 0usize..12,
            pick in any::<u8>(),
        ) {
            let mut object = account(n, true, &word, &[0], false);
            let (key, kind) = ACCOUNT[field];
            let bad = junk(kind, pick);
            object.insert(key.to_owned(), bad.clone());
            // A listed account has the connection id; a linked one the rest.
            let (error, envelope) = if key == "connectionId" {
                (parse::<SelectedBankAccountEnvelope>(&json!({"bankAccount": object})).unwrap_err(), "bank_account")
            } else {
                (parse::<LinkEnvelope>(&json!({"userBankInfo": object})).unwrap_err(), "user_bank_info")
            };
            prop_assert_eq!(error.code(), "UNEXPECTED_RESPONSE");
            let expected = format!("{envelope}.{}", snake_case(key));
            prop_assert_eq!(error.field(), Some(expected.as_str()));
            // The message never repeats the value.
            if let Some(text) = bad.as_str() {
                prop_assert!(!error.detail().unwrap_or("").contains(text));
            }
        }

        #[test]
        fn every_encoding_of_a_user_reads_the_same(
            numeric in 1u32..10_000_000,
            uuid in "[0-9a-f]{8}-[0-9a-f]{4}",
            created in 0i64..4_000_000_000,
            pick in any::<u8>(),
            mfa in prop::sample::select(vec!["sms", "SMS", "email", "Email"]),
        ) {
            let plain = json!({"user": {"userId": numeric.to_string(), "aeroPassUserUuid": uuid,
                "createdDate": canonical(Kind::Date, created, false, "")}, "mfaType": mfa.to_lowercase(), "existingUser": true});
            let id = if pick.is_multiple_of(2) { json!(numeric) } else { json!(numeric.to_string()) };
            let mut user = json!({spell("userId", pick.is_multiple_of(3)): id, spell("aeroPassUserUuid", pick.is_multiple_of(5)): uuid,
                "createdDate": encode(Kind::Date, &canonical(Kind::Date, created, false, ""), pick)});
            if pick.is_multiple_of(4) { user["id"] = json!(uuid); }
            let mixed = json!({"user": user, "mfa_type": mfa, "existingUser": encode(Kind::Bool, &json!(true), pick), "success": true});
            prop_assert_eq!(parse::<CreatedUser>(&plain).unwrap(), parse::<CreatedUser>(&mixed).unwrap());
            prop_assert_eq!(
                parse::<UserEnvelope>(&json!({"user": plain["user"].clone()})).unwrap(),
                parse::<UserEnvelope>(&json!({"user": mixed["user"].clone()})).unwrap()
            );
        }

        #[test]
        fn every_encoding_of_tokens_and_credentials_reads_the_same(
            ttl in 1u64..100_000,
            pick in any::<u8>(),
            word in "[A-Za-z0-9]{1,12}",
        ) {
            let token = parse::<TokenResponse>(&json!({spell("TTL", pick.is_multiple_of(2)): encode(Kind::Int, &json!(ttl), pick), "token": word}))
                .unwrap();
            prop_assert_eq!(token.ttl, Some(ttl));
            let plain = json!({"fastlinkURL": format!("https://{word}.example/"), "token": word, "username": word});
            let mixed = json!({spell("fastlinkURL", pick.is_multiple_of(2)): format!(" https://{word}.example/ "), "token": word, "username": word, "success": "true"});
            prop_assert_eq!(parse::<AggregatorCredentials>(&plain).unwrap(), parse::<AggregatorCredentials>(&mixed).unwrap());
            let error = parse::<TokenResponse>(&json!({"TTL": junk(Kind::Int, pick), "token": word})).unwrap_err();
            prop_assert_eq!(error.field(), Some("ttl"));
        }
    }
}
