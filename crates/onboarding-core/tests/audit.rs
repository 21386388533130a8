//! The audit trail on disk: secrets and phone numbers never reach the
//! database file, and rows cannot be changed or removed.

use onboarding_core::store::{AuditAction, AuditEntry, AuditMode, Store};
use std::path::Path;

const JWT: &str =
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhdWRpdC10ZXN0In0.c2lnbmF0dXJlLWF1ZGl0";
const API_SECRET: &str = "sk_live_audit_5ecret_value_77";
const PASSWORD: &str = "hunter2-audit-pw";

fn entry(at: i64, action: AuditAction, detail: String) -> AuditEntry {
    AuditEntry {
        at,
        mode: AuditMode::Desk,
        staff: Some("Sam".into()),
        action,
        detail,
        error_code: Some("AP002".into()),
        correlation_id: Some("6f1b2c3d-enrollment".into()),
    }
}

/// The database and its write-ahead log, as bytes: whatever SQLite keeps.
fn raw_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    for suffix in ["-wal", "-journal"] {
        let side = db.with_file_name(format!(
            "{}{suffix}",
            db.file_name().unwrap().to_string_lossy()
        ));
        if let Ok(more) = std::fs::read(side) {
            bytes.extend(more);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn secrets_and_phone_numbers_never_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.sqlite3");
    let store = Store::open(&db).unwrap();
    let details = [
        format!("token mint answered {JWT}"),
        format!(r#"{{"apiKey":"k-audit-1","apiSecret":"{API_SECRET}","id":1234}}"#),
        format!("link body user_id=u-1&user_password={PASSWORD}&aggregator=aerosync"),
        "code sent to +14155550123".to_owned(),
        "customer gave (415) 555-0123 as their number".to_owned(),
    ];
    for (i, detail) in details.iter().enumerate() {
        store
            .audit(&entry(
                1_000 + i as i64,
                AuditAction::CodeSent,
                detail.clone(),
            ))
            .unwrap();
    }

    let read = store.audit_entries(0, i64::MAX).unwrap();
    assert_eq!(read.len(), details.len());
    assert_eq!(read[3].detail, "code sent to •••-•••-••23");
    assert_eq!(read[0].staff.as_deref(), Some("Sam"));
    drop(store);

    let bytes = raw_bytes(&db);
    assert!(contains(&bytes, "code sent to"), "the rows are on disk");
    for secret in [
        JWT,
        API_SECRET,
        "k-audit-1",
        PASSWORD,
        "+14155550123",
        "14155550123",
        "4155550123",
        "(415) 555-0123",
        "555-0123",
    ] {
        assert!(
            !contains(&bytes, secret),
            "{secret} is in the database file"
        );
    }
}

#[test]
fn rows_cannot_be_changed_or_removed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.sqlite3");
    let store = Store::open(&db).unwrap();
    store
        .audit(&entry(5, AuditAction::PinFailed, "wrong PIN".into()))
        .unwrap();

    // Straight SQL on the same file, as anyone with the file could try.
    let raw = rusqlite::Connection::open(&db).unwrap();
    for sql in [
        "UPDATE audit_log SET detail = 'nothing happened'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE at = 5",
    ] {
        let err = raw.execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    drop(raw);

    let read = store.audit_entries(0, 10).unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].detail, "wrong PIN");
    assert_eq!(read[0].action, AuditAction::PinFailed);
}

#[test]
fn a_bad_mode_in_the_file_is_refused_by_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("app.sqlite3");
    drop(Store::open(&db).unwrap());
    let raw = rusqlite::Connection::open(&db).unwrap();
    let err = raw
        .execute(
            "INSERT INTO audit_log (at, mode, action, detail) VALUES (1, 'lobby', 'code_sent', '')",
            [],
        )
        .unwrap_err();
    assert!(err.to_string().contains("CHECK"), "{err}");
}
