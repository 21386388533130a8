//! `doctor` and `configure`: the checks on the simulator, against a custom environment with a
//! wrong secret, the binary without a Secret Service and with a locked one. The tests that use
//! the real keychain run inside scripts/with-keyring.sh (`make test`).

use aeropay_onboarding::config::{Environment, Settings};
use aeropay_onboarding::doctor::{self, CheckResult, DoctorInputs};
use aeropay_onboarding::simulator::{Simulator, SimulatorConfig};
use aeropay_onboarding::vault::{MemoryVault, OsKeychain, Secret, SecretKey, Vault};
use cli_support::{app, configure_custom, printed};
use std::path::PathBuf;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

mod cli_support;

// The Secret Service races on concurrent writes: one keychain test at a time.
static KEYCHAIN: Mutex<()> = Mutex::new(());

const WRONG_SECRET: &str = "wrong-secret-do-not-print-7f3a";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

fn inputs(settings_path: PathBuf, vault: Arc<dyn Vault>) -> DoctorInputs {
    DoctorInputs {
        settings_path: Some(settings_path),
        vault,
        probe_vault: Arc::new(MemoryVault::new()),
        timeout: Duration::from_secs(5),
        policy: Ok(Default::default()),
    }
}

fn check<'a>(results: &'a [CheckResult], name: &str) -> &'a CheckResult {
    results
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no {name} check in {results:?}"))
}

#[test]
fn everything_passes_on_the_simulator() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = inputs(
        dir.path().join("settings.json"),
        Arc::new(MemoryVault::new()),
    );
    let results = runtime().block_on(doctor::run_checks(&inputs));
    assert!(doctor::all_ok(&results), "{}", doctor::render(&results));
    let names: Vec<&str> = results.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "keychain",
            "settings",
            "policy",
            "merchant token",
            "widget answers",
            "page origin",
            "widget origins"
        ]
    );
    let page = &check(&results, "page origin").detail;
    assert!(page.starts_with("tauri://localhost (Linux"), "{page}");
    let widgets = &check(&results, "widget origins").detail;
    assert!(widgets.starts_with("http://127.0.0.1:<port> "), "{widgets}");
    let report = doctor::render(&results);
    assert!(
        report.lines().all(|line| line.starts_with("ok  ")),
        "{report}"
    );
}

#[test]
fn a_wrong_secret_fails_the_token_check_with_ap002_and_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let settings_path = dir.path().join("settings.json");
    let rt = runtime();
    let sim = rt
        .block_on(Simulator::start(SimulatorConfig::default()))
        .unwrap();
    let environment = Environment::Custom {
        base_url: sim.base_url().parse().unwrap(),
    };
    Settings {
        environment: environment.clone(),
        merchant_id: Some(sim.credentials().merchant_id),
        ..Settings::default()
    }
    .save_to(&settings_path)
    .unwrap();
    let vault = Arc::new(MemoryVault::new());
    vault
        .put(
            &SecretKey::MerchantCredentials {
                environment: environment.id(),
            },
            &Secret::MerchantCredentials {
                api_key: sim.credentials().api_key.clone().into(),
                api_secret: WRONG_SECRET.into(),
                merchant_id: sim.credentials().merchant_id,
            },
        )
        .unwrap();

    let results = rt.block_on(doctor::run_checks(&inputs(settings_path, vault)));
    rt.block_on(sim.shutdown());
    let report = doctor::render(&results);

    assert!(check(&results, "credentials").ok, "{report}");
    assert!(check(&results, "api reachable").ok, "{report}");
    assert!(check(&results, "widget origin").ok, "{report}");
    let token = check(&results, "merchant token");
    assert!(!token.ok, "{report}");
    assert!(token.detail.contains("AP002"), "{report}");
    assert!(
        token.fix.as_deref().unwrap().contains("configure"),
        "{report}"
    );
    assert!(!doctor::all_ok(&results));
    assert!(!report.contains(WRONG_SECRET), "{report}");
    assert!(!format!("{results:?}").contains(WRONG_SECRET));
}

