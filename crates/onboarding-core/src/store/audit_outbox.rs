//! The audit trail as the fleet broker receives it: every entry with a
//! global id and its place in this machine's order, and how far the broker
//! has acknowledged (`fleet_audit` does the sending).
//!
//! The id is derived, not stored: a UUID from this database's random
//! namespace and the entry's row id (which SQLite's AUTOINCREMENT never
//! reuses), so the append-only table needs no new column and an entry sent
//! twice carries the same id. `seq` is the row id: the local order.

use super::{Store, StoreError};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use uuid::Uuid;

/// One audit entry as the broker's `POST /v1/audit` takes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutgoingAuditEntry {
    /// The same for every upload of this entry: the broker deduplicates on it.
    pub id: Uuid,
    /// The local order, increasing.
    pub seq: u64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The action's name (`enrollment_started`, `code_sent`, …).
    pub kind: String,
    pub detail: OutgoingAuditDetail,
}

/// The rest of the local entry, as stored: the text was scrubbed when it
/// was written (no secrets, masked phone numbers and e-mail addresses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutgoingAuditDetail {
    /// `kiosk` or `desk`.
    pub mode: String,
    /// Who acted, when staff was signed in (`staff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// The enrollment id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}

/// How far the upload has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AuditOutboxState {
    /// Entries not acknowledged by the broker yet.
    pub pending: u64,
    /// The broker acknowledged every entry up to this `seq` (0: none).
    pub sent_through: u64,
    /// When it last acknowledged a batch (unix seconds).
    pub acknowledged_at: Option<i64>,
}

