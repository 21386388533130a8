//! PostgreSQL only: replicas starting together, and the database going away
//! and coming back.

mod common;

use broker_store::{AuditEntry, AuditFilter, Store, StoreOptions};
use common::Ctx;
use serde_json::json;
use std::time::Duration as StdDuration;
use uuid::Uuid;

/// A bound so that a hang fails the test instead of blocking it; not a
/// timing assertion.
async fn bounded<T>(what: &str, f: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(StdDuration::from_secs(120), f)
        .await
        .unwrap_or_else(|_| panic!("{what} did not return"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_starting_together_apply_the_schema_once() {
    let ctx = Ctx::postgres();
    let url = ctx.url();
    let (a, b) = tokio::join!(
        Store::open_with(&url, ctx.options()),
        Store::open_with(&url, ctx.options())
    );
    let (a, b) = (
        a.expect("first replica opens"),
        b.expect("second replica opens"),
    );
    let mut applied: Vec<i64> = a.applied_migrations().to_vec();
    applied.extend(b.applied_migrations());
    assert_eq!(
        applied,
        vec![1, 2],
        "each migration applied by exactly one replica"
    );
    assert_eq!(a.schema_version().await.unwrap(), 2);

    // Read the bookkeeping table directly.
    let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let rows = client
        .query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
        .await
        .unwrap();
    let versions: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(versions, vec![1, 2]);
    // Both replicas work on the one schema.
    a.add_device("kiosk-1", "store-1").await.unwrap();
    assert_eq!(b.device("kiosk-1").await.unwrap().name, "kiosk-1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_unavailable_then_back() {
    let mut ctx = Ctx::postgres();
    let password = "pw-must-not-show-3141";
    let url = ctx.postgres_guard().url_with_password(password);
    let options = StoreOptions {
        connect_timeout: StdDuration::from_secs(2),
        ..ctx.options()
    };
    let store = Store::open_with(&url, options.clone()).await.unwrap();
    let (device, code) = store.add_device("kiosk-1", "store-1").await.unwrap();
    store
        .redeem(code.reveal(), &broker_store::credential_verifier(b"s"))
        .await
        .unwrap();

    ctx.postgres_guard().stop();

    let entries: Vec<AuditEntry> = (0..50)
        .map(|seq| AuditEntry {
            id: Uuid::new_v4(),
            seq,
            at: time::OffsetDateTime::now_utc(),
            kind: "step".into(),
            detail: json!({"n": seq}),
        })
        .collect();
    let failures = vec![
        bounded("list_devices", store.list_devices())
            .await
            .map(|_| ()),
        bounded("append_audit", store.append_audit(device.id, &entries))
            .await
            .map(|_| ()),
        bounded("authenticate", store.authenticate(device.id, b"s"))
            .await
            .map(|_| ()),
        bounded(
            "take",
            store.take(device.id, "code_sent", 5, time::Duration::hours(1)),
        )
        .await,
        bounded("mint lock", store.with_mint_lock(|| async {})).await,
        bounded("open", Store::open_with(&url, options.clone()))
            .await
            .map(|_| ()),
    ];
    for failure in failures {
        let err = failure.expect_err("the database is down");
        assert_eq!(err.code(), "BROKER_STORE_UNAVAILABLE", "{err}");
        assert!(err.is_unavailable());
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains(password), "the password shows: {shown}");
        assert!(
            shown.contains("127.0.0.1"),
            "the message names the server: {shown}"
        );
    }

    ctx.postgres_guard().start_again();

    // The same store works again, and nothing of the failed append is there.
    let devices = bounded("list_devices", store.list_devices()).await.unwrap();
    assert_eq!(devices.len(), 1);
    let page = store.list_audit(&AuditFilter::default()).await.unwrap();
    assert!(page.entries.is_empty(), "nothing half-written");
    let appended = store.append_audit(device.id, &entries).await.unwrap();
    assert_eq!(appended.new, 50);
    store.authenticate(device.id, b"s").await.unwrap();
    assert_eq!(
        bounded("mint lock", store.with_mint_lock(|| async { 1 }))
            .await
            .unwrap(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_url_says_so_without_the_password() {
    let err = Store::open("postgres://u:secret-pw@127.0.0.1:notaport/db")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BROKER_STORE_URL_INVALID");
    assert!(!format!("{err} {err:?}").contains("secret-pw"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opens_over_the_unix_socket() {
    let mut ctx = Ctx::postgres();
    let url = ctx.postgres_guard().socket_url();
    let store = Store::open_with(&url, ctx.options()).await.unwrap();
    assert_eq!(store.backend(), "postgresql");
    store.add_device("kiosk-1", "store-1").await.unwrap();
    // The same database as over TCP.
    let tcp = ctx.open().await;
    assert_eq!(tcp.list_devices().await.unwrap().len(), 1);
}
