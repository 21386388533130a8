//! The managed-settings document: the settings' own names and shapes, each
//! optional; a field that is present is managed. The machine's policy file
//! and a fleet group's settings on the broker are both this document, and
//! both are checked by [`ManagedSettings::from_json`], so the broker refuses
//! what the app would refuse. Plain serde, no keychain or window: a server
//! links it too.

mod document;
mod rules;

pub use document::{DocumentError, KioskPolicy, ManagedSettings, UpdatesPolicy, WidgetPolicy};
pub use rules::{
    channel_ok, feed_url_allowed, Mode, KIOSK_IDLE_RANGE, KIOSK_WARNING_RANGE,
    KIOSK_WIDGET_IDLE_MAX,
};
