//! The audit trail: who did what, when, in which mode, for which enrollment.
//!
//! Append-only: there is no update or delete here, and the schema's triggers
//! refuse both. Every detail passes through the one redaction function and a
//! phone-number scrubber before it reaches the database, so the file never
//! holds a token, an API secret, a password or a full phone number.

use super::{mask_phone, Store, StoreError};
use aeropay_client::redact::{mask_emails, redact_text};
use rusqlite::{params, Row};
use serde::Serialize;

/// Where the app ran when the entry was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditMode {
    Kiosk,
    Desk,
}

impl From<crate::config::Mode> for AuditMode {
    fn from(mode: crate::config::Mode) -> Self {
        match mode {
            crate::config::Mode::Kiosk => AuditMode::Kiosk,
            crate::config::Mode::Desk => AuditMode::Desk,
        }
    }
}

impl AuditMode {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditMode::Kiosk => "kiosk",
            AuditMode::Desk => "desk",
        }
    }

    fn parse(text: &str) -> Result<Self, StoreError> {
        match text {
            "kiosk" => Ok(AuditMode::Kiosk),
            "desk" => Ok(AuditMode::Desk),
            other => Err(StoreError::Unreadable(format!("audit mode {other:?}"))),
        }
    }
}

/// What happened. Stored by name, so reordering variants changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    EnrollmentStarted,
    CodeSent,
    CodeConfirmed,
    CodeFailed,
    IdChecked,
    WidgetOpened,
    LinkSucceeded,
    LinkFailed,
    /// The link may or may not have gone through; staff must check.
    LinkUnconfirmed,
    EnrollmentCancelled,
    ResetByIdle,
    ResetByCustomer,
    ResetByStaff,
    SettingsChanged,
    CredentialsChanged,
    PinFailed,
    PinSucceeded,
    PinSet,
    KioskEntered,
    KioskExited,
    ExportWritten,
    /// Signed updates: a check of the feed and what it found.
    UpdateChecked,
    /// The update was downloaded and its signature verified.
    UpdateDownloaded,
    /// Refused: bad signature, wrong package, untrusted feed or key.
    UpdateRefused,
    /// dpkg installed the update; the app restarts into it.
    UpdateInstalled,
    /// The feed could not be read, or the install failed: nothing changed.
    UpdateFailed,
    /// The app runs a version an update installed.
    UpdateStarted,
    /// The kiosk session's supervisor started the app again after it ended
    /// uncleanly (a crash, a kill, an error exit).
    KioskRestarted,
}

