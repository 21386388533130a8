//! The schema, as numbered migrations for each backend. A migration is
//! applied once, whole, and recorded in `schema_migrations`; never edit one
//! that has shipped, add the next.
//!
//! Times: `timestamptz` in PostgreSQL, Unix milliseconds (INTEGER) in
//! SQLite. Rate windows are Unix milliseconds in both.

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub postgres: &'static str,
    pub sqlite: &'static str,
}

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "devices, enrollment codes, rate limits, audit trail, merchant token",
        postgres: r#"
CREATE TABLE devices (
    id            uuid PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    group_name    text NOT NULL,
    -- sha256 of the device's secret; NULL until the code is redeemed
    verifier      bytea,
    created_at    timestamptz NOT NULL,
    enrolled_at   timestamptz,
    last_seen_at  timestamptz,
    disabled_at   timestamptz,
    revoked_at    timestamptz
);
CREATE INDEX devices_group ON devices (group_name);

CREATE TABLE enrollment_codes (
    -- sha256 of the normalized code; the code itself is never stored
    code_hash    bytea PRIMARY KEY,
    device_id    uuid NOT NULL REFERENCES devices (id),
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    redeemed_at  timestamptz
);
CREATE INDEX enrollment_codes_device ON enrollment_codes (device_id);

CREATE TABLE rate_limits (
    device_id     uuid NOT NULL REFERENCES devices (id),
    kind          text NOT NULL,
    window_start  bigint NOT NULL,
    count         bigint NOT NULL,
    PRIMARY KEY (device_id, kind)
);

CREATE TABLE audit_entries (
    device_id    uuid NOT NULL REFERENCES devices (id),
    seq          bigint NOT NULL,
    id           uuid NOT NULL,
    at           timestamptz NOT NULL,
    kind         text NOT NULL,
    detail       jsonb NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (device_id, seq),
    UNIQUE (device_id, id)
);

CREATE TABLE merchant_token (
    id          smallint PRIMARY KEY CHECK (id = 1),
    ciphertext  bytea NOT NULL,
    expires_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
"#,
        sqlite: r#"
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    group_name    TEXT NOT NULL,
    verifier      BLOB,
    created_at    INTEGER NOT NULL,
    enrolled_at   INTEGER,
    last_seen_at  INTEGER,
    disabled_at   INTEGER,
    revoked_at    INTEGER
) STRICT;
CREATE INDEX devices_group ON devices (group_name);

CREATE TABLE enrollment_codes (
    code_hash    BLOB PRIMARY KEY,
    device_id    TEXT NOT NULL REFERENCES devices (id),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    redeemed_at  INTEGER
) STRICT;
CREATE INDEX enrollment_codes_device ON enrollment_codes (device_id);

CREATE TABLE rate_limits (
    device_id     TEXT NOT NULL REFERENCES devices (id),
    kind          TEXT NOT NULL,
    window_start  INTEGER NOT NULL,
    count         INTEGER NOT NULL,
    PRIMARY KEY (device_id, kind)
) STRICT;

CREATE TABLE audit_entries (
    device_id    TEXT NOT NULL REFERENCES devices (id),
    seq          INTEGER NOT NULL,
    id           TEXT NOT NULL,
    at           INTEGER NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    received_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, seq),
    UNIQUE (device_id, id)
) STRICT;

CREATE TABLE merchant_token (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    ciphertext  BLOB NOT NULL,
    expires_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;
"#,
    },
    Migration {
        version: 2,
        name: "users each device verified, idempotent replies",
        postgres: r#"
CREATE TABLE verified_users (
    device_id    uuid NOT NULL REFERENCES devices (id),
    user_id      text NOT NULL,
    verified_at  timestamptz NOT NULL,
    PRIMARY KEY (device_id, user_id)
);

CREATE TABLE idempotent_replies (
    device_id     uuid NOT NULL REFERENCES devices (id),
    key           text NOT NULL,
    operation     text NOT NULL,
    -- sha256 of the request the reply answers
    request_hash  bytea NOT NULL,
    reply         jsonb NOT NULL,
    created_at    timestamptz NOT NULL,
    PRIMARY KEY (device_id, key)
);
"#,
        sqlite: r#"
CREATE TABLE verified_users (
    device_id    TEXT NOT NULL REFERENCES devices (id),
    user_id      TEXT NOT NULL,
    verified_at  INTEGER NOT NULL,
    PRIMARY KEY (device_id, user_id)
) STRICT;

CREATE TABLE idempotent_replies (
    device_id     TEXT NOT NULL REFERENCES devices (id),
    key           TEXT NOT NULL,
    operation     TEXT NOT NULL,
    request_hash  BLOB NOT NULL,
    reply         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (device_id, key)
) STRICT;
"#,
    },
];

pub(crate) fn latest() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}
