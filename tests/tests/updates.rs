//! Signed updates refused: the app (the debug build, with a throwaway
//! release key from AEROPAY_ONBOARDING_UPDATER_PUBKEY, which only debug
//! builds read) checks a feed on 127.0.0.1 and must refuse a tampered
//! package and a package signed with another key, and shrug off a feed that
//! is down or hangs: the audit trail says why, nothing is installed, and the
//! kiosk keeps working. The install itself is tested against the installed
//! package (tests/update_installed.rs, run by scripts/test-install.sh).

mod common;

use aeropay_onboarding_e2e::update_feed::{latest_json, FeedServer};
use aeropay_onboarding_e2e::{free_port, App, Launch, DEFAULT_WAIT};
use common::updates::{kiosk_with_updates, TestKey};
use onboarding_core::store::{AuditAction, AuditEntry, Store};
use std::time::Duration;

const NEXT: &str = "9.9.9";

fn audit_of(app: &App) -> Vec<AuditEntry> {
    let path = common::data_dir(app).join("app.sqlite3");
    if !path.exists() {
        return Vec::new();
    }
    Store::open(&path)
        .expect("store opens")
        .audit_entries(0, i64::MAX)
        .expect("audit entries")
}

async fn wait_for_update_entry(app: &App, action: AuditAction, timeout: Duration) -> AuditEntry {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(entry) = audit_of(app).into_iter().find(|e| e.action == action) {
            return entry;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no {action:?} in the audit trail after {timeout:?}: {:#?}\n{}",
            audit_of(app),
            app.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn with_key(mut launch: Launch, key: &TestKey) -> Launch {
    launch
        .env
        .push(("AEROPAY_ONBOARDING_UPDATER_PUBKEY".into(), key.public()));
    launch
}

/// Nothing was installed and the kiosk still takes the next customer.
async fn still_the_same_kiosk(app: &App) {
    assert!(!app.app_pids().is_empty(), "the app is still running");
    assert!(
        audit_of(app)
            .iter()
            .all(|e| e.action != AuditAction::UpdateInstalled),
        "nothing installed"
    );
    app.click("#attract-start").await;
    app.find("#field-firstName").await;
}

/// Serves `package` with `signature` as version NEXT, starts a kiosk on
/// that feed and returns the refusal it wrote.
async fn refusal(
    package: Vec<u8>,
    signature: String,
    key: &TestKey,
) -> (App, FeedServer, AuditEntry) {
    let feed = FeedServer::serve();
    let deb = "/aeropay-onboarding_9.9.9_amd64.deb";
    feed.put(deb, "application/vnd.debian.binary-package", package);
    feed.put(
        "/stable/latest.json",
        "application/json",
        latest_json(NEXT, &feed.url(deb), &signature),
    );
    let app = App::launch_with(with_key(
        kiosk_with_updates(&feed.url("/{{channel}}/latest.json")),
        key,
    ))
    .await;
    let refused =
        wait_for_update_entry(&app, AuditAction::UpdateRefused, Duration::from_secs(60)).await;
    (app, feed, refused)
}

/// Bytes that stand for a package: never installed, whatever they are.
fn package() -> Vec<u8> {
    let mut bytes = b"!<arch>\ndebian-binary   ".to_vec();
    bytes.extend((0..4096u32).map(|i| (i % 251) as u8));
    bytes
}

#[tokio::test]
async fn a_tampered_package_is_refused_and_the_installed_version_keeps_running() {
    let key = TestKey::generate();
    let genuine = package();
    let signature = key.sign(&genuine, NEXT);
    let mut tampered = genuine.clone();
    tampered[100] ^= 0x55;
    let (app, feed, refused) = refusal(tampered, signature, &key).await;

    assert_eq!(
        refused.error_code.as_deref(),
        Some("UPDATE_SIGNATURE_REFUSED"),
        "{refused:?}"
    );
    assert!(
        refused.detail.contains("signature does not match"),
        "{refused:?}"
    );
    assert!(
        refused.detail.contains("installed version keeps running"),
        "{refused:?}"
    );
    let entries = audit_of(&app);
    assert!(
        entries
            .iter()
            .any(|e| e.action == AuditAction::UpdateChecked
                && e.detail.contains("version 9.9.9 is available")),
        "{entries:#?}"
    );
    assert!(
        entries
            .iter()
            .all(|e| e.action != AuditAction::UpdateDownloaded),
        "{entries:#?}"
    );
    assert!(
        feed.requests()
            .iter()
            .any(|r| r.starts_with("GET /stable/latest.json")),
        "{:?}",
        feed.requests()
    );
    assert!(
        feed.requests().iter().any(|r| r.contains("_amd64.deb")),
        "{:?}",
        feed.requests()
    );
    still_the_same_kiosk(&app).await;
    app.quit().await;
}

#[tokio::test]
async fn a_package_signed_with_another_key_is_refused() {
    let trusted = TestKey::generate();
    let stranger = TestKey::generate();
    let package = package();
    let signature = stranger.sign(&package, NEXT);
    let (app, _feed, refused) = refusal(package, signature, &trusted).await;
    assert_eq!(
        refused.error_code.as_deref(),
        Some("UPDATE_SIGNATURE_REFUSED"),
        "{refused:?}"
    );
    still_the_same_kiosk(&app).await;
    app.quit().await;
}

#[tokio::test]
async fn a_signature_for_another_version_is_refused() {
    // A genuine package and signature of an older release, announced as a
    // newer version: the signature is bound to the version it was made for.
    let key = TestKey::generate();
    let package = package();
    let signature = key.sign(&package, "0.0.1");
    let (app, _feed, refused) = refusal(package, signature, &key).await;
    assert_eq!(
        refused.error_code.as_deref(),
        Some("UPDATE_SIGNATURE_REFUSED"),
        "{refused:?}"
    );
    still_the_same_kiosk(&app).await;
    app.quit().await;
}

#[tokio::test]
async fn a_feed_that_is_down_changes_nothing() {
    let key = TestKey::generate();
    let port = free_port();
    let app = App::launch_with(with_key(
        kiosk_with_updates(&format!(
            "http://127.0.0.1:{port}/{{{{channel}}}}/latest.json"
        )),
        &key,
    ))
    .await;
    let failed = wait_for_update_entry(&app, AuditAction::UpdateFailed, DEFAULT_WAIT).await;
    assert_eq!(
        failed.error_code.as_deref(),
        Some("UPDATE_FEED_UNREACHABLE"),
        "{failed:?}"
    );
    assert!(
        failed.detail.contains(&format!("http://127.0.0.1:{port}")),
        "{failed:?}"
    );
    still_the_same_kiosk(&app).await;
    app.quit().await;
}

#[tokio::test]
async fn a_feed_that_hangs_changes_nothing_and_the_kiosk_keeps_working_meanwhile() {
    let key = TestKey::generate();
    let feed = FeedServer::hanging();
    let app = App::launch_with(with_key(
        kiosk_with_updates(&feed.url("/{{channel}}/latest.json")),
        &key,
    ))
    .await;
    // While the check hangs, a customer is served as usual.
    app.click("#attract-start").await;
    app.find("#field-firstName").await;
    // The check gives up after its timeout (30 s) and says so.
    let failed =
        wait_for_update_entry(&app, AuditAction::UpdateFailed, Duration::from_secs(90)).await;
    assert_eq!(
        failed.error_code.as_deref(),
        Some("UPDATE_FEED_UNREACHABLE"),
        "{failed:?}"
    );
    assert!(!app.app_pids().is_empty(), "the app is still running");
    app.quit().await;
}

#[tokio::test]
async fn the_simulator_never_checks_for_updates() {
    let key = TestKey::generate();
    let feed = FeedServer::serve();
    let mut launch = kiosk_with_updates(&feed.url("/{{channel}}/latest.json"));
    launch.settings_json = Some(launch.settings_json.unwrap().replace(
        r#"{"base_url":"http://127.0.0.1:9/","kind":"custom"}"#,
        r#"{"kind":"simulator"}"#,
    ));
    assert!(launch
        .settings_json
        .as_deref()
        .unwrap()
        .contains("simulator"));
    let app = App::launch_with(with_key(launch, &key)).await;
    app.click("#attract-start").await;
    app.find("#field-firstName").await;
    // Past the first check's moment (5 s after start) with time to spare.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert!(feed.requests().is_empty(), "{:?}", feed.requests());
    assert!(audit_of(&app)
        .iter()
        .all(|e| !format!("{:?}", e.action).starts_with("Update")));
    app.quit().await;
}
