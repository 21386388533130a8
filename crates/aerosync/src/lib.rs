//! Hosting the Aerosync widget: the URL it is opened with, the one origin its
//! messages may come from, and the typed events those messages carry.
//! Plain Rust, no tauri: the page relays `(origin, raw string)` and this
//! crate decides what, if anything, it means.

mod error;
mod launch;
mod message;
mod origin;

pub use error::AerosyncError;
pub use launch::{configuration_id_ok, widget_url, SdkVersion, Theme, WidgetLaunch, WidgetOptions};
pub use message::{parse_message, LinkCredentials, SuccessPayload, WidgetEvent, MAX_MESSAGE_BYTES};
pub use origin::{frame_origins, widget_origin, WidgetOrigin, KNOWN_AEROSYNC_ORIGINS};
