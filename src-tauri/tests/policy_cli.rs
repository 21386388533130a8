//! The machine's policy as the command line meets it: `configure` refuses a
//! field the policy manages (before anything is read or stored), `doctor`
//! says which fields are managed, and a broken or unsafe policy stops both
//! with its code. The policy is a temporary file named by
//! `AEROPAY_ONBOARDING_POLICY` (honoured while the machine has no
//! /etc/aeropay-onboarding/policy.json).

use cli_support::{app, printed, run_with_input};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

mod cli_support;

/// `policy.json` with `text` in its own folder under `home`, mode 0644.
fn policy(home: &Path, text: &str) -> PathBuf {
    assert!(
        !Path::new("/etc/aeropay-onboarding/policy.json").exists(),
        "this machine has a real policy, which the test's would not replace"
    );
    let dir = home.join("policy");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.join("policy.json");
    std::fs::write(&file, text).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    file
}

fn with_policy(home: &Path, policy: &Path, args: &[&str]) -> Command {
    let mut command = app(home, args);
    command.env("AEROPAY_ONBOARDING_POLICY", policy);
    command
}

fn settings_file(home: &Path) -> PathBuf {
    home.join("config/app.aeropay-onboarding.desktop/settings.json")
}

#[test]
fn configure_refuses_a_managed_field_and_changes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let policy = policy(home.path(), r#"{"environment": {"kind": "sandbox"}}"#);
    let settings = settings_file(home.path());
    std::fs::create_dir_all(settings.parent().unwrap()).unwrap();
    std::fs::write(&settings, r#"{"kiosk": {"idleSeconds": 45}}"#).unwrap();
    let before = std::fs::read(&settings).unwrap();

    let refused = run_with_input(
        with_policy(
            home.path(),
            &policy,
            &[
                "configure",
                "--environment",
                "custom",
                "--base-url",
                "http://127.0.0.1:9",
                "--merchant-id",
                "4321",
            ],
        ),
        "key-not-stored\nsecret-not-stored\n",
    );
    let text = printed(&refused);
    assert_ne!(refused.status.code(), Some(0), "{text}");
    assert!(
        text.contains("error [SETTINGS_MANAGED]: managed by your organization")
            && text.contains(&format!("the policy {} sets environment", policy.display())),
        "{text}"
    );
    assert!(!text.contains("secret-not-stored"), "{text}");
    assert_eq!(
        std::fs::read(&settings).unwrap(),
        before,
        "settings unchanged"
    );
}

#[test]
fn a_broken_or_writable_policy_stops_configure_with_its_code() {
    let home = tempfile::tempdir().unwrap();
    let policy = policy(home.path(), r#"{"kiosk": {"idleSeconds": "ninety"}}"#);
    let configure = |home: &Path| {
        run_with_input(
            with_policy(
                home,
                &policy,
                &[
                    "configure",
                    "--environment",
                    "simulator",
                    "--merchant-id",
                    "1",
                ],
            ),
            "key\nsecret\n",
        )
    };
    let invalid = configure(home.path());
    let text = printed(&invalid);
    assert_ne!(invalid.status.code(), Some(0), "{text}");
    assert!(
        text.contains("error [POLICY_INVALID]") && text.contains("\"kiosk.idleSeconds\""),
        "{text}"
    );

    std::fs::write(&policy, r#"{"mode": "kiosk"}"#).unwrap();
    std::fs::set_permissions(&policy, std::fs::Permissions::from_mode(0o666)).unwrap();
    let unsafe_ = configure(home.path());
    let text = printed(&unsafe_);
    assert_ne!(unsafe_.status.code(), Some(0), "{text}");
    assert!(text.contains("error [POLICY_UNSAFE]"), "{text}");
    assert!(!settings_file(home.path()).exists(), "nothing written");
}

#[test]
fn doctor_names_the_policy_and_the_fields_it_manages() {
    let home = tempfile::tempdir().unwrap();
    let policy = policy(
        home.path(),
        r#"{"kiosk": {"idleSeconds": 60, "warningSeconds": 30}}"#,
    );
    let doctor = with_policy(home.path(), &policy, &["doctor"])
        .output()
        .unwrap();
    let report = printed(&doctor);
    assert!(
        report.contains(&format!(
            "ok    policy: {} in force; managed: kioskIdleSeconds, kioskWarningSeconds",
            policy.display()
        )),
        "{report}"
    );

    std::fs::write(&policy, "{\"mode\": \"kiosk\", \"staffPin\": \"1234\"}").unwrap();
    let doctor = with_policy(home.path(), &policy, &["doctor"])
        .output()
        .unwrap();
    let report = printed(&doctor);
    assert_ne!(doctor.status.code(), Some(0), "{report}");
    assert!(
        report.contains("FAIL  policy: ") && report.contains("(POLICY_INVALID)"),
        "{report}"
    );

    let none = app(home.path(), &["doctor"]).output().unwrap();
    assert!(
        printed(&none).contains("ok    policy: none in force"),
        "{}",
        printed(&none)
    );
}
