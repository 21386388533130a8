//! macOS: the policy as an MDM's configuration profile installs it, the
//! managed preferences of the app's bundle id in a property list (XML or
//! binary). Its keys are the document's own names, groups as nested
//! dictionaries; it is checked exactly as the JSON policy is.

use managed_settings::{DocumentError, ManagedSettings};
use serde_json::{Map, Number, Value};

/// Keys a profile's payload carries about itself, which macOS may leave in
/// the managed preferences: not settings, so they are passed over.
const PAYLOAD_KEYS: &[&str] = &[
    "PayloadDescription",
    "PayloadDisplayName",
    "PayloadEnabled",
    "PayloadIdentifier",
    "PayloadOrganization",
    "PayloadType",
    "PayloadUUID",
    "PayloadVersion",
];

/// The document a property list says. A key the document does not have, a
/// value of the wrong type and a value the rules refuse are refused,
/// naming the key (`kiosk.idleSeconds`).
pub fn document_from_plist(bytes: &[u8]) -> Result<ManagedSettings, DocumentError> {
    let plist =
        plist::Value::from_reader(std::io::Cursor::new(bytes)).map_err(|err| DocumentError {
            field: None,
            reason: format!("not a property list: {err}"),
        })?;
    let plist::Value::Dictionary(top) = plist else {
        return Err(DocumentError {
            field: None,
            reason: "the property list is not a dictionary".into(),
        });
    };
    let mut document = Map::new();
    for (key, value) in top.into_iter() {
        if PAYLOAD_KEYS.contains(&key.as_str()) {
            continue;
        }
        let value = json_of(value, &key)?;
        document.insert(key, value);
    }
    ManagedSettings::from_value(Value::Object(document))
}

