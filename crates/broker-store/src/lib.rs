//! The fleet broker's state: enrolled devices and their one-time enrollment
//! codes, per-device rate limits, every device's audit trail, and the one
//! Aeropay merchant token the fleet shares.
//!
//! Two backends behind one [`Store`]:
//! - **PostgreSQL** (`postgres://…`, `postgresql://…`), for several broker
//!   replicas behind a load balancer. Everything that must hold across
//!   replicas is decided by the database: one statement or one transaction
//!   per call, advisory locks for migrations and merchant token mints.
//! - **SQLite** (`sqlite:///path/to/broker.db`, or a plain file path), the
//!   single-store setup: one broker process. WAL mode, a busy timeout, and
//!   every call on tokio's blocking threads so the runtime never waits on
//!   the disk.
//!
//! [`Store::open`] brings the schema up to date under a lock, so replicas
//! that start together apply each migration once.
//!
//! Known limit: the PostgreSQL connection has no TLS yet. Use it over the
//! loopback interface or a unix socket (`postgresql:///broker?host=/run/postgresql`),
//! or a network the operator trusts.

mod clock;
mod error;
mod migrations;
mod model;
mod pg;
mod sqlite;
#[cfg(feature = "testing")]
pub mod testing;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{Result, StoreError};
pub use model::{
    credential_verifier, validate_device_name, validate_group, Appended, AuditCursor, AuditEntry,
    AuditFilter, AuditPage, AuditRecord, Device, DeviceStatus, EnrollmentCode, IdempotentReply,
    MerchantToken, AUDIT_BATCH_MAX, AUDIT_DETAIL_MAX, AUDIT_PAGE_MAX, REPLY_MAX,
    TOKEN_CIPHERTEXT_MAX,
};
pub use pg::PgStore;
pub use sqlite::SqliteStore;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration as StdDuration;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

/// How a store is opened. `StoreOptions::default()` is what
/// [`Store::open`] uses.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Where "now" comes from (a [`ManualClock`] in tests).
    pub clock: Arc<dyn Clock>,
    /// How long an enrollment code can be redeemed. Default 24 hours.
    pub code_ttl: Duration,
    /// The longest wait to open a database connection (PostgreSQL), or for
    /// another writer's lock (SQLite busy timeout). Default 5 s. A
    /// `connect_timeout` in the PostgreSQL URL wins over it.
    pub connect_timeout: StdDuration,
    /// PostgreSQL connections per store. Default 8.
    pub pool_size: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            clock: Arc::new(SystemClock),
            code_ttl: Duration::hours(24),
            connect_timeout: StdDuration::from_secs(5),
            pool_size: 8,
        }
    }
}

/// The broker's state, in PostgreSQL or SQLite. Cheap to clone (clones
/// share the connections).
#[derive(Clone)]
pub enum Store {
    Postgres(PgStore),
    Sqlite(SqliteStore),
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Store::Postgres(s) => f.debug_tuple("Postgres").field(&s.target()).finish(),
            Store::Sqlite(s) => f.debug_tuple("Sqlite").field(&s.target()).finish(),
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            Store::Postgres($s) => $call.await,
            Store::Sqlite($s) => $call.await,
        }
    };
}

/// Which backend a URL names.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    Postgres,
    Sqlite(std::path::PathBuf),
}

fn classify(url: &str) -> Result<Target> {
    let lower = url.get(..14).unwrap_or(url).to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Ok(Target::Postgres);
    }
    if lower.starts_with("sqlite:") {
        let rest = &url["sqlite:".len()..];
        // `sqlite:///abs/path` and `sqlite://rel/path` and `sqlite:rel`.
        let path = rest.strip_prefix("//").unwrap_or(rest);
        let path = path.split('?').next().unwrap_or("");
        if path.is_empty() {
            return Err(StoreError::InvalidUrl {
                reason: "a sqlite URL needs a file path (sqlite:///var/lib/broker/broker.db)"
                    .into(),
            });
        }
        return Ok(Target::Sqlite(path.into()));
    }
    if url.contains("://") {
        return Err(StoreError::InvalidUrl {
            reason: "use postgres://…, postgresql://…, sqlite:///path or a file path".into(),
        });
    }
    if url.is_empty() || url == ":memory:" {
        return Err(StoreError::InvalidUrl {
            reason: "the SQLite database must be a file path".into(),
        });
    }
    Ok(Target::Sqlite(url.into()))
}

