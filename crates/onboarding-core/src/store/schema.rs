use rusqlite::Connection;

/// Each entry upgrades the schema by one version (`PRAGMA user_version`).
pub(super) const MIGRATIONS: &[&str] = &[
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
    // 2: the audit trail. Append-only: the triggers refuse to change or
    // remove a row through any SQL, not only through the Store API.
    "CREATE TABLE audit_log (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        at             INTEGER NOT NULL,
        mode           TEXT NOT NULL CHECK (mode IN ('kiosk', 'desk')),
        staff          TEXT,
        action         TEXT NOT NULL,
        detail         TEXT NOT NULL,
        error_code     TEXT,
        correlation_id TEXT
     );
     CREATE INDEX audit_log_at ON audit_log (at);
     CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
    // 3: at start the app counts wrong staff PINs since the last right one;
    // the log only grows, so that must not read all of it.
    "CREATE INDEX audit_log_action ON audit_log (action, id);",
    // 4: what an enrollment is about to link, written before the link call
    // and settled after a crash (store/pending_links.rs).
    "CREATE TABLE pending_links (
        enrollment_id   TEXT NOT NULL REFERENCES enrollments (id),
        link_key        TEXT NOT NULL,
        kind            TEXT NOT NULL CHECK (kind IN ('connection', 'legacy')),
        state           TEXT NOT NULL CHECK (state IN ('pending', 'linked', 'refused')),
        error_code      TEXT,
        bank_account_id INTEGER,
        bank_name       TEXT,
        account_last4   TEXT,
        account_type    TEXT,
        selected        INTEGER,
        accounts_before TEXT NOT NULL DEFAULT '',
        created_at      INTEGER NOT NULL,
        updated_at      INTEGER NOT NULL,
        PRIMARY KEY (enrollment_id, link_key)
     );
     CREATE INDEX pending_links_state ON pending_links (state);",
    // 5: codes sent from this machine, by phone hash, so a kiosk can limit
    // how often one phone is sent a code (a restart must not reset it).
    "CREATE TABLE code_sends (
        environment TEXT NOT NULL,
        phone_hash  TEXT NOT NULL,
        at          INTEGER NOT NULL
     );
     CREATE INDEX code_sends_phone ON code_sends (environment, phone_hash, at);",
    // 6: uploading the audit trail to the fleet broker (store/audit_outbox.rs).
    // One row: the random namespace the entries' global ids are derived from
    // (so they need no column on the append-only table, and entries written
    // before this version get ids too), and how far the broker acknowledged.
    "CREATE TABLE audit_upload (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        namespace       BLOB NOT NULL CHECK (length(namespace) = 16),
        sent_through    INTEGER NOT NULL DEFAULT 0,
        acknowledged_at INTEGER
     );
     INSERT INTO audit_upload (id, namespace) VALUES (1, randomblob(16));",
];

pub fn migrate(connection: &Connection) -> rusqlite::Result<()> {
    // IMMEDIATE takes the write lock before the version is read, so two
    // processes opening a new file at once do not both apply the first
    // migration (the loser waits its busy timeout, then finds it applied).
    let transaction =
        rusqlite::Transaction::new_unchecked(connection, rusqlite::TransactionBehavior::Immediate)?;
    let current: usize =
        transaction.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        transaction.execute_batch(&format!("{sql}; PRAGMA user_version = {};", index + 1))?;
    }
    transaction.commit()
}
