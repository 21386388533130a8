//! The SQLite backend: one broker process, one database file.
//!
//! One connection per store, used on tokio's blocking threads (never on
//! the runtime's own), in WAL mode with a busy timeout. Every write that
//! reads first runs in an immediate transaction, which takes the file's
//! write lock at its start: two stores (or processes) on the same file
//! cannot both pass the same check.

use crate::clock::{from_millis, to_millis, SharedClock};
use crate::error::{Result, StoreError};
use crate::migrations::{latest, MIGRATIONS};
use crate::model::{
    check_credential, code_hash, page, Appended, AuditEntry, AuditFilter, AuditPage, AuditRecord,
    Device, DeviceStatus, EnrollmentCode, IdempotentReply, MerchantToken,
};
use crate::StoreOptions;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration as StdDuration;
use uuid::Uuid;

const BACKEND: &str = "SQLite";

/// The oldest SQLite the broker's statements run on (`RETURNING`, 3.35.0).
/// On Linux the broker uses the system's library (workspace Cargo.toml).
const MIN_SQLITE: (i32, &str) = (3_035_000, "3.35.0");

fn check_sqlite_version(number: i32, version: &str) -> Result<()> {
    if number < MIN_SQLITE.0 {
        return Err(StoreError::Database {
            detail: format!(
                "the system's SQLite is version {version}; the broker needs {} or later",
                MIN_SQLITE.1
            ),
        });
    }
    Ok(())
}

#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    connection: Mutex<Connection>,
    path: PathBuf,
    clock: SharedClock,
    code_ttl: time::Duration,
    applied: Vec<i64>,
    /// Shared by every store of this process on the same file.
    mint_lock: Arc<tokio::sync::Mutex<()>>,
}

/// The in-process half of the mint lock, one per database file.
fn mint_lock_for(path: &Path) -> Arc<tokio::sync::Mutex<()>> {
    static LOCKS: OnceLock<Mutex<HashMap<PathBuf, Weak<tokio::sync::Mutex<()>>>>> = OnceLock::new();
    let mut locks = LOCKS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    locks.retain(|_, lock| lock.strong_count() > 0);
    if let Some(lock) = locks.get(path).and_then(Weak::upgrade) {
        return lock;
    }
    let lock = Arc::new(tokio::sync::Mutex::new(()));
    locks.insert(path.to_owned(), Arc::downgrade(&lock));
    lock
}

fn sql_err(path: &Path, e: rusqlite::Error) -> StoreError {
    use rusqlite::ffi::ErrorCode;
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if matches!(
            f.code,
            ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::CannotOpen
                | ErrorCode::SystemIoFailure
                | ErrorCode::DiskFull
                | ErrorCode::ReadOnly
                | ErrorCode::PermissionDenied
        ) {
            return StoreError::Unavailable {
                backend: BACKEND,
                target: path.display().to_string(),
                detail: e.to_string(),
            };
        }
    }
    StoreError::Database {
        detail: e.to_string(),
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ffi::ErrorCode::ConstraintViolation)
}

fn is_unique(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// Errors of one call: store errors as they are, SQLite errors to be
/// classified with the path.
enum CallError {
    Store(StoreError),
    Sql(rusqlite::Error),
}

impl From<rusqlite::Error> for CallError {
    fn from(e: rusqlite::Error) -> Self {
        CallError::Sql(e)
    }
}

impl From<StoreError> for CallError {
    fn from(e: StoreError) -> Self {
        CallError::Store(e)
    }
}

type CallResult<T> = std::result::Result<T, CallError>;

const DEVICE_COLUMNS: &str =
    "id, name, group_name, created_at, enrolled_at, last_seen_at, disabled_at, revoked_at";

fn device_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Device> {
    let id: String = row.get(0)?;
    let enrolled: Option<i64> = row.get(4)?;
    let disabled: Option<i64> = row.get(6)?;
    let revoked: Option<i64> = row.get(7)?;
    Ok(Device {
        id: Uuid::try_parse(&id).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
        name: row.get(1)?,
        group: row.get(2)?,
        status: DeviceStatus::from_columns(
            enrolled.is_some(),
            disabled.is_some(),
            revoked.is_some(),
        ),
        created_at: from_millis(row.get(3)?),
        enrolled_at: enrolled.map(from_millis),
        last_seen_at: row.get::<_, Option<i64>>(5)?.map(from_millis),
    })
}

fn device_by_id(c: &Connection, id: &str) -> rusqlite::Result<Option<Device>> {
    c.query_row(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
        [id],
        device_from_row,
    )
    .optional()
}

fn device_by_name(c: &Connection, name: &str) -> rusqlite::Result<Option<Device>> {
    c.query_row(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE name = ?1"),
        [name],
        device_from_row,
    )
    .optional()
}

fn migrate(c: &mut Connection) -> CallResult<Vec<i64>> {
    let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version INTEGER PRIMARY KEY,
             name TEXT NOT NULL,
             applied_at INTEGER NOT NULL
         ) STRICT",
    )?;
    let current: i64 = tx.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    if current > latest() {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: latest(),
        }
        .into());
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        tx.execute_batch(m.sqlite)
            .map_err(|e| StoreError::Migration {
                version: m.version,
                detail: e.to_string(),
            })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            params![
                m.version,
                m.name,
                to_millis(time::OffsetDateTime::now_utc())
            ],
        )?;
        applied.push(m.version);
    }
    tx.commit()?;
    Ok(applied)
}

