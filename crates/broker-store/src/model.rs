//! The records the store keeps and hands out, and the checks on what it is
//! given.

use crate::error::{Result, StoreError};
use base64::Engine as _;
use rand::Rng as _;
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// A device as the broker knows it. Its credential verifier never leaves
/// the store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Device {
    pub id: Uuid,
    pub name: String,
    /// The store (or any grouping the operator uses) the device belongs to.
    pub group: String,
    pub status: DeviceStatus,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub enrolled_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_seen_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeviceStatus {
    /// Added; its enrollment code has not been redeemed.
    Pending,
    Active,
    /// Refused until enabled again.
    Disabled,
    /// Refused for good.
    Revoked,
}

impl DeviceStatus {
    pub(crate) fn from_columns(enrolled: bool, disabled: bool, revoked: bool) -> DeviceStatus {
        if revoked {
            DeviceStatus::Revoked
        } else if disabled {
            DeviceStatus::Disabled
        } else if enrolled {
            DeviceStatus::Active
        } else {
            DeviceStatus::Pending
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DeviceStatus::Pending => "pending",
            DeviceStatus::Active => "active",
            DeviceStatus::Disabled => "disabled",
            DeviceStatus::Revoked => "revoked",
        }
    }
}

/// A one-time enrollment code, as shown to the operator once. Only its
/// SHA-256 is stored. Its `Debug` output is `<redacted>`.
#[derive(Clone, PartialEq, Eq)]
pub struct EnrollmentCode {
    code: String,
    pub expires_at: OffsetDateTime,
}

impl std::fmt::Debug for EnrollmentCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnrollmentCode")
            .field("code", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Crockford's base32 alphabet: no I, L, O or U, so nothing reads as
/// another character.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 28 characters of 5 bits: 140 random bits, typed as 7 groups of 4.
const CODE_CHARS: usize = 28;
const CODE_GROUP: usize = 4;

impl EnrollmentCode {
    pub(crate) fn generate(expires_at: OffsetDateTime) -> Self {
        // rand's thread generator is a CSPRNG (ChaCha) seeded from the OS.
        let mut rng = rand::rng();
        let mut code = String::with_capacity(CODE_CHARS + CODE_CHARS / CODE_GROUP);
        for i in 0..CODE_CHARS {
            if i > 0 && i % CODE_GROUP == 0 {
                code.push('-');
            }
            code.push(CODE_ALPHABET[rng.random_range(0..32)] as char);
        }
        Self { code, expires_at }
    }

    /// The code as the operator types it on the device, e.g.
    /// `K7QF-2M9X-…`. Show it once; never log it.
    pub fn reveal(&self) -> &str {
        &self.code
    }
}

/// The stored form of a code as typed: case, spaces and dashes do not
/// matter, and O/I/L read as 0/1/1. `None` when it cannot be a code.
pub(crate) fn code_hash(typed: &str) -> Option<[u8; 32]> {
    let mut normal = String::with_capacity(CODE_CHARS);
    for c in typed.chars() {
        let c = match c.to_ascii_uppercase() {
            '-' | ' ' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            c => c,
        };
        if !c.is_ascii() || !CODE_ALPHABET.contains(&(c as u8)) || normal.len() == CODE_CHARS {
            return None;
        }
        normal.push(c);
    }
    if normal.len() != CODE_CHARS {
        return None;
    }
    Some(Sha256::digest(normal.as_bytes()).into())
}

/// What the broker keeps of a device's secret: `sha256(secret)`.
pub fn credential_verifier(secret: &[u8]) -> [u8; 32] {
    Sha256::digest(secret).into()
}

pub(crate) fn verifier_matches(stored: &[u8], secret: &[u8]) -> bool {
    use subtle::ConstantTimeEq as _;
    let presented = credential_verifier(secret);
    stored.len() == presented.len() && bool::from(presented.ct_eq(stored))
}

const NAME_MAX: usize = 63;

fn name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("it is empty");
    }
    if name.len() > NAME_MAX {
        return Some("it is longer than 63 characters");
    }
    if !name.bytes().all(|b| {
        b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
    }) {
        return Some("use lowercase letters a-z, digits 0-9, '-', '_' and '.' only");
    }
    if !name.as_bytes()[0].is_ascii_alphanumeric() {
        return Some("it must start with a letter or a digit");
    }
    None
}

