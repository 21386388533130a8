//! Each device gets its own group's managed settings from a real broker on
//! 127.0.0.1 (SQLite on disk, the simulator as Aeropay, the groups' files
//! in a folder), and sees a new version after a change and a restart.

use aeropay_onboarding_broker::config::Config;
use aeropay_onboarding_broker::{testing, RunningBroker};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use broker_store::Store;
use fleet_client::{BrokerClient, BrokerConfig};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;
use url::Url;

const STORE: &str = r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 60, "warningSeconds": 30}, "widget": {"theme": "dark"}}"#;
const OFFICE: &str = r#"{"mode": "desk", "updates": {"channel": "pilot"}}"#;

struct Fleet {
    sim: RunningSimulator,
    db: String,
    groups: PathBuf,
    _dir: tempfile::TempDir,
}

impl Fleet {
    async fn new() -> Fleet {
        let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("broker.db").display());
        let groups = dir.path().join("groups");
        std::fs::create_dir(&groups).unwrap();
        std::fs::write(groups.join("store.json"), STORE).unwrap();
        std::fs::write(groups.join("office.json"), OFFICE).unwrap();
        Fleet {
            sim,
            db,
            groups,
            _dir: dir,
        }
    }

    /// A broker that reads the configuration (and the groups' files) now.
    async fn broker(&self) -> RunningBroker {
        let groups = self.groups.display().to_string();
        let config = testing::config(
            &self.db,
            &self.sim,
            &[("BROKER_GROUPS_SETTINGS_DIR", groups)],
        );
        testing::start(config, &self.sim).await
    }
}

async fn enrolled(broker: &RunningBroker, store: &Store, name: &str, group: &str) -> BrokerClient {
    let (_, code) = store.add_device(name, group).await.unwrap();
    let client = BrokerClient::new(config(&broker.url()), None).unwrap();
    let enrolled = client.enroll(&code.reveal().into()).await.unwrap();
    client.with_credential(enrolled.credential)
}

fn config(url: &str) -> BrokerConfig {
    BrokerConfig::new(Url::parse(url).unwrap())
}

fn json_of(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_device_gets_its_groups_settings_and_a_new_version_after_a_change() {
    let fleet = Fleet::new().await;
    let broker = fleet.broker().await;
    let store = Store::open(&fleet.db).await.unwrap();
    let kiosk = enrolled(&broker, &store, "store-kiosk-1", "store").await;
    let desk = enrolled(&broker, &store, "office-desk-1", "office").await;
    let lobby = enrolled(&broker, &store, "lobby-kiosk-1", "lobby").await;

    let kiosk_settings = kiosk.settings().await.unwrap();
    assert_eq!(kiosk_settings.group, "store");
    assert_eq!(kiosk_settings.settings, json_of(STORE));
    let desk_settings = desk.settings().await.unwrap();
    assert_eq!(desk_settings.group, "office");
    assert_eq!(desk_settings.settings, json_of(OFFICE));
    assert_ne!(kiosk_settings.version, desk_settings.version);
    // A group without a file manages nothing.
    let lobby_settings = lobby.settings().await.unwrap();
    assert_eq!(lobby_settings.settings, json!({}));

    // The version is the ETag: a device that has it gets 304, no body.
    let credential = kiosk.credential().unwrap();
    let ask = |etag: &str| {
        reqwest::Client::new()
            .get(format!("{}/v1/device/settings", broker.url()))
            .header(
                "Authorization",
                format!(
                    "Bearer {}.{}",
                    credential.device_id,
                    credential.secret.expose()
                ),
            )
            .header("If-None-Match", etag.to_owned())
            .send()
    };
    let current = ask(&format!("\"{}\"", kiosk_settings.version))
        .await
        .unwrap();
    assert_eq!(current.status(), 304);
    let other = ask(&format!("\"{}\"", desk_settings.version))
        .await
        .unwrap();
    assert_eq!(other.status(), 200);
    // Without a device credential: refused.
    let anonymous = BrokerClient::new(config(&broker.url()), None).unwrap();
    let refused = anonymous.settings().await.unwrap_err();
    assert_eq!(
        refused.code(),
        "BROKER_DEVICE_CREDENTIAL_MISSING",
        "{refused:?}"
    );

    // Counted like every other route.
    let metrics = reqwest::get(format!("{}/metrics", broker.url()))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.contains("route=\"/v1/device/settings\"") && l.contains("status=\"304\"")),
        "{metrics}"
    );

    // The store group's file changes; the broker reads it at its restart.
    std::fs::write(
        fleet.groups.join("store.json"),
        r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 120}}"#,
    )
    .unwrap();
    broker.shutdown(Duration::from_secs(5)).await;
    let broker = fleet.broker().await;
    let kiosk = kiosk_at(&kiosk, &broker);
    let desk = kiosk_at(&desk, &broker);
    let changed = kiosk.settings().await.unwrap();
    assert_ne!(changed.version, kiosk_settings.version);
    assert_eq!(changed.settings["kiosk"]["idleSeconds"], 120);
    assert_eq!(desk.settings().await.unwrap(), desk_settings, "unchanged");
}

/// The same device, talking to the restarted broker (a new port).
fn kiosk_at(device: &BrokerClient, broker: &RunningBroker) -> BrokerClient {
    BrokerClient::new(config(&broker.url()), None)
        .unwrap()
        .with_credential(device.credential().unwrap().clone())
}

#[test]
fn a_bad_group_file_refuses_the_configuration_with_the_file_and_field() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("store.json"),
        r#"{"mode": "kiosk", "environment": {"kind": "production"}}"#,
    )
    .unwrap();
    let err = load_with_groups(dir.path()).unwrap_err().to_string();
    assert!(
        err.contains("store.json") && err.contains("field \"environment\""),
        "{err}"
    );
}

fn load_with_groups(dir: &Path) -> Result<Config, aeropay_onboarding_broker::config::ConfigError> {
    let dir = dir.display().to_string();
    Config::load(None, &|name| {
        (name == "BROKER_GROUPS_SETTINGS_DIR").then(|| dir.clone())
    })
}
