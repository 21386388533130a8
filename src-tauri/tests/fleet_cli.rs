//! `configure --environment broker` and `doctor` on a device of a fleet:
//! the real binary against a real broker on 127.0.0.1 (SQLite on disk, the
//! simulator as Aeropay), the real keychain inside scripts/with-keyring.sh;
//! and the refusals that must leave the settings as they were.

use aeropay_onboarding::cli::{self, Cli, Command as CliCommand};
use aeropay_onboarding::config::Settings;
use aeropay_onboarding::fleet_client::{BrokerConfig, RetryPolicy};
use aeropay_onboarding::policy::Policy;
use aeropay_onboarding::simulator::{RunningSimulator, Simulator, SimulatorConfig};
use aeropay_onboarding::store::Store;
use aeropay_onboarding::vault::{MemoryVault, OsKeychain, Secret, SecretKey, Vault, VaultError};
use aeropay_onboarding_broker::{testing, RunningBroker};
use clap::Parser;
use cli_support::{app, printed, run_with_input};
use std::sync::Mutex;
use std::time::Duration;

mod cli_support;

// The Secret Service races on concurrent writes: one keychain test at a time.
static KEYCHAIN: Mutex<()> = Mutex::new(());

struct Fleet {
    sim: RunningSimulator,
    store: broker_store::Store,
    broker: RunningBroker,
    _dir: tempfile::TempDir,
}

async fn fleet() -> Fleet {
    let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("broker.db").display());
    let store = broker_store::Store::open(&url).await.unwrap();
    let broker = testing::start(testing::config(&url, &sim, &[]), &sim).await;
    Fleet {
        sim,
        store,
        broker,
        _dir: dir,
    }
}

fn configure_broker(home: &std::path::Path, url: &str, input: &str) -> std::process::Output {
    run_with_input(
        app(
            home,
            &["configure", "--environment", "broker", "--broker-url", url],
        ),
        input,
    )
}

fn settings_file(home: &std::path::Path) -> std::path::PathBuf {
    home.join("config/app.aeropay-onboarding.desktop/settings.json")
}

#[test]
fn a_device_is_configured_for_a_broker_and_doctor_follows_its_standing() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fleet());
    let home = tempfile::tempdir().unwrap();
    let (_, code) = rt
        .block_on(f.store.add_device("store-12-kiosk-1", "store-12"))
        .unwrap();
    let code = code.reveal().to_owned();

    let configured = configure_broker(home.path(), &f.broker.url(), &format!("{code}\n"));
    let out = printed(&configured);
    assert!(configured.status.success(), "{out}");
    assert!(out.contains("store-12-kiosk-1"), "{out}");
    assert!(!out.contains(&code), "the code was printed: {out}");

    // The settings name the broker and its Aeropay; no merchant, no secret.
    let text = std::fs::read_to_string(settings_file(home.path())).unwrap();
    let settings: Settings = serde_json::from_str(&text).unwrap();
    let fleet = settings.fleet.clone().expect("a fleet in the settings");
    assert_eq!(fleet.device_name, "store-12-kiosk-1");
    assert_eq!(fleet.group, "store-12");
    assert_eq!(
        fleet.broker_url.as_str().trim_end_matches('/'),
        f.broker.url()
    );
    assert_eq!(
        settings
            .environment
            .api_base()
            .unwrap()
            .as_str()
            .trim_end_matches('/'),
        f.sim.base_url().trim_end_matches('/')
    );
    assert_eq!(settings.merchant_id, None);
    let creds = f.sim.credentials();
    assert!(!text.contains(&creds.api_secret) && !text.contains(&creds.api_key));

    // The keychain: the device's credential, no merchant credentials.
    let keychain = OsKeychain::new();
    let Some(Secret::DeviceCredential { device_id, secret }) =
        keychain.get(&SecretKey::DeviceCredential).unwrap()
    else {
        panic!("no device credential in the keychain")
    };
    assert!(!text.contains(secret.expose()));
    assert!(!out.contains(secret.expose()));
    let device = rt.block_on(f.store.device("store-12-kiosk-1")).unwrap();
    assert_eq!(device.id, device_id);
    assert_eq!(
        keychain
            .get(&SecretKey::MerchantCredentials {
                environment: settings.environment.id()
            })
            .unwrap(),
        None
    );

    let doctor = app(home.path(), &["doctor"]).output().unwrap();
    let report = printed(&doctor);
    assert_eq!(doctor.status.code(), Some(0), "{report}");
    assert!(report.contains("ok    fleet"), "{report}");
    assert!(report.contains("store-12-kiosk-1"), "{report}");
    assert!(report.contains("ok    credentials"), "{report}");
    assert!(!report.contains(secret.expose()), "{report}");
    assert!(
        report.contains("nothing is managed") && !report.contains("the fleet's server sent"),
        "{report}"
    );

    // Once the app has kept its group's settings, `doctor` (and `configure`)
    // see them managed, as the app's next start does.
    let data_dir = home.path().join("data/app.aeropay-onboarding.desktop");
    std::fs::create_dir_all(&data_dir).unwrap();
    std::fs::write(
        data_dir.join("group-settings.json"),
        r#"{"group":"store-12","version":"v1","settings":{"kiosk":{"warningSeconds":45}}}"#,
    )
    .unwrap();
    let doctor = app(home.path(), &["doctor"]).output().unwrap();
    let report = printed(&doctor);
    assert!(
        report.contains("group store-12; managed in all: kioskWarningSeconds"),
        "{report}"
    );

    // The code again: refused, and nothing changes.
    let before = std::fs::read(settings_file(home.path())).unwrap();
    let again = configure_broker(home.path(), &f.broker.url(), &format!("{code}\n"));
    let out = printed(&again);
    assert!(!again.status.success(), "{out}");
    assert!(out.contains("BROKER_ENROLLMENT_CODE_USED"), "{out}");
    assert!(out.contains("already used"), "{out}");
    assert_eq!(std::fs::read(settings_file(home.path())).unwrap(), before);

    // Revoked: doctor says so, with the broker's words and the fix.
    rt.block_on(f.store.revoke("store-12-kiosk-1")).unwrap();
    let doctor = app(home.path(), &["doctor"]).output().unwrap();
    let report = printed(&doctor);
    assert_eq!(doctor.status.code(), Some(1), "{report}");
    assert!(report.contains("FAIL  fleet"), "{report}");
    assert!(report.contains("BROKER_DEVICE_REVOKED"), "{report}");
    assert!(report.contains("removed from the fleet"), "{report}");
    assert!(report.contains("device add"), "{report}");

    keychain.delete(&SecretKey::DeviceCredential).unwrap();
    rt.block_on(f.broker.shutdown(Duration::from_secs(1)));
}

