//! A desk of a fleet sees the whole fleet's enrollments in the real window:
//! a real broker (SQLite, 127.0.0.1) whose `audit.reader_groups` is
//! `["office"]`, two store kiosks whose trails the test uploads with their
//! own credentials (`POST /v1/audit`), and the desk configured with the
//! real `configure --environment broker` and a staff PIN. Staff unlock,
//! switch to "Whole fleet", see each kiosk's enrollment with its store and
//! outcome, filter by device; locking staff clears the list. A desk of a
//! group that may not read the trail is told so, with the broker's code,
//! and that the broker cannot be reached once it is gone.

mod common;

use aeropay_onboarding::fleet_client::wire::AuditEntry;
use aeropay_onboarding::fleet_client::{BrokerClient, BrokerConfig};
use aeropay_onboarding_broker::{testing, RunningBroker};
use aeropay_onboarding_e2e::a11y::{assert_accessible, press, tab_to, type_keys, wait_focus};
use aeropay_onboarding_e2e::fantoccini::key::Key;
use aeropay_onboarding_e2e::{app_binary, App, Launch};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use onboarding_core::vault::{OsKeychain, SecretKey, Vault};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

const PIN: &str = "482913";

/// The device credential and the staff PIN are one keychain entry each for
/// the whole machine (the test keyring): one test at a time.
static KEYCHAIN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Removes what `configure` put in the keychain, however the test ends.
struct KeychainCleared;

impl Drop for KeychainCleared {
    fn drop(&mut self) {
        let keychain = OsKeychain::new();
        let _ = keychain.delete(&SecretKey::DeviceCredential);
        let _ = keychain.delete(&SecretKey::StaffPin);
    }
}

struct Fleet {
    _sim: RunningSimulator,
    store: broker_store::Store,
    broker: RunningBroker,
    _dir: tempfile::TempDir,
}

async fn fleet() -> Fleet {
    let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("broker.db").display());
    let mut config = testing::config(&database_url, &sim, &[]);
    config.audit_reader_groups = vec!["office".into()];
    let store = broker_store::Store::open(&database_url).await.unwrap();
    let broker = testing::start(config, &sim).await;
    Fleet {
        _sim: sim,
        store,
        broker,
        _dir: dir,
    }
}

/// One step of an enrollment as a device's uploader sends it, `minute`
/// minutes into a morning.
fn step(
    seq: u64,
    minute: u32,
    kind: &str,
    enrollment: Option<&str>,
    code: Option<&str>,
) -> AuditEntry {
    serde_json::from_value(json!({
        "id": uuid::Uuid::new_v4(),
        "seq": seq,
        "at": format!("2026-12-05T10:{minute:02}:00Z"),
        "kind": kind,
        "detail": {"mode": "kiosk", "actor": null, "text": "as the device wrote it",
                   "error_code": code, "correlation_id": enrollment},
    }))
    .unwrap()
}

impl Fleet {
    /// A store's kiosk, enrolled with its code, sending `trail` itself.
    async fn kiosk_with_trail(&self, name: &str, group: &str, trail: &[AuditEntry]) {
        let (_, code) = self.store.add_device(name, group).await.unwrap();
        let client =
            BrokerClient::new(BrokerConfig::new(self.broker.url().parse().unwrap()), None).unwrap();
        let enrolled = client.enroll(&code.reveal().into()).await.unwrap();
        let kiosk = client.with_credential(enrolled.credential);
        let sent = kiosk.upload_audit(trail).await.unwrap();
        assert_eq!(sent.new as usize, trail.len());
    }

    /// A desk added by the operator and configured with the real
    /// `configure --environment broker` (the code, then the staff PIN, on
    /// standard input); returns the settings it wrote.
    async fn desk(&self, name: &str, group: &str, pin: Option<&str>) -> String {
        let (_, code) = self.store.add_device(name, group).await.unwrap();
        let code = code.reveal().to_owned();
        let setup = tempfile::tempdir().unwrap();
        let home = setup.path().to_owned();
        let url = self.broker.url();
        let pin = pin.map(str::to_owned);
        let output =
            tokio::task::spawn_blocking(move || configure(&home, &url, &code, pin.as_deref()))
                .await
                .unwrap();
        assert!(
            output.status.success(),
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        std::fs::read_to_string(
            setup
                .path()
                .join(".config/app.aeropay-onboarding.desktop/settings.json"),
        )
        .unwrap()
    }
}

fn configure(home: &Path, broker_url: &str, code: &str, pin: Option<&str>) -> std::process::Output {
    let mut args = vec![
        "configure",
        "--environment",
        "broker",
        "--broker-url",
        broker_url,
    ];
    if pin.is_some() {
        args.push("--staff-pin-stdin");
    }
    let mut child = Command::new(app_binary())
        .args(&args)
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the app binary starts");
    {
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "{code}").unwrap();
        if let Some(pin) = pin {
            writeln!(stdin, "{pin}").unwrap();
        }
    }
    child.wait_with_output().unwrap()
}

