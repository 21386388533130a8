//! The store's one error type. Each variant has a stable code (what the
//! broker's answers and logs carry) and a message an operator can act on.
//! No message ever carries a secret, an enrollment code, a credential or a
//! database password: URLs are shown with their password removed
//! ([`crate::redact_url`]).

use time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached (refused, timed out, closed, shutting
    /// down, locked beyond the busy timeout). Worth retrying; nothing was
    /// written by the call that failed.
    #[error("the broker's database is unavailable ({backend} at {target}): {detail}; check that it is running and reachable, then retry")]
    Unavailable {
        backend: &'static str,
        /// The URL without its password, or the SQLite file's path.
        target: String,
        detail: String,
    },
    /// The URL given to [`crate::Store::open`] cannot be used.
    #[error("the broker's database URL cannot be used: {reason}")]
    InvalidUrl { reason: String },
    /// A schema migration failed; the database is left at the last version
    /// that was applied whole.
    #[error("updating the broker's database schema to version {version} failed: {detail}")]
    Migration { version: i64, detail: String },
    /// The database was migrated by a newer broker than this one.
    #[error("the broker's database has schema version {found}, newer than this broker knows ({known}); run the newer broker, or a database of its own")]
    SchemaTooNew { found: i64, known: i64 },
    /// An unexpected database error (a bug, or a database changed by hand).
    #[error("the broker's database failed: {detail}")]
    Database { detail: String },

    #[error("device name {name:?} is not valid: {reason}")]
    InvalidName { name: String, reason: &'static str },
    #[error("group name {name:?} is not valid: {reason}")]
    InvalidGroup { name: String, reason: &'static str },
    #[error("a device named {name:?} already exists; pick another name, or revoke and list devices to see it")]
    NameTaken { name: String },
    #[error("no device is named {name:?}; `device list` shows the devices")]
    DeviceNotFound { name: String },
    /// A device id the broker does not know (never enrolled, or a database
    /// that was replaced).
    #[error("unknown device; the device must be enrolled again with a new code")]
    DeviceUnknown,
    #[error("the device has not been enrolled yet; it must redeem its enrollment code first")]
    DeviceNotEnrolled,
    #[error("the device is disabled; an operator can enable it again")]
    DeviceDisabled,
    #[error(
        "the device is revoked, for good; add it again under a new name to give it a new code"
    )]
    DeviceRevoked,
    #[error("the device credential is not valid")]
    CredentialInvalid,

    #[error("the enrollment code is not valid; check it was typed as printed")]
    CodeInvalid,
    #[error("the enrollment code has expired; add the device again for a new code")]
    CodeExpired,
    #[error("the enrollment code was already used; each code enrolls one device once")]
    CodeUsed,

    #[error("rate limit reached for {kind:?}; retry in {} s", (retry_after.whole_milliseconds() + 999).div_euclid(1000).max(1))]
    Limited { kind: String, retry_after: Duration },

    /// A device sent an audit entry whose sequence number it already used
    /// for another entry.
    #[error("audit entry sequence number {seq} was already used by another entry of this device")]
    AuditSequenceConflict { seq: u64 },
    #[error("the audit cursor is not valid; start again without one")]
    CursorInvalid,
    /// An argument out of its documented range.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl StoreError {
    /// The stable code for this error.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable { .. } => "BROKER_STORE_UNAVAILABLE",
            StoreError::InvalidUrl { .. } => "BROKER_STORE_URL_INVALID",
            StoreError::Migration { .. } => "BROKER_STORE_MIGRATION_FAILED",
            StoreError::SchemaTooNew { .. } => "BROKER_STORE_SCHEMA_TOO_NEW",
            StoreError::Database { .. } => "BROKER_STORE_FAILED",
            StoreError::InvalidName { .. } => "BROKER_DEVICE_NAME_INVALID",
            StoreError::InvalidGroup { .. } => "BROKER_DEVICE_GROUP_INVALID",
            StoreError::NameTaken { .. } => "BROKER_DEVICE_NAME_TAKEN",
            StoreError::DeviceNotFound { .. } => "BROKER_DEVICE_NOT_FOUND",
            StoreError::DeviceUnknown => "BROKER_DEVICE_UNKNOWN",
            StoreError::DeviceNotEnrolled => "BROKER_DEVICE_NOT_ENROLLED",
            StoreError::DeviceDisabled => "BROKER_DEVICE_DISABLED",
            StoreError::DeviceRevoked => "BROKER_DEVICE_REVOKED",
            StoreError::CredentialInvalid => "BROKER_DEVICE_CREDENTIAL_INVALID",
            StoreError::CodeInvalid => "BROKER_ENROLLMENT_CODE_INVALID",
            StoreError::CodeExpired => "BROKER_ENROLLMENT_CODE_EXPIRED",
            StoreError::CodeUsed => "BROKER_ENROLLMENT_CODE_USED",
            StoreError::Limited { .. } => "BROKER_RATE_LIMITED",
            StoreError::AuditSequenceConflict { .. } => "BROKER_AUDIT_SEQUENCE_CONFLICT",
            StoreError::CursorInvalid => "BROKER_AUDIT_CURSOR_INVALID",
            StoreError::InvalidArgument(_) => "BROKER_STORE_INVALID_ARGUMENT",
        }
    }

    /// True when the database could not be reached: the caller may retry
    /// the same call later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Unavailable { .. })
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn all() -> Vec<StoreError> {
        vec![
            StoreError::Unavailable {
                backend: "PostgreSQL",
                target: "postgres://broker@db/broker".into(),
                detail: "connection refused".into(),
            },
            StoreError::InvalidUrl { reason: "x".into() },
            StoreError::Migration {
                version: 1,
                detail: "x".into(),
            },
            StoreError::SchemaTooNew { found: 2, known: 1 },
            StoreError::Database { detail: "x".into() },
            StoreError::InvalidName {
                name: "A".into(),
                reason: "x",
            },
            StoreError::InvalidGroup {
                name: "A".into(),
                reason: "x",
            },
            StoreError::NameTaken { name: "a".into() },
            StoreError::DeviceNotFound { name: "a".into() },
            StoreError::DeviceUnknown,
            StoreError::DeviceNotEnrolled,
            StoreError::DeviceDisabled,
            StoreError::DeviceRevoked,
            StoreError::CredentialInvalid,
            StoreError::CodeInvalid,
            StoreError::CodeExpired,
            StoreError::CodeUsed,
            StoreError::Limited {
                kind: "code_sent".into(),
                retry_after: Duration::seconds(1),
            },
            StoreError::AuditSequenceConflict { seq: 3 },
            StoreError::CursorInvalid,
            StoreError::InvalidArgument("x".into()),
        ]
    }

    #[test]
    fn codes_are_distinct_and_prefixed() {
        let errors = all();
        let mut codes: Vec<&str> = errors.iter().map(StoreError::code).collect();
        assert!(codes.iter().all(|c| c.starts_with("BROKER_")));
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        let unavailable: Vec<bool> = errors.iter().map(StoreError::is_unavailable).collect();
        assert_eq!(unavailable.iter().filter(|u| **u).count(), 1);
        assert!(unavailable[0]);
    }

    #[test]
    fn a_rate_limit_wait_rounds_up_to_the_second() {
        let limited = |ms| StoreError::Limited {
            kind: "code_sent".into(),
            retry_after: Duration::milliseconds(ms),
        };
        assert!(limited(29_750).to_string().ends_with("retry in 30 s"));
        assert!(limited(30_000).to_string().ends_with("retry in 30 s"));
        assert!(limited(1).to_string().ends_with("retry in 1 s"));
    }
}
