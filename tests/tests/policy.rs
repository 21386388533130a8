//! Managed settings in the real window: a policy file (named by
//! `AEROPAY_ONBOARDING_POLICY`, honoured while the machine has no
//! /etc/aeropay-onboarding/policy.json) imposes the environment and the
//! kiosk's idle timers. Settings shows them read-only, Rust refuses a save
//! that changes them whatever the page sends, and the user's own values
//! stay in their settings file. A policy that cannot be used is the start's
//! failure, with its code on the page.

use aeropay_onboarding_e2e::{App, Launch};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A root-owned 0644 `policy.json` (the tests run as root) in a folder of
/// its own; kept until the returned folder is dropped.
fn policy_file(text: &str) -> (tempfile::TempDir, PathBuf) {
    assert!(
        !Path::new("/etc/aeropay-onboarding/policy.json").exists(),
        "this machine has a real policy, which the test's would not replace"
    );
    let dir = tempfile::Builder::new()
        .prefix("aeropay-e2e-policy")
        .tempdir()
        .expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let file = dir.path().join("policy.json");
    std::fs::write(&file, text).expect("policy written");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    (dir, file)
}

fn policy_env(file: &Path) -> (String, String) {
    (
        "AEROPAY_ONBOARDING_POLICY".into(),
        file.to_string_lossy().into_owned(),
    )
}

/// The user's own settings: another environment and idle time than the
/// policy's.
const USERS_SETTINGS: &str = r#"{"environment":{"kind":"custom","base_url":"http://127.0.0.1:9/"},"kiosk":{"idleSeconds":45}}"#;

const POLICY: &str = r#"{"environment": {"kind": "simulator"}, "kiosk": {"idleSeconds": 120, "warningSeconds": 40}}"#;

/// `settings_save` as a forged page would call it: the form the page
/// sends, with `changes` over what the policy imposes.
fn forged_save(changes: &str) -> String {
    format!(
        r#"const form = {{
            environment: "simulator", baseUrl: "", apiVersion: "v2", merchantId: "",
            apiKey: "", apiSecret: "",
            widget: {{ configurationId: null, theme: "light", handleOauthManually: false, sdkVersion: "2.1.4" }},
            oauthInSystemBrowser: false, mode: "desk",
            kioskIdleSeconds: "120", kioskWarningSeconds: "40", kioskWidgetIdleSeconds: "300",
            language: "auto", kioskMoreTime: false,
            updatesEnabled: false, updateFeedUrl: "", updateChannel: "",
            ...{changes}
        }};
        return window.__TAURI__.core.invoke('settings_save', {{ form }})
            .then((answer) => 'saved: ' + JSON.stringify(answer), (e) => (e && e.code ? e.code + ': ' + e.message : 'not an error of ours: ' + String(e)));"#
    )
}

