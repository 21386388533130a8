//! The values the Settings screen accepts, shared by the app and the
//! documents that manage its settings.

use serde::{Deserialize, Serialize};
use url::Url;

/// Where the app runs: a kiosk (customers alone, full screen, reset between
/// customers) or a back-office desk (staff, a normal window).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Desk,
    Kiosk,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Desk => "desk",
            Mode::Kiosk => "kiosk",
        }
    }
}

/// Bounds of the kiosk timers Settings (and a policy) may set, in seconds.
pub const KIOSK_IDLE_RANGE: (u32, u32) = (10, 3600);
pub const KIOSK_WARNING_RANGE: (u32, u32) = (20, 600);
pub const KIOSK_WIDGET_IDLE_MAX: u32 = 7200;

/// An update channel: one word of letters, digits, `-`, `_` or `.`.
pub fn channel_ok(channel: &str) -> bool {
    !channel.is_empty()
        && channel.len() <= 40
        && channel
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !channel.starts_with('.')
}

/// An update feed: https anywhere, plain http only to this machine.
pub fn feed_url_allowed(url: &Url) -> bool {
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Domain(host))) => host == "localhost",
        _ => false,
    }
}
