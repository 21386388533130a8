//! The PostgreSQL backend: several broker replicas on one database.
//!
//! Connections come from a deadpool-postgres pool (see Cargo.toml for why
//! that pool). Opening a connection is bounded by the connect timeout and
//! waiting for a free one by the same time again, so a database that is
//! down makes calls fail with `Unavailable`, never hang. No TLS (see the
//! crate docs).

use crate::clock::{truncate_millis, SharedClock};
use crate::error::{Result, StoreError};
use crate::migrations::{latest, MIGRATIONS};
use crate::model::{
    check_credential, code_hash, page, Appended, AuditEntry, AuditFilter, AuditPage, AuditRecord,
    Device, DeviceStatus, EnrollmentCode, IdempotentReply, MerchantToken,
};
use crate::{redact_url, StoreOptions};
use deadpool_postgres::{
    Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime,
};
use std::str::FromStr as _;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio_postgres::{error::SqlState, NoTls, Row, Statement};
use uuid::Uuid;

const BACKEND: &str = "PostgreSQL";

/// `pg_advisory_lock` keys, fixed for every broker: schema migrations, and
/// merchant token mints. ("aeropayM" and "aeropayT" as ASCII.)
const MIGRATION_LOCK_KEY: i64 = 0x6165_726f_7061_794d;
const MINT_LOCK_KEY: i64 = 0x6165_726f_7061_7954;

#[derive(Clone)]
pub struct PgStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    /// The URL without its password.
    target: String,
    clock: SharedClock,
    code_ttl: time::Duration,
    applied: Vec<i64>,
    /// Waiters of this store queue here, holding no connection.
    mint_lock: tokio::sync::Mutex<()>,
}

/// Is this error the database being out of reach (as opposed to a
/// statement that failed)?
fn unreachable(e: &tokio_postgres::Error) -> bool {
    if let Some(db) = e.as_db_error() {
        let code = db.code().code();
        return code.starts_with("08") // connection exception
            || code.starts_with("53") // insufficient resources (too many connections, …)
            || code == SqlState::ADMIN_SHUTDOWN.code()
            || code == SqlState::CRASH_SHUTDOWN.code()
            || code == SqlState::CANNOT_CONNECT_NOW.code();
    }
    if e.is_closed() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.is::<std::io::Error>() {
            return true;
        }
        source = s.source();
    }
    let text = e.to_string();
    text.contains("timeout") || text.contains("connecting") || text.contains("communicating")
}

fn sql_state(e: &tokio_postgres::Error) -> Option<&SqlState> {
    e.as_db_error().map(|d| d.code())
}

impl Inner {
    fn err(&self, e: tokio_postgres::Error) -> StoreError {
        pg_err(&self.target, e)
    }

    fn pool_err(&self, e: PoolError) -> StoreError {
        match e {
            PoolError::Backend(e) => self.err(e),
            PoolError::Timeout(kind) => StoreError::Unavailable {
                backend: BACKEND,
                target: self.target.clone(),
                detail: format!("no connection within the timeout ({kind:?})"),
            },
            PoolError::Closed => StoreError::Unavailable {
                backend: BACKEND,
                target: self.target.clone(),
                detail: "the connection pool is closed".into(),
            },
            other => StoreError::Database {
                detail: other.to_string(),
            },
        }
    }

    async fn conn(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| self.pool_err(e))
    }

    /// A statement prepared once per connection (the calls every device
    /// request makes: authenticate, touch, take).
    async fn prepared(&self, c: &Object, sql: &str) -> Result<Statement> {
        c.prepare_cached(sql).await.map_err(|e| self.err(e))
    }
}

fn pg_err(target: &str, e: tokio_postgres::Error) -> StoreError {
    if unreachable(&e) {
        StoreError::Unavailable {
            backend: BACKEND,
            target: target.to_owned(),
            detail: e.to_string(),
        }
    } else {
        // A server error's message names constraints and types, never
        // values (those are in its `detail`, which is not shown).
        let detail = match e.as_db_error() {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            None => e.to_string(),
        };
        StoreError::Database { detail }
    }
}

const DEVICE_COLUMNS: &str =
    "id, name, group_name, created_at, enrolled_at, last_seen_at, disabled_at, revoked_at";

