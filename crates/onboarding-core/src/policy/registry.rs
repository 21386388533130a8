//! Windows: the policy as Group Policy or Intune write it, one registry
//! value per setting under [`POLICY_KEY`]. Separate values rather than one
//! JSON string: an ADMX template can offer each setting as its own policy
//! (a drop-down, a number box, a check box), and Intune's settings catalog
//! and `reg add` set one value at a time. This module turns the values read
//! from the key into the managed-settings document; the read itself is the
//! small `#[cfg(windows)]` function in the parent module.

use managed_settings::{DocumentError, ManagedSettings};
use serde_json::{json, Map, Value};

/// The key a deployment tool writes (only administrators may write under
/// `HKLM\SOFTWARE\Policies`).
pub const POLICY_KEY: &str = r"HKEY_LOCAL_MACHINE\SOFTWARE\Policies\Aeropay\Onboarding";

/// [`POLICY_KEY`] below `HKEY_LOCAL_MACHINE`.
pub const POLICY_SUBKEY: &str = r"SOFTWARE\Policies\Aeropay\Onboarding";

/// A value as the registry holds it: its type and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistryValue {
    /// `REG_SZ`
    String(String),
    /// `REG_DWORD`
    Dword(u32),
    /// Any other type (`REG_EXPAND_SZ`, `REG_QWORD`, `REG_BINARY`, …),
    /// by its name: always refused.
    Other(String),
}

impl RegistryValue {
    fn type_name(&self) -> &str {
        match self {
            RegistryValue::String(_) => "REG_SZ",
            RegistryValue::Dword(_) => "REG_DWORD",
            RegistryValue::Other(name) => name,
        }
    }
}

/// How a value's data becomes the document's.
#[derive(Clone, Copy)]
enum Kind {
    /// `REG_SZ`, the document's string as it is.
    Text,
    /// `REG_SZ`: `simulator`, `sandbox`, `production` or a base URL.
    Environment,
    /// `REG_DWORD`, a number of seconds.
    Seconds,
    /// `REG_DWORD`, 0 or 1.
    Switch,
}

/// Each value the key may hold: its name, its kind, and the document's
/// field it sets (`group.field`, or a top-level field).
const VALUES: &[(&str, Kind, &str)] = &[
    ("Environment", Kind::Environment, "environment"),
    ("ApiVersion", Kind::Text, "apiVersion"),
    ("Mode", Kind::Text, "mode"),
    ("KioskIdleSeconds", Kind::Seconds, "kiosk.idleSeconds"),
    ("KioskWarningSeconds", Kind::Seconds, "kiosk.warningSeconds"),
    (
        "KioskWidgetIdleSeconds",
        Kind::Seconds,
        "kiosk.widgetIdleSeconds",
    ),
    ("UpdatesEnabled", Kind::Switch, "updates.enabled"),
    ("UpdateFeedUrl", Kind::Text, "updates.feedUrl"),
    ("UpdateChannel", Kind::Text, "updates.channel"),
    (
        "WidgetConfigurationId",
        Kind::Text,
        "widget.configurationId",
    ),
    ("WidgetTheme", Kind::Text, "widget.theme"),
    (
        "WidgetHandleOAuthManually",
        Kind::Switch,
        "widget.handleOauthManually",
    ),
];

/// The names of the values the key may hold, in the README's order.
pub fn value_names() -> impl Iterator<Item = &'static str> {
    VALUES.iter().map(|(name, _, _)| *name)
}