/// What errors and logs show of a database URL: its scheme, user, host,
/// port and database name, nothing else. A password can hide in more
/// places than the user part (a `password` parameter, `options=-c
/// password=…`, an encoded `user:pw@` inside a `host` parameter), so
/// instead of removing what is known to be secret this keeps only what is
/// known not to be. A `host` parameter is shown only when it is a plain
/// socket folder (`/run/postgresql`).
pub fn redact_url(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return "<a URL that cannot be parsed>".into();
    };
    let mut out = format!("{}://", parsed.scheme());
    if !parsed.username().is_empty() {
        out.push_str(parsed.username());
        out.push('@');
    }
    if let Some(host) = parsed.host_str() {
        out.push_str(host);
    }
    if let Some(port) = parsed.port() {
        out.push_str(&format!(":{port}"));
    }
    let database = parsed
        .path_segments()
        .and_then(|mut segments| segments.next())
        .unwrap_or("");
    out.push('/');
    out.push_str(database);
    let socket = parsed.query_pairs().find_map(|(k, v)| {
        let plain_folder = v.starts_with('/')
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/._-".contains(&b));
        (k.eq_ignore_ascii_case("host") && plain_folder).then(|| v.into_owned())
    });
    if let Some(socket) = socket {
        out.push_str("?host=");
        out.push_str(&socket);
    }
    out
}

impl Store {
    /// Opens the store `url` names with the default options and brings its
    /// schema up to date.
    pub async fn open(url: &str) -> Result<Store> {
        Self::open_with(url, StoreOptions::default()).await
    }

    pub async fn open_with(url: &str, options: StoreOptions) -> Result<Store> {
        match classify(url)? {
            Target::Postgres => Ok(Store::Postgres(PgStore::open(url, options).await?)),
            Target::Sqlite(path) => Ok(Store::Sqlite(SqliteStore::open(path, options).await?)),
        }
    }

