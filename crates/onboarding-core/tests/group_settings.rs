//! Fleet mode: a device keeps its group's settings from a real broker on
//! 127.0.0.1 (SQLite on disk, the simulator as Aeropay), starts with them
//! offline, and refuses what the app's rules refuse.

use aeropay_onboarding_broker::{testing, RunningBroker};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use broker_store::Store;
use fleet_client::{BrokerClient, BrokerConfig, DeviceCredential};
use onboarding_core::config::{Mode, Settings};
use onboarding_core::group_settings::{self, Refreshed, CACHE_FILE};
use onboarding_core::policy::Policy;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use url::Url;

const STORE: &str = r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 60}}"#;
const OFFICE: &str = r#"{"mode": "desk", "widget": {"theme": "dark"}}"#;

struct Fleet {
    sim: RunningSimulator,
    db: String,
    groups: PathBuf,
    dir: tempfile::TempDir,
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
            dir,
        }
    }

    /// A broker that reads its configuration and the groups' files now.
    async fn broker(&self) -> RunningBroker {
        let groups = self.groups.display().to_string();
        let config = testing::config(
            &self.db,
            &self.sim,
            &[("BROKER_GROUPS_SETTINGS_DIR", groups)],
        );
        testing::start(config, &self.sim).await
    }

    /// A device's own data folder.
    fn data_dir(&self, device: &str) -> PathBuf {
        self.dir.path().join(device)
    }
}

