//! The installed package updates itself: `scripts/test-install.sh` (part of
//! `make test`) installs version N of the .deb, builds and signs version
//! N+1 with a throwaway release key, puts that key's public half in the
//! root-only /etc/aeropay-onboarding/updater.pub, and runs this test with
//! AEROPAY_ONBOARDING_BIN=/usr/bin/aeropay-onboarding and AEROPAY_UPDATE_DEB,
//! AEROPAY_UPDATE_SIG, AEROPAY_UPDATE_VERSION. Ignored in a plain
//! `cargo test`: it changes the system's packages.
//!
//! A kiosk on a feed at 127.0.0.1 finds N+1 while a customer is at the
//! screen, verifies it, waits until the customer has gone, installs it with
//! dpkg and restarts into it; the restarted app says so in the audit trail.

mod common;

use aeropay_onboarding_e2e::update_feed::{latest_json, FeedServer};
use aeropay_onboarding_e2e::{app_binary, App};
use common::updates::kiosk_with_updates;
use onboarding_core::store::{AuditAction, AuditEntry, Store};
use std::process::Command;
use std::time::{Duration, Instant};

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run scripts/test-install.sh"))
}

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

async fn wait_for(app: &App, action: AuditAction, timeout: Duration) -> AuditEntry {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(entry) = audit_of(app).into_iter().find(|e| e.action == action) {
            return entry;
        }
        assert!(
            Instant::now() < deadline,
            "no {action:?} in the audit trail after {timeout:?}: {:#?}\n{}",
            audit_of(app),
            app.log()
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

fn version_of(binary: &std::path::Path) -> String {
    let out = Command::new(binary)
        .arg("--version")
        .output()
        .expect("--version runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn dpkg_version() -> String {
    let out = Command::new("dpkg-query")
        .args(["-W", "-f=${Version}", "aeropay-onboarding"])
        .output()
        .expect("dpkg-query runs");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[tokio::test]
#[ignore = "changes the system's packages: run by scripts/test-install.sh (make test)"]
async fn an_installed_kiosk_updates_between_customers_and_restarts_into_the_new_version() {
    let deb = std::fs::read(env("AEROPAY_UPDATE_DEB")).expect("the next version's .deb");
    let signature = std::fs::read_to_string(env("AEROPAY_UPDATE_SIG")).expect("its .sig");
    let next = env("AEROPAY_UPDATE_VERSION");
    let binary = app_binary();
    assert_eq!(
        binary,
        std::path::Path::new("/usr/bin/aeropay-onboarding"),
        "the installed app"
    );
    let before = version_of(&binary);
    assert_ne!(
        before,
        format!("aeropay-onboarding {next}"),
        "the installed version is older"
    );
    let installed = dpkg_version();

    let feed = FeedServer::serve();
    let path = format!("/aeropay-onboarding_{next}_amd64.deb");
    feed.put(&path, "application/vnd.debian.binary-package", deb);
    feed.put(
        "/stable/latest.json",
        "application/json",
        latest_json(&next, &feed.url(&path), signature.trim()),
    );
    // The first check waits at the feed until a customer is at the screen.
    feed.hold(true);
    let app = App::launch_with(kiosk_with_updates(&feed.url("/{{channel}}/latest.json"))).await;
    app.click("#attract-start").await;
    app.type_into("#field-firstName", "Katherine").await;
    feed.hold(false);

    let downloaded = wait_for(&app, AuditAction::UpdateDownloaded, Duration::from_secs(60)).await;
    assert!(
        downloaded.detail.contains("signature verified"),
        "{downloaded:?}"
    );
    // A customer is at the screen: the verified update waits. (Three rounds
    // of the kiosk's "may I install now?" pass meanwhile.)
    tokio::time::sleep(Duration::from_secs(16)).await;
    let entries = audit_of(&app);
    assert!(
        entries
            .iter()
            .all(|e| e.action != AuditAction::UpdateInstalled),
        "{entries:#?}"
    );
    assert_eq!(
        dpkg_version(),
        installed,
        "nothing installed while a customer is there"
    );
    let typed = app
        .execute("return document.getElementById('field-firstName').value")
        .await;
    assert_eq!(
        typed, "Katherine",
        "the customer's screen was not interrupted"
    );

    // The customer leaves (Start over): the kiosk is back on its attract
    // screen, installs the update and restarts into it.
    app.execute("return window.__TAURI__.core.invoke('kiosk_reset', { reason: 'customer' })")
        .await;
    let started = wait_for(&app, AuditAction::UpdateStarted, Duration::from_secs(180)).await;
    assert_eq!(
        started.detail,
        format!(
            "running version {next}, updated from {}",
            before.trim_start_matches("aeropay-onboarding ")
        ),
        "{started:?}"
    );
    let entries = audit_of(&app);
    let order: Vec<AuditAction> = entries
        .iter()
        .map(|e| e.action)
        .filter(|a| format!("{a:?}").starts_with("Update"))
        .collect();
    assert_eq!(
        order,
        [
            AuditAction::UpdateChecked,
            AuditAction::UpdateDownloaded,
            AuditAction::UpdateInstalled,
            AuditAction::UpdateStarted
        ],
        "{entries:#?}"
    );
    assert_eq!(version_of(&binary), format!("aeropay-onboarding {next}"));
    assert_eq!(dpkg_version(), next);
    // The restarted app is the new binary, running with the kiosk's home.
    let pids = app.app_pids();
    assert_eq!(pids.len(), 1, "one restarted app: {pids:?}");
    let exe = std::fs::read_link(format!("/proc/{}/exe", pids[0])).expect("its executable");
    assert_eq!(exe, binary, "not a deleted old binary");
    app.kill_app();
}