    /// `"postgresql"` or `"sqlite"`.
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Postgres(_) => "postgresql",
            Store::Sqlite(_) => "sqlite",
        }
    }

    /// The schema versions this `open` applied (empty when another replica,
    /// or an earlier start, had applied them all).
    pub fn applied_migrations(&self) -> &[i64] {
        match self {
            Store::Postgres(s) => s.applied_migrations(),
            Store::Sqlite(s) => s.applied_migrations(),
        }
    }

    /// The database's schema version.
    pub async fn schema_version(&self) -> Result<i64> {
        dispatch!(self, s => s.schema_version())
    }

    /// Adds a device that is not enrolled yet, and its one-time enrollment
    /// code (shown once; only its hash is stored), valid for the
    /// configured time (default 24 h).
    pub async fn add_device(&self, name: &str, group: &str) -> Result<(Device, EnrollmentCode)> {
        validate_device_name(name)?;
        validate_group(group)?;
        dispatch!(self, s => s.add_device(name, group))
    }

    /// Redeems an enrollment code: the device becomes active with
    /// `verifier` (the SHA-256 of the secret the broker gave it, see
    /// [`credential_verifier`]) as its credential. A code redeems once,
    /// whatever the number of concurrent tries.
    pub async fn redeem(&self, code: &str, verifier: &[u8; 32]) -> Result<Device> {
        dispatch!(self, s => s.redeem(code, verifier))
    }

    /// Checks a device's secret (in constant time) and its status.
    /// Errors: `DeviceUnknown`, `DeviceNotEnrolled`, `CredentialInvalid`,
    /// `DeviceRevoked`, `DeviceDisabled`; a wrong secret is reported as
    /// such before the status.
    pub async fn authenticate(&self, device_id: Uuid, secret: &[u8]) -> Result<Device> {
        dispatch!(self, s => s.authenticate(device_id, secret))
    }

    pub async fn device(&self, name: &str) -> Result<Device> {
        dispatch!(self, s => s.device(name))
    }

    /// All devices, by name.
    pub async fn list_devices(&self) -> Result<Vec<Device>> {
        dispatch!(self, s => s.list_devices())
    }

    /// Refuses the device until [`Store::enable`].
    pub async fn disable(&self, name: &str) -> Result<Device> {
        dispatch!(self, s => s.set_disabled(name, true))
    }

    pub async fn enable(&self, name: &str) -> Result<Device> {
        dispatch!(self, s => s.set_disabled(name, false))
    }

    /// Refuses the device for good (enable fails afterwards).
    pub async fn revoke(&self, name: &str) -> Result<Device> {
        dispatch!(self, s => s.revoke(name))
    }

    /// Records that the device was just seen.
    pub async fn touch(&self, device_id: Uuid) -> Result<()> {
        dispatch!(self, s => s.touch(device_id))
    }

    /// Takes one unit of the device's `kind` budget: at most `limit` per
    /// `window`. Fixed windows aligned on the Unix epoch (a window of one
    /// hour runs from hh:00 to hh:59:59.999, UTC): at most `limit` in any
    /// one window, and up to twice `limit` across a window boundary. One
    /// SQL statement per call, so it holds across replicas.
    /// `Err(Limited { retry_after })` when the budget is spent: the time
    /// until the window ends.
    pub async fn take(
        &self,
        device_id: Uuid,
        kind: &str,
        limit: u32,
        window: Duration,
    ) -> Result<()> {
        model::validate_kind("a rate limit kind", kind)?;
        let window_ms = model::validate_limit(limit, window)?;
        dispatch!(self, s => s.take(device_id, kind, limit, window_ms))
    }

    /// Appends a batch of the device's audit entries, all or none.
    /// Idempotent: an entry whose id the device already sent is skipped,
    /// so a batch sent again adds nothing. An entry reusing another
    /// entry's sequence number fails the batch
    /// (`AuditSequenceConflict`).
    pub async fn append_audit(&self, device_id: Uuid, entries: &[AuditEntry]) -> Result<Appended> {
        model::validate_batch(entries)?;
        dispatch!(self, s => s.append_audit(device_id, entries))
    }

    /// One page of audit entries in (device id, seq) order.
    pub async fn list_audit(&self, filter: &AuditFilter) -> Result<AuditPage> {
        let limit = model::page_limit(filter.limit)?;
        let after = filter.after.as_ref().map(|c| c.position()).transpose()?;
        dispatch!(self, s => s.list_audit(filter, after, limit))
    }

    /// Records that the device just confirmed this Aeropay user (their
    /// code was accepted through the broker). Repeating it moves the time.
    pub async fn record_verified_user(&self, device_id: Uuid, user_id: &str) -> Result<()> {
        model::validate_token_text("a user id", user_id)?;
        dispatch!(self, s => s.record_verified_user(device_id, user_id))
    }

    /// When the device last confirmed this user; `None` if it never did.
    pub async fn verified_at(
        &self,
        device_id: Uuid,
        user_id: &str,
    ) -> Result<Option<OffsetDateTime>> {
        model::validate_token_text("a user id", user_id)?;
        dispatch!(self, s => s.verified_at(device_id, user_id))
    }

    /// The reply kept for the device's idempotency key, if any.
    pub async fn idempotent_reply(
        &self,
        device_id: Uuid,
        key: &str,
    ) -> Result<Option<IdempotentReply>> {
        model::validate_token_text("an idempotency key", key)?;
        dispatch!(self, s => s.idempotent_reply(device_id, key))
    }

    /// Keeps a reply under the device's idempotency key. If one is already
    /// kept (a concurrent request of the same device won), that one stays
    /// and is returned; otherwise the new one is.
    pub async fn put_idempotent_reply(
        &self,
        device_id: Uuid,
        key: &str,
        operation: &str,
        request_hash: &[u8; 32],
        reply: &serde_json::Value,
    ) -> Result<IdempotentReply> {
        model::validate_token_text("an idempotency key", key)?;
        model::validate_reply(operation, reply)?;
        dispatch!(self, s => s.put_idempotent_reply(device_id, key, operation, request_hash, reply))
    }

    /// The shared merchant token, if one was stored (fresh or not: the
    /// caller compares `expires_at`).
    pub async fn merchant_token(&self) -> Result<Option<MerchantToken>> {
        dispatch!(self, s => s.merchant_token())
    }

    /// Replaces the shared merchant token.
    pub async fn put_merchant_token(
        &self,
        ciphertext: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        if ciphertext.is_empty() || ciphertext.len() > TOKEN_CIPHERTEXT_MAX {
            return Err(StoreError::InvalidArgument(format!(
                "a merchant token ciphertext must be 1 to {TOKEN_CIPHERTEXT_MAX} bytes"
            )));
        }
        dispatch!(self, s => s.put_merchant_token(ciphertext, expires_at))
    }

    pub async fn clear_merchant_token(&self) -> Result<()> {
        dispatch!(self, s => s.clear_merchant_token())
    }

    /// Runs `f` while holding the fleet-wide mint lock: one holder at a
    /// time across every store on the same database (every replica, for
    /// PostgreSQL). The pattern: read the token; if fresh use it; else
    /// take this lock, read again, and mint only if it is still stale,
    /// then store it. `f`'s own result comes back as is.
    ///
    /// PostgreSQL: a session advisory lock held on one pooled connection
    /// for `f`'s duration (waiters of the same store queue in-process
    /// first, so they hold no connection). SQLite: an in-process lock
    /// shared by the stores of the same file, and an exclusive lock on a
    /// file beside the database for other processes. Not re-entrant: `f`
    /// must not call `with_mint_lock` again. Waiting for the lock has no
    /// time limit of its own: bound the mint inside `f` (its HTTP timeout).
    pub async fn with_mint_lock<F, Fut, T>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = T>,
    {
        match self {
            Store::Postgres(s) => s.with_mint_lock(f).await,
            Store::Sqlite(s) => s.with_mint_lock(f).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_pick_the_backend() {
        assert_eq!(classify("postgres://u@h/db").unwrap(), Target::Postgres);
        assert_eq!(classify("PostgreSQL://u@h/db").unwrap(), Target::Postgres);
        assert_eq!(
            classify("sqlite:///var/lib/b.db").unwrap(),
            Target::Sqlite("/var/lib/b.db".into())
        );
        assert_eq!(
            classify("sqlite:b.db").unwrap(),
            Target::Sqlite("b.db".into())
        );
        assert_eq!(
            classify("/var/lib/b.db").unwrap(),
            Target::Sqlite("/var/lib/b.db".into())
        );
        assert_eq!(
            classify("mysql://h/db").unwrap_err().code(),
            "BROKER_STORE_URL_INVALID"
        );
        assert_eq!(
            classify(":memory:").unwrap_err().code(),
            "BROKER_STORE_URL_INVALID"
        );
        assert_eq!(
            classify("sqlite://").unwrap_err().code(),
            "BROKER_STORE_URL_INVALID"
        );
    }

    #[test]
    fn redaction_keeps_only_scheme_user_host_port_and_database() {
        let r = redact_url(
            "postgres://broker:hunter2@db.internal:5432/broker?sslmode=disable&password=hunter3",
        );
        assert_eq!(r, "postgres://broker@db.internal:5432/broker");
        assert_eq!(
            redact_url("not a url hunter2"),
            "<a URL that cannot be parsed>"
        );
    }

    #[test]
    fn redaction_drops_passwords_passed_any_other_way() {
        let forms = [
            // libpq's `options`, setting a password through a parameter.
            "postgresql://broker@db:5432/broker?options=-c%20password%3Dhunter2",
            "postgresql://broker@db/broker?options=-c password=hunter2&sslmode=disable",
            // A user and password encoded inside the host parameter.
            "postgresql:///broker?host=broker%3Ahunter2%40db.internal",
            "postgresql:///broker?host=broker:hunter2@db.internal&user=broker",
            // In the path after the database name, and in a fragment.
            "postgres://broker@db/broker/hunter2#hunter2",
            "postgres://broker:hunter2@db/broker?PASSWORD=hunter2&application_name=hunter2",
        ];
        for url in forms {
            let r = redact_url(url);
            assert!(!r.contains("hunter2"), "{url} -> {r}");
            assert!(r.contains("broker"), "{url} -> {r}");
        }
        assert_eq!(
            redact_url("postgresql:///broker?host=/run/postgresql&password=hunter2"),
            "postgresql:///broker?host=/run/postgresql"
        );
    }

    #[test]
    fn unavailable_errors_show_the_redacted_url_only() {
        let url = "postgresql://broker@127.0.0.1:1/broker?options=-c%20password%3Dhunter2";
        let error = StoreError::Unavailable {
            backend: "PostgreSQL",
            target: redact_url(url),
            detail: "connection refused".into(),
        };
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(
            shown.contains("postgresql://broker@127.0.0.1:1/broker"),
            "{shown}"
        );
    }
}
