use super::{AerosyncError, WidgetOrigin};
use aeropay_client::secret::SecretString;
use serde_json::{Map, Value};

/// Widget messages are a few hundred bytes; anything near this is hostile.
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024;
/// Aeropay allows at most 5 linked accounts per user (AP414).
const MAX_ACCOUNTS: usize = 10;
const MAX_ID_CHARS: usize = 512;

/// What the widget said, once its origin, size and shape were checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WidgetEvent {
    /// `widgetPageLoaded`: the widget moved to another page.
    PageLoaded { page_title: String },
    /// `widgetPageLoaded` with `pageTitle: "launchExternalWindow"` (sent when
    /// the widget was opened with `handleOAuthManually`): the host must open
    /// the bank's OAuth page itself.
    LaunchExternalWindow { url: url::Url },
    /// `pageSuccess`: the customer linked one or more accounts.
    Success(SuccessPayload),
    /// `widgetClose`: the customer closed the widget (or an old SDK closed it
    /// after success).
    Close,
    /// `widgetError`, with the widget's own description.
    Error { description: String },
    /// A type this app does not know; kept so it can be logged.
    Unknown { message_type: String },
}

/// What to send to `linkAccountFromAggregator`, per account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkCredentials {
    /// SDK 1.x: `{user_id, user_password}` for the v1 link call.
    V1 {
        user_id: String,
        user_password: SecretString,
    },
    /// SDK 2.x: `connectionId` for the v2 link call.
    V2 { connection_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessPayload {
    /// One entry per account to link (several with multi-account linking).
    pub links: Vec<LinkCredentials>,
    /// The bank's name as the widget reports it (`clientName`/`ClientName`).
    pub client_name: Option<String>,
}

/// Checks and parses one message relayed by the page.
///
/// `reported_origin` is `MessageEvent.origin` as the page saw it; `raw` is
/// `MessageEvent.data`. `customer` is the Aeropay user id the widget was
/// opened for: a success naming another user is refused.
pub fn parse_message(
    expected: &WidgetOrigin,
    reported_origin: &str,
    raw: &str,
    customer: &str,
) -> Result<WidgetEvent, AerosyncError> {
    if !expected.matches(reported_origin) {
        return Err(AerosyncError::WrongOrigin {
            origin: truncate(reported_origin, 100),
        });
    }
    if raw.len() > MAX_MESSAGE_BYTES {
        return Err(AerosyncError::TooLarge {
            size: raw.len(),
            limit: MAX_MESSAGE_BYTES,
        });
    }
    let envelope: Value = serde_json::from_str(raw).map_err(|_| AerosyncError::NotJson)?;
    let Value::Object(envelope) = envelope else {
        return Err(AerosyncError::NoType);
    };
    let Some(Value::String(message_type)) = envelope.get("type") else {
        return Err(AerosyncError::NoType);
    };
    let payload = payload_object(envelope.get("payload"));

    Ok(match message_type.as_str() {
        "widgetPageLoaded" => page_loaded(&payload)?,
        "pageSuccess" => WidgetEvent::Success(success(&payload, customer)?),
        "widgetClose" => WidgetEvent::Close,
        "widgetError" => WidgetEvent::Error {
            description: error_description(envelope.get("payload")),
        },
        other => WidgetEvent::Unknown {
            message_type: truncate(other, 64),
        },
    })
}

/// The payload as an object; some SDK builds send it as a JSON string.
fn payload_object(payload: Option<&Value>) -> Map<String, Value> {
    match payload {
        Some(Value::Object(map)) => map.clone(),
        Some(Value::String(text)) => match serde_json::from_str(text) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        },
        _ => Map::new(),
    }
}

fn page_loaded(payload: &Map<String, Value>) -> Result<WidgetEvent, AerosyncError> {
    let page_title = string_field(payload, &["pageTitle"]).unwrap_or_default();
    if page_title == "launchExternalWindow" {
        let bad = || AerosyncError::BadSuccessPayload {
            reason: "the bank sign-in address is missing or not a web address".into(),
        };
        let target = string_field(payload, &["onLoadApi"]).ok_or_else(bad)?;
        let url = url::Url::parse(&target).map_err(|_| bad())?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(bad());
        }
        return Ok(WidgetEvent::LaunchExternalWindow { url });
    }
    Ok(WidgetEvent::PageLoaded {
        page_title: truncate(&page_title, 100),
    })
}

