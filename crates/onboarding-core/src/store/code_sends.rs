//! Codes sent from this machine, by phone hash: a kiosk limits how often one
//! phone is sent a code, and the count must survive a restart.

use super::{Store, StoreError};
use rusqlite::params;

impl Store {
    /// Writes down one code sent to the phone with this hash at `at` (unix
    /// seconds), and forgets sends older than `forget_before`, which no
    /// limit looks at any more.
    pub fn record_code_send(
        &self,
        environment: &str,
        phone_hash: &str,
        at: i64,
        forget_before: i64,
    ) -> Result<(), StoreError> {
        let connection = self.connection();
        connection.execute(
            "DELETE FROM code_sends WHERE at < ?1",
            params![forget_before],
        )?;
        connection.execute(
            "INSERT INTO code_sends (environment, phone_hash, at) VALUES (?1, ?2, ?3)",
            params![environment, phone_hash, at],
        )?;
        Ok(())
    }

    /// Codes sent to the phone with this hash at or after `since` (unix
    /// seconds): how many, and when the oldest of them was sent.
    pub fn code_sends_since(
        &self,
        environment: &str,
        phone_hash: &str,
        since: i64,
    ) -> Result<(u32, Option<i64>), StoreError> {
        let (count, oldest): (i64, Option<i64>) = self.connection().query_row(
            "SELECT COUNT(*), MIN(at) FROM code_sends
             WHERE environment = ?1 AND phone_hash = ?2 AND at >= ?3",
            params![environment, phone_hash, since],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        Ok((u32::try_from(count).unwrap_or(u32::MAX), oldest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sends_are_counted_per_phone_and_environment_within_the_window() {
        let store = Store::in_memory().unwrap();
        assert_eq!(store.code_sends_since("sim", "h1", 0).unwrap(), (0, None));
        store.record_code_send("sim", "h1", 100, 0).unwrap();
        store.record_code_send("sim", "h1", 200, 0).unwrap();
        store.record_code_send("sim", "h2", 210, 0).unwrap();
        store.record_code_send("sandbox", "h1", 220, 0).unwrap();
        assert_eq!(
            store.code_sends_since("sim", "h1", 0).unwrap(),
            (2, Some(100))
        );
        assert_eq!(
            store.code_sends_since("sim", "h1", 150).unwrap(),
            (1, Some(200))
        );
        // Old sends are forgotten when a new one is written.
        store.record_code_send("sim", "h2", 300, 205).unwrap();
        assert_eq!(store.code_sends_since("sim", "h1", 0).unwrap(), (0, None));
        assert_eq!(
            store.code_sends_since("sim", "h2", 0).unwrap(),
            (2, Some(210))
        );
    }
}
