//! SQLite only: the file on disk.

mod common;

use broker_store::Store;
use common::Ctx;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_file_is_in_wal_mode_and_keeps_no_code() {
    let ctx = Ctx::sqlite();
    let store = ctx.open().await;
    let (_, code) = store.add_device("kiosk-1", "store-1").await.unwrap();
    let common::Db::Sqlite(dir) = &ctx.db else {
        unreachable!()
    };
    let path = dir.path().join("broker.db");
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let stored: Vec<u8> = c
        .query_row("SELECT code_hash FROM enrollment_codes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored.len(), 32);
    drop(c);
    drop(store);
    // Neither form of the code is anywhere in the files.
    for file in ["broker.db", "broker.db-wal"] {
        let Ok(bytes) = std::fs::read(dir.path().join(file)) else {
            continue;
        };
        for form in [code.reveal().to_owned(), code.reveal().replace('-', "")] {
            assert!(
                !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                "{file} holds the code"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_that_cannot_be_opened_is_unavailable() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"x").unwrap();
    let err = Store::open(blocker.join("broker.db").to_str().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "BROKER_STORE_UNAVAILABLE", "{err}");
}