fn success(payload: &Map<String, Value>, customer: &str) -> Result<SuccessPayload, AerosyncError> {
    let bad = |reason: &str| AerosyncError::BadSuccessPayload {
        reason: reason.to_owned(),
    };
    if let Some(uuid) = payload.get("aeroPassUserUuid") {
        if uuid.as_str() != Some(customer) {
            return Err(AerosyncError::WrongCustomer);
        }
    }
    let client_name =
        string_field(payload, &["clientName", "ClientName"]).map(|name| truncate(&name, 100));

    let links = if let Some(accounts) = payload.get("accounts") {
        let accounts = accounts
            .as_array()
            .filter(|list| !list.is_empty())
            .ok_or_else(|| bad("the account list is empty"))?;
        if accounts.len() > MAX_ACCOUNTS {
            return Err(bad("too many accounts"));
        }
        accounts
            .iter()
            .map(|account| {
                let account = account
                    .as_object()
                    .ok_or_else(|| bad("an account is not an object"))?;
                let connection_id = identifier(account, &["connectionId"])
                    .ok_or_else(|| bad("an account has no connection id"))?;
                Ok(LinkCredentials::V2 { connection_id })
            })
            .collect::<Result<Vec<_>, AerosyncError>>()?
    } else if payload.contains_key("connectionId") {
        let connection_id = identifier(payload, &["connectionId"])
            .ok_or_else(|| bad("the connection id is not valid"))?;
        vec![LinkCredentials::V2 { connection_id }]
    } else if payload.contains_key("user_id") || payload.contains_key("user_password") {
        let user_id = identifier(payload, &["user_id"])
            .ok_or_else(|| bad("the bank user id is not valid"))?;
        let user_password = identifier(payload, &["user_password"])
            .ok_or_else(|| bad("the bank user password is not valid"))?;
        vec![LinkCredentials::V1 {
            user_id,
            user_password: SecretString::new(user_password),
        }]
    } else {
        return Err(bad("no connection id or bank user id"));
    };

    let mut unique = Vec::with_capacity(links.len());
    for link in links {
        if !unique.contains(&link) {
            unique.push(link);
        }
    }
    Ok(SuccessPayload {
        links: unique,
        client_name,
    })
}

fn string_field(map: &Map<String, Value>, names: &[&str]) -> Option<String> {
    names
        .iter()
        .find_map(|name| map.get(*name).and_then(Value::as_str))
        .map(str::to_owned)
}

/// A non-empty, bounded, printable identifier.
fn identifier(map: &Map<String, Value>, names: &[&str]) -> Option<String> {
    let value = string_field(map, names)?;
    let value = value.trim();
    let printable = value.chars().all(|c| !c.is_control());
    (!value.is_empty() && value.chars().count() <= MAX_ID_CHARS && printable)
        .then(|| value.to_owned())
}

fn error_description(payload: Option<&Value>) -> String {
    let text = match payload {
        Some(Value::String(text)) => text.clone(),
        Some(Value::Object(map)) => string_field(map, &["message", "description", "error"])
            .unwrap_or_else(|| "the widget reported an error".into()),
        _ => "the widget reported an error".into(),
    };
    truncate(&text, 200)
}

