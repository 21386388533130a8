//! The document's serde types, the values it may hold, and which field is
//! at fault when it is refused.

use crate::rules::{Mode, KIOSK_IDLE_RANGE, KIOSK_WARNING_RANGE, KIOSK_WIDGET_IDLE_MAX};
use aeropay_client::{ApiVersion, Environment};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use url::Url;

/// The managed kiosk timers (the "More time" choice stays with the kiosk:
/// it is an accessibility adjustment, not a fleet setting).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KioskPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idle_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning_seconds: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub widget_idle_seconds: Option<u32>,
}

/// The managed update settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdatesPolicy {
    /// Whether signed updates are installed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<Url>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
}

/// The managed widget options (those the Settings screen offers).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WidgetPolicy {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub theme: Option<aerosync::Theme>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle_oauth_manually: Option<bool>,
}

/// The document: the settings' own names and shapes, each optional; a
/// field that is present is managed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ManagedSettings {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<Environment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<ApiVersion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kiosk: Option<KioskPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updates: Option<UpdatesPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub widget: Option<WidgetPolicy>,
}

/// Why a document is refused, and the field at fault when one is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{reason}", field.as_deref().map(|f| format!("field \"{f}\": ")).unwrap_or_default())]
pub struct DocumentError {
    /// The field at fault (`kiosk.idleSeconds`), when one is.
    pub field: Option<String>,
    pub reason: String,
}

impl ManagedSettings {
    /// Reads and checks a document: JSON of this shape, with the values the
    /// Settings screen accepts.
    pub fn from_json(bytes: &[u8]) -> Result<Self, DocumentError> {
        let value: serde_json::Value =
            serde_json::from_slice(bytes).map_err(|err| DocumentError {
                field: None,
                reason: err.to_string(),
            })?;
        Self::from_value(value)
    }

    /// [`from_json`](Self::from_json) for a document already parsed as JSON.
    pub fn from_value(value: serde_json::Value) -> Result<Self, DocumentError> {
        match serde_json::from_value::<ManagedSettings>(value.clone()) {
            Ok(document) => {
                document
                    .check_values()
                    .map_err(|(field, reason)| DocumentError {
                        field: Some(field.into()),
                        reason,
                    })?;
                Ok(document)
            }
            Err(err) => Err(DocumentError {
                field: field_at_fault(&value),
                reason: err.to_string(),
            }),
        }
    }

    /// A fleet's document may not say where Aeropay is: in fleet mode the
    /// broker decides (`environment`, `apiVersion` come from it).
    pub fn check_for_fleet(&self) -> Result<(), DocumentError> {
        let refused = |field: &str| {
            DocumentError {
            field: Some(field.into()),
            reason: "not a group setting: in fleet mode the broker decides where Aeropay is (its own aeropay.environment and aeropay.api_version)".into(),
        }
        };
        if self.environment.is_some() {
            return Err(refused("environment"));
        }
        if self.api_version.is_some() {
            return Err(refused("apiVersion"));
        }
        Ok(())
    }

    /// The values the Settings screen would refuse are refused here too
    /// (staff could not save the screen otherwise): the field at fault and
    /// why.
    fn check_values(&self) -> Result<(), (&'static str, String)> {
        let within = |field, value: Option<u32>, (min, max): (u32, u32)| match value {
            Some(value) if !(min..=max).contains(&value) => {
                Err((field, format!("{value} is not from {min} to {max} seconds")))
            }
            _ => Ok(()),
        };
        if let Some(Environment::Custom { base_url }) = &self.environment {
            if !aeropay_client::is_safe_base_url(base_url) {
                return Err((
                    "environment",
                    format!("{base_url} is not https (plain http only for 127.0.0.1)"),
                ));
            }
        }
        if let Some(kiosk) = &self.kiosk {
            within("kiosk.idleSeconds", kiosk.idle_seconds, KIOSK_IDLE_RANGE)?;
            within(
                "kiosk.warningSeconds",
                kiosk.warning_seconds,
                KIOSK_WARNING_RANGE,
            )?;
            let least = kiosk.idle_seconds.unwrap_or(KIOSK_IDLE_RANGE.0);
            within(
                "kiosk.widgetIdleSeconds",
                kiosk.widget_idle_seconds,
                (least, KIOSK_WIDGET_IDLE_MAX),
            )?;
        }
        if let Some(updates) = &self.updates {
            if let Some(url) = &updates.feed_url {
                if !crate::rules::feed_url_allowed(url) {
                    return Err(("updates.feedUrl", format!("{url} is not https")));
                }
            }
            if let Some(channel) = &updates.channel {
                if !crate::rules::channel_ok(channel) {
                    return Err((
                        "updates.channel",
                        format!("{channel:?} is not one word of letters, digits, - _ or ."),
                    ));
                }
            }
        }
        if let Some(id) = self
            .widget
            .as_ref()
            .and_then(|w| w.configuration_id.as_ref())
        {
            if id.trim().is_empty() || !aerosync::configuration_id_ok(id) {
                return Err((
                    "widget.configurationId",
                    "not a valid configuration id".into(),
                ));
            }
        }
        Ok(())
    }

