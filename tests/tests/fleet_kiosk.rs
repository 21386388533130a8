//! A kiosk of a fleet in the real window: the simulator as Aeropay and a
//! real broker (SQLite, 127.0.0.1) in the test process, `device add`, the
//! real `configure --environment broker` with the one-time code on stdin,
//! then a customer enrolled to Done through the broker; the device keeps no
//! merchant credential and shows no secret anywhere. Revoked, the next
//! customer's details show the broker's message with its code.

mod common;

use aeropay_onboarding_broker::testing;
use aeropay_onboarding_e2e::{app_binary, App, Launch};
use aeropay_simulator::{Simulator, SimulatorConfig};
use base64::Engine as _;
use common::{data_dir, kiosk_until_widget, link_checking_account, wait_linked, Bank, Customer};
use onboarding_core::config::Settings;
use onboarding_core::vault::{OsKeychain, Secret, SecretKey, Vault};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// `aeropay-onboarding configure --environment broker --broker-url URL`,
/// the code on standard input, with its settings under `home`.
fn configure(home: &Path, broker_url: &str, code: &str) -> std::process::Output {
    let mut child = Command::new(app_binary())
        .args([
            "configure",
            "--environment",
            "broker",
            "--broker-url",
            broker_url,
        ])
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env_remove("DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the app binary starts");
    writeln!(child.stdin.take().unwrap(), "{code}").unwrap();
    child.wait_with_output().unwrap()
}

/// Every JWT's claims in `text`.
fn jwt_claims(text: &str) -> Vec<serde_json::Value> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .filter(|word| word.matches('.').count() == 2 && word.len() > 40)
        .filter_map(|word| {
            let payload = word.split('.').nth(1)?;
            let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .ok()?;
            serde_json::from_slice(&bytes).ok()
        })
        .collect()
}

