//! The operator's commands, run as the binary.

use std::process::{Command, Output};

fn broker(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding-broker"))
        .args(args)
        .env("BROKER_DATABASE_URL", db)
        .env_remove("AEROPAY_API_KEY")
        .env_remove("AEROPAY_API_SECRET")
        .output()
        .expect("the broker runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn devices_are_added_listed_disabled_enabled_and_revoked() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("broker.db").display());
    let out = broker(&db, &["device", "add", "kiosk-1", "--group", "store-12"]);
    assert!(out.status.success(), "{}", text(&out));
    let shown = text(&out);
    assert!(shown.contains("Enrollment code"), "{shown}");
    let code = shown
        .lines()
        .map(str::trim)
        .find(|l| l.len() == 34 && l.matches('-').count() == 6)
        .expect("the code is printed on a line of its own");
    assert!(!code.is_empty());

    let out = broker(&db, &["device", "list"]);
    let listed = text(&out);
    assert!(listed.contains("kiosk-1\tstore-12\tpending"), "{listed}");
    assert!(!listed.contains(code), "the code is shown only once");

    for (command, status) in [
        ("disable", "disabled"),
        ("enable", "pending"),
        ("revoke", "revoked"),
    ] {
        let out = broker(&db, &["device", command, "kiosk-1"]);
        assert!(out.status.success(), "{}", text(&out));
        assert!(text(&out).contains(status), "{command}: {}", text(&out));
    }
    let out = broker(&db, &["device", "enable", "kiosk-1"]);
    assert!(!out.status.success());
    let out = broker(&db, &["device", "disable", "nobody"]);
    assert!(text(&out).contains("no device is named"), "{}", text(&out));
    let out = broker(&db, &["device", "add", "Bad Name"]);
    assert!(!out.status.success());
}

#[cfg(unix)]
#[test]
fn serve_refuses_a_credentials_file_others_can_read() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("broker.db").display());
    let creds = dir.path().join("credentials.toml");
    std::fs::write(
        &creds,
        "api_key = \"k-111\"\napi_secret = \"s-222\"\nmerchant_id = 1\n",
    )
    .unwrap();
    std::fs::set_permissions(&creds, std::fs::Permissions::from_mode(0o640)).unwrap();
    let config = dir.path().join("broker.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\n[aeropay]\ncredentials_file = \"{}\"\n",
            creds.display()
        ),
    )
    .unwrap();
    let out = broker(&db, &["serve", "--config", config.to_str().unwrap()]);
    assert!(!out.status.success());
    let shown = text(&out);
    assert!(shown.contains("chmod 600"), "{shown}");
    assert!(
        !shown.contains("s-222") && !shown.contains("k-111"),
        "{shown}"
    );

    let out = broker(&db, &["serve"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("AEROPAY_API_KEY"), "{}", text(&out));
}

/// A configuration file naming the groups' settings folder `groups`.
fn config_with_groups(dir: &std::path::Path, groups: &[(&str, &str)]) -> String {
    let folder = dir.join("groups");
    std::fs::create_dir_all(&folder).unwrap();
    for (name, text) in groups {
        std::fs::write(folder.join(name), text).unwrap();
    }
    let file = dir.join("broker.toml");
    std::fs::write(
        &file,
        format!(
            "[groups]\nsettings_dir = {:?}\n",
            folder.display().to_string()
        ),
    )
    .unwrap();
    file.display().to_string()
}

#[test]
fn check_config_lists_the_groups_settings() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("broker.db").display());
    let file = config_with_groups(
        dir.path(),
        &[
            (
                "store.json",
                r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 60}}"#,
            ),
            ("office.json", "{}"),
        ],
    );
    let out = broker(&db, &["--config", &file, "check-config"]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(shown.contains("2 group(s)"), "{shown}");
    assert!(shown.contains("office\tversion"), "{shown}");
    assert!(shown.contains("manages nothing"), "{shown}");
    assert!(shown.contains("mode, kioskIdleSeconds"), "{shown}");
}

#[test]
fn a_bad_group_file_refuses_start_and_check_config_with_its_file_and_field() {
    for (document, field) in [
        (
            r#"{"kiosk": {"warningSeconds": 5}}"#,
            "kiosk.warningSeconds",
        ),
        (r#"{"kiosk": {"idle": 60}}"#, "kiosk.idle"),
        (r#"{"apiVersion": "v1"}"#, "apiVersion"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("broker.db").display());
        let file = config_with_groups(dir.path(), &[("store.json", document)]);
        for command in ["check-config", "serve"] {
            let out = broker(&db, &["--config", &file, command]);
            let shown = text(&out);
            assert!(!out.status.success(), "{command} {document}: {shown}");
            assert!(
                shown.contains("store.json") && shown.contains(&format!("field \"{field}\"")),
                "{command} {document}: {shown}"
            );
        }
    }
}