/// A property-list value as the JSON value the document reads; `key` names
/// it in an error.
fn json_of(value: plist::Value, key: &str) -> Result<Value, DocumentError> {
    let refused = |what: &str| DocumentError {
        field: Some(key.to_owned()),
        reason: format!("{what} is not a value of this document"),
    };
    Ok(match value {
        plist::Value::String(text) => Value::String(text),
        plist::Value::Boolean(switch) => Value::Bool(switch),
        plist::Value::Integer(integer) => match (integer.as_unsigned(), integer.as_signed()) {
            (Some(number), _) => Value::Number(number.into()),
            (None, Some(number)) => Value::Number(number.into()),
            (None, None) => return Err(refused("an integer out of range")),
        },
        plist::Value::Real(real) => Number::from_f64(real)
            .map(Value::Number)
            .ok_or_else(|| refused("a real that is not a number"))?,
        plist::Value::Dictionary(dict) => {
            let mut object = Map::new();
            for (inner, value) in dict.into_iter() {
                let value = json_of(value, &format!("{key}.{inner}"))?;
                object.insert(inner, value);
            }
            Value::Object(object)
        }
        plist::Value::Array(_) => return Err(refused("an array")),
        plist::Value::Data(_) => return Err(refused("data")),
        plist::Value::Date(_) => return Err(refused("a date")),
        _ => return Err(refused("this kind of value")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use managed_settings::{KioskPolicy, Mode, UpdatesPolicy, WidgetPolicy};
    use plist::{Dictionary, Value as P};

    fn dict<const N: usize>(entries: [(&str, P); N]) -> P {
        P::Dictionary(
            entries
                .into_iter()
                .map(|(key, value)| (key.to_owned(), value))
                .collect::<Dictionary>(),
        )
    }

    fn text(value: &str) -> P {
        P::String(value.into())
    }

    fn xml(value: &P) -> Vec<u8> {
        let mut bytes = Vec::new();
        value.to_writer_xml(&mut bytes).unwrap();
        assert!(bytes.starts_with(b"<?xml"));
        bytes
    }

    fn binary(value: &P) -> Vec<u8> {
        let mut bytes = Vec::new();
        value.to_writer_binary(&mut bytes).unwrap();
        assert!(bytes.starts_with(b"bplist00"));
        bytes
    }

    fn refused(value: &P) -> DocumentError {
        let from_xml = document_from_plist(&xml(value)).unwrap_err();
        assert_eq!(document_from_plist(&binary(value)).unwrap_err(), from_xml);
        from_xml
    }

    fn full() -> P {
        dict([
            ("PayloadUUID", text("5B1F4E0C-0000-4000-8000-000000000001")),
            ("environment", dict([("kind", text("production"))])),
            ("apiVersion", text("v2")),
            ("mode", text("kiosk")),
            (
                "kiosk",
                dict([
                    ("idleSeconds", P::Integer(90.into())),
                    ("warningSeconds", P::Integer(30.into())),
                    ("widgetIdleSeconds", P::Integer(600.into())),
                ]),
            ),
            (
                "updates",
                dict([
                    ("enabled", P::Boolean(true)),
                    (
                        "feedUrl",
                        text("https://updates.example.com/{{channel}}/latest.json"),
                    ),
                    ("channel", text("stable")),
                ]),
            ),
            (
                "widget",
                dict([
                    ("configurationId", text("cfg-123")),
                    ("theme", text("light")),
                    ("handleOauthManually", P::Boolean(false)),
                ]),
            ),
        ])
    }

    #[test]
    fn every_key_is_read_from_xml_and_from_binary() {
        let expected = ManagedSettings {
            environment: Some(aeropay_client::Environment::Production),
            api_version: Some(aeropay_client::ApiVersion::V2),
            mode: Some(Mode::Kiosk),
            kiosk: Some(KioskPolicy {
                idle_seconds: Some(90),
                warning_seconds: Some(30),
                widget_idle_seconds: Some(600),
            }),
            updates: Some(UpdatesPolicy {
                enabled: Some(true),
                feed_url: Some(
                    "https://updates.example.com/{{channel}}/latest.json"
                        .parse()
                        .unwrap(),
                ),
                channel: Some("stable".into()),
            }),
            widget: Some(WidgetPolicy {
                configuration_id: Some("cfg-123".into()),
                theme: Some(aerosync::Theme::Light),
                handle_oauth_manually: Some(false),
            }),
        };
        assert_eq!(document_from_plist(&xml(&full())).unwrap(), expected);
        assert_eq!(document_from_plist(&binary(&full())).unwrap(), expected);
        let custom = dict([(
            "environment",
            dict([
                ("kind", text("custom")),
                ("base_url", text("https://staging.example.com")),
            ]),
        )]);
        assert!(matches!(
            document_from_plist(&binary(&custom)).unwrap().environment,
            Some(aeropay_client::Environment::Custom { .. })
        ));
        assert_eq!(
            document_from_plist(&xml(&dict([]))).unwrap(),
            ManagedSettings::default()
        );
    }

    #[test]
    fn an_unknown_key_is_refused_and_named() {
        let err = refused(&dict([("mode", text("desk")), ("staffPin", text("1234"))]));
        assert_eq!(err.field.as_deref(), Some("staffPin"), "{err}");
        let err = refused(&dict([("kiosk", dict([("moreTime", P::Boolean(true))]))]));
        assert_eq!(err.field.as_deref(), Some("kiosk.moreTime"), "{err}");
        // Only the payload's own keys are passed over.
        let err = refused(&dict([("PayloadSecret", text("x"))]));
        assert_eq!(err.field.as_deref(), Some("PayloadSecret"), "{err}");
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_and_named() {
        for (value, key) in [
            (
                dict([("kiosk", dict([("idleSeconds", text("90"))]))]),
                "kiosk.idleSeconds",
            ),
            (
                dict([("kiosk", dict([("idleSeconds", P::Real(90.5))]))]),
                "kiosk.idleSeconds",
            ),
            (
                dict([("updates", dict([("enabled", P::Integer(1.into()))]))]),
                "updates.enabled",
            ),
            (dict([("environment", text("sandbox"))]), "environment"),
            (dict([("mode", P::Array(vec![text("kiosk")]))]), "mode"),
            (dict([("mode", P::Data(b"kiosk".to_vec()))]), "mode"),
            (
                dict([("widget", dict([("theme", P::Data(b"dark".to_vec()))]))]),
                "widget.theme",
            ),
            (
                dict([("widget", dict([("theme", P::Boolean(true))]))]),
                "widget.theme",
            ),
        ] {
            let err = refused(&value);
            assert_eq!(err.field.as_deref(), Some(key), "{err}");
        }
    }

    #[test]
    fn the_documents_rules_apply_and_name_the_key() {
        let err = refused(&dict([(
            "kiosk",
            dict([("idleSeconds", P::Integer(5.into()))]),
        )]));
        assert_eq!(err.field.as_deref(), Some("kiosk.idleSeconds"));
        assert!(err.to_string().contains("not from 10 to 3600"), "{err}");
        let err = refused(&dict([(
            "kiosk",
            dict([("warningSeconds", P::Integer((-1).into()))]),
        )]));
        assert_eq!(err.field.as_deref(), Some("kiosk.warningSeconds"), "{err}");
        let err = refused(&dict([("updates", dict([("channel", text("../x"))]))]));
        assert_eq!(err.field.as_deref(), Some("updates.channel"));
    }

    #[test]
    fn what_is_not_a_property_list_dictionary_is_refused() {
        let err = document_from_plist(b"{\"mode\": \"kiosk\"}").unwrap_err();
        assert_eq!(err.field, None);
        assert!(err.reason.contains("not a property list"), "{err}");
        let err = document_from_plist(&xml(&text("kiosk"))).unwrap_err();
        assert!(err.reason.contains("not a dictionary"), "{err}");
    }
}