#[test]
fn missing_credentials_and_an_unreachable_api_name_their_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let settings_path = dir.path().join("settings.json");
    // A port nothing listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    Settings {
        environment: Environment::Custom {
            base_url: format!("http://127.0.0.1:{port}").parse().unwrap(),
        },
        ..Settings::default()
    }
    .save_to(&settings_path)
    .unwrap();

    let results = runtime().block_on(doctor::run_checks(&inputs(
        settings_path,
        Arc::new(MemoryVault::new()),
    )));
    let report = doctor::render(&results);
    let credentials = check(&results, "credentials");
    assert!(!credentials.ok, "{report}");
    assert!(
        credentials.fix.as_deref().unwrap().contains("configure"),
        "{report}"
    );
    assert!(!check(&results, "api reachable").ok, "{report}");
    assert!(!check(&results, "merchant token").ok, "{report}");
    assert!(report.contains("FAIL  api reachable"), "{report}");
}

#[test]
fn a_broken_settings_file_fails_with_its_fix() {
    let dir = tempfile::tempdir().unwrap();
    let settings_path = dir.path().join("settings.json");
    std::fs::write(&settings_path, "{ not json").unwrap();
    let results = runtime().block_on(doctor::run_checks(&inputs(
        settings_path,
        Arc::new(MemoryVault::new()),
    )));
    let settings = check(&results, "settings");
    assert!(!settings.ok);
    assert!(settings.detail.contains("CONFIG_INVALID"), "{settings:?}");
    assert!(settings.fix.as_deref().unwrap().contains("fix or delete"));
}

#[test]
fn sandbox_and_production_allow_only_aerosync_hosts() {
    for environment in [Environment::Sandbox, Environment::Production] {
        let results = doctor::check_widget_origin(&environment);
        assert_eq!(results.len(), 1);
        assert!(results[0].ok, "{results:?}");
        assert!(results[0].detail.contains("https://sync.aero.inc"));
    }
}

#[test]
fn the_real_keychain_passes_the_probe() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut inputs = inputs(
        dir.path().join("settings.json"),
        Arc::new(MemoryVault::new()),
    );
    inputs.probe_vault = Arc::new(doctor::probe_keychain());
    let results = runtime().block_on(doctor::run_checks(&inputs));
    let keychain = check(&results, "keychain");
    assert!(
        keychain.ok,
        "run inside scripts/with-keyring.sh (Debian packages gnome-keyring, dbus-daemon): {keychain:?}"
    );
}

#[test]
fn without_a_secret_service_the_binary_fails_and_names_the_fix() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding"))
        .arg("doctor")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("HOME", dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("FAIL  keychain"), "{stdout}");
    assert!(
        stdout.contains("start gnome-keyring or KWallet"),
        "{stdout}"
    );
    // The rest still runs: the simulator answers without a keychain.
    assert!(stdout.contains("ok    merchant token"), "{stdout}");
}

#[test]
fn configure_then_doctor_against_the_simulator_and_the_real_keychain() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    let rt = runtime();
    let sim = rt
        .block_on(Simulator::start(SimulatorConfig::default()))
        .unwrap();
    let credentials = sim.credentials().clone();

    // The simulator's own credentials: every check passes.
    let right = format!("{}\n{}\n", credentials.api_key, credentials.api_secret);
    let configured = configure_custom(
        home.path(),
        sim.base_url(),
        credentials.merchant_id,
        &[],
        &right,
    );
    assert!(configured.status.success(), "{}", printed(&configured));
    let doctor = app(home.path(), &["doctor"]).output().unwrap();
    let report = printed(&doctor);
    assert_eq!(doctor.status.code(), Some(0), "{report}");
    for check in [
        "keychain",
        "settings",
        "credentials",
        "api reachable",
        "merchant token",
    ] {
        assert!(
            report.contains(&format!("ok    {check}")),
            "{check}: {report}"
        );
    }
    assert!(
        !report.contains(&credentials.api_secret),
        "doctor printed the API secret"
    );

    // A wrong secret replaces it in the keychain: the token check fails
    // with Aeropay's code and the fix, and the secret is printed nowhere.
    let wrong = format!("{}\n{WRONG_SECRET}\n", credentials.api_key);
    let configured = configure_custom(
        home.path(),
        sim.base_url(),
        credentials.merchant_id,
        &[],
        &wrong,
    );
    assert!(configured.status.success(), "{}", printed(&configured));
    assert!(
        !printed(&configured).contains(WRONG_SECRET),
        "configure printed the secret"
    );
    let doctor = app(home.path(), &["doctor"]).output().unwrap();
    let report = printed(&doctor);
    assert_eq!(doctor.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  merchant token"), "{report}");
    assert!(report.contains("AP002"), "{report}");
    assert!(report.contains("configure"), "{report}");
    assert!(report.contains("ok    api reachable"), "{report}");
    assert!(!report.contains(WRONG_SECRET), "doctor printed the secret");

    let environment = Environment::Custom {
        base_url: sim.base_url().parse().unwrap(),
    };
    rt.block_on(sim.shutdown());
    OsKeychain::new()
        .delete(&SecretKey::MerchantCredentials {
            environment: environment.id(),
        })
        .unwrap();
}