fn device_from_row(row: &Row) -> Result<Device> {
    let get = |e: tokio_postgres::Error| StoreError::Database {
        detail: e.to_string(),
    };
    let enrolled: Option<OffsetDateTime> = row.try_get(4).map_err(get)?;
    let disabled: Option<OffsetDateTime> = row.try_get(6).map_err(get)?;
    let revoked: Option<OffsetDateTime> = row.try_get(7).map_err(get)?;
    Ok(Device {
        id: row.try_get(0).map_err(get)?,
        name: row.try_get(1).map_err(get)?,
        group: row.try_get(2).map_err(get)?,
        status: DeviceStatus::from_columns(
            enrolled.is_some(),
            disabled.is_some(),
            revoked.is_some(),
        ),
        created_at: row.try_get(3).map_err(get)?,
        enrolled_at: enrolled,
        last_seen_at: row.try_get(5).map_err(get)?,
    })
}

impl PgStore {
    pub(crate) async fn open(url: &str, options: StoreOptions) -> Result<Self> {
        let target = redact_url(url);
        let mut config =
            tokio_postgres::Config::from_str(url).map_err(|e| StoreError::InvalidUrl {
                reason: format!("not a PostgreSQL URL that can be used: {e}"),
            })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(options.connect_timeout);
        }
        let timeout = *config
            .get_connect_timeout()
            .unwrap_or(&options.connect_timeout);
        if config.get_application_name().is_none() {
            config.application_name("aeropay-onboarding-broker");
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                // A connection the server closed (restart) reports itself
                // closed and is replaced; no extra round trip per call.
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(2))
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(timeout * 2))
            .create_timeout(Some(timeout))
            .recycle_timeout(Some(timeout))
            .build()
            .map_err(|e| StoreError::Database {
                detail: format!("cannot build the connection pool: {e}"),
            })?;
        let applied = migrate(&config, &target).await?;
        if !applied.is_empty() {
            tracing::info!(database = %target, versions = ?applied, "broker store: schema migrated");
        }
        Ok(Self {
            inner: Arc::new(Inner {
                pool,
                target,
                clock: options.clock,
                code_ttl: options.code_ttl,
                applied,
                mint_lock: tokio::sync::Mutex::new(()),
            }),
        })
    }

    pub(crate) fn target(&self) -> String {
        self.inner.target.clone()
    }

    pub(crate) fn applied_migrations(&self) -> &[i64] {
        &self.inner.applied
    }

    fn now(&self) -> OffsetDateTime {
        truncate_millis(self.inner.clock.now())
    }

    pub(crate) async fn schema_version(&self) -> Result<i64> {
        let c = self.inner.conn().await?;
        let row = c
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.get(0))
    }

    pub(crate) async fn add_device(
        &self,
        name: &str,
        group: &str,
    ) -> Result<(Device, EnrollmentCode)> {
        let now = self.now();
        let code = EnrollmentCode::generate(truncate_millis(now + self.inner.code_ttl));
        let hash = code_hash(code.reveal()).expect("a generated code is a code");
        let id = Uuid::new_v4();
        let mut c = self.inner.conn().await?;
        let tx = c.transaction().await.map_err(|e| self.inner.err(e))?;
        let row = tx
            .query_one(
                &format!(
                    "INSERT INTO devices (id, name, group_name, created_at) VALUES ($1, $2, $3, $4)
                     RETURNING {DEVICE_COLUMNS}"
                ),
                &[&id, &name, &group, &now],
            )
            .await
            .map_err(|e| {
                if sql_state(&e) == Some(&SqlState::UNIQUE_VIOLATION) {
                    StoreError::NameTaken {
                        name: name.to_owned(),
                    }
                } else {
                    self.inner.err(e)
                }
            })?;
        let device = device_from_row(&row)?;
        tx.execute(
            "INSERT INTO enrollment_codes (code_hash, device_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
            &[&&hash[..], &id, &now, &code.expires_at],
        )
        .await
        .map_err(|e| self.inner.err(e))?;
        tx.commit().await.map_err(|e| self.inner.err(e))?;
        Ok((device, code))
    }

    pub(crate) async fn redeem(&self, code: &str, verifier: &[u8; 32]) -> Result<Device> {
        let hash = code_hash(code).ok_or(StoreError::CodeInvalid)?;
        let now = self.now();
        let mut c = self.inner.conn().await?;
        let tx = c.transaction().await.map_err(|e| self.inner.err(e))?;
        // The row lock: a concurrent redeem of the same code waits here
        // and then sees it redeemed.
        let row = tx
            .query_opt(
                "SELECT device_id, expires_at, redeemed_at FROM enrollment_codes
                 WHERE code_hash = $1 FOR UPDATE",
                &[&&hash[..]],
            )
            .await
            .map_err(|e| self.inner.err(e))?
            .ok_or(StoreError::CodeInvalid)?;
        let device_id: Uuid = row.get(0);
        let expires_at: OffsetDateTime = row.get(1);
        let redeemed_at: Option<OffsetDateTime> = row.get(2);
        if redeemed_at.is_some() {
            return Err(StoreError::CodeUsed);
        }
        if expires_at <= now {
            return Err(StoreError::CodeExpired);
        }
        let row = tx
            .query_opt(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = $1 FOR UPDATE"),
                &[&device_id],
            )
            .await
            .map_err(|e| self.inner.err(e))?
            .ok_or(StoreError::DeviceUnknown)?;
        match device_from_row(&row)?.status {
            DeviceStatus::Revoked => return Err(StoreError::DeviceRevoked),
            DeviceStatus::Disabled => return Err(StoreError::DeviceDisabled),
            DeviceStatus::Active | DeviceStatus::Pending => {}
        }
        // Conditional as well: the code is spent once even if the row lock
        // above were ever dropped.
        let spent = tx
            .execute(
                "UPDATE enrollment_codes SET redeemed_at = $2
                 WHERE code_hash = $1 AND redeemed_at IS NULL",
                &[&&hash[..], &now],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        if spent != 1 {
            return Err(StoreError::CodeUsed);
        }
        let row = tx
            .query_one(
                &format!(
                    "UPDATE devices SET verifier = $2, enrolled_at = $3 WHERE id = $1
                     RETURNING {DEVICE_COLUMNS}"
                ),
                &[&device_id, &&verifier[..], &now],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        let device = device_from_row(&row)?;
        tx.commit().await.map_err(|e| self.inner.err(e))?;
        Ok(device)
    }

    pub(crate) async fn authenticate(&self, device_id: Uuid, secret: &[u8]) -> Result<Device> {
        let c = self.inner.conn().await?;
        let sql = format!("SELECT {DEVICE_COLUMNS}, verifier FROM devices WHERE id = $1");
        let statement = self.inner.prepared(&c, &sql).await?;
        let row = c
            .query_opt(&statement, &[&device_id])
            .await
            .map_err(|e| self.inner.err(e))?;
        let found = match row {
            Some(row) => Some((device_from_row(&row)?, row.get::<_, Option<Vec<u8>>>(8))),
            None => None,
        };
        check_credential(found, secret)
    }

    async fn device_row(&self, c: &Object, name: &str) -> Result<Device> {
        let row = c
            .query_opt(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE name = $1"),
                &[&name],
            )
            .await
            .map_err(|e| self.inner.err(e))?
            .ok_or_else(|| StoreError::DeviceNotFound {
                name: name.to_owned(),
            })?;
        device_from_row(&row)
    }

    pub(crate) async fn device(&self, name: &str) -> Result<Device> {
        let c = self.inner.conn().await?;
        self.device_row(&c, name).await
    }

    pub(crate) async fn list_devices(&self) -> Result<Vec<Device>> {
        let c = self.inner.conn().await?;
        let rows = c
            .query(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices ORDER BY name"),
                &[],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        rows.iter().map(device_from_row).collect()
    }

    pub(crate) async fn set_disabled(&self, name: &str, disabled: bool) -> Result<Device> {
        let now = self.now();
        let c = self.inner.conn().await?;
        let row = c
            .query_opt(
                &format!(
                    "UPDATE devices
                     SET disabled_at = CASE WHEN $3 THEN COALESCE(disabled_at, $2) END
                     WHERE name = $1 AND revoked_at IS NULL RETURNING {DEVICE_COLUMNS}"
                ),
                &[&name, &now, &disabled],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        match row {
            Some(row) => device_from_row(&row),
            // Unknown, or revoked.
            None => match self.device_row(&c, name).await?.status {
                DeviceStatus::Revoked => Err(StoreError::DeviceRevoked),
                _ => Err(StoreError::Database {
                    detail: "the device changed during the update; retry".into(),
                }),
            },
        }
    }

    pub(crate) async fn revoke(&self, name: &str) -> Result<Device> {
        let now = self.now();
        let c = self.inner.conn().await?;
        let row = c
            .query_opt(
                &format!(
                    "UPDATE devices SET revoked_at = COALESCE(revoked_at, $2)
                     WHERE name = $1 RETURNING {DEVICE_COLUMNS}"
                ),
                &[&name, &now],
            )
            .await
            .map_err(|e| self.inner.err(e))?
            .ok_or_else(|| StoreError::DeviceNotFound {
                name: name.to_owned(),
            })?;
        device_from_row(&row)
    }

    pub(crate) async fn touch(&self, device_id: Uuid) -> Result<()> {
        let now = self.now();
        let c = self.inner.conn().await?;
        let statement = self
            .inner
            .prepared(&c, "UPDATE devices SET last_seen_at = $2 WHERE id = $1")
            .await?;
        let n = c
            .execute(&statement, &[&device_id, &now])
            .await
            .map_err(|e| self.inner.err(e))?;
        if n == 0 {
            return Err(StoreError::DeviceUnknown);
        }
        Ok(())
    }

    pub(crate) async fn take(
        &self,
        device_id: Uuid,
        kind: &str,
        limit: u32,
        window_ms: i64,
    ) -> Result<()> {
        let now = crate::clock::to_millis(self.now());
        let start = now - now.rem_euclid(window_ms);
        let c = self.inner.conn().await?;
        // One statement: the row lock of ON CONFLICT DO UPDATE serializes
        // concurrent takers, each of which sees the count the previous one
        // left.
        let statement = self
            .inner
            .prepared(
                &c,
                "INSERT INTO rate_limits (device_id, kind, window_start, count)
                 VALUES ($1, $2, $3, 1)
                 ON CONFLICT (device_id, kind) DO UPDATE SET
                     count = CASE WHEN EXCLUDED.window_start > rate_limits.window_start
                                  THEN 1 ELSE rate_limits.count + 1 END,
                     window_start = GREATEST(EXCLUDED.window_start, rate_limits.window_start)
                 WHERE EXCLUDED.window_start > rate_limits.window_start
                    OR rate_limits.count < $4
                 RETURNING count",
            )
            .await?;
        let row = c
            .query_opt(&statement, &[&device_id, &kind, &start, &(limit as i64)])
            .await
            .map_err(|e| {
                if sql_state(&e) == Some(&SqlState::FOREIGN_KEY_VIOLATION) {
                    StoreError::DeviceUnknown
                } else {
                    self.inner.err(e)
                }
            })?;
        match row {
            Some(_) => Ok(()),
            None => Err(StoreError::Limited {
                kind: kind.to_owned(),
                retry_after: time::Duration::milliseconds(start + window_ms - now),
            }),
        }
    }

    pub(crate) async fn append_audit(
        &self,
        device_id: Uuid,
        entries: &[AuditEntry],
    ) -> Result<Appended> {
        let received = self.now();
        let mut c = self.inner.conn().await?;
        let tx = c.transaction().await.map_err(|e| self.inner.err(e))?;
        let known = tx
            .query_opt("SELECT 1 FROM devices WHERE id = $1", &[&device_id])
            .await
            .map_err(|e| self.inner.err(e))?;
        if known.is_none() {
            return Err(StoreError::DeviceUnknown);
        }
        let insert = tx
            .prepare(
                "INSERT INTO audit_entries (device_id, seq, id, at, kind, detail, received_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (device_id, id) DO NOTHING",
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        let mut appended = Appended {
            new: 0,
            duplicates: 0,
        };
        for e in entries {
            let n = tx
                .execute(
                    &insert,
                    &[
                        &device_id,
                        &(e.seq as i64),
                        &e.id,
                        &truncate_millis(e.at),
                        &e.kind,
                        &e.detail,
                        &received,
                    ],
                )
                .await
                .map_err(|err| {
                    if sql_state(&err) == Some(&SqlState::UNIQUE_VIOLATION) {
                        StoreError::AuditSequenceConflict { seq: e.seq }
                    } else {
                        self.inner.err(err)
                    }
                })?;
            if n == 0 {
                appended.duplicates += 1;
            } else {
                appended.new += 1;
            }
        }
        tx.commit().await.map_err(|e| self.inner.err(e))?;
        Ok(appended)
    }

    pub(crate) async fn list_audit(
        &self,
        filter: &AuditFilter,
        after: Option<(Uuid, u64)>,
        limit: u32,
    ) -> Result<AuditPage> {
        let c = self.inner.conn().await?;
        let after_device = after.map(|(d, _)| d);
        let after_seq = after.map(|(_, s)| s as i64);
        let rows = c
            .query(
                "SELECT a.device_id, d.name, d.group_name, a.id, a.seq, a.at, a.kind, a.detail, a.received_at
                 FROM audit_entries a JOIN devices d ON d.id = a.device_id
                 WHERE ($1::text IS NULL OR d.group_name = $1)
                   AND ($2::text IS NULL OR d.name = $2)
                   AND ($3::uuid IS NULL OR (a.device_id, a.seq) > ($3, $4::bigint))
                 ORDER BY a.device_id, a.seq
                 LIMIT $5",
                &[&filter.group, &filter.device, &after_device, &after_seq, &(limit as i64 + 1)],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        let records = rows
            .iter()
            .map(|r| AuditRecord {
                device_id: r.get(0),
                device_name: r.get(1),
                group: r.get(2),
                id: r.get(3),
                seq: r.get::<_, i64>(4) as u64,
                at: r.get(5),
                kind: r.get(6),
                detail: r.get(7),
                received_at: r.get(8),
            })
            .collect();
        Ok(page(records, limit))
    }

    pub(crate) async fn record_verified_user(&self, device_id: Uuid, user_id: &str) -> Result<()> {
        let now = self.now();
        let c = self.inner.conn().await?;
        let done = c
            .execute(
                "INSERT INTO verified_users (device_id, user_id, verified_at) VALUES ($1, $2, $3)
                 ON CONFLICT (device_id, user_id) DO UPDATE SET verified_at = EXCLUDED.verified_at",
                &[&device_id, &user_id, &now],
            )
            .await;
        match done {
            Ok(_) => Ok(()),
            Err(e) if sql_state(&e) == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                Err(StoreError::DeviceUnknown)
            }
            Err(e) => Err(self.inner.err(e)),
        }
    }

    pub(crate) async fn verified_at(
        &self,
        device_id: Uuid,
        user_id: &str,
    ) -> Result<Option<OffsetDateTime>> {
        let c = self.inner.conn().await?;
        let row = c
            .query_opt(
                "SELECT verified_at FROM verified_users WHERE device_id = $1 AND user_id = $2",
                &[&device_id, &user_id],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.map(|r| r.get(0)))
    }

    pub(crate) async fn idempotent_reply(
        &self,
        device_id: Uuid,
        key: &str,
    ) -> Result<Option<IdempotentReply>> {
        let c = self.inner.conn().await?;
        self.read_reply(&c, device_id, key).await
    }

    async fn read_reply(
        &self,
        c: &Object,
        device_id: Uuid,
        key: &str,
    ) -> Result<Option<IdempotentReply>> {
        let row = c
            .query_opt(
                "SELECT operation, request_hash, reply, created_at FROM idempotent_replies
                 WHERE device_id = $1 AND key = $2",
                &[&device_id, &key],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        let Some(r) = row else {
            return Ok(None);
        };
        let hash: Vec<u8> = r.get(1);
        let request_hash: [u8; 32] = hash.try_into().map_err(|_| StoreError::Database {
            detail: "a kept reply's request hash is not 32 bytes".into(),
        })?;
        Ok(Some(IdempotentReply {
            operation: r.get(0),
            request_hash,
            reply: r.get(2),
            created_at: r.get(3),
        }))
    }

    pub(crate) async fn put_idempotent_reply(
        &self,
        device_id: Uuid,
        key: &str,
        operation: &str,
        request_hash: &[u8; 32],
        reply: &serde_json::Value,
    ) -> Result<IdempotentReply> {
        let now = self.now();
        let c = self.inner.conn().await?;
        let hash: &[u8] = request_hash;
        let done = c
            .execute(
                "INSERT INTO idempotent_replies
                     (device_id, key, operation, request_hash, reply, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (device_id, key) DO NOTHING",
                &[&device_id, &key, &operation, &hash, reply, &now],
            )
            .await;
        match done {
            Ok(_) => {}
            Err(e) if sql_state(&e) == Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
                return Err(StoreError::DeviceUnknown)
            }
            Err(e) => return Err(self.inner.err(e)),
        }
        self.read_reply(&c, device_id, key)
            .await?
            .ok_or_else(|| StoreError::Database {
                detail: "a kept reply vanished".into(),
            })
    }

    pub(crate) async fn merchant_token(&self) -> Result<Option<MerchantToken>> {
        let c = self.inner.conn().await?;
        let row = c
            .query_opt(
                "SELECT ciphertext, expires_at, updated_at FROM merchant_token WHERE id = 1",
                &[],
            )
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(row.map(|r| MerchantToken {
            ciphertext: r.get(0),
            expires_at: r.get(1),
            updated_at: r.get(2),
        }))
    }

    pub(crate) async fn put_merchant_token(
        &self,
        ciphertext: &[u8],
        expires_at: OffsetDateTime,
    ) -> Result<()> {
        let now = self.now();
        let c = self.inner.conn().await?;
        c.execute(
            "INSERT INTO merchant_token (id, ciphertext, expires_at, updated_at)
             VALUES (1, $1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET ciphertext = EXCLUDED.ciphertext,
                 expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at",
            &[&ciphertext, &truncate_millis(expires_at), &now],
        )
        .await
        .map_err(|e| self.inner.err(e))?;
        Ok(())
    }

    pub(crate) async fn clear_merchant_token(&self) -> Result<()> {
        let c = self.inner.conn().await?;
        c.execute("DELETE FROM merchant_token", &[])
            .await
            .map_err(|e| self.inner.err(e))?;
        Ok(())
    }

    pub(crate) async fn with_mint_lock<F, Fut, T>(&self, f: F) -> Result<T>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let _in_process = self.inner.mint_lock.lock().await;
        let c = self.inner.conn().await?;
        let mut held = HeldLock { conn: Some(c) };
        held.conn()
            .execute("SELECT pg_advisory_lock($1)", &[&MINT_LOCK_KEY])
            .await
            .map_err(|e| self.inner.err(e))?;
        let out = f().await;
        held.release(MINT_LOCK_KEY).await;
        Ok(out)
    }
}

/// A pooled connection holding a session advisory lock. Released by
/// `release`; if that fails, or the future is dropped or panics before,
/// the connection is taken out of the pool and closed, which releases the
/// lock on the server: it is never handed to another caller holding it.
struct HeldLock {
    conn: Option<Object>,
}

impl HeldLock {
    fn conn(&self) -> &Object {
        self.conn.as_ref().expect("held until released")
    }

    async fn release(&mut self, key: i64) {
        let released = self
            .conn()
            .query_one("SELECT pg_advisory_unlock($1)", &[&key])
            .await
            .map(|row| row.get::<_, bool>(0));
        if let Ok(true) = released {
            // Back to the pool, unlocked.
            self.conn = None;
        }
    }
}

impl Drop for HeldLock {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            drop(Object::take(conn));
        }
    }
}

/// Applies the missing migrations on a connection of its own, holding the
/// migration advisory lock; closing the connection releases the lock
/// whatever happens.
async fn migrate(config: &tokio_postgres::Config, target: &str) -> Result<Vec<i64>> {
    let (mut client, connection) = config.connect(NoTls).await.map_err(|e| pg_err(target, e))?;
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    let result = async {
        client
            .execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK_KEY])
            .await?;
        client
            .batch_execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations (
                     version bigint PRIMARY KEY,
                     name text NOT NULL,
                     applied_at timestamptz NOT NULL
                 )",
            )
            .await?;
        let current: i64 = client
            .query_one(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )
            .await?
            .get(0);
        Ok::<_, tokio_postgres::Error>((current, ()))
    }
    .await;
    let current = match result {
        Ok((current, ())) => current,
        Err(e) => {
            task.abort();
            return Err(pg_err(target, e));
        }
    };
    if current > latest() {
        task.abort();
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: latest(),
        });
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > current) {
        let step = async {
            let tx = client.transaction().await?;
            tx.batch_execute(m.postgres).await?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())",
                &[&m.version, &m.name],
            )
            .await?;
            tx.commit().await
        }
        .await;
        if let Err(e) = step {
            task.abort();
            return Err(if unreachable(&e) {
                pg_err(target, e)
            } else {
                StoreError::Migration {
                    version: m.version,
                    detail: pg_err(target, e).to_string(),
                }
            });
        }
        applied.push(m.version);
    }
    let _ = client
        .execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK_KEY])
        .await;
    drop(client);
    let _ = task.await;
    Ok(applied)
}