/// Device names: 1 to 63 of `a-z 0-9 - _ .`, starting with a letter or a
/// digit (`store-12-kiosk-1`).
pub fn validate_device_name(name: &str) -> Result<()> {
    match name_problem(name) {
        Some(reason) => Err(StoreError::InvalidName {
            name: shorten(name),
            reason,
        }),
        None => Ok(()),
    }
}

/// Group names follow the device names' rules (`store-12`).
pub fn validate_group(group: &str) -> Result<()> {
    match name_problem(group) {
        Some(reason) => Err(StoreError::InvalidGroup {
            name: shorten(group),
            reason,
        }),
        None => Ok(()),
    }
}

/// An invalid name is echoed in the error, but not at any length.
fn shorten(s: &str) -> String {
    s.chars().take(NAME_MAX + 1).collect()
}

/// Rate limit kinds and audit kinds: 1 to 64 of `a-z 0-9 _ . -`.
pub(crate) fn validate_kind(what: &str, kind: &str) -> Result<()> {
    let ok = !kind.is_empty()
        && kind.len() <= 64
        && kind.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' || b == b'.'
        });
    if ok {
        Ok(())
    } else {
        Err(StoreError::InvalidArgument(format!(
            "{what} must be 1 to 64 of a-z, 0-9, '_', '.', '-'"
        )))
    }
}

/// One entry of a device's audit trail, as the device sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    /// Chosen by the device; a resent entry has the same id.
    pub id: Uuid,
    /// The device's own sequence number, increasing.
    pub seq: u64,
    pub at: OffsetDateTime,
    pub kind: String,
    /// Already redacted by the device. Never logged by the store.
    pub detail: serde_json::Value,
}

/// Largest `detail` accepted, serialized.
pub const AUDIT_DETAIL_MAX: usize = 16 * 1024;
/// Most entries in one `append_audit` call.
pub const AUDIT_BATCH_MAX: usize = 1000;
/// Most entries in one page of `list_audit`.
pub const AUDIT_PAGE_MAX: u32 = 1000;

pub(crate) fn validate_batch(entries: &[AuditEntry]) -> Result<()> {
    if entries.len() > AUDIT_BATCH_MAX {
        return Err(StoreError::InvalidArgument(format!(
            "at most {AUDIT_BATCH_MAX} audit entries per call"
        )));
    }
    for e in entries {
        validate_kind("an audit entry's kind", &e.kind)?;
        if e.seq > i64::MAX as u64 {
            return Err(StoreError::InvalidArgument(
                "an audit entry's sequence number is out of range".into(),
            ));
        }
        if e.detail.to_string().len() > AUDIT_DETAIL_MAX {
            return Err(StoreError::InvalidArgument(format!(
                "an audit entry's detail is larger than {AUDIT_DETAIL_MAX} bytes"
            )));
        }
    }
    Ok(())
}

/// What `append_audit` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Appended {
    /// Entries that were not stored before.
    pub new: usize,
    /// Entries already stored (same device and id): skipped.
    pub duplicates: usize,
}

/// An audit entry as stored, with the device it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRecord {
    pub device_id: Uuid,
    pub device_name: String,
    pub group: String,
    pub id: Uuid,
    pub seq: u64,
    pub at: OffsetDateTime,
    pub kind: String,
    pub detail: serde_json::Value,
    pub received_at: OffsetDateTime,
}

/// Which audit entries to list. Entries come in (device id, seq) order.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only devices of this group.
    pub group: Option<String>,
    /// Only this device (by name).
    pub device: Option<String>,
    /// Continue after this cursor (the `next` of the previous page).
    pub after: Option<AuditCursor>,
    /// Page size, 1 to [`AUDIT_PAGE_MAX`]; 0 means 100.
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AuditPage {
    pub entries: Vec<AuditRecord>,
    /// Where the next page starts; `None` when this page is the last.
    pub next: Option<AuditCursor>,
}

/// An opaque position in the audit listing (URL-safe text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCursor(String);

impl AuditCursor {
    pub(crate) fn new(device: Uuid, seq: u64) -> Self {
        let raw = format!("{}:{}", device.simple(), seq);
        Self(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw))
    }

    /// A cursor received back from a client.
    pub fn parse(s: &str) -> Result<Self> {
        let cursor = Self(s.to_owned());
        cursor.position()?;
        Ok(cursor)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub(crate) fn position(&self) -> Result<(Uuid, u64)> {
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&self.0)
            .map_err(|_| StoreError::CursorInvalid)?;
        let raw = String::from_utf8(raw).map_err(|_| StoreError::CursorInvalid)?;
        let (device, seq) = raw.split_once(':').ok_or(StoreError::CursorInvalid)?;
        let device = Uuid::try_parse(device).map_err(|_| StoreError::CursorInvalid)?;
        let seq: u64 = seq.parse().map_err(|_| StoreError::CursorInvalid)?;
        if seq > i64::MAX as u64 {
            return Err(StoreError::CursorInvalid);
        }
        Ok((device, seq))
    }
}

