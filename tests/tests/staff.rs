//! The staff PIN in the real window, with the PIN set through the command
//! line into the real Secret Service: the kiosk's Staff button, wrong PINs
//! and their growing wait, the staff menu, settings; the desk's Settings
//! button asking for the PIN; leaving kiosk mode.

mod common;

use aeropay_onboarding_e2e::{app_binary, App};
use common::quiet_kiosk;
use onboarding_core::store::{AuditAction, Store};
use onboarding_core::vault::{OsKeychain, Secret, SecretKey, Vault};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

const PIN: &str = "482913";

/// The PIN is one keychain entry for the whole machine (here: the test
/// keyring): one test at a time sets it, and removes it when done.
static KEYCHAIN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct StaffPinSet;

impl StaffPinSet {
    /// `aeropay-onboarding set-staff-pin`, the PIN on standard input.
    fn through_the_command_line(pin: &str) -> Self {
        let mut child = Command::new(app_binary())
            .arg("set-staff-pin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the app binary runs");
        writeln!(child.stdin.take().unwrap(), "{pin}").unwrap();
        let output = child.wait_with_output().unwrap();
        let printed = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(output.status.success(), "set-staff-pin failed: {printed}");
        assert!(
            printed.contains("Staff PIN set") && !printed.contains(pin),
            "{printed}"
        );
        // Only the hash is in the keychain.
        match OsKeychain::new().get(&SecretKey::StaffPin) {
            Ok(Some(Secret::StaffPin { phc })) => {
                assert!(phc.starts_with("$argon2id$") && !phc.contains(pin), "{phc}")
            }
            other => panic!("no staff PIN in the keychain: {other:?}"),
        }
        Self
    }
}

impl Drop for StaffPinSet {
    fn drop(&mut self) {
        let _ = OsKeychain::new().delete(&SecretKey::StaffPin);
    }
}

/// The wait the dialog started counting down from, in seconds.
async fn wait_shown(app: &App) -> u64 {
    app.find("#staff-pin-wait")
        .await
        .attr("data-wait")
        .await
        .expect("read data-wait")
        .and_then(|seconds| seconds.parse().ok())
        .unwrap_or(0)
}

async fn wrong_pin(app: &App, typed: &str, previous_wait: u64) -> u64 {
    app.type_into("#staff-pin", typed).await;
    app.click("#staff-pin-unlock").await;
    app.wait_for_text("#staff-pin-error", "That PIN is not right")
        .await;
    app.wait_for(
        "a longer wait on screen",
        Duration::from_secs(10),
        || async { wait_shown(app).await > previous_wait },
    )
    .await;
    wait_shown(app).await
}

async fn until_the_wait_is_over(app: &App) {
    app.wait_for("the end of the wait", Duration::from_secs(10), || async {
        app.text("#staff-pin-wait").await.contains("try again now")
    })
    .await;
}

fn audit_actions(app: &App) -> Vec<AuditAction> {
    let db = app
        .home()
        .join(".local/share/app.aeropay-onboarding.desktop/app.sqlite3");
    let store = Store::open(&db).expect("the app's database");
    store
        .audit_entries(0, i64::MAX)
        .unwrap()
        .into_iter()
        .map(|entry| entry.action)
        .collect()
}

