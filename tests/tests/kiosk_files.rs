//! The kiosk session's files as the Linux packages ship them
//! (`packaging/kiosk/`): the systemd unit passes `systemd-analyze verify`
//! (which runs without systemd as PID 1: it loads the unit file, checks its
//! directives for this systemd, 252 on Debian 12, and that the `ExecStart`
//! program exists: `cage`, a test dependency), and the session script
//! unlocks a real gnome-keyring with the sealed password and hands a working
//! Secret Service to the app (`doctor`'s keychain check, in a private D-Bus
//! session and a throwaway HOME).

use aeropay_onboarding_e2e::{app_binary, require_tool};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn kiosk_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("packaging")
        .join("kiosk")
}

const UNIT: &str = "aeropay-onboarding-kiosk.service";

/// `systemd-analyze verify` on a unit file: its status and everything it
/// said (it warns about unknown directives with status 0).
fn verify(unit: &Path) -> (bool, String) {
    let tool = require_tool("systemd-analyze", "systemd");
    let output = Command::new(tool)
        .args(["verify", "--man=no"])
        .arg(unit)
        .output()
        .expect("systemd-analyze runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), said)
}

#[test]
fn the_unit_passes_systemd_analyze_verify_without_a_word() {
    require_tool("cage", "cage");
    let (ok, said) = verify(&kiosk_dir().join(UNIT));
    assert!(
        ok && said.trim().is_empty(),
        "systemd-analyze verify: {said}"
    );
}

#[test]
fn verify_speaks_up_about_what_this_systemd_does_not_know() {
    // The check above is only worth something if verify reports problems:
    // a growing restart delay (systemd 254) and a missing compositor.
    let dir = tempfile::tempdir().unwrap();
    let unit = std::fs::read_to_string(kiosk_dir().join(UNIT)).unwrap();
    let steps = dir.path().join(UNIT);
    std::fs::write(
        &steps,
        unit.replace("RestartSec=5\n", "RestartSec=5\nRestartSteps=5\n"),
    )
    .unwrap();
    let (_, said) = verify(&steps);
    assert!(said.contains("RestartSteps"), "{said}");
    let missing = dir.path().join("missing-compositor.service");
    std::fs::write(
        &missing,
        unit.replace("/usr/bin/cage ", "/usr/bin/no-such-compositor "),
    )
    .unwrap();
    let (ok, said) = verify(&missing);
    assert!(!ok && said.contains("no-such-compositor"), "{said}");
}

/// Runs the session script in its own D-Bus session and HOME, with the
/// keyring password in `CREDENTIALS_DIRECTORY` (as systemd hands it over)
/// when given, and `doctor` in place of the kiosk app.
fn session_with_doctor(password: Option<&str>) -> Output {
    let dbus_run_session = require_tool("dbus-run-session", "dbus-daemon");
    require_tool("gnome-keyring-daemon", "gnome-keyring");
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let run = dir.path().join("run");
    let credentials = dir.path().join("credentials");
    for path in [&home, &run, &credentials] {
        std::fs::create_dir_all(path).unwrap();
    }
    std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    if let Some(password) = password {
        std::fs::write(credentials.join("keyring-password"), password).unwrap();
    }
    // The script execs `$AEROPAY_ONBOARDING_BIN kiosk-session`.
    let app = dir.path().join("app");
    std::fs::write(
        &app,
        format!("#!/bin/sh\nexec '{}' doctor\n", app_binary().display()),
    )
    .unwrap();
    std::fs::set_permissions(&app, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let output = Command::new(dbus_run_session)
        .arg("--")
        .arg("sh")
        .arg(kiosk_dir().join("session"))
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("XDG_RUNTIME_DIR", &run)
        .env("CREDENTIALS_DIRECTORY", &credentials)
        .env("AEROPAY_ONBOARDING_BIN", &app)
        .env_remove("GNOME_KEYRING_CONTROL")
        .env_remove("GNOME_KEYRING_PID")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .expect("dbus-run-session runs");
    // The keyring the script created lives in the throwaway HOME.
    if password.is_some() {
        assert!(
            home.join(".local/share/keyrings/login.keyring").exists(),
            "the login keyring was created"
        );
    }
    output
}

#[test]
fn the_session_unlocks_the_keyring_for_the_app() {
    let output = session_with_doctor(Some("kiosk-keyring-password"));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("ok    keychain: reachable and unlocked"),
        "doctor said:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!stdout.contains("kiosk-keyring-password"), "{stdout}");
}

#[test]
fn without_the_password_the_keychain_is_not_usable() {
    let output = session_with_doctor(None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("no keyring password credential"),
        "{stderr}"
    );
    assert!(stdout.contains("FAIL  keychain"), "doctor said:\n{stdout}");
    assert!(!output.status.success());
}