/// The document the key's values say. Value names are matched without
/// regard to case, as the registry does. A value the key may not hold, a
/// value of the wrong type and a value the document's rules refuse are
/// refused, naming the value (`KioskIdleSeconds`).
pub fn document_from_values(
    values: impl IntoIterator<Item = (String, RegistryValue)>,
) -> Result<ManagedSettings, DocumentError> {
    let refused = |name: &str, reason: String| DocumentError {
        field: Some(name.to_owned()),
        reason,
    };
    let mut document = Map::new();
    for (name, value) in values {
        let Some(&(known, kind, field)) = VALUES
            .iter()
            .find(|(known, _, _)| known.eq_ignore_ascii_case(&name))
        else {
            return Err(refused(
                &name,
                format!(
                    "not a value of this policy key (it may hold {})",
                    value_names().collect::<Vec<_>>().join(", ")
                ),
            ));
        };
        let data =
            match (kind, &value) {
                (Kind::Text, RegistryValue::String(text)) => json!(text),
                (Kind::Environment, RegistryValue::String(text)) => {
                    environment(text).ok_or_else(|| {
                        refused(
                    known,
                    format!("{text:?} is not simulator, sandbox, production or a base URL (https)"),
                )
                    })?
                }
                (Kind::Seconds, RegistryValue::Dword(number)) => json!(number),
                (Kind::Switch, RegistryValue::Dword(0)) => json!(false),
                (Kind::Switch, RegistryValue::Dword(1)) => json!(true),
                (Kind::Switch, RegistryValue::Dword(other)) => {
                    return Err(refused(known, format!("{other} is not 0 (off) or 1 (on)")))
                }
                (Kind::Text | Kind::Environment, _) => {
                    return Err(refused(
                        known,
                        format!("a {} where a REG_SZ is expected", value.type_name()),
                    ))
                }
                (Kind::Seconds | Kind::Switch, _) => {
                    return Err(refused(
                        known,
                        format!("a {} where a REG_DWORD is expected", value.type_name()),
                    ))
                }
            };
        let (group, inner) = match field.split_once('.') {
            Some((group, inner)) => (group, Some(inner)),
            None => (field, None),
        };
        let slot = match inner {
            None => document.entry(group),
            Some(inner) => document
                .entry(group)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("groups are objects")
                .entry(inner),
        };
        if matches!(slot, serde_json::map::Entry::Occupied(_)) {
            return Err(refused(known, "the key holds this value twice".into()));
        }
        slot.or_insert(data);
    }
    ManagedSettings::from_value(Value::Object(document)).map_err(|err| DocumentError {
        field: err.field.map(|field| value_name_of(&field)),
        reason: err.reason,
    })
}

/// The `Environment` value: a name, or the base URL of another Aeropay
/// (the document's rules refuse one that is not https).
fn environment(text: &str) -> Option<Value> {
    match text {
        "simulator" | "sandbox" | "production" => Some(json!({ "kind": text })),
        _ if text.contains("://") => Some(json!({ "kind": "custom", "base_url": text })),
        _ => None,
    }
}

