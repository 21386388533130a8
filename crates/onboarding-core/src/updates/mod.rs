//! Signed updates, the plain-Rust half: when an update may be applied, which
//! feeds and which public key are trusted, and how a verified `.deb` is
//! installed. No tauri here; the app runs the checks with
//! tauri-plugin-updater (feed, download, minisign signature) and calls into
//! this module for every decision.

mod error;
mod install;
mod policy;
mod trust;

pub use error::UpdateError;
pub use install::{install_deb, DebInstaller, InstallCommand};
pub use policy::{may_apply_now, ApplyDecision, Moment};
pub use trust::{feed_url_allowed, pubkey_override, ROOT_KEY_FILE};

use serde::{Deserialize, Serialize};
use url::Url;

/// The `updates` part of the settings: off unless staff turn it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct UpdateSettings {
    pub enabled: bool,
    /// The release feed (`latest.json`-style); `{{channel}}`,
    /// `{{current_version}}`, `{{target}}`, `{{arch}}` are filled in.
    pub feed_url: Option<Url>,
    /// Which release line to follow, e.g. `stable` or `pilot`.
    pub channel: String,
    /// Minutes between two checks (the first comes shortly after start).
    pub check_every_minutes: u32,
}

impl Default for UpdateSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            feed_url: None,
            channel: DEFAULT_CHANNEL.into(),
            check_every_minutes: 60,
        }
    }
}

pub const DEFAULT_CHANNEL: &str = "stable";

/// The exit status of an app that installed an update and wants to be
/// started again, under the kiosk session's supervisor (which then starts
/// the new binary at once, as a restart that is not a crash).
pub const RESTART_FOR_UPDATE_STATUS: i32 = 75;

/// Set by the kiosk session's supervisor for the app it runs: the app then
/// leaves the restart after an update to it instead of starting itself
/// again (which the supervisor would take for "staff left kiosk mode").
pub const SUPERVISED_ENV: &str = "AEROPAY_ONBOARDING_SUPERVISED";

/// Why updates are not checked, or `None` when they are.
pub fn updates_off_because(settings: &UpdateSettings, simulated: bool) -> Option<&'static str> {
    if !settings.enabled {
        return Some("updates are turned off in Settings");
    }
    if simulated {
        return Some("the built-in simulator never updates (training and tests)");
    }
    if settings.feed_url.is_none() {
        return Some("no update feed is set in Settings");
    }
    None
}

impl UpdateSettings {
    /// The feed address with the channel filled in. The channel is a plain
    /// word (letters, digits, `-`, `_`, `.`): it cannot change the host.
    pub fn feed_for_channel(&self) -> Result<Url, UpdateError> {
        let feed = self.feed_url.as_ref().ok_or(UpdateError::NoFeed)?;
        if !channel_ok(&self.channel) {
            return Err(UpdateError::BadChannel(self.channel.clone()));
        }
        let filled = feed
            .as_str()
            .replace("%7B%7Bchannel%7D%7D", &self.channel)
            .replace("{{channel}}", &self.channel);
        let url = Url::parse(&filled).map_err(|_| UpdateError::FeedNotAllowed(filled.clone()))?;
        if !feed_url_allowed(&url) {
            return Err(UpdateError::FeedNotAllowed(url.to_string()));
        }
        Ok(url)
    }

    /// How long to wait between checks (at least one minute).
    pub fn interval(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.check_every_minutes.max(1)) * 60)
    }
}

pub use managed_settings::channel_ok;

/// `text` with every URL in it cut to scheme, host, port and path: a feed
/// or a download address may carry a token in its query or a password
/// before its host, which must not reach the log or the audit trail.
pub fn without_url_secrets(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let start = word.find("://").map_or(0, |at| {
                word[..at]
                    .rfind(|c: char| !c.is_ascii_alphanumeric() && c != '+' && c != '.' && c != '-')
                    .map_or(0, |i| i + 1)
            });
            let end = word.len()
                - word
                    .chars()
                    .rev()
                    .take_while(|c| matches!(c, ')' | ']' | ',' | ';' | ':' | '.' | '"' | '\''))
                    .map(char::len_utf8)
                    .sum::<usize>();
            match Url::parse(word.get(start..end).unwrap_or_default()) {
                Ok(url) if url.has_host() => {
                    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
                    let host = url.host_str().unwrap_or_default();
                    format!(
                        "{}{}://{host}{port}{}{}",
                        &word[..start],
                        url.scheme(),
                        url.path(),
                        &word[end..]
                    )
                }
                _ => word.to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_lose_their_query_and_password_in_text() {
        let text = "download: error sending request for url (https://u:pw@cdn.example.com:8443/a/b.deb?X-Sig=abc&t=1): timed out; feed http://127.0.0.1:9/latest.json?token=s3cret, done";
        let kept = super::without_url_secrets(text);
        assert_eq!(
            kept,
            "download: error sending request for url (https://cdn.example.com:8443/a/b.deb): timed out; feed http://127.0.0.1:9/latest.json, done"
        );
        assert_eq!(
            super::without_url_secrets("no address here"),
            "no address here"
        );
    }

    use super::*;

    fn on(feed: &str) -> UpdateSettings {
        UpdateSettings {
            enabled: true,
            feed_url: Some(Url::parse(feed).unwrap()),
            ..UpdateSettings::default()
        }
    }

    #[test]
    fn off_by_default_and_always_off_for_the_simulator() {
        let defaults: UpdateSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(defaults, UpdateSettings::default());
        assert_eq!(
            updates_off_because(&defaults, false),
            Some("updates are turned off in Settings")
        );
        let settings = on("https://updates.example.com/{{channel}}/latest.json");
        assert_eq!(updates_off_because(&settings, false), None);
        assert!(updates_off_because(&settings, true)
            .unwrap()
            .contains("simulator"));
        let no_feed = UpdateSettings {
            enabled: true,
            ..UpdateSettings::default()
        };
        assert!(updates_off_because(&no_feed, false)
            .unwrap()
            .contains("no update feed"));
    }

    #[test]
    fn the_channel_fills_the_feed_and_cannot_change_its_host() {
        let mut settings = on("https://updates.example.com/{{channel}}/latest.json");
        settings.channel = "pilot".into();
        assert_eq!(
            settings.feed_for_channel().unwrap().as_str(),
            "https://updates.example.com/pilot/latest.json"
        );
        for bad in ["", "../x", "a/b", "x@evil.com", "a b", ".hidden", "é"] {
            settings.channel = bad.into();
            let err = settings.feed_for_channel().unwrap_err();
            assert_eq!(err.code(), "UPDATE_BAD_CHANNEL", "{bad:?}");
        }
    }

    #[test]
    fn a_plain_http_feed_is_refused_unless_on_this_machine() {
        let err = on("http://updates.example.com/latest.json")
            .feed_for_channel()
            .unwrap_err();
        assert_eq!(err.code(), "UPDATE_FEED_NOT_ALLOWED");
        assert!(on("http://127.0.0.1:9/latest.json")
            .feed_for_channel()
            .is_ok());
    }

    #[test]
    fn checks_come_at_least_a_minute_apart() {
        let mut settings = UpdateSettings {
            check_every_minutes: 0,
            ..UpdateSettings::default()
        };
        assert_eq!(settings.interval().as_secs(), 60);
        settings.check_every_minutes = 15;
        assert_eq!(settings.interval().as_secs(), 900);
    }
}