#[test]
fn addresses_and_brokers_that_cannot_be_used_change_nothing() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    // Plain http to another machine: refused before anything is read.
    let refused = configure_broker(home.path(), "http://broker.example:8080", "code\n");
    let out = printed(&refused);
    assert!(!refused.status.success());
    assert!(out.contains("https"), "{out}");
    assert!(!settings_file(home.path()).exists());

    // Nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let unreachable = app(
        home.path(),
        &[
            "configure",
            "--environment",
            "broker",
            "--broker-url",
            &format!("http://127.0.0.1:{port}"),
        ],
    );
    let output = run_with_input(unreachable, "the-code\n");
    let out = printed(&output);
    assert!(!output.status.success(), "{out}");
    assert!(out.contains("BROKER_UNREACHABLE"), "{out}");
    assert!(out.contains(&format!("127.0.0.1:{port}")), "{out}");
    assert!(!out.contains("the-code"), "{out}");
    assert!(!settings_file(home.path()).exists());

    // A missing code.
    let empty = configure_broker(home.path(), "https://broker.example", "\n");
    assert!(
        printed(&empty).contains("CLI_MISSING_INPUT"),
        "{}",
        printed(&empty)
    );
    assert!(!settings_file(home.path()).exists());
}

/// A keychain that answers reads and refuses writes of one kind.
struct RefusingWrites {
    inner: MemoryVault,
    refuse: SecretKey,
}

impl Vault for RefusingWrites {
    fn put(&self, key: &SecretKey, secret: &Secret) -> Result<(), VaultError> {
        if *key == self.refuse {
            return Err(VaultError::Unavailable {
                detail: "refused for the test".into(),
            });
        }
        self.inner.put(key, secret)
    }
    fn get(&self, key: &SecretKey) -> Result<Option<Secret>, VaultError> {
        self.inner.get(key)
    }
    fn delete(&self, key: &SecretKey) -> Result<bool, VaultError> {
        self.inner.delete(key)
    }
}

fn args(url: &str) -> cli::ConfigureArgs {
    let cli = Cli::try_parse_from([
        "aeropay-onboarding",
        "configure",
        "--environment",
        "broker",
        "--broker-url",
        url,
    ])
    .unwrap();
    let Some(CliCommand::Configure(args)) = cli.command else {
        panic!("configure expected")
    };
    args
}

fn broker_config(url: &str) -> BrokerConfig {
    let mut config = BrokerConfig::new(url.parse().unwrap());
    config.retry = RetryPolicy {
        attempts: 1,
        ..RetryPolicy::default()
    };
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_that_refuses_the_credential_leaves_the_settings_as_they_were() {
    let f = fleet().await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("settings.json");
    let old = r#"{"environment":{"kind":"sandbox"},"merchantId":7,"mode":"kiosk"}"#;
    std::fs::write(&path, old).unwrap();
    let vault = RefusingWrites {
        inner: MemoryVault::new(),
        refuse: SecretKey::DeviceCredential,
    };
    vault
        .inner
        .put(
            &SecretKey::MerchantCredentials {
                environment: "sandbox".into(),
            },
            &Secret::MerchantCredentials {
                api_key: "old-key".into(),
                api_secret: "old-secret".into(),
                merchant_id: 7,
            },
        )
        .unwrap();
    let store = Store::in_memory().unwrap();
    let (_, code) = f.store.add_device("desk-1", "office").await.unwrap();
    let url = f.broker.url();
    let mut input = format!("{}\n", code.reveal());
    let err = cli::configure_fleet(
        &args(&url),
        &mut input.as_bytes(),
        &vault,
        &path,
        &store,
        &Policy::default(),
        broker_config(&url),
    )
    .await
    .unwrap_err();
    assert!(err.code().starts_with("VAULT_"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), old);

    // With a keychain that takes it: the fleet replaces the merchant's
    // credentials, which are deleted from the keychain.
    let vault = vault.inner;
    let (_, code) = f.store.add_device("desk-2", "office").await.unwrap();
    input = format!("{}\n", code.reveal());
    let settings = cli::configure_fleet(
        &args(&url),
        &mut input.as_bytes(),
        &vault,
        &path,
        &store,
        &Policy::default(),
        broker_config(&url),
    )
    .await
    .unwrap();
    assert_eq!(settings.fleet.unwrap().device_name, "desk-2");
    assert_eq!(
        vault
            .get(&SecretKey::MerchantCredentials {
                environment: "sandbox".into()
            })
            .unwrap(),
        None
    );
    let saved = Settings::load_from(&path).unwrap();
    assert_eq!(saved.mode, aeropay_onboarding::config::Mode::Kiosk);
    assert!(saved.fleet.is_some());
    f.broker.shutdown(Duration::from_secs(1)).await;
}