    /// The managed fields, named as the Settings screen names them.
    pub fn fields(&self) -> Vec<&'static str> {
        let mut fields = Vec::new();
        let mut add = |present: bool, name| {
            if present {
                fields.push(name)
            }
        };
        add(self.environment.is_some(), "environment");
        add(self.api_version.is_some(), "apiVersion");
        add(self.mode.is_some(), "mode");
        let kiosk = self.kiosk.clone().unwrap_or_default();
        add(kiosk.idle_seconds.is_some(), "kioskIdleSeconds");
        add(kiosk.warning_seconds.is_some(), "kioskWarningSeconds");
        add(
            kiosk.widget_idle_seconds.is_some(),
            "kioskWidgetIdleSeconds",
        );
        let updates = self.updates.clone().unwrap_or_default();
        add(updates.enabled.is_some(), "updatesEnabled");
        add(updates.feed_url.is_some(), "updateFeedUrl");
        add(updates.channel.is_some(), "updateChannel");
        let widget = self.widget.clone().unwrap_or_default();
        add(widget.configuration_id.is_some(), "configurationId");
        add(widget.theme.is_some(), "theme");
        add(
            widget.handle_oauth_manually.is_some(),
            "handleOAuthManually",
        );
        fields
    }

    /// This document over `lower`, field by field: a field this one holds
    /// wins; the others come from `lower`.
    pub fn over(&self, lower: &ManagedSettings) -> ManagedSettings {
        fn nested<T: Clone + Default>(
            upper: &Option<T>,
            lower: &Option<T>,
            merge: impl Fn(&T, &T) -> T,
        ) -> Option<T> {
            match (upper, lower) {
                (Some(u), Some(l)) => Some(merge(u, l)),
                (u, l) => u.clone().or_else(|| l.clone()),
            }
        }
        ManagedSettings {
            environment: self.environment.clone().or(lower.environment.clone()),
            api_version: self.api_version.or(lower.api_version),
            mode: self.mode.or(lower.mode),
            kiosk: nested(&self.kiosk, &lower.kiosk, |u, l| KioskPolicy {
                idle_seconds: u.idle_seconds.or(l.idle_seconds),
                warning_seconds: u.warning_seconds.or(l.warning_seconds),
                widget_idle_seconds: u.widget_idle_seconds.or(l.widget_idle_seconds),
            }),
            updates: nested(&self.updates, &lower.updates, |u, l| UpdatesPolicy {
                enabled: u.enabled.or(l.enabled),
                feed_url: u.feed_url.clone().or(l.feed_url.clone()),
                channel: u.channel.clone().or(l.channel.clone()),
            }),
            widget: nested(&self.widget, &lower.widget, |u, l| WidgetPolicy {
                configuration_id: u.configuration_id.clone().or(l.configuration_id.clone()),
                theme: u.theme.or(l.theme),
                handle_oauth_manually: u.handle_oauth_manually.or(l.handle_oauth_manually),
            }),
        }
    }
}

/// The first field (`kiosk.idleSeconds`) that the document refuses alone.
fn field_at_fault(value: &serde_json::Value) -> Option<String> {
    let (name, inner) = first_refused::<ManagedSettings>(value)?;
    let nested = match name.as_str() {
        "kiosk" => first_refused::<KioskPolicy>(inner),
        "updates" => first_refused::<UpdatesPolicy>(inner),
        "widget" => first_refused::<WidgetPolicy>(inner),
        _ => None,
    };
    Some(match nested {
        Some((field, _)) => format!("{name}.{field}"),
        None => name,
    })
}

fn first_refused<T: DeserializeOwned>(
    value: &serde_json::Value,
) -> Option<(String, &serde_json::Value)> {
    value.as_object()?.iter().find_map(|(name, inner)| {
        let alone = serde_json::json!({ name.clone(): inner.clone() });
        serde_json::from_value::<T>(alone)
            .is_err()
            .then(|| (name.clone(), inner))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upper_document_wins_field_by_field() {
        let machine = ManagedSettings::from_json(
            br#"{"kiosk": {"idleSeconds": 45}, "widget": {"theme": "dark"}}"#,
        )
        .unwrap();
        let group = ManagedSettings::from_json(
            br#"{"mode": "kiosk", "kiosk": {"idleSeconds": 120, "warningSeconds": 40}, "widget": {"theme": "light"}}"#,
        )
        .unwrap();
        let both = machine.over(&group);
        assert_eq!(both.mode, Some(Mode::Kiosk));
        let kiosk = both.kiosk.clone().unwrap();
        assert_eq!(kiosk.idle_seconds, Some(45), "the upper one's");
        assert_eq!(kiosk.warning_seconds, Some(40), "only the lower has it");
        assert_eq!(both.widget.unwrap().theme, Some(aerosync::Theme::Dark));
        assert_eq!(group.over(&ManagedSettings::default()), group);
    }

    #[test]
    fn a_fleet_document_may_not_say_where_aeropay_is() {
        for (text, field) in [
            (r#"{"environment": {"kind": "sandbox"}}"#, "environment"),
            (r#"{"apiVersion": "v1"}"#, "apiVersion"),
        ] {
            let err = ManagedSettings::from_json(text.as_bytes())
                .unwrap()
                .check_for_fleet()
                .unwrap_err();
            assert_eq!(err.field.as_deref(), Some(field));
            assert!(err.to_string().contains("broker decides"), "{err}");
        }
        assert!(ManagedSettings::from_json(br#"{"mode": "kiosk"}"#)
            .unwrap()
            .check_for_fleet()
            .is_ok());
    }
}