/// Every action, for reading names back.
pub const ALL_ACTIONS: &[AuditAction] = &[
    AuditAction::EnrollmentStarted,
    AuditAction::CodeSent,
    AuditAction::CodeConfirmed,
    AuditAction::CodeFailed,
    AuditAction::IdChecked,
    AuditAction::WidgetOpened,
    AuditAction::LinkSucceeded,
    AuditAction::LinkFailed,
    AuditAction::LinkUnconfirmed,
    AuditAction::EnrollmentCancelled,
    AuditAction::ResetByIdle,
    AuditAction::ResetByCustomer,
    AuditAction::ResetByStaff,
    AuditAction::SettingsChanged,
    AuditAction::CredentialsChanged,
    AuditAction::PinFailed,
    AuditAction::PinSucceeded,
    AuditAction::PinSet,
    AuditAction::KioskEntered,
    AuditAction::KioskExited,
    AuditAction::ExportWritten,
    AuditAction::UpdateChecked,
    AuditAction::UpdateDownloaded,
    AuditAction::UpdateRefused,
    AuditAction::UpdateInstalled,
    AuditAction::UpdateFailed,
    AuditAction::UpdateStarted,
    AuditAction::KioskRestarted,
];

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::EnrollmentStarted => "enrollment_started",
            AuditAction::CodeSent => "code_sent",
            AuditAction::CodeConfirmed => "code_confirmed",
            AuditAction::CodeFailed => "code_failed",
            AuditAction::IdChecked => "id_checked",
            AuditAction::WidgetOpened => "widget_opened",
            AuditAction::LinkSucceeded => "link_succeeded",
            AuditAction::LinkFailed => "link_failed",
            AuditAction::LinkUnconfirmed => "link_unconfirmed",
            AuditAction::EnrollmentCancelled => "enrollment_cancelled",
            AuditAction::ResetByIdle => "reset_by_idle",
            AuditAction::ResetByCustomer => "reset_by_customer",
            AuditAction::ResetByStaff => "reset_by_staff",
            AuditAction::SettingsChanged => "settings_changed",
            AuditAction::CredentialsChanged => "credentials_changed",
            AuditAction::PinFailed => "pin_failed",
            AuditAction::PinSucceeded => "pin_succeeded",
            AuditAction::PinSet => "pin_set",
            AuditAction::KioskEntered => "kiosk_entered",
            AuditAction::KioskExited => "kiosk_exited",
            AuditAction::ExportWritten => "export_written",
            AuditAction::UpdateChecked => "update_checked",
            AuditAction::UpdateDownloaded => "update_downloaded",
            AuditAction::UpdateRefused => "update_refused",
            AuditAction::UpdateInstalled => "update_installed",
            AuditAction::UpdateFailed => "update_failed",
            AuditAction::UpdateStarted => "update_started",
            AuditAction::KioskRestarted => "kiosk_restarted",
        }
    }

    /// An unknown name (written by a newer version) is an error, not a guess.
    fn parse(text: &str) -> Result<Self, StoreError> {
        ALL_ACTIONS
            .iter()
            .copied()
            .find(|action| action.as_str() == text)
            .ok_or_else(|| StoreError::Unreadable(format!("audit action {text:?}")))
    }
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// Unix seconds.
    pub at: i64,
    pub mode: AuditMode,
    /// The staff member acting, when one is signed in (desk mode, PIN).
    pub staff: Option<String>,
    pub action: AuditAction,
    /// Result or detail in words. Scrubbed before it is written.
    pub detail: String,
    pub error_code: Option<String>,
    /// The enrollment id, which also tags that enrollment's log lines.
    pub correlation_id: Option<String>,
}

/// Longest detail kept: the trail is for reading, not for dumping answers.
const MAX_DETAIL_CHARS: usize = 1000;

/// What may be written of a detail: secrets and personal fields redacted,
/// e-mail addresses (`a•••@e•••.com`) and phone numbers masked, length
/// bounded.
pub fn scrub_detail(detail: &str) -> String {
    let scrubbed = mask_phone_numbers(&mask_emails(&redact_text(detail)));
    match scrubbed.char_indices().nth(MAX_DETAIL_CHARS) {
        Some((cut, _)) => format!("{}…", &scrubbed[..cut]),
        None => scrubbed,
    }
}

/// Characters that may sit between the digits of a written phone number.
fn is_phone_separator(c: char) -> bool {
    matches!(c, '+' | '(' | ')' | '-' | '.' | ' ')
}

/// Replaces every run of 7 or more digits (with `+ ( ) - .` or spaces between
/// them) by its masked form, which keeps the last two digits. Deliberately
/// greedy: a long id that looks like a number is masked too, because a
/// number that slips through cannot be taken back out of an append-only log.
pub fn mask_phone_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let starts_run = chars[i].is_ascii_digit() || matches!(chars[i], '+' | '(');
        if !starts_run {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        // The run: digits and separators, ending on its last digit.
        let mut j = i;
        let mut last_digit = None;
        let mut digits = 0;
        while j < chars.len() && (chars[j].is_ascii_digit() || is_phone_separator(chars[j])) {
            if chars[j].is_ascii_digit() {
                digits += 1;
                last_digit = Some(j);
            }
            j += 1;
        }
        match last_digit {
            Some(end) if digits >= 7 => {
                let run: String = chars[i..=end].iter().collect();
                out.push_str(&mask_phone(&run));
                i = end + 1;
            }
            _ => {
                out.push(chars[i]);
                i += 1;
            }
        }
    }
    out
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<(AuditEntry, String, String)> {
    Ok((
        AuditEntry {
            at: row.get(0)?,
            mode: AuditMode::Desk,
            staff: row.get(2)?,
            action: AuditAction::EnrollmentStarted,
            detail: row.get(4)?,
            error_code: row.get(5)?,
            correlation_id: row.get(6)?,
        },
        row.get(1)?,
        row.get(3)?,
    ))
}

