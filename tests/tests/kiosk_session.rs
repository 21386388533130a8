//! The kiosk session (`aeropay-onboarding kiosk-session`, what the shipped
//! systemd unit runs at boot) under a real X display: the kiosk app is
//! SIGKILLed while a customer's link is `finishing`; the supervisor starts
//! it again, the restart is in the audit trail, the link is settled (linked
//! once), and the screen shows the attract screen again.
//!
//! WebDriver drives the first run only (it cannot adopt a process started
//! later): the restarted app is checked through its SQLite store on disk,
//! the X window list, and the screen's pixels compared with the attract
//! screen of the first run (`import -window root`, ImageMagick `compare`).

mod common;

use aeropay_onboarding_e2e::{app_binary, x_windows_shown, App};
use common::{
    confirm_with_bypass_code, data_dir, enrollments, link_checking_account, quiet_kiosk,
    submit_details, wait_for_widget, wait_until, Bank, Customer,
};
use onboarding_core::store::{AuditAction, EnrollmentStatus, Store};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Processes of the app binary with this app's HOME, split into the
/// supervisor (`kiosk-session` in its command line) and the kiosk app.
fn processes(app: &App) -> (Vec<String>, Vec<String>) {
    let binary = std::fs::canonicalize(app_binary()).unwrap_or_else(|_| app_binary());
    let home = format!("HOME={}", app.home().display());
    let mut supervisors = Vec::new();
    let mut apps = Vec::new();
    for entry in std::fs::read_dir("/proc").expect("/proc").flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
        let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap_or_default();
        if exe.as_deref() != Some(binary.as_path())
            || !environ.split(|b| *b == 0).any(|var| var == home.as_bytes())
        {
            continue;
        }
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if cmdline
            .split(|b| *b == 0)
            .any(|arg| arg == b"kiosk-session")
        {
            supervisors.push(pid);
        } else {
            apps.push(pid);
        }
    }
    (supervisors, apps)
}

fn audit_actions(app: &App) -> Vec<(AuditAction, String)> {
    let Ok(store) = Store::open_in(&data_dir(app)) else {
        return Vec::new();
    };
    store
        .audit_entries(0, i64::MAX)
        .unwrap_or_default()
        .into_iter()
        .map(|entry| (entry.action, entry.detail))
        .collect()
}

/// Pixels that differ between two screenshots (ImageMagick `compare`).
fn differing_pixels(a: &Path, b: &Path) -> u64 {
    let output = Command::new("compare")
        .args(["-metric", "AE"])
        .arg(a)
        .arg(b)
        .arg("null:")
        .output()
        .expect("`compare` runs: install the Debian package `imagemagick` (`make test` does)");
    // `compare` writes the metric to stderr; exit status 1 means "differ".
    let text = String::from_utf8_lossy(&output.stderr);
    let number = text.split_whitespace().next().unwrap_or_default();
    number
        .parse::<f64>()
        .unwrap_or_else(|_| panic!("compare said {text:?}")) as u64
}

fn sigkill(pid: &str) {
    let status = Command::new("kill")
        .args(["-KILL", pid])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -KILL {pid}");
}

#[tokio::test]
async fn a_killed_kiosk_comes_back_to_the_attract_screen_and_settles_the_link() {
    let mut launch = quiet_kiosk();
    launch.args = vec!["kiosk-session".into()];
    // The kiosk's mode comes from the settings: the supervisor starts the
    // app with `--mode kiosk` itself.
    launch.env = vec![("AEROPAY_ONBOARDING_PAUSE_AT".into(), "before-link".into())];
    let app = App::launch_with(launch).await;
    let (supervisors, apps) = processes(&app);
    assert_eq!(supervisors.len(), 1, "one supervisor: {supervisors:?}");
    assert_eq!(apps.len(), 1, "one kiosk app under it: {apps:?}");

    app.wait_for_text("#attract-start", "Tap to start").await;
    // Nothing moves on the attract screen: let it settle before the shot.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let attract = app.screenshot("attract-first-run");

    let customer = Customer::new("Lee", "Restart", 74);
    app.click("#attract-start").await;
    submit_details(&app, &customer).await;
    confirm_with_bypass_code(&app).await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::Aerobank).await;
    wait_until("the pause before the link", Duration::from_secs(30), || {
        app.log().contains("paused at before-link")
    })
    .await;
    let before = enrollments(&app);
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].status, EnrollmentStatus::Finishing);
    let finishing = app.screenshot("finishing");
    assert!(
        differing_pixels(&attract, &finishing) > 1000,
        "the finishing screen is not the attract screen"
    );

    sigkill(&apps[0]);
    // The supervisor starts a new kiosk app (after its first back-off, 1 s).
    wait_until("a new kiosk app", Duration::from_secs(30), || {
        let (_, now) = processes(&app);
        now.len() == 1 && now[0] != apps[0]
    })
    .await;
    wait_until(
        "the restart in the audit trail",
        Duration::from_secs(10),
        || {
            audit_actions(&app)
                .iter()
                .any(|(action, _)| *action == AuditAction::KioskRestarted)
        },
    )
    .await;
    let restarts: Vec<String> = audit_actions(&app)
        .into_iter()
        .filter(|(action, _)| *action == AuditAction::KioskRestarted)
        .map(|(_, detail)| detail)
        .collect();
    assert_eq!(restarts.len(), 1, "{restarts:?}");
    assert!(restarts[0].contains("killed by signal 9"), "{restarts:?}");

    wait_until(
        "the finishing link to be settled",
        Duration::from_secs(45),
        || {
            enrollments(&app)
                .first()
                .is_some_and(|r| r.status == EnrollmentStatus::Linked)
        },
    )
    .await;
    let record = &enrollments(&app)[0];
    assert_eq!(
        record.account_last4.as_deref(),
        Some(Bank::Aerobank.checking_last4())
    );

    // The restarted kiosk's window is up, and the screen shows the attract
    // screen as the first run did, nothing of the customer.
    wait_until(
        "the restarted kiosk's window",
        Duration::from_secs(30),
        || !x_windows_shown(app.display(), &["Aeropay Onboarding"]).is_empty(),
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = app.screenshot("attract-after-restart");
        let differing = differing_pixels(&attract, &after);
        if differing == 0 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the screen after the restart differs from the attract screen in {differing} pixels"
        );
    }

    // The supervisor stops by itself with the test: SIGTERM stops the app
    // it runs, then itself.
    let (supervisors, _) = processes(&app);
    for pid in &supervisors {
        let _ = Command::new("kill").args(["-TERM", pid]).status();
    }
    wait_until("the session to stop", Duration::from_secs(15), || {
        let (supervisors, apps) = processes(&app);
        supervisors.is_empty() && apps.is_empty()
    })
    .await;
    drop(app);
}