/// The text of every file below `dir` (bytes read as lossy UTF-8).
fn files_text(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files_text(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

/// The tests of this file share the keychain's one device credential.
static DEVICE_CREDENTIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The device's entries the broker holds, once one of `kind` has arrived
/// (the upload runs in the background; waits at most a minute).
async fn broker_trail_until(
    store: &broker_store::Store,
    device: &str,
    kind: &str,
) -> Vec<broker_store::AuditRecord> {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let page = store
            .list_audit(&broker_store::AuditFilter {
                group: None,
                device: Some(device.to_owned()),
                after: None,
                limit: 0,
            })
            .await
            .unwrap();
        if page.entries.iter().any(|e| e.kind == kind) {
            return page.entries;
        }
        let kinds: Vec<String> = page.entries.into_iter().map(|e| e.kind).collect();
        assert!(
            std::time::Instant::now() < deadline,
            "no {kind} in the broker's trail of {device}: {kinds:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_kiosk_enrolls_through_the_broker_and_says_when_it_is_removed() {
    let _one_at_a_time = DEVICE_CREDENTIAL.lock().await;
    let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database_url = format!("sqlite://{}", dir.path().join("broker.db").display());
    // The store's kiosks get a longer countdown from the broker.
    let groups_dir = dir.path().join("groups");
    std::fs::create_dir(&groups_dir).unwrap();
    std::fs::write(
        groups_dir.join("store-12.json"),
        r#"{"kiosk": {"warningSeconds": 45}}"#,
    )
    .unwrap();
    let creds = sim.credentials().clone();
    let store = broker_store::Store::open(&database_url).await.unwrap();
    let config = testing::config(
        &database_url,
        &sim,
        &[(
            "BROKER_GROUPS_SETTINGS_DIR",
            groups_dir.display().to_string(),
        )],
    );
    let broker = testing::start(config, &sim).await;

    // The operator adds the kiosk; the code is typed into `configure`.
    let (_, code) = store
        .add_device("store-12-kiosk-1", "store-12")
        .await
        .unwrap();
    let code = code.reveal().to_owned();
    let setup = tempfile::tempdir().unwrap();
    let configured = {
        let (home, url, code) = (setup.path().to_owned(), broker.url(), code.clone());
        tokio::task::spawn_blocking(move || configure(&home, &url, &code))
            .await
            .unwrap()
    };
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&configured.stdout),
        String::from_utf8_lossy(&configured.stderr)
    );
    assert!(configured.status.success(), "{printed}");
    let settings_text = std::fs::read_to_string(
        setup
            .path()
            .join(".config/app.aeropay-onboarding.desktop/settings.json"),
    )
    .unwrap();
    let settings: Settings = serde_json::from_str(&settings_text).unwrap();
    assert!(settings.fleet.is_some(), "{settings_text}");
    let Some(Secret::DeviceCredential { secret, .. }) =
        OsKeychain::new().get(&SecretKey::DeviceCredential).unwrap()
    else {
        panic!("no device credential in the keychain")
    };
    let device_secret = secret.expose().to_owned();

    // The kiosk runs with those settings (long idle timers for the test).
    let mut json: serde_json::Value = serde_json::from_str(&settings_text).unwrap();
    json["kiosk"] =
        serde_json::json!({"idleSeconds": 600, "warningSeconds": 30, "widgetIdleSeconds": 600});
    let app = App::launch_with(Launch {
        settings_json: Some(json.to_string()),
        args: vec!["--mode".into(), "kiosk".into()],
        env: vec![("RUST_LOG".into(), "debug".into())],
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#app-status", "Ready").await;
    app.wait_for_text("#environment", "Fleet: store-12-kiosk-1")
        .await;
    app.click("#attract-start").await;
    let customer = Customer::new("Katherine", "Johnson", 61);
    kiosk_until_widget(&app, &customer).await;
    link_checking_account(&app, Bank::Aerobank).await;
    wait_linked(&app, Bank::Aerobank).await;
    app.screenshot("done");

    // Aeropay saw one user, created with the broker's one merchant token;
    // the kiosk minted nothing (it has no API key to mint with).
    let counts = sim.counts();
    assert_eq!(counts.users_created, 1, "{counts:?}");
    assert_eq!(counts.create_user_calls, 1, "{counts:?}");
    assert_eq!(counts.merchant_mints, 1, "{counts:?}");
    assert_eq!(broker.merchant_mints(), 1);
    let keychain = OsKeychain::new();
    for environment in [settings.environment.id(), "simulator".into()] {
        assert_eq!(
            keychain
                .get(&SecretKey::MerchantCredentials {
                    environment: environment.clone()
                })
                .unwrap(),
            None,
            "merchant credentials for {environment} in the device's keychain"
        );
    }

    // The customer's token is kept as without a broker, and it is what a
    // token found below would look like.
    let user_id = common::enrollments(&app)[0]
        .user_id
        .clone()
        .expect("a linked record names its user");
    let Some(Secret::AeropayToken(kept)) = keychain
        .get(&SecretKey::UserToken {
            environment: settings.environment.id(),
            user_id,
        })
        .unwrap()
    else {
        panic!("no customer token in the keychain")
    };
    let claims = jwt_claims(kept.token.expose());
    assert_eq!(claims.len(), 1, "the scan finds a token");
    assert_eq!(claims[0]["sub"], "userformerchant");

    // Neither the API key or secret, nor the device secret, nor a merchant
    // token in the app's logs, its page or its data and config folders.
    let page = app
        .execute("return document.documentElement.outerHTML")
        .await
        .to_string();
    let mut places = vec![("log".to_owned(), app.log()), ("page".to_owned(), page)];
    places.extend(files_text(&data_dir(&app)));
    places.extend(files_text(&app.home().join(".config")));
    assert!(places.len() > 3, "the data folder was read: {places:?}");
    for (place, text) in &places {
        for (what, secret) in [
            ("the API secret", creds.api_secret.as_str()),
            ("the API key", creds.api_key.as_str()),
            ("the device secret", device_secret.as_str()),
            ("the enrollment code", code.as_str()),
        ] {
            assert!(!text.contains(secret), "{what} in {place}");
        }
        for claims in jwt_claims(text) {
            assert_eq!(
                claims["sub"], "userformerchant",
                "a token that is not a customer's in {place}: {claims}"
            );
        }
    }
    assert!(
        app.log().contains("enrollment started"),
        "the log was read at debug level"
    );

    // The kiosk's audit trail reaches the broker by itself, in order, with
    // no personal data of the customer's.
    let fleet_trail = broker_trail_until(&store, "store-12-kiosk-1", "link_succeeded").await;
    let seqs: Vec<u64> = fleet_trail.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let kinds: Vec<&str> = fleet_trail.iter().map(|e| e.kind.as_str()).collect();
    assert!(
        kinds.contains(&"enrollment_started") && kinds.contains(&"code_confirmed"),
        "{kinds:?}"
    );
    let trail_text = serde_json::to_string(
        &fleet_trail
            .iter()
            .map(|e| (&e.kind, &e.detail))
            .collect::<Vec<_>>(),
    )
    .unwrap();
    for personal in [
        customer.first_name,
        customer.last_name,
        customer.email.as_str(),
    ] {
        assert!(
            !trail_text.contains(personal),
            "{personal} in the fleet's trail"
        );
    }
    assert!(
        !trail_text.contains(&customer.phone_digits()),
        "the phone number in the fleet's trail"
    );

    // The group's settings arrived after the start and are kept for the
    // next one, which applies them under the policy file.
    let kept = data_dir(&app).join("group-settings.json");
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !kept.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no group settings kept"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        !app.log().contains("settings managed by the policy"),
        "nothing was managed at the first start"
    );
    let app = app
        .relaunch(Launch {
            args: vec!["--mode".into(), "kiosk".into()],
            env: vec![("RUST_LOG".into(), "debug".into())],
            ..Launch::default()
        })
        .await;
    app.wait_for_text("#app-status", "Ready").await;
    let log = app.log();
    let managed = log
        .lines()
        .find(|line| line.contains("settings managed by the policy"))
        .unwrap_or_else(|| panic!("the group's settings were not applied: {log}"));
    assert!(managed.contains("kioskWarningSeconds"), "{managed}");

    // Removed from the fleet: the next customer's details say so.
    store.revoke("store-12-kiosk-1").await.unwrap();
    app.wait_for_text("#attract-start", "Tap to start").await;
    app.click("#attract-start").await;
    common::submit_details(&app, &Customer::new("Dorothy", "Vaughan", 62)).await;
    app.wait_for_text(
        ".banner-message",
        "This device has been removed from the fleet. Ask your manager to enroll it again.",
    )
    .await;
    app.wait_for_text(".banner-code", "BROKER_DEVICE_REVOKED")
        .await;
    app.screenshot("revoked");
    assert_eq!(sim.counts().create_user_calls, 1, "nothing reached Aeropay");

    keychain.delete(&SecretKey::DeviceCredential).unwrap();
    app.quit().await;
    broker.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_desks_settings_show_the_broker_and_keep_it_read_only() {
    let _one_at_a_time = DEVICE_CREDENTIAL.lock().await;
    let keychain = OsKeychain::new();
    keychain
        .put(
            &SecretKey::DeviceCredential,
            &Secret::DeviceCredential {
                device_id: uuid::Uuid::new_v4(),
                secret: "e2e-device-secret-value".into(),
            },
        )
        .unwrap();
    // The settings `configure --environment broker` writes; nothing answers
    // at the broker's address, and nothing here needs it to.
    let app = App::launch_with(Launch {
        settings_json: Some(
            r#"{"environment":{"kind":"custom","base_url":"http://127.0.0.1:9/"},"apiVersion":"v2",
                "fleet":{"brokerUrl":"http://127.0.0.1:9/","deviceName":"office-desk-1","group":"office"}}"#
                .into(),
        ),
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#app-status", "Ready").await;
    app.wait_for_text("#environment", "Fleet: office-desk-1")
        .await;
    app.click("#open-settings").await;
    app.wait_for_text("#screen-title", "Settings").await;
    app.wait_for_text("#settings-fleet", "office-desk-1 (group office)")
        .await;
    app.wait_for_text("#settings-environment-managed", "Set by the fleet's server")
        .await;
    let controls = app
        .execute(
            r#"const f = (id) => document.getElementById(id);
            return [f("settings-environment").value, f("settings-environment").disabled,
                    f("settings-apiVersion").disabled, f("settings-merchantId").disabled,
                    f("settings-apiKey").disabled, f("settings-apiSecret").disabled,
                    f("settings-mode").disabled];"#,
        )
        .await;
    assert_eq!(
        controls,
        serde_json::json!(["broker", true, true, true, true, true, false])
    );
    app.screenshot("settings");

    // Saving the rest keeps the fleet as it was.
    app.click("#settings-save").await;
    app.wait_for_text("#screen", "Settings saved").await;
    let saved: Settings = serde_json::from_str(
        &std::fs::read_to_string(
            app.home()
                .join(".config/app.aeropay-onboarding.desktop/settings.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let fleet = saved.fleet.expect("still a device of the fleet");
    assert_eq!(fleet.device_name, "office-desk-1");
    assert_eq!(saved.environment.id(), "custom:127.0.0.1:9");
    assert_eq!(saved.merchant_id, None);

    keychain.delete(&SecretKey::DeviceCredential).unwrap();
    app.quit().await;
}