impl Store {
    /// Appends one entry; the detail is scrubbed first (see [`scrub_detail`]).
    pub fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        self.connection().execute(
            "INSERT INTO audit_log (at, mode, staff, action, detail, error_code, correlation_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                entry.at,
                entry.mode.as_str(),
                entry.staff,
                entry.action.as_str(),
                scrub_detail(&entry.detail),
                entry.error_code,
                entry.correlation_id,
            ],
        )?;
        self.audit_written.notify_one();
        Ok(())
    }

    /// Wrong staff PINs since the last right one or the last new PIN: how
    /// many, and when the last was typed (unix seconds). Restores the wait
    /// after a restart.
    pub fn pin_failures_since_last_success(&self) -> Result<(u32, Option<i64>), StoreError> {
        let (count, last): (i64, Option<i64>) = self.connection().query_row(
            // Two lookups rather than `action IN (..)`: each MAX(id) is then
            // one step down the (action, id) index.
            "SELECT COUNT(*), MAX(at) FROM audit_log
             WHERE action = ?1
               AND id > MAX(
                   COALESCE((SELECT MAX(id) FROM audit_log WHERE action = ?2), 0),
                   COALESCE((SELECT MAX(id) FROM audit_log WHERE action = ?3), 0))",
            params![
                AuditAction::PinFailed.as_str(),
                AuditAction::PinSucceeded.as_str(),
                AuditAction::PinSet.as_str()
            ],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok((u32::try_from(count).unwrap_or(u32::MAX), last))
    }

    /// Entries written within `[from, to)` (unix seconds), oldest first.
    pub fn audit_entries(&self, from: i64, to: i64) -> Result<Vec<AuditEntry>, StoreError> {
        let connection = self.connection();
        let mut statement = connection.prepare(
            "SELECT at, mode, staff, action, detail, error_code, correlation_id FROM audit_log
             WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
        )?;
        let rows = statement.query_map(params![from, to], from_row)?;
        rows.map(|row| {
            let (mut entry, mode, action) = row?;
            entry.mode = AuditMode::parse(&mode)?;
            entry.action = AuditAction::parse(&action)?;
            Ok(entry)
        })
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: i64, action: AuditAction, detail: &str) -> AuditEntry {
        AuditEntry {
            at,
            mode: AuditMode::Kiosk,
            staff: None,
            action,
            detail: detail.into(),
            error_code: None,
            correlation_id: Some("enr-1".into()),
        }
    }

    #[test]
    fn phone_numbers_keep_only_two_digits() {
        assert_eq!(
            mask_phone_numbers("sent to +14155550123."),
            "sent to •••-•••-••23."
        );
        assert_eq!(
            mask_phone_numbers("call (415) 555-0123 now"),
            "call •••-•••-••23 now"
        );
        assert_eq!(mask_phone_numbers("415.555.0123"), "•••-•••-••23");
        assert_eq!(mask_phone_numbers("id4155550123x"), "id•••-•••-••23x");
        // Greedy on purpose: a dashed date has 8 digits and is masked too.
        assert_eq!(mask_phone_numbers("on 2024-06-10"), "on •••-•••-••10");
    }

    #[test]
    fn short_numbers_and_plain_text_are_kept() {
        for text in [
            "code 000000 accepted",
            "AP007 (retry 3)",
            "account ending 6789",
            "2024-06",
            "naïve café ✓ +",
            "",
        ] {
            assert_eq!(mask_phone_numbers(text), text);
        }
    }

    #[test]
    fn details_are_redacted_then_masked_and_bounded() {
        let out = scrub_detail("user_password=hunter2 for +14155550123");
        assert_eq!(out, "user_password=<redacted> for •••-•••-••23");
        let long = "a".repeat(5000);
        assert_eq!(scrub_detail(&long).chars().count(), MAX_DETAIL_CHARS + 1);
    }

    #[test]
    fn emails_in_details_are_masked() {
        assert_eq!(
            scrub_detail("code sent to ada.lovelace@example.com for (415) 555-0123"),
            "code sent to a•••@e•••.com for •••-•••-••23"
        );
        assert_eq!(
            scrub_detail("e-mails: Bob@Mail.Example.org, c@d.io."),
            "e-mails: B•••@M•••.org, c•••@d•••.io."
        );
        let out = scrub_detail(r#"{"email":"ada@example.com","firstName":"Ada"}"#);
        assert!(
            !out.contains("ada@") && !out.contains("Ada"),
            "the e-mail or the name is left in the detail"
        );
    }

    #[test]
    fn entries_come_back_in_range_oldest_first() {
        let store = Store::in_memory().unwrap();
        store
            .audit(&entry(20, AuditAction::CodeSent, "sent"))
            .unwrap();
        store
            .audit(&entry(10, AuditAction::EnrollmentStarted, "new"))
            .unwrap();
        store
            .audit(&entry(30, AuditAction::LinkSucceeded, "ok"))
            .unwrap();
        let listed = store.audit_entries(10, 30).unwrap();
        assert_eq!(
            listed.iter().map(|e| e.action).collect::<Vec<_>>(),
            [AuditAction::EnrollmentStarted, AuditAction::CodeSent]
        );
        assert_eq!(listed[0], entry(10, AuditAction::EnrollmentStarted, "new"));
    }

    #[test]
    fn wrong_pins_count_from_the_last_right_one() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.pin_failures_since_last_success().unwrap(), (0, None));
        store
            .audit(&entry(1, AuditAction::PinFailed, "wrong"))
            .unwrap();
        store
            .audit(&entry(2, AuditAction::PinSucceeded, "ok"))
            .unwrap();
        assert_eq!(store.pin_failures_since_last_success().unwrap(), (0, None));
        store
            .audit(&entry(5, AuditAction::PinFailed, "wrong"))
            .unwrap();
        store
            .audit(&entry(6, AuditAction::CodeSent, "other"))
            .unwrap();
        store
            .audit(&entry(9, AuditAction::PinFailed, "wrong"))
            .unwrap();
        assert_eq!(
            store.pin_failures_since_last_success().unwrap(),
            (2, Some(9))
        );
        // A new PIN ends the count as a right one does.
        store
            .audit(&entry(10, AuditAction::PinSet, "staff PIN set"))
            .unwrap();
        assert_eq!(store.pin_failures_since_last_success().unwrap(), (0, None));
        store
            .audit(&entry(11, AuditAction::PinFailed, "wrong"))
            .unwrap();
        assert_eq!(
            store.pin_failures_since_last_success().unwrap(),
            (1, Some(11))
        );
    }

    #[test]
    fn every_action_round_trips_by_name() {
        for action in ALL_ACTIONS {
            // The stored name is the one the page gets through serde.
            let serde_name = serde_json::to_value(action).unwrap();
            assert_eq!(serde_name, action.as_str());
            assert_eq!(AuditAction::parse(action.as_str()).unwrap(), *action);
        }
        assert_eq!(
            AuditAction::parse("nope").unwrap_err().code(),
            "STORE_UNREADABLE"
        );
    }
}