/// The fleet list's rows: device, store, mode, last step, status, code.
async fn fleet_rows(app: &App) -> Vec<Value> {
    let rows = app
        .execute(
            r##"return [...document.querySelectorAll("#fleet-enrollments tbody tr")].map((tr) =>
                [...tr.querySelectorAll("td")].map((td) => td.textContent.trim()));"##,
        )
        .await;
    rows.as_array().cloned().unwrap_or_default()
}

async fn wait_rows(app: &App, count: usize) -> Vec<Value> {
    app.wait_for(
        &format!("{count} rows in the fleet list"),
        Duration::from_secs(30),
        || async { fleet_rows(app).await.len() == count },
    )
    .await;
    fleet_rows(app).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_desk_sees_the_fleets_enrollments_by_store_and_device() {
    let _one_at_a_time = KEYCHAIN.lock().await;
    let _cleared = KeychainCleared;
    let f = fleet().await;
    // Store 12: one customer linked, one who walked away (the kiosk reset).
    f.kiosk_with_trail(
        "store-12-kiosk-1",
        "store-12",
        &[
            step(1, 0, "enrollment_started", Some("enr-linked"), None),
            step(2, 1, "code_sent", Some("enr-linked"), None),
            step(3, 2, "code_confirmed", Some("enr-linked"), None),
            step(4, 3, "widget_opened", Some("enr-linked"), None),
            step(5, 4, "link_succeeded", Some("enr-linked"), None),
            step(6, 10, "enrollment_started", Some("enr-left"), None),
            step(7, 11, "code_sent", Some("enr-left"), None),
            step(8, 15, "reset_by_idle", None, None),
        ],
    )
    .await;
    // Store 14: a refused link.
    f.kiosk_with_trail(
        "store-14-kiosk-1",
        "store-14",
        &[
            step(1, 20, "enrollment_started", Some("enr-refused"), None),
            step(2, 21, "widget_opened", Some("enr-refused"), None),
            step(3, 22, "link_failed", Some("enr-refused"), Some("AP401")),
        ],
    )
    .await;
    let settings = f.desk("office-desk-1", "office", Some(PIN)).await;

    let app = App::launch_with(Launch {
        settings_json: Some(settings),
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#environment", "Fleet: office-desk-1")
        .await;
    app.click("#desk-nav [data-view='list']").await;
    app.wait_for_text("#list-scope", "Whole fleet").await;
    // This desk's own list first (it has none).
    app.wait_for_text("#enrollments-count", "0 enrollments")
        .await;
    assert_eq!(
        app.execute(r#"return document.getElementById("scope-desk").getAttribute("aria-pressed")"#)
            .await,
        json!("true")
    );

    // By keyboard: Tab to "Whole fleet", Enter; staff only, so the PIN
    // dialog first, its field focused.
    tab_to(&app, "#scope-fleet", 10).await;
    press(&app, Key::Enter).await;
    app.wait_for_text("#staff-pin-dialog", "Staff only").await;
    wait_focus(&app, "#staff-pin").await;
    type_keys(&app, PIN).await;
    press(&app, Key::Enter).await;
    app.wait_for_text("#screen-title", "Enrollments in the fleet")
        .await;
    let rows = wait_rows(&app, 3).await;
    // Newest first: date, store, device, mode, last step, status and code.
    let columns = |row: &Value| -> Vec<String> {
        row.as_array().unwrap()[1..]
            .iter()
            .map(|cell| cell.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        rows.iter().map(columns).collect::<Vec<_>>(),
        vec![
            vec![
                "store-14",
                "store-14-kiosk-1",
                "Kiosk",
                "Link failed",
                "FailedAP401"
            ],
            vec![
                "store-12",
                "store-12-kiosk-1",
                "Kiosk",
                "Code sent",
                "Abandoned"
            ],
            vec![
                "store-12",
                "store-12-kiosk-1",
                "Kiosk",
                "Account linked",
                "Linked"
            ],
        ]
    );
    assert!(!rows[0][0].as_str().unwrap().is_empty(), "a start date");
    app.wait_for_text("#enrollments-count", "3 enrollments")
        .await;
    let shown = app
        .execute(
            r##"return [document.getElementById("scope-fleet").getAttribute("aria-pressed"),
                       document.querySelector("#fleet-enrollments caption").textContent,
                       document.querySelector("label[for=fleet-store]").textContent,
                       document.querySelector("label[for=fleet-device]").textContent];"##,
        )
        .await;
    assert_eq!(
        shown,
        json!([
            "true",
            "Enrollments of every device of the fleet, newest first",
            "Store",
            "Device"
        ])
    );
    // The filters offer what the broker named (the desk's own trail, which
    // its app uploads by itself, may or may not be there yet).
    let offered = app
        .execute(
            r##"return [[...document.querySelectorAll("#fleet-store option")].map((o) => o.value),
                        [...document.querySelectorAll("#fleet-device option")].map((o) => o.value)];"##,
        )
        .await;
    for (list, expected) in [
        (0, "store-12"),
        (0, "store-14"),
        (1, "store-12-kiosk-1"),
        (1, "store-14-kiosk-1"),
    ] {
        assert!(
            offered[list].as_array().unwrap().contains(&json!(expected)),
            "{expected} not offered: {offered}"
        );
    }
    // The switch keeps the focus, and the screen passes the audit.
    wait_focus(&app, "#scope-fleet").await;
    assert_accessible(&app, "desk: fleet list").await;
    app.screenshot("fleet-list");

    // One device: the other store's row goes.
    app.execute(
        r##"const s = document.getElementById("fleet-device");
           s.value = "store-12-kiosk-1"; s.dispatchEvent(new Event("change")); return true;"##,
    )
    .await;
    let rows = wait_rows(&app, 2).await;
    assert!(
        rows.iter().all(|row| row[2] == "store-12-kiosk-1"),
        "{rows:?}"
    );
    app.screenshot("fleet-one-device");

    // Staff lock: nothing of the fleet stays on screen; Rust says why.
    app.click("#staff-lock").await;
    app.wait_for_text(".banner-code", "STAFF_LOCKED").await;
    assert!(!app.is_present("#fleet-enrollments").await);
    let page = app
        .execute("return document.documentElement.outerHTML")
        .await
        .to_string();
    for left in ["store-12-kiosk-1", "store-14-kiosk-1", "Abandoned", "AP401"] {
        assert!(!page.contains(left), "{left} is left on the page");
    }
    app.screenshot("fleet-locked");
    app.quit().await;
    f.broker.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_desk_outside_the_reader_groups_is_told_to_ask_the_fleets_operator() {
    let _one_at_a_time = KEYCHAIN.lock().await;
    let _cleared = KeychainCleared;
    let f = fleet().await;
    f.kiosk_with_trail(
        "store-12-kiosk-1",
        "store-12",
        &[step(1, 0, "enrollment_started", Some("enr-1"), None)],
    )
    .await;
    // No staff PIN: a desk without one is open to whoever sits at it.
    let settings = f.desk("store-12-desk-1", "store-12", None).await;
    let app = App::launch_with(Launch {
        settings_json: Some(settings),
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#environment", "Fleet: store-12-desk-1")
        .await;
    app.click("#desk-nav [data-view='list']").await;
    app.wait_for_text("#enrollments-count", "0 enrollments")
        .await;
    app.click("#scope-fleet").await;
    app.wait_for_text(
        ".banner-message",
        "This desk may not read the fleet's trail. Ask the fleet's operator to add this desk's group to audit.reader_groups.",
    )
    .await;
    app.wait_for_text(".banner-code", "BROKER_AUDIT_FORBIDDEN")
        .await;
    assert!(!app.is_present("#fleet-enrollments").await);
    assert_accessible(&app, "desk: fleet list refused").await;
    app.screenshot("fleet-forbidden");

    // The broker gone: "Refresh" says it cannot be reached.
    f.broker.shutdown(Duration::from_secs(1)).await;
    app.click("#fleet-refresh").await;
    app.wait_for_text(".banner-code", "BROKER_UNREACHABLE")
        .await;
    app.wait_for_text(".banner-message", "could not be reached")
        .await;
    app.screenshot("fleet-unreachable");
    app.quit().await;
}