#[tokio::test]
async fn managed_fields_are_read_only_and_a_forged_save_of_them_is_refused() {
    let (_dir, policy) = policy_file(POLICY);
    let app = App::launch_with(Launch {
        settings_json: Some(USERS_SETTINGS.into()),
        env: vec![policy_env(&policy)],
        ..Launch::default()
    })
    .await;
    let settings_path = app
        .home()
        .join(".config/app.aeropay-onboarding.desktop/settings.json");
    // The policy's environment wins over the user's.
    app.wait_for_text("#environment", "Simulator").await;
    app.wait_for_text("#app-status", "Ready").await;

    app.click("#open-settings").await;
    app.wait_for_text("#screen-title", "Settings").await;
    let control = |id: &str| {
        format!(
            "const c = document.getElementById('{id}'); return [c.disabled, c.value, \
             (document.getElementById('{id}-managed') || {{}}).textContent || null];"
        )
    };
    let managed = serde_json::json!([true, "simulator", "Managed by your organization"]);
    app.wait_for_text(
        "#settings-environment-managed",
        "Managed by your organization",
    )
    .await;
    assert_eq!(app.execute(&control("settings-environment")).await, managed);
    assert_eq!(
        app.execute(&control("settings-kioskIdleSeconds")).await,
        serde_json::json!([true, "120", "Managed by your organization"])
    );
    assert_eq!(
        app.execute(&control("settings-kioskWarningSeconds")).await,
        serde_json::json!([true, "40", "Managed by your organization"])
    );
    // What the policy leaves alone stays the user's to change.
    assert_eq!(
        app.execute(&control("settings-kioskWidgetIdleSeconds"))
            .await,
        serde_json::json!([false, "300", null])
    );
    assert_eq!(
        app.execute(&control("settings-merchantId")).await,
        serde_json::json!([false, "", null])
    );
    app.screenshot("managed-settings");

    // A page that sends other values for the managed fields is refused,
    // and nothing is written.
    let before = std::fs::read(&settings_path).expect("the user's settings");
    for changes in [
        r#"{ environment: "sandbox", merchantId: "4321" }"#,
        r#"{ kioskIdleSeconds: "300" }"#,
        r#"{ kioskWarningSeconds: "20", mode: "kiosk" }"#,
    ] {
        let answer = app.execute(&forged_save(changes)).await;
        let answer = answer.as_str().expect("an answer").to_owned();
        assert!(
            answer.starts_with("SETTINGS_MANAGED: Managed by your organization: "),
            "{changes}: {answer}"
        );
        assert_eq!(
            std::fs::read(&settings_path).unwrap(),
            before,
            "{changes}: the settings file changed"
        );
    }
    let answer = app
        .execute(&forged_save(r#"{ kioskIdleSeconds: "300" }"#))
        .await;
    assert!(
        answer.as_str().unwrap().contains("kioskIdleSeconds"),
        "the refusal names the field: {answer}"
    );

    // The screen's own save sends the managed values as shown: an
    // unmanaged change is saved, and the file keeps the user's own values
    // of the managed fields.
    app.type_into("#settings-kioskWidgetIdleSeconds", "400")
        .await;
    app.click("#settings-save").await;
    app.wait_for_text("#screen", "Settings saved").await;
    let saved: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&settings_path).unwrap()).unwrap();
    assert_eq!(saved["kiosk"]["widgetIdleSeconds"], 400, "{saved}");
    assert_eq!(saved["kiosk"]["idleSeconds"], 45, "{saved}");
    assert_eq!(saved["kiosk"]["warningSeconds"], 30, "{saved}");
    assert_eq!(
        saved["environment"],
        serde_json::json!({"kind": "custom", "base_url": "http://127.0.0.1:9/"}),
        "{saved}"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_malformed_policy_stops_the_start_with_its_code_on_the_page() {
    let (_dir, policy) = policy_file(r#"{"kiosk": {"idleSeconds": "ninety"}}"#);
    let launch = App::launch_with(Launch {
        settings_json: Some(r#"{"language": "es"}"#.into()),
        env: vec![policy_env(&policy)],
        ..Launch::default()
    });
    let app = tokio::time::timeout(Duration::from_secs(90), launch)
        .await
        .expect("the window opens although the policy is broken");
    let status = app
        .wait_for_text("#app-status", "(código POLICY_INVALID)")
        .await;
    assert!(
        status.starts_with(&format!(
            "La política {} no es válida: campo \"kiosk.idleSeconds\"",
            policy.display()
        )),
        "the policy's message, in Spanish, naming the file and the field: {status:?}"
    );
    assert_eq!(
        app.execute("return document.getElementById('app-status').dataset.state")
            .await,
        "error"
    );
    // Nothing runs on settings it was told to impose but could not read.
    let answer = app
        .execute(
            "return window.__TAURI__.core.invoke('enrollment_state').then(() => 'answered', (e) => e.code)",
        )
        .await;
    assert_eq!(answer, "POLICY_INVALID");
    assert!(
        app.log().contains("error [POLICY_INVALID]: the policy "),
        "the error line on stderr:\n{}",
        app.log()
    );
    app.quit().await;
}