/// The entry's global id: SHA-256 of the namespace and the row id, as a
/// custom (version 8) UUID.
fn entry_id(namespace: &[u8], seq: u64) -> Uuid {
    let digest = Sha256::new()
        .chain_update(namespace)
        .chain_update(seq.to_be_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

impl Store {
    /// Up to `limit` entries the broker has not acknowledged, oldest first.
    pub fn audit_outbox_batch(&self, limit: usize) -> Result<Vec<OutgoingAuditEntry>, StoreError> {
        let connection = self.connection();
        let (namespace, sent_through): (Vec<u8>, i64) = connection.query_row(
            "SELECT namespace, sent_through FROM audit_upload WHERE id = 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let mut statement = connection.prepare_cached(
            "SELECT id, at, mode, staff, action, detail, error_code, correlation_id
             FROM audit_log WHERE id > ?1 ORDER BY id LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = statement.query_map(params![sent_through, limit], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, i64>(1)?,
                OutgoingAuditDetail {
                    mode: row.get(2)?,
                    actor: row.get(3)?,
                    text: row.get(5)?,
                    error_code: row.get(6)?,
                    correlation_id: row.get(7)?,
                },
                row.get::<_, String>(4)?,
            ))
        })?;
        rows.map(|row| {
            let (seq, at, detail, kind) = row?;
            let seq = u64::try_from(seq)
                .map_err(|_| StoreError::Unreadable(format!("audit row id {seq}")))?;
            let at = OffsetDateTime::from_unix_timestamp(at)
                .map_err(|_| StoreError::Unreadable(format!("audit time {at}")))?;
            Ok(OutgoingAuditEntry {
                id: entry_id(&namespace, seq),
                seq,
                at,
                kind,
                detail,
            })
        })
        .collect()
    }

    /// Records that the broker acknowledged every entry up to `seq`, at
    /// `now` (unix seconds). The mark never moves back, nor past the last
    /// entry.
    pub fn audit_outbox_acknowledge(&self, seq: u64, now: i64) -> Result<(), StoreError> {
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        self.connection().execute(
            "UPDATE audit_upload
             SET sent_through = MIN(?1, (SELECT COALESCE(MAX(id), 0) FROM audit_log)),
                 acknowledged_at = ?2
             WHERE id = 1 AND sent_through < ?1",
            params![seq, now],
        )?;
        Ok(())
    }

    pub fn audit_outbox_state(&self) -> Result<AuditOutboxState, StoreError> {
        let connection = self.connection();
        let (sent_through, acknowledged_at): (i64, Option<i64>) = connection
            .query_row(
                "SELECT sent_through, acknowledged_at FROM audit_upload WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?
            .ok_or_else(|| StoreError::Unreadable("no audit upload row".into()))?;
        let pending: i64 = connection.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE id > ?1",
            [sent_through],
            |row| row.get(0),
        )?;
        Ok(AuditOutboxState {
            pending: pending.max(0) as u64,
            sent_through: sent_through.max(0) as u64,
            acknowledged_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{AuditAction, AuditEntry, AuditMode};

    fn write(store: &Store, at: i64, detail: &str) {
        store
            .audit(&AuditEntry {
                at,
                mode: AuditMode::Kiosk,
                staff: None,
                action: AuditAction::CodeSent,
                detail: detail.into(),
                error_code: None,
                correlation_id: Some("enr-1".into()),
            })
            .unwrap();
    }

    #[test]
    fn entries_wait_in_order_until_acknowledged() {
        let store = Store::in_memory().unwrap();
        for n in 0..5 {
            write(&store, 1_000 + n, &format!("entry {n}"));
        }
        let batch = store.audit_outbox_batch(3).unwrap();
        assert_eq!(
            batch.iter().map(|e| e.seq).collect::<Vec<_>>(),
            [1, 2, 3],
            "oldest first, at most the limit"
        );
        // Not acknowledged: the same entries with the same ids again.
        assert_eq!(store.audit_outbox_batch(3).unwrap(), batch);
        store.audit_outbox_acknowledge(3, 2_000).unwrap();
        let rest = store.audit_outbox_batch(10).unwrap();
        assert_eq!(rest.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
        assert_eq!(
            store.audit_outbox_state().unwrap(),
            AuditOutboxState {
                pending: 2,
                sent_through: 3,
                acknowledged_at: Some(2_000)
            }
        );
    }

    #[test]
    fn the_mark_never_moves_back_nor_past_the_last_entry() {
        let store = Store::in_memory().unwrap();
        write(&store, 1, "a");
        write(&store, 2, "b");
        store.audit_outbox_acknowledge(2, 10).unwrap();
        store.audit_outbox_acknowledge(1, 20).unwrap();
        assert_eq!(store.audit_outbox_state().unwrap().sent_through, 2);
        store.audit_outbox_acknowledge(99, 30).unwrap();
        let state = store.audit_outbox_state().unwrap();
        assert_eq!((state.sent_through, state.pending), (2, 0));
        // A later entry is still sent.
        write(&store, 3, "c");
        assert_eq!(store.audit_outbox_batch(10).unwrap()[0].seq, 3);
    }

    #[test]
    fn an_entry_carries_the_local_fields_and_a_stable_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite3");
        let store = Store::open(&path).unwrap();
        store
            .audit(&AuditEntry {
                at: 1_764_928_800,
                mode: AuditMode::Desk,
                staff: Some("staff".into()),
                action: AuditAction::LinkFailed,
                detail: "link failed for +14155550123".into(),
                error_code: Some("AP123".into()),
                correlation_id: Some("enr-9".into()),
            })
            .unwrap();
        let sent = store.audit_outbox_batch(1).unwrap().remove(0);
        assert_eq!(
            serde_json::to_value(&sent).unwrap(),
            serde_json::json!({
                "id": sent.id.to_string(),
                "seq": 1,
                "at": "2025-12-05T10:00:00Z",
                "kind": "link_failed",
                "detail": {
                    "mode": "desk",
                    "actor": "staff",
                    "text": "link failed for •••-•••-••23",
                    "error_code": "AP123",
                    "correlation_id": "enr-9"
                }
            })
        );
        drop(store);
        // Reopened: the same id. Another database: another id.
        let again = Store::open(&path).unwrap().audit_outbox_batch(1).unwrap();
        assert_eq!(again[0].id, sent.id);
        let other = Store::in_memory().unwrap();
        write(&other, 1, "x");
        assert_ne!(other.audit_outbox_batch(1).unwrap()[0].id, sent.id);
    }

    #[test]
    fn a_database_from_before_the_upload_sends_its_whole_trail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("app.sqlite3");
        {
            // Version 5, with entries, as the previous release left it.
            let connection = rusqlite::Connection::open(&path).unwrap();
            let transaction = connection.unchecked_transaction().unwrap();
            for (index, sql) in super::super::schema::MIGRATIONS[..5].iter().enumerate() {
                transaction
                    .execute_batch(&format!("{sql}; PRAGMA user_version = {};", index + 1))
                    .unwrap();
            }
            transaction
                .execute_batch(
                    "INSERT INTO audit_log (at, mode, action, detail) VALUES
                     (10, 'kiosk', 'kiosk_entered', 'one'), (20, 'kiosk', 'code_sent', 'two');",
                )
                .unwrap();
            transaction.commit().unwrap();
        }
        let store = Store::open(&path).unwrap();
        let state = store.audit_outbox_state().unwrap();
        assert_eq!((state.pending, state.sent_through), (2, 0));
        let batch = store.audit_outbox_batch(10).unwrap();
        assert_eq!(
            batch.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
            ["kiosk_entered", "code_sent"]
        );
        assert_ne!(batch[0].id, batch[1].id);
    }
}
