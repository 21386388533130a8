//! `--state FILE`: the simulator's data as one JSON snapshot in SQLite, so a
//! restart keeps users, codes, connections and linked accounts. One row is
//! enough: the data is small and every change rewrites it atomically.

use super::state::Data;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;

pub struct Persistence {
    conn: Connection,
}

#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("simulator state database: {0}")]
    Sql(#[from] rusqlite::Error),
    #[error("simulator state is not readable: {0}")]
    Json(#[from] serde_json::Error),
}

impl Persistence {
    pub fn open(path: &Path) -> Result<Self, PersistError> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS simulator_state (
                 id INTEGER PRIMARY KEY CHECK (id = 1),
                 json TEXT NOT NULL
             );",
        )?;
        Ok(Persistence { conn })
    }

    pub fn load(&self) -> Result<Option<Data>, PersistError> {
        let json: Option<String> = self
            .conn
            .query_row("SELECT json FROM simulator_state WHERE id = 1", [], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(match json {
            Some(json) => Some(serde_json::from_str(&json)?),
            None => None,
        })
    }

    pub fn save(&self, data: &Data) -> Result<(), PersistError> {
        let json = serde_json::to_string(data)?;
        self.conn.execute(
            "INSERT INTO simulator_state (id, json) VALUES (1, ?1)
             ON CONFLICT(id) DO UPDATE SET json = excluded.json",
            params![json],
        )?;
        Ok(())
    }
}