fn require_tool(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()));
    assert!(
        found,
        "`{program}` not found: install the Debian package `{package}` (`make test` installs it)"
    );
}

#[test]
fn a_locked_keychain_fails_with_vault_locked_and_the_unlock_fix() {
    // Its own D-Bus session and gnome-keyring, so locking the collection
    // touches no keyring another test uses.
    require_tool("dbus-run-session", "dbus-daemon");
    require_tool("dbus-send", "dbus-bin");
    require_tool("gnome-keyring-daemon", "gnome-keyring");
    let dir = tempfile::tempdir().unwrap();
    let runtime_dir = dir.path().join("run");
    std::fs::create_dir_all(&runtime_dir).unwrap();
    std::fs::set_permissions(
        &runtime_dir,
        std::os::unix::fs::PermissionsExt::from_mode(0o700),
    )
    .unwrap();
    // Unlocked at start (as after a desktop login), then locked through the
    // Secret Service's own Lock call; the collection's Locked property proves it.
    let script = r#"
        eval "$(printf 'test-keyring-password' | gnome-keyring-daemon --unlock --components=secrets)" >/dev/null
        dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets \
          org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null || exit 90
        dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets/collection/login \
          org.freedesktop.DBus.Properties.Get string:org.freedesktop.Secret.Collection string:Locked \
          | grep -q 'boolean true' || exit 91
        printf 'locked-key\nsecret-for-a-locked-keychain\n' \
          | "$0" configure --environment sandbox --merchant-id 1 >"$HOME/configure.out" 2>&1 && exit 92
        exec "$0" doctor
    "#;
    let output = Command::new("dbus-run-session")
        .args([
            "--",
            "sh",
            "-c",
            script,
            env!("CARGO_BIN_EXE_aeropay-onboarding"),
        ])
        // No display: the unlock prompt cannot open and nothing waits on it.
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_RUNTIME_DIR", &runtime_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(90), "Lock refused: {stderr}");
    assert_ne!(output.status.code(), Some(91), "still unlocked: {stderr}");
    // `configure` refuses a locked keychain, says how to unlock it, and
    // leaves no settings behind: no plaintext fallback.
    let configure = std::fs::read_to_string(dir.path().join("configure.out")).unwrap();
    assert_ne!(
        output.status.code(),
        Some(92),
        "configure passed: {configure}"
    );
    assert!(configure.contains("VAULT_LOCKED"), "{configure}");
    assert!(configure.contains("unlock"), "{configure}");
    assert!(
        !configure.contains("secret-for-a-locked-keychain"),
        "configure printed the secret"
    );
    assert!(
        !dir.path().join("config").exists(),
        "configure wrote settings: {configure}"
    );
    assert!(!output.status.success(), "{stdout}");
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    assert!(stdout.contains("FAIL  keychain"), "{stdout}");
    assert!(stdout.contains("VAULT_LOCKED"), "{stdout}");
    assert!(
        stdout.contains("fix: unlock the keychain (log in to the desktop session, or run `gnome-keyring-daemon --unlock`)"),
        "{stdout}"
    );
    // The rest still runs: the simulator answers without the keychain.
    assert!(stdout.contains("ok    merchant token"), "{stdout}");
}
