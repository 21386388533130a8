//! What the app remembers on this machine, in SQLite under the app's data
//! directory: which Aeropay user belongs to a phone number (by keyed hash,
//! never the number) and a record of each enrollment (no secrets, no full
//! phone), an append-only audit trail, and CSV exports of enrollments.
//! Plain Rust, no tauri.

mod audit;
mod audit_outbox;
mod code_sends;
mod customers;
mod enrollments;
mod error;
mod export;
mod pending_links;
mod phone;
mod schema;

pub use audit::{
    mask_phone_numbers, scrub_detail, AuditAction, AuditEntry, AuditMode, ALL_ACTIONS,
};
pub use audit_outbox::{AuditOutboxState, OutgoingAuditDetail, OutgoingAuditEntry};
pub use customers::KnownCustomer;
pub use enrollments::{EnrollmentQuery, EnrollmentRecord, EnrollmentStatus, ListedEnrollment};
pub use error::StoreError;
pub use export::ExportError;
pub use pending_links::{LinkKind, LinkState, LinkedAccount, PendingLink};
pub use phone::{mask_phone, PhoneHasher};

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::Notify;

pub struct Store {
    connection: Mutex<Connection>,
    /// Poked after every audit entry written, so the fleet upload
    /// (`fleet_audit`) wakes without polling.
    audit_written: Notify,
}

/// The database's file name inside the app's data directory.
pub const STORE_FILE: &str = "app.sqlite3";

impl Store {
    /// Opens the app's database in `data_dir` (see [`Store::open`]).
    pub fn open_in(data_dir: &Path) -> Result<Self, StoreError> {
        Self::open(&data_dir.join(STORE_FILE))
    }

    /// Opens (creating if needed) the database file and brings its schema up
    /// to date.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| StoreError::Directory {
                path: parent.to_owned(),
                source,
            })?;
        }
        check_sqlite_version(rusqlite::version_number(), rusqlite::version())?;
        let connection = Connection::open(path)?;
        // First of all: the app and a `configure` or `set-staff-pin` from a
        // terminal open the same file, and without a busy timeout the one
        // that loses the race fails at once with "database is locked".
        connection.busy_timeout(BUSY_TIMEOUT)?;
        enable_wal(&connection)?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        schema::migrate(&connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
            audit_written: Notify::new(),
        })
    }

    /// A private database in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory()?;
        schema::migrate(&connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
            audit_written: Notify::new(),
        })
    }

    /// Notified after an audit entry is written by this process (entries
    /// another process writes to the same file are not announced).
    pub fn audit_written(&self) -> &Notify {
        &self.audit_written
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The oldest SQLite the store runs on (rusqlite's own minimum; the store's
/// SQL needs 3.24 for UPSERT, and JSON1's `json_each`). On Linux the app
/// uses the system's library, which a package cannot pin exactly.
const MIN_SQLITE: (i32, &str) = (3_034_001, "3.34.1");

fn check_sqlite_version(number: i32, version: &str) -> Result<(), StoreError> {
    if number < MIN_SQLITE.0 {
        return Err(StoreError::SqliteTooOld {
            found: version.to_owned(),
            needed: MIN_SQLITE.1,
        });
    }
    Ok(())
}

/// How long a statement waits for another process's lock on the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Switching a new file to WAL takes an exclusive lock, and SQLite answers
/// "database is locked" at once, without its busy handler, when another
/// connection holds the file: so wait here, as the busy timeout would.
fn enable_wal(connection: &Connection) -> rusqlite::Result<()> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    loop {
        match connection.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy && Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            done => return done,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Barrier};

    #[test]
    fn a_system_sqlite_older_than_the_minimum_is_refused_by_name() {
        let err = check_sqlite_version(3_031_001, "3.31.1").unwrap_err();
        assert_eq!(err.code(), "STORE_SQLITE_TOO_OLD");
        assert_eq!(
            err.to_string(),
            "the system's SQLite is version 3.31.1; this app needs 3.34.1 or later"
        );
        check_sqlite_version(3_034_001, "3.34.1").expect("the minimum itself is enough");
        // The library this build runs on meets it.
        check_sqlite_version(rusqlite::version_number(), rusqlite::version()).unwrap();
    }

    #[test]
    fn processes_opening_a_new_database_at_once_all_succeed() {
        // Separate connections lock the file as separate processes do: the
        // app starting while `configure` runs from a terminal.
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = Arc::new(dir.path().join(STORE_FILE));
            let start = Arc::new(Barrier::new(4));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        Store::open(&path).map(|_| ())
                    })
                })
                .collect();
            for opener in openers {
                opener.join().unwrap().expect("every opener gets the store");
            }
            let store = Store::open(&path).unwrap();
            let version: i64 = store
                .connection()
                .query_row("PRAGMA user_version", [], |row| row.get(0))
                .unwrap();
            assert_eq!(version as usize, schema::MIGRATIONS.len());
        }
    }
}