pub(crate) fn page_limit(limit: u32) -> Result<u32> {
    match limit {
        0 => Ok(100),
        1..=AUDIT_PAGE_MAX => Ok(limit),
        _ => Err(StoreError::InvalidArgument(format!(
            "an audit page holds at most {AUDIT_PAGE_MAX} entries"
        ))),
    }
}

/// The fleet's shared Aeropay merchant token, encrypted by the broker.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantToken {
    pub ciphertext: Vec<u8>,
    pub expires_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl std::fmt::Debug for MerchantToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantToken")
            .field(
                "ciphertext",
                &format_args!("<{} bytes>", self.ciphertext.len()),
            )
            .field("expires_at", &self.expires_at)
            .field("updated_at", &self.updated_at)
            .finish()
    }
}

/// Largest merchant token ciphertext accepted.
pub const TOKEN_CIPHERTEXT_MAX: usize = 64 * 1024;

pub(crate) fn validate_limit(limit: u32, window: time::Duration) -> Result<i64> {
    if limit == 0 {
        return Err(StoreError::InvalidArgument(
            "a rate limit must allow at least 1".into(),
        ));
    }
    let ms = window.whole_milliseconds();
    if ms < 1 || ms > i64::MAX as i128 / 4 {
        return Err(StoreError::InvalidArgument(
            "a rate window must be at least 1 ms".into(),
        ));
    }
    Ok(ms as i64)
}

pub(crate) fn check_credential(
    found: Option<(Device, Option<Vec<u8>>)>,
    secret: &[u8],
) -> Result<Device> {
    let Some((device, verifier)) = found else {
        // The same work as for a known device.
        let _ = verifier_matches(&[0u8; 32], secret);
        return Err(StoreError::DeviceUnknown);
    };
    let Some(verifier) = verifier else {
        let _ = verifier_matches(&[0u8; 32], secret);
        return Err(match device.status {
            DeviceStatus::Revoked => StoreError::DeviceRevoked,
            _ => StoreError::DeviceNotEnrolled,
        });
    };
    if !verifier_matches(&verifier, secret) {
        return Err(StoreError::CredentialInvalid);
    }
    match device.status {
        DeviceStatus::Revoked => Err(StoreError::DeviceRevoked),
        DeviceStatus::Disabled => Err(StoreError::DeviceDisabled),
        DeviceStatus::Active => Ok(device),
        DeviceStatus::Pending => Err(StoreError::DeviceNotEnrolled),
    }
}

pub(crate) fn page(mut rows: Vec<AuditRecord>, limit: u32) -> AuditPage {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more {
        rows.last().map(|r| AuditCursor::new(r.device_id, r.seq))
    } else {
        None
    };
    AuditPage {
        entries: rows,
        next,
    }
}

/// A reply the broker keeps so that a device repeating a request (same
/// idempotency key) gets the same answer without Aeropay being called
/// again.
#[derive(Debug, Clone, PartialEq)]
pub struct IdempotentReply {
    /// What the request was (`create_user`, `confirm_user`).
    pub operation: String,
    /// The request's fingerprint (the broker's keyed HMAC-SHA256): the same
    /// key with another request is refused.
    pub request_hash: [u8; 32],
    pub reply: serde_json::Value,
    pub created_at: OffsetDateTime,
}

/// Largest reply kept, serialized.
pub const REPLY_MAX: usize = 16 * 1024;

/// Idempotency keys and Aeropay user ids: 1 to 128 printable ASCII
/// characters, no spaces.
pub(crate) fn validate_token_text(what: &str, text: &str) -> Result<()> {
    if !text.is_empty() && text.len() <= 128 && text.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(StoreError::InvalidArgument(format!(
            "{what} must be 1 to 128 printable ASCII characters without spaces"
        )))
    }
}

pub(crate) fn validate_reply(operation: &str, reply: &serde_json::Value) -> Result<()> {
    validate_kind("an operation", operation)?;
    if reply.to_string().len() > REPLY_MAX {
        return Err(StoreError::InvalidArgument(format!(
            "a kept reply is larger than {REPLY_MAX} bytes"
        )));
    }
    Ok(())
}