impl SqliteStore {
    pub(crate) async fn open(path: PathBuf, options: StoreOptions) -> Result<Self> {
        let busy = options.connect_timeout.max(StdDuration::from_millis(100));
        let target = path.clone();
        let opened =
            tokio::task::spawn_blocking(move || -> Result<(Connection, Vec<i64>, PathBuf)> {
                check_sqlite_version(rusqlite::version_number(), rusqlite::version())?;
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent).map_err(|e| StoreError::Unavailable {
                        backend: BACKEND,
                        target: path.display().to_string(),
                        detail: format!("cannot create its folder: {e}"),
                    })?;
                }
                let run = |path: &Path| -> CallResult<(Connection, Vec<i64>)> {
                    let mut c = Connection::open(path)?;
                    c.busy_timeout(busy)?;
                    // WAL: readers do not wait for the writer. Switching needs
                    // the write lock once, so it waits like any writer.
                    let mode: String =
                        c.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
                    if !mode.eq_ignore_ascii_case("wal") {
                        return Err(StoreError::Database {
                            detail: format!("the database stays in journal mode {mode}, not WAL"),
                        }
                        .into());
                    }
                    c.pragma_update(None, "synchronous", "NORMAL")?;
                    c.pragma_update(None, "foreign_keys", "ON")?;
                    let applied = migrate(&mut c)?;
                    Ok((c, applied))
                };
                let (c, applied) = run(&path).map_err(|e| match e {
                    CallError::Store(e) => e,
                    CallError::Sql(e) => sql_err(&path, e),
                })?;
                let canonical = std::fs::canonicalize(&path).unwrap_or(path);
                Ok((c, applied, canonical))
            })
            .await
            .map_err(|e| join_err(&target, e))??;
        let (connection, applied, path) = opened;
        if !applied.is_empty() {
            tracing::info!(path = %path.display(), versions = ?applied, "broker store: schema migrated");
        }
        Ok(Self {
            inner: Arc::new(Inner {
                connection: Mutex::new(connection),
                mint_lock: mint_lock_for(&path),
                path,
                clock: options.clock,
                code_ttl: options.code_ttl,
                applied,
            }),
        })
    }

    pub(crate) fn target(&self) -> String {
        self.inner.path.display().to_string()
    }

    pub(crate) fn applied_migrations(&self) -> &[i64] {
        &self.inner.applied
    }

    /// Runs `f` with the connection on a blocking thread.
    async fn call<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> CallResult<T> + Send + 'static,
    {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut c = inner.connection.lock().unwrap_or_else(|e| e.into_inner());
            f(&mut c).map_err(|e| match e {
                CallError::Store(e) => e,
                CallError::Sql(e) => sql_err(&inner.path, e),
            })
        })
        .await
        .map_err(|e| join_err(&self.inner.path, e))?
    }

    fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now()
    }

    pub(crate) async fn schema_version(&self) -> Result<i64> {
        self.call(|c| {
            Ok(c.query_row(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                [],
                |r| r.get(0),
            )?)
        })
        .await
    }

    pub(crate) async fn add_device(
        &self,
        name: &str,
        group: &str,
    ) -> Result<(Device, EnrollmentCode)> {
        let now = self.now();
        let code =
            EnrollmentCode::generate(crate::clock::truncate_millis(now + self.inner.code_ttl));
        let hash = code_hash(code.reveal()).expect("a generated code is a code");
        let (name, group) = (name.to_owned(), group.to_owned());
        let id = Uuid::new_v4();
        let expires = to_millis(code.expires_at);
        let device = self
            .call(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                let inserted = tx.execute(
                    "INSERT INTO devices (id, name, group_name, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![id.to_string(), name, group, to_millis(now)],
                );
                match inserted {
                    Err(e) if is_unique(&e) => return Err(StoreError::NameTaken { name }.into()),
                    other => other?,
                };
                tx.execute(
                    "INSERT INTO enrollment_codes (code_hash, device_id, created_at, expires_at)
                     VALUES (?1, ?2, ?3, ?4)",
                    params![&hash[..], id.to_string(), to_millis(now), expires],
                )?;
                let device = device_by_id(&tx, &id.to_string())?.ok_or(StoreError::DeviceUnknown)?;
                tx.commit()?;
                Ok(device)
            })
            .await?;
        Ok((device, code))
    }

    pub(crate) async fn redeem(&self, code: &str, verifier: &[u8; 32]) -> Result<Device> {
        let hash = code_hash(code).ok_or(StoreError::CodeInvalid)?;
        let now = to_millis(self.now());
        let verifier = *verifier;
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row: Option<(String, i64, Option<i64>)> = tx
                .query_row(
                    "SELECT device_id, expires_at, redeemed_at FROM enrollment_codes WHERE code_hash = ?1",
                    [&hash[..]],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let (device_id, expires_at, redeemed_at) = row.ok_or(StoreError::CodeInvalid)?;
            if redeemed_at.is_some() {
                return Err(StoreError::CodeUsed.into());
            }
            if expires_at <= now {
                return Err(StoreError::CodeExpired.into());
            }
            let device = device_by_id(&tx, &device_id)?.ok_or(StoreError::DeviceUnknown)?;
            match device.status {
                DeviceStatus::Revoked => return Err(StoreError::DeviceRevoked.into()),
                DeviceStatus::Disabled => return Err(StoreError::DeviceDisabled.into()),
                DeviceStatus::Active | DeviceStatus::Pending => {}
            }
            let spent = tx.execute(
                "UPDATE enrollment_codes SET redeemed_at = ?2
                 WHERE code_hash = ?1 AND redeemed_at IS NULL",
                params![&hash[..], now],
            )?;
            if spent != 1 {
                return Err(StoreError::CodeUsed.into());
            }
            tx.execute(
                "UPDATE devices SET verifier = ?2, enrolled_at = ?3 WHERE id = ?1",
                params![device_id, &verifier[..], now],
            )?;
            let device = device_by_id(&tx, &device_id)?.ok_or(StoreError::DeviceUnknown)?;
            tx.commit()?;
            Ok(device)
        })
        .await
    }

    pub(crate) async fn authenticate(&self, device_id: Uuid, secret: &[u8]) -> Result<Device> {
        let secret = secret.to_vec();
        self.call(move |c| {
            let found: Option<(Device, Option<Vec<u8>>)> = c
                .query_row(
                    &format!("SELECT {DEVICE_COLUMNS}, verifier FROM devices WHERE id = ?1"),
                    [device_id.to_string()],
                    |r| Ok((device_from_row(r)?, r.get(8)?)),
                )
                .optional()?;
            Ok(check_credential(found, &secret)?)
        })
        .await
    }

    pub(crate) async fn device(&self, name: &str) -> Result<Device> {
        let name = name.to_owned();
        self.call(
            move |c| Ok(device_by_name(c, &name)?.ok_or(StoreError::DeviceNotFound { name })?),
        )
        .await
    }

    pub(crate) async fn list_devices(&self) -> Result<Vec<Device>> {
        self.call(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {DEVICE_COLUMNS} FROM devices ORDER BY name"
            ))?;
            let devices = stmt
                .query_map([], device_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(devices)
        })
        .await
    }

    pub(crate) async fn set_disabled(&self, name: &str, disabled: bool) -> Result<Device> {
        let name = name.to_owned();
        let now = to_millis(self.now());
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let device = device_by_name(&tx, &name)?
                .ok_or_else(|| StoreError::DeviceNotFound { name: name.clone() })?;
            if device.status == DeviceStatus::Revoked {
                return Err(StoreError::DeviceRevoked.into());
            }
            if disabled {
                tx.execute(
                    "UPDATE devices SET disabled_at = COALESCE(disabled_at, ?2) WHERE name = ?1",
                    params![name, now],
                )?;
            } else {
                tx.execute(
                    "UPDATE devices SET disabled_at = NULL WHERE name = ?1",
                    [&name],
                )?;
            }
            let device = device_by_name(&tx, &name)?.ok_or(StoreError::DeviceNotFound { name })?;
            tx.commit()?;
            Ok(device)
        })
        .await
    }

    pub(crate) async fn revoke(&self, name: &str) -> Result<Device> {
        let name = name.to_owned();
        let now = to_millis(self.now());
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.execute(
                "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE name = ?1",
                params![name, now],
            )?;
            let device = device_by_name(&tx, &name)?.ok_or(StoreError::DeviceNotFound { name })?;
            tx.commit()?;
            Ok(device)
        })
        .await
    }

    pub(crate) async fn touch(&self, device_id: Uuid) -> Result<()> {
        let now = to_millis(self.now());
        self.call(move |c| {
            let n = c.execute(
                "UPDATE devices SET last_seen_at = ?2 WHERE id = ?1",
                params![device_id.to_string(), now],
            )?;
            if n == 0 {
                return Err(StoreError::DeviceUnknown.into());
            }
            Ok(())
        })
        .await
    }

    pub(crate) async fn take(
        &self,
        device_id: Uuid,
        kind: &str,
        limit: u32,
        window_ms: i64,
    ) -> Result<()> {
        let now = to_millis(self.now());
        let start = now - now.rem_euclid(window_ms);
        let kind = kind.to_owned();
        self.call(move |c| {
            let taken: rusqlite::Result<Option<i64>> = c
                .query_row(
                    "INSERT INTO rate_limits (device_id, kind, window_start, count)
                     VALUES (?1, ?2, ?3, 1)
                     ON CONFLICT (device_id, kind) DO UPDATE SET
                         count = CASE WHEN excluded.window_start > rate_limits.window_start
                                      THEN 1 ELSE rate_limits.count + 1 END,
                         window_start = MAX(excluded.window_start, rate_limits.window_start)
                     WHERE excluded.window_start > rate_limits.window_start
                        OR rate_limits.count < ?4
                     RETURNING count",
                    params![device_id.to_string(), kind, start, limit as i64],
                    |r| r.get(0),
                )
                .optional();
            match taken {
                Ok(Some(_)) => Ok(()),
                Ok(None) => Err(StoreError::Limited {
                    kind,
                    retry_after: time::Duration::milliseconds(start + window_ms - now),
                }
                .into()),
                Err(e) if is_constraint(&e) => Err(StoreError::DeviceUnknown.into()),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub(crate) async fn append_audit(
        &self,
        device_id: Uuid,
        entries: &[AuditEntry],
    ) -> Result<Appended> {
        let entries = entries.to_vec();
        let received = to_millis(self.now());
        self.call(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let device = device_id.to_string();
            if device_by_id(&tx, &device)?.is_none() {
                return Err(StoreError::DeviceUnknown.into());
            }
            let mut appended = Appended {
                new: 0,
                duplicates: 0,
            };
            {
                let mut insert = tx.prepare(
                    "INSERT INTO audit_entries (device_id, seq, id, at, kind, detail, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (device_id, id) DO NOTHING",
                )?;
                for e in &entries {
                    let n = insert.execute(params![
                        device,
                        e.seq as i64,
                        e.id.to_string(),
                        to_millis(e.at),
                        e.kind,
                        e.detail.to_string(),
                        received
                    ]);
                    match n {
                        Ok(0) => appended.duplicates += 1,
                        Ok(_) => appended.new += 1,
                        Err(err) if is_constraint(&err) => {
                            return Err(StoreError::AuditSequenceConflict { seq: e.seq }.into())
                        }
                        Err(err) => return Err(err.into()),
                    }
                }
            }
            tx.commit()?;
            Ok(appended)
        })
        .await
    }

    pub(crate) async fn list_audit(
        &self,
        filter: &AuditFilter,
        after: Option<(Uuid, u64)>,
        limit: u32,
    ) -> Result<AuditPage> {
        let group = filter.group.clone();
        let device = filter.device.clone();
        self.call(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT a.device_id, d.name, d.group_name, a.id, a.seq, a.at, a.kind, a.detail, a.received_at
                 FROM audit_entries a JOIN devices d ON d.id = a.device_id
                 WHERE (?1 IS NULL OR d.group_name = ?1)
                   AND (?2 IS NULL OR d.name = ?2)
                   AND (?3 IS NULL OR (a.device_id, a.seq) > (?3, ?4))
                 ORDER BY a.device_id, a.seq
                 LIMIT ?5",
            )?;
            let rows = stmt
                .query_map(
                    params![
                        group,
                        device,
                        after.map(|(d, _)| d.to_string()),
                        after.map(|(_, s)| s as i64),
                        limit as i64 + 1
                    ],
                    |r| {
                        let device_id: String = r.get(0)?;
                        let id: String = r.get(3)?;
                        let detail: String = r.get(7)?;
                        let conv = |i, e: Box<dyn std::error::Error + Send + Sync>| {
                            rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e)
                        };
                        Ok(AuditRecord {
                            device_id: Uuid::try_parse(&device_id).map_err(|e| conv(0, e.into()))?,
                            device_name: r.get(1)?,
                            group: r.get(2)?,
                            id: Uuid::try_parse(&id).map_err(|e| conv(3, e.into()))?,
                            seq: r.get::<_, i64>(4)? as u64,
                            at: from_millis(r.get(5)?),
                            kind: r.get(6)?,
                            detail: serde_json::from_str(&detail).map_err(|e| conv(7, e.into()))?,
                            received_at: from_millis(r.get(8)?),
                        })
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(page(rows, limit))
        })
        .await
    }

    pub(crate) async fn record_verified_user(&self, device_id: Uuid, user_id: &str) -> Result<()> {
        let now = to_millis(self.now());
        let user_id = user_id.to_owned();
        self.call(move |c| {
            let done = c.execute(
                "INSERT INTO verified_users (device_id, user_id, verified_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (device_id, user_id) DO UPDATE SET verified_at = excluded.verified_at",
                params![device_id.to_string(), user_id, now],
            );
            match done {
                Ok(_) => Ok(()),
                Err(e) if is_constraint(&e) => Err(StoreError::DeviceUnknown.into()),
                Err(e) => Err(e.into()),
            }
        })
        .await
    }

    pub(crate) async fn verified_at(
        &self,
        device_id: Uuid,
        user_id: &str,
    ) -> Result<Option<time::OffsetDateTime>> {
        let user_id = user_id.to_owned();
        self.call(move |c| {
            Ok(c.query_row(
                "SELECT verified_at FROM verified_users WHERE device_id = ?1 AND user_id = ?2",
                params![device_id.to_string(), user_id],
                |r| r.get::<_, i64>(0),
            )
            .optional()?
            .map(from_millis))
        })
        .await
    }

    pub(crate) async fn idempotent_reply(
        &self,
        device_id: Uuid,
        key: &str,
    ) -> Result<Option<IdempotentReply>> {
        let key = key.to_owned();
        self.call(move |c| read_reply(c, &device_id.to_string(), &key))
            .await
    }

    pub(crate) async fn put_idempotent_reply(
        &self,
        device_id: Uuid,
        key: &str,
        operation: &str,
        request_hash: &[u8; 32],
        reply: &serde_json::Value,
    ) -> Result<IdempotentReply> {
        let now = to_millis(self.now());
        let (key, operation, hash, reply) = (
            key.to_owned(),
            operation.to_owned(),
            request_hash.to_vec(),
            reply.to_string(),
        );
        self.call(move |c| {
            let device = device_id.to_string();
            let done = c.execute(
                "INSERT INTO idempotent_replies
                     (device_id, key, operation, request_hash, reply, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (device_id, key) DO NOTHING",
                params![device, key, operation, hash, reply, now],
            );
            match done {
                Ok(_) => {}
                Err(e) if is_constraint(&e) => return Err(StoreError::DeviceUnknown.into()),
                Err(e) => return Err(e.into()),
            }
            read_reply(c, &device, &key)?.ok_or_else(|| {
                StoreError::Database {
                    detail: "a kept reply vanished".into(),
                }
                .into()
            })
        })
        .await
    }

    pub(crate) async fn merchant_token(&self) -> Result<Option<MerchantToken>> {
        self.call(|c| {
            Ok(c.query_row(
                "SELECT ciphertext, expires_at, updated_at FROM merchant_token WHERE id = 1",
                [],
                |r| {
                    Ok(MerchantToken {
                        ciphertext: r.get(0)?,
                        expires_at: from_millis(r.get(1)?),
                        updated_at: from_millis(r.get(2)?),
                    })
                },
            )
            .optional()?)
        })
        .await
    }

    pub(crate) async fn put_merchant_token(
        &self,
        ciphertext: &[u8],
        expires_at: time::OffsetDateTime,
    ) -> Result<()> {
        let ciphertext = ciphertext.to_vec();
        let now = to_millis(self.now());
        self.call(move |c| {
            c.execute(
                "INSERT INTO merchant_token (id, ciphertext, expires_at, updated_at)
                 VALUES (1, ?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET ciphertext = excluded.ciphertext,
                     expires_at = excluded.expires_at, updated_at = excluded.updated_at",
                params![ciphertext, to_millis(expires_at), now],
            )?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn clear_merchant_token(&self) -> Result<()> {
        self.call(|c| {
            c.execute("DELETE FROM merchant_token", [])?;
            Ok(())
        })
        .await
    }

    pub(crate) async fn with_mint_lock<F, Fut, T>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let _in_process = self.inner.mint_lock.lock().await;
        // Other processes on the same file: an exclusive lock on a file
        // beside it, released when the file is closed (dropped), also when
        // `f` panics or the future is dropped.
        let mut lock_path = self.inner.path.clone().into_os_string();
        lock_path.push("-mintlock");
        let lock_path = PathBuf::from(lock_path);
        let shown = self.inner.path.clone();
        let _file = tokio::task::spawn_blocking(move || -> Result<std::fs::File> {
            let unavailable = |e: std::io::Error| StoreError::Unavailable {
                backend: BACKEND,
                target: shown.display().to_string(),
                detail: format!("cannot lock {}: {e}", lock_path.display()),
            };
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock_path)
                .map_err(unavailable)?;
            file.lock().map_err(unavailable)?;
            Ok(file)
        })
        .await
        .map_err(|e| join_err(&self.inner.path, e))??;
        Ok(f().await)
    }
}

fn join_err(path: &Path, e: tokio::task::JoinError) -> StoreError {
    StoreError::Database {
        detail: format!("a database task for {} failed: {e}", path.display()),
    }
}

fn read_reply(c: &Connection, device: &str, key: &str) -> CallResult<Option<IdempotentReply>> {
    let row = c
        .query_row(
            "SELECT operation, request_hash, reply, created_at FROM idempotent_replies
             WHERE device_id = ?1 AND key = ?2",
            params![device, key],
            |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Vec<u8>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, i64>(3)?,
                ))
            },
        )
        .optional()?;
    let Some((operation, hash, reply, created)) = row else {
        return Ok(None);
    };
    let request_hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Database {
        detail: "a kept reply's request hash is not 32 bytes".into(),
    })?;
    let reply = serde_json::from_str(&reply).map_err(|e| StoreError::Database {
        detail: format!("a kept reply is not JSON: {e}"),
    })?;
    Ok(Some(IdempotentReply {
        operation,
        request_hash,
        reply,
        created_at: from_millis(created),
    }))
}

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn a_system_sqlite_without_returning_is_refused_by_name() {
        let err = check_sqlite_version(3_034_001, "3.34.1").unwrap_err();
        assert_eq!(err.code(), "BROKER_STORE_FAILED");
        assert_eq!(
            err.to_string(),
            "the broker's database failed: the system's SQLite is version 3.34.1; the broker needs 3.35.0 or later"
        );
        check_sqlite_version(3_035_000, "3.35.0").expect("the minimum itself is enough");
        check_sqlite_version(rusqlite::version_number(), rusqlite::version()).unwrap();
    }
}