/// The value that sets the document's `field` (the field itself when no
/// value does).
fn value_name_of(field: &str) -> String {
    VALUES
        .iter()
        .find(|(_, _, set)| *set == field)
        .map(|(name, _, _)| (*name).to_owned())
        .unwrap_or_else(|| field.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use managed_settings::{KioskPolicy, Mode, UpdatesPolicy, WidgetPolicy};

    fn text(name: &str, value: &str) -> (String, RegistryValue) {
        (name.into(), RegistryValue::String(value.into()))
    }

    fn dword(name: &str, value: u32) -> (String, RegistryValue) {
        (name.into(), RegistryValue::Dword(value))
    }

    fn refused(values: Vec<(String, RegistryValue)>) -> DocumentError {
        document_from_values(values).unwrap_err()
    }

    #[test]
    fn every_value_sets_its_field() {
        let document = document_from_values(vec![
            text("Environment", "sandbox"),
            text("ApiVersion", "v1"),
            text("Mode", "kiosk"),
            dword("KioskIdleSeconds", 90),
            dword("KioskWarningSeconds", 30),
            dword("KioskWidgetIdleSeconds", 600),
            dword("UpdatesEnabled", 1),
            text(
                "UpdateFeedUrl",
                "https://updates.example.com/{{channel}}/latest.json",
            ),
            text("UpdateChannel", "pilot"),
            text("WidgetConfigurationId", "cfg-123"),
            text("WidgetTheme", "dark"),
            dword("WidgetHandleOAuthManually", 0),
        ])
        .unwrap();
        assert_eq!(
            document,
            ManagedSettings {
                environment: Some(aeropay_client::Environment::Sandbox),
                api_version: Some(aeropay_client::ApiVersion::V1),
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
                            .unwrap()
                    ),
                    channel: Some("pilot".into()),
                }),
                widget: Some(WidgetPolicy {
                    configuration_id: Some("cfg-123".into()),
                    theme: Some(aerosync::Theme::Dark),
                    handle_oauth_manually: Some(false),
                }),
            }
        );
        assert_eq!(document.fields().len(), value_names().count());
    }

    #[test]
    fn an_empty_key_manages_nothing_and_names_ignore_case() {
        assert_eq!(
            document_from_values(vec![]).unwrap(),
            ManagedSettings::default()
        );
        let document =
            document_from_values(vec![text("mode", "desk"), dword("updatesenabled", 0)]).unwrap();
        assert_eq!(document.mode, Some(Mode::Desk));
        assert_eq!(document.updates.unwrap().enabled, Some(false));
    }

    #[test]
    fn environment_is_a_name_or_a_base_url() {
        for (value, expected) in [
            ("simulator", aeropay_client::Environment::Simulator),
            ("production", aeropay_client::Environment::Production),
            (
                "https://staging.example.com",
                aeropay_client::Environment::Custom {
                    base_url: "https://staging.example.com".parse().unwrap(),
                },
            ),
        ] {
            let document = document_from_values(vec![text("Environment", value)]).unwrap();
            assert_eq!(document.environment, Some(expected), "{value}");
        }
        for value in [
            "staging",
            "Production",
            "http://api.example.com",
            "https://",
            "",
        ] {
            let err = refused(vec![text("Environment", value)]);
            assert_eq!(err.field.as_deref(), Some("Environment"), "{value}: {err}");
        }
        let err = refused(vec![text("Environment", "custom")]);
        assert!(
            err.to_string()
                .contains("not simulator, sandbox, production or a base URL"),
            "{err}"
        );
    }

    #[test]
    fn a_value_of_the_wrong_type_is_refused_and_named() {
        let err = refused(vec![text("KioskIdleSeconds", "90")]);
        assert_eq!(err.field.as_deref(), Some("KioskIdleSeconds"));
        assert!(
            err.to_string().contains("REG_SZ where a REG_DWORD"),
            "{err}"
        );
        let err = refused(vec![dword("Mode", 1)]);
        assert_eq!(err.field.as_deref(), Some("Mode"));
        assert!(
            err.to_string().contains("REG_DWORD where a REG_SZ"),
            "{err}"
        );
        let err = refused(vec![(
            "UpdateChannel".into(),
            RegistryValue::Other("REG_EXPAND_SZ".into()),
        )]);
        assert_eq!(err.field.as_deref(), Some("UpdateChannel"));
        assert!(err.to_string().contains("REG_EXPAND_SZ"), "{err}");
        let err = refused(vec![dword("UpdatesEnabled", 2)]);
        assert_eq!(err.field.as_deref(), Some("UpdatesEnabled"));
        assert!(err.to_string().contains("not 0 (off) or 1 (on)"), "{err}");
        // A string the document does not know, named by its value.
        let err = refused(vec![text("WidgetTheme", "blue")]);
        assert_eq!(err.field.as_deref(), Some("WidgetTheme"), "{err}");
        let err = refused(vec![text("ApiVersion", "v3")]);
        assert_eq!(err.field.as_deref(), Some("ApiVersion"), "{err}");
    }

    #[test]
    fn an_unknown_value_is_refused_and_named() {
        let err = refused(vec![text("Mode", "kiosk"), text("StaffPin", "1234")]);
        assert_eq!(err.field.as_deref(), Some("StaffPin"));
        let shown = err.to_string();
        assert!(shown.contains("not a value of this policy key"), "{shown}");
        assert!(!shown.contains("1234"), "the data is not repeated: {shown}");
        // The document's own field names are not value names.
        let err = refused(vec![dword("idleSeconds", 90)]);
        assert_eq!(err.field.as_deref(), Some("idleSeconds"));
        // Twice under two spellings.
        let err = refused(vec![text("Mode", "kiosk"), text("MODE", "desk")]);
        assert_eq!(err.field.as_deref(), Some("Mode"));
    }

    #[test]
    fn the_documents_rules_apply_and_name_the_value() {
        for (values, name) in [
            (vec![dword("KioskIdleSeconds", 5)], "KioskIdleSeconds"),
            (
                vec![dword("KioskWarningSeconds", 601)],
                "KioskWarningSeconds",
            ),
            (
                vec![
                    dword("KioskIdleSeconds", 600),
                    dword("KioskWidgetIdleSeconds", 300),
                ],
                "KioskWidgetIdleSeconds",
            ),
            (
                vec![text("UpdateFeedUrl", "http://updates.example.com/x.json")],
                "UpdateFeedUrl",
            ),
            (vec![text("UpdateChannel", "../x")], "UpdateChannel"),
            (
                vec![text("WidgetConfigurationId", " ")],
                "WidgetConfigurationId",
            ),
        ] {
            let err = refused(values);
            assert_eq!(err.field.as_deref(), Some(name), "{err}");
        }
        let err = refused(vec![dword("KioskIdleSeconds", 5)]);
        assert!(err.to_string().contains("not from 10 to 3600"), "{err}");
    }
}
