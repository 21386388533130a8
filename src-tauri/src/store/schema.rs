use rusqlite::Connection;

/// Each entry upgrades the schema by one version (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[
    // 1: customers known by phone hash, and enrollments.
    "CREATE TABLE customers (
        environment TEXT NOT NULL,
        phone_hash  TEXT NOT NULL,
        user_id     TEXT NOT NULL,
        confirmed   INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (environment, phone_hash)
     );
     CREATE TABLE enrollments (
        id            TEXT PRIMARY KEY,
        environment   TEXT NOT NULL,
        mode          TEXT NOT NULL,
        started_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        first_name    TEXT NOT NULL,
        last_initial  TEXT NOT NULL,
        phone_masked  TEXT NOT NULL,
        phone_hash    TEXT NOT NULL,
        user_id       TEXT,
        status        TEXT NOT NULL,
        error_code    TEXT,
        bank_name     TEXT,
        account_last4 TEXT,
        account_type  TEXT
     );
     CREATE INDEX enrollments_started ON enrollments (started_at);",
];

pub fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    let current: usize =
        connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        connection.execute_batch(&format!(
            "BEGIN; {sql}; PRAGMA user_version = {}; COMMIT;",
            index + 1
        ))?;
    }
    Ok(())
}