fn truncate(text: &str, max_chars: usize) -> String {
    text.chars()
        .filter(|c| !c.is_control())
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ORIGIN: &str = "https://sandbox.aerosync.com";
    const CUSTOMER: &str = "5b7c1a0e-0000-4000-8000-000000000001";

    fn parse(raw: &str) -> Result<WidgetEvent, AerosyncError> {
        let expected = super::super::widget_origin(
            &aeropay_client::Environment::Sandbox,
            &url::Url::parse("https://sandbox.aerosync.com/").unwrap(),
        )
        .unwrap();
        parse_message(&expected, ORIGIN, raw, CUSTOMER)
    }

    fn message(kind: &str, payload: Value) -> String {
        json!({ "type": kind, "payload": payload }).to_string()
    }

    fn links(event: WidgetEvent) -> Vec<LinkCredentials> {
        match event {
            WidgetEvent::Success(success) => success.links,
            other => panic!("expected success, got {other:?}"),
        }
    }

    #[test]
    fn sdk_1x_success_gives_v1_link_credentials() {
        let raw = message(
            "pageSuccess",
            json!({"user_id": "e79432cb", "user_password": "8614878a", "ClientName": "client1", "FILoginAcctId": 42}),
        );
        assert_eq!(
            links(parse(&raw).unwrap()),
            [LinkCredentials::V1 {
                user_id: "e79432cb".into(),
                user_password: "8614878a".into()
            }]
        );
    }

    #[test]
    fn sdk_2_0_5_and_2_1_success_give_a_connection_id() {
        for payload in [
            json!({"connectionId": "conn-1", "ClientName": "Aerosync Bank", "aeroPassUserUuid": CUSTOMER}),
            json!({"connectionId": "conn-1", "clientName": "Aerosync Bank", "aeroPassUserUuid": CUSTOMER}),
        ] {
            let event = parse(&message("pageSuccess", payload)).unwrap();
            let WidgetEvent::Success(success) = event else {
                panic!()
            };
            assert_eq!(success.client_name.as_deref(), Some("Aerosync Bank"));
            assert_eq!(
                success.links,
                [LinkCredentials::V2 {
                    connection_id: "conn-1".into()
                }]
            );
        }
    }

    #[test]
    fn multi_account_success_gives_one_link_per_account_without_repeats() {
        let raw = message(
            "pageSuccess",
            json!({"accounts": [
                {"connectionId": "a", "accountType": "checking", "accountNumberDisplay": "...1234"},
                {"connectionId": "b", "accountType": "savings", "accountNumberDisplay": "...9876"},
                {"connectionId": "a", "accountType": "checking", "accountNumberDisplay": "...1234"}
            ], "clientName": "Aerobank", "aeroPassUserUuid": CUSTOMER}),
        );
        assert_eq!(
            links(parse(&raw).unwrap()),
            [
                LinkCredentials::V2 {
                    connection_id: "a".into()
                },
                LinkCredentials::V2 {
                    connection_id: "b".into()
                }
            ]
        );
    }

    #[test]
    fn a_payload_sent_as_a_json_string_is_understood() {
        let raw =
            json!({"type": "pageSuccess", "payload": json!({"connectionId": "c"}).to_string()})
                .to_string();
        assert_eq!(
            links(parse(&raw).unwrap()),
            [LinkCredentials::V2 {
                connection_id: "c".into()
            }]
        );
    }

    #[test]
    fn other_events_are_typed() {
        assert_eq!(
            parse(&message("widgetClose", Value::Null)).unwrap(),
            WidgetEvent::Close
        );
        assert_eq!(
            parse(&message(
                "widgetPageLoaded",
                json!({"pageTitle": "Select bank", "onLoadApi": "/banks"})
            ))
            .unwrap(),
            WidgetEvent::PageLoaded {
                page_title: "Select bank".into()
            }
        );
        assert_eq!(
            parse(&message(
                "widgetPageLoaded",
                json!({"pageTitle": "launchExternalWindow", "onLoadApi": "https://bank.example/oauth?x=1"})
            ))
            .unwrap(),
            WidgetEvent::LaunchExternalWindow { url: url::Url::parse("https://bank.example/oauth?x=1").unwrap() }
        );
        assert_eq!(
            parse(&message("widgetError", json!("AC-111 bank unavailable"))).unwrap(),
            WidgetEvent::Error {
                description: "AC-111 bank unavailable".into()
            }
        );
        assert_eq!(
            parse(&message("widgetBankClick", json!({"stateCode": "x"}))).unwrap(),
            WidgetEvent::Unknown {
                message_type: "widgetBankClick".into()
            }
        );
    }

    #[test]
    fn messages_from_another_origin_are_refused() {
        let expected = super::super::widget_origin(
            &aeropay_client::Environment::Sandbox,
            &url::Url::parse("https://sandbox.aerosync.com/").unwrap(),
        )
        .unwrap();
        let raw = message("pageSuccess", json!({"connectionId": "c"}));
        for origin in [
            "https://evil.example",
            "null",
            "tauri://localhost",
            "https://sandbox.aerosync.com:444",
        ] {
            let err = parse_message(&expected, origin, &raw, CUSTOMER).unwrap_err();
            assert_eq!(err.code(), "WIDGET_WRONG_ORIGIN", "{origin}");
        }
    }

    #[test]
    fn malformed_messages_get_their_own_codes() {
        let cases = [
            ("not json", "WIDGET_MESSAGE_NOT_JSON"),
            ("[1,2]", "WIDGET_MESSAGE_NO_TYPE"),
            ("{\"payload\":{}}", "WIDGET_MESSAGE_NO_TYPE"),
            ("{\"type\":7}", "WIDGET_MESSAGE_NO_TYPE"),
            (
                r#"{"type":"pageSuccess","payload":{}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
            (
                r#"{"type":"pageSuccess","payload":{"connectionId":""}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
            (
                r#"{"type":"pageSuccess","payload":{"connectionId":42}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
            (
                r#"{"type":"pageSuccess","payload":{"accounts":[]}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
            (
                r#"{"type":"pageSuccess","payload":{"accounts":[{"accountType":"checking"}]}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
            (
                r#"{"type":"pageSuccess","payload":{"user_id":"u"}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
            (
                r#"{"type":"pageSuccess","payload":{"connectionId":"c","aeroPassUserUuid":"someone-else"}}"#,
                "WIDGET_WRONG_CUSTOMER",
            ),
            (
                r#"{"type":"widgetPageLoaded","payload":{"pageTitle":"launchExternalWindow","onLoadApi":"javascript:alert(1)"}}"#,
                "WIDGET_BAD_SUCCESS",
            ),
        ];
        for (raw, code) in cases {
            assert_eq!(parse(raw).unwrap_err().code(), code, "{raw}");
        }
    }

    #[test]
    fn oversized_messages_are_refused_before_parsing() {
        let raw = format!(
            r#"{{"type":"pageSuccess","payload":{{"connectionId":"{}"}}}}"#,
            "x".repeat(MAX_MESSAGE_BYTES)
        );
        assert_eq!(parse(&raw).unwrap_err().code(), "WIDGET_MESSAGE_TOO_LARGE");
    }

    #[test]
    fn errors_never_quote_the_user_password() {
        let raw = r#"{"type":"pageSuccess","payload":{"user_password":"pw-8614878a"}}"#;
        let err = parse(raw).unwrap_err();
        assert!(!format!("{err} {err:?}").contains("pw-8614878a"));
        let ok = message(
            "pageSuccess",
            json!({"user_id": "u", "user_password": "pw-8614878a"}),
        );
        assert!(!format!("{:?}", parse(&ok).unwrap()).contains("pw-8614878a"));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_input_never_panics(raw in ".{0,300}", origin in "[a-z:/.0-9]{0,40}") {
            let expected = super::super::widget_origin(
                &aeropay_client::Environment::Simulator,
                &url::Url::parse("http://127.0.0.1:9/").unwrap(),
            ).unwrap();
            let _ = parse_message(&expected, &origin, &raw, CUSTOMER);
            let _ = parse_message(&expected, "http://127.0.0.1:9", &raw, CUSTOMER);
        }

        #[test]
        fn arbitrary_json_payloads_never_panic(payload in proptest_json()) {
            let raw = json!({"type": "pageSuccess", "payload": payload}).to_string();
            let _ = parse(&raw);
        }
    }

    fn proptest_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            "[a-zA-Z_]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 6, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::hash_map(
                    prop_oneof![
                        Just("connectionId".to_string()),
                        Just("accounts".to_string()),
                        Just("user_id".to_string()),
                        Just("user_password".to_string()),
                        Just("aeroPassUserUuid".to_string()),
                        "[a-z]{1,6}"
                    ],
                    inner,
                    0..4
                )
                .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