fn client(url: &str, credential: Option<DeviceCredential>) -> BrokerClient {
    let client = BrokerClient::new(BrokerConfig::new(Url::parse(url).unwrap()), None).unwrap();
    match credential {
        Some(credential) => client.with_credential(credential),
        None => client,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_device_keeps_its_groups_settings_and_sees_a_new_version() {
    let fleet = Fleet::new().await;
    let broker = fleet.broker().await;
    let store = Store::open(&fleet.db).await.unwrap();
    let mut credentials = Vec::new();
    for (name, group) in [("store-kiosk-1", "store"), ("office-desk-1", "office")] {
        let (_, code) = store.add_device(name, group).await.unwrap();
        let enrolled = client(&broker.url(), None)
            .enroll(&code.reveal().into())
            .await
            .unwrap();
        credentials.push(enrolled.credential);
    }
    let kiosk = client(&broker.url(), Some(credentials[0].clone()));
    let desk = client(&broker.url(), Some(credentials[1].clone()));
    let (kiosk_dir, desk_dir) = (fleet.data_dir("kiosk"), fleet.data_dir("desk"));

    let Refreshed::Changed(first) = group_settings::refresh(&kiosk, &kiosk_dir).await.unwrap()
    else {
        panic!("the first answer is new")
    };
    assert_eq!(first.group, "store");
    assert_eq!(first.settings.mode, Some(Mode::Kiosk));
    let Refreshed::Changed(office) = group_settings::refresh(&desk, &desk_dir).await.unwrap()
    else {
        panic!("the first answer is new")
    };
    assert_eq!(office.group, "office");
    assert_eq!(office.settings.mode, Some(Mode::Desk));
    assert_eq!(
        group_settings::refresh(&kiosk, &kiosk_dir).await.unwrap(),
        Refreshed::Unchanged
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(kiosk_dir.join(CACHE_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Offline, at the next start: the kept settings are managed.
    broker.shutdown(Duration::from_secs(5)).await;
    let kept = group_settings::load_cached(&kiosk_dir);
    assert_eq!(kept.as_ref(), Some(&*first));
    let policy = Policy::default().with_group(kept);
    let settings = policy.apply(Settings::default());
    assert_eq!(settings.mode, Mode::Kiosk);
    assert_eq!(settings.kiosk.idle_seconds, 60);
    assert_eq!(policy.fields(), ["mode", "kioskIdleSeconds"]);

    // The store group changes; the restarted broker hands the new version.
    std::fs::write(
        fleet.groups.join("store.json"),
        r#"{"mode": "kiosk", "kiosk": {"idleSeconds": 120}}"#,
    )
    .unwrap();
    let broker = fleet.broker().await;
    let kiosk = client(&broker.url(), Some(credentials[0].clone()));
    let desk = client(&broker.url(), Some(credentials[1].clone()));
    let Refreshed::Changed(second) = group_settings::refresh(&kiosk, &kiosk_dir).await.unwrap()
    else {
        panic!("a new version")
    };
    assert_ne!(second.version, first.version);
    assert_eq!(second.settings.kiosk.unwrap().idle_seconds, Some(120));
    assert_eq!(
        group_settings::refresh(&desk, &desk_dir).await.unwrap(),
        Refreshed::Unchanged
    );
}

/// What a closure logs, as text.
fn logged<T>(run: impl FnOnce() -> T) -> (T, String) {
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let value = tracing::subscriber::with_default(subscriber, run);
    let text = String::from_utf8_lossy(&captured.0.lock().unwrap()).into_owned();
    (value, text)
}

#[test]
fn a_damaged_cache_starts_with_nothing_from_the_broker_and_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    for damaged in [
        "{ not json",
        r#"{"group": "store", "version": "1", "settings": {"kiosk": {"idleSeconds": 1}}}"#,
        r#"{"group": "store", "version": "1", "settings": {"environment": {"kind": "production"}}}"#,
    ] {
        std::fs::write(dir.path().join(CACHE_FILE), damaged).unwrap();
        let err = group_settings::read_cache(dir.path()).unwrap_err();
        assert_eq!(err.code(), "GROUP_SETTINGS_CACHE_DAMAGED", "{damaged}");
        let (kept, log) = logged(|| group_settings::load_cached(dir.path()));
        assert_eq!(kept, None, "{damaged}");
        assert!(
            log.contains("WARN") && log.contains(CACHE_FILE),
            "{damaged}: {log}"
        );
        let policy = Policy::default().with_group(kept);
        assert!(!policy.in_force() && policy.fields().is_empty());
    }
    // No cache at all: nothing, and nothing to warn about.
    let empty = tempfile::tempdir().unwrap();
    let (kept, log) = logged(|| group_settings::load_cached(empty.path()));
    assert_eq!(kept, None);
    assert!(!log.contains("WARN"), "{log}");
}

/// A server on 127.0.0.1 that answers the settings call with `settings`.
async fn fake_broker(settings: serde_json::Value) -> String {
    use axum::routing::get;
    let answer = serde_json::json!({"group": "store", "version": "bad-1", "settings": settings});
    let app = axum::Router::new().route(
        "/v1/device/settings",
        get(move || {
            let answer = answer.clone();
            async move { axum::Json(answer) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_answer_the_rules_refuse_keeps_the_previous_settings() {
    let dir = tempfile::tempdir().unwrap();
    let good = fleet_client::wire::DeviceSettings {
        group: "store".into(),
        version: "good-1".into(),
        settings: serde_json::json!({"mode": "kiosk"}),
    };
    group_settings::accept(dir.path(), good).unwrap();
    let before = std::fs::read(dir.path().join(CACHE_FILE)).unwrap();
    let credential = DeviceCredential::new(uuid::Uuid::nil(), "device-secret".into());
    for (settings, field) in [
        (
            serde_json::json!({"mode": "kiosk", "environment": {"kind": "production"}}),
            "environment",
        ),
        (serde_json::json!({"apiVersion": "v1"}), "apiVersion"),
        (
            serde_json::json!({"kiosk": {"warningSeconds": 1}}),
            "kiosk.warningSeconds",
        ),
    ] {
        let url = fake_broker(settings).await;
        let err = group_settings::refresh(&client(&url, Some(credential.clone())), dir.path())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "GROUP_SETTINGS_REFUSED");
        assert!(
            err.to_string().contains(&format!("field \"{field}\"")),
            "{err}"
        );
        assert_eq!(
            std::fs::read(dir.path().join(CACHE_FILE)).unwrap(),
            before,
            "the previous settings are kept"
        );
    }
}
