//! What the app remembers on this machine, in SQLite under the app's data
//! directory: which Aeropay user belongs to a phone number (by keyed hash,
//! never the number) and a record of each enrollment (no secrets, no full
//! phone), an append-only audit trail, and CSV exports of enrollments.
//! Plain Rust, no tauri.

mod audit;
mod customers;
mod enrollments;
mod error;
mod export;
mod phone;
mod schema;

pub use audit::{
    mask_phone_numbers, scrub_detail, AuditAction, AuditEntry, AuditMode, ALL_ACTIONS,
};
pub use customers::KnownCustomer;
pub use enrollments::{EnrollmentQuery, EnrollmentRecord, EnrollmentStatus, ListedEnrollment};
pub use error::StoreError;
pub use export::ExportError;
pub use phone::{mask_phone, PhoneHasher};

use rusqlite::Connection;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

pub struct Store {
    connection: Mutex<Connection>,
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
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "foreign_keys", "ON")?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        schema::migrate(&connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// A private database in memory, for tests.
    pub fn in_memory() -> Result<Self, StoreError> {
        let connection = Connection::open_in_memory()?;
        schema::migrate(&connection)?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    fn connection(&self) -> MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|e| e.into_inner())
    }
}