#[tokio::test]
async fn a_kiosk_opens_settings_only_with_the_pin_and_wrong_pins_wait_longer() {
    let _one_at_a_time = KEYCHAIN.lock().await;
    let _pin = StaffPinSet::through_the_command_line(PIN);
    let app = App::launch_with(quiet_kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    assert!(!app.is_present("#open-settings:not([hidden])").await);
    app.wait_for_text("#staff-open", "Staff").await;
    app.screenshot("attract-with-staff-button");

    app.click("#staff-open").await;
    app.wait_for_text("#staff-pin-dialog", "Staff only").await;
    let input = app.find("#staff-pin").await;
    assert_eq!(
        input.attr("inputmode").await.unwrap().as_deref(),
        Some("numeric")
    );
    assert_eq!(
        input.attr("type").await.unwrap().as_deref(),
        Some("password")
    );
    let focused = app
        .execute("return document.activeElement && document.activeElement.id")
        .await;
    assert_eq!(focused, "staff-pin", "the PIN field has the focus");
    app.type_into("#staff-pin", "1234").await;
    app.screenshot("pin-dialog");

    // Two wrong PINs: the second wait is longer than the first.
    let first = wrong_pin(&app, "111111", 0).await;
    assert!(app.text("#staff-pin-wait").await.contains("Try again in"));
    until_the_wait_is_over(&app).await;
    let second = wrong_pin(&app, "222222", first).await;
    app.wait_for_text("#staff-pin-wait", "Try again in 2 seconds")
        .await;
    app.screenshot("wrong-pin-wait");
    assert_eq!((first, second), (1, 2));
    assert!(
        !app.find("#staff-pin-unlock")
            .await
            .is_enabled()
            .await
            .unwrap(),
        "no attempt during the wait"
    );

    // After the wait the right PIN opens the staff menu.
    until_the_wait_is_over(&app).await;
    app.type_into("#staff-pin", PIN).await;
    app.click("#staff-pin-unlock").await;
    app.wait_for_text("#staff-menu", "Leave kiosk mode").await;
    app.wait_for_text("#staff-indicator", "Staff unlocked")
        .await;
    app.screenshot("staff-menu");

    app.click("#staff-menu-settings").await;
    app.wait_for_text("#screen-title", "Settings").await;
    app.wait_for_text("#staff-pin-heading", "Staff PIN").await;
    app.find("#settings-mode").await;
    app.find("#settings-kioskIdleSeconds").await;
    app.screenshot("kiosk-settings");
    // Back goes to the staff menu; its Back locks again.
    app.click("#settings-close").await;
    app.click("#staff-menu-back").await;
    app.wait_for("staff locked", Duration::from_secs(10), || async {
        !app.is_present("#staff-indicator").await && !app.is_present("#staff-menu").await
    })
    .await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    let status = app
        .execute("return window.__TAURI__.core.invoke('staff_status')")
        .await;
    assert_eq!(status["unlocked"], false, "{status}");

    let actions = audit_actions(&app);
    assert_eq!(
        actions,
        [
            AuditAction::PinFailed,
            AuditAction::PinFailed,
            AuditAction::PinSucceeded
        ]
    );
    let page = app
        .execute("return document.body.innerHTML")
        .await
        .to_string();
    assert!(!page.contains(PIN));
    app.quit().await;
}

#[tokio::test]
async fn leaving_kiosk_mode_takes_the_pin_and_quits_the_app() {
    let _one_at_a_time = KEYCHAIN.lock().await;
    let _pin = StaffPinSet::through_the_command_line(PIN);
    let app = App::launch_with(quiet_kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#staff-open").await;
    // Escape cancels the dialog.
    app.find("#staff-pin")
        .await
        .send_keys("\u{e00c}")
        .await
        .unwrap();
    app.wait_for("the dialog closed", Duration::from_secs(10), || async {
        !app.is_present("#staff-pin-dialog").await
    })
    .await;
    app.click("#staff-open").await;
    app.type_into("#staff-pin", PIN).await;
    app.click("#staff-pin-unlock").await;
    app.click("#staff-menu-exit").await;
    app.wait_for(
        "kiosk_exited in the audit trail",
        Duration::from_secs(20),
        || async { audit_actions(&app).contains(&AuditAction::KioskExited) },
    )
    .await;
    app.quit().await;
}

#[tokio::test]
async fn a_desk_asks_for_the_pin_before_settings_and_lock_closes_them() {
    let _one_at_a_time = KEYCHAIN.lock().await;
    let _pin = StaffPinSet::through_the_command_line(PIN);
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#open-settings").await;
    app.wait_for_text("#staff-pin-dialog", "Staff only").await;
    app.click("#staff-pin-cancel").await;
    assert!(
        !app.is_present("#settings-form").await,
        "no settings without the PIN"
    );
    let refused = app
        .execute(
            "return window.__TAURI__.core.invoke('settings_get').then(() => 'opened', (e) => e.code)",
        )
        .await;
    assert_eq!(refused, "STAFF_LOCKED");

    app.click("#open-settings").await;
    app.type_into("#staff-pin", PIN).await;
    app.click("#staff-pin-unlock").await;
    app.wait_for_text("#screen-title", "Settings").await;
    app.wait_for_text("#staff-indicator", "Staff unlocked")
        .await;
    app.wait_for_text("#staff-pin-hint", "A staff PIN is set")
        .await;
    app.screenshot("desk-settings-unlocked");

    // Lock: the settings screen closes.
    app.click("#staff-lock").await;
    app.wait_for("settings closed", Duration::from_secs(10), || async {
        !app.is_present("#settings-form").await
    })
    .await;
    app.wait_for_text("#screen-title", "customer").await;
    assert!(!app.is_present("#staff-indicator").await);
    app.quit().await;
}

#[tokio::test]
async fn a_kiosk_closes_the_staff_menu_and_settings_after_a_quiet_minute() {
    let _one_at_a_time = KEYCHAIN.lock().await;
    let _pin = StaffPinSet::through_the_command_line(PIN);
    let app = App::launch_with(quiet_kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#staff-open").await;
    app.type_into("#staff-pin", PIN).await;
    app.click("#staff-pin-unlock").await;
    app.wait_for_text("#staff-menu", "Leave kiosk mode").await;

    // Staff walk away from the menu: it closes and staff are locked.
    app.wait_for(
        "the staff menu to close by itself",
        Duration::from_secs(90),
        || async { !app.is_present("#staff-menu").await },
    )
    .await;
    app.wait_for("staff locked", Duration::from_secs(10), || async {
        !app.is_present("#staff-indicator").await
    })
    .await;
    app.wait_for_text("#attract-start", "Tap to start").await;

    // The same for the settings screen.
    app.click("#staff-open").await;
    app.type_into("#staff-pin", PIN).await;
    app.click("#staff-pin-unlock").await;
    app.click("#staff-menu-settings").await;
    app.wait_for_text("#screen-title", "Settings").await;
    app.wait_for(
        "the settings to close by themselves",
        Duration::from_secs(90),
        || async { !app.is_present("#settings-form").await },
    )
    .await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    assert!(!app.is_present("#staff-menu").await, "no menu left open");
    let status = app
        .execute("return window.__TAURI__.core.invoke('staff_status')")
        .await;
    assert_eq!(status["unlocked"], false, "{status}");
    app.quit().await;
}
