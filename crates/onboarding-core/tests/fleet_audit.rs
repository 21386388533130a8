//! The audit upload against a real fleet broker: the broker crate serving
//! on 127.0.0.1 (the simulator as its Aeropay) on SQLite and on PostgreSQL,
//! the device's store on disk, and a device credential from a real
//! enrollment. Time is simulated where the test spans a day: the uploader
//! is stepped when its wait is over, nothing sleeps.

use aeropay_onboarding_broker::config::{Config, Limits};
use aeropay_onboarding_broker::{testing, RunningBroker};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use broker_store::testing::TestPostgres;
use onboarding_core::fleet_audit::{
    Ack, AuditSink, AuditUploader, Next, OutgoingAuditEntry, SinkError, UploadSchedule, UploadState,
};
use onboarding_core::store::{AuditAction, AuditEntry, AuditMode, Store};
use serde_json::{json, Value};
use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

// ---- the fleet -------------------------------------------------------------

struct Fleet {
    sim: RunningSimulator,
    database_url: String,
    store: broker_store::Store,
    broker: Option<RunningBroker>,
}

impl Fleet {
    async fn start(database_url: String) -> Fleet {
        let sim = Simulator::start(SimulatorConfig::default())
            .await
            .expect("simulator starts");
        let store = broker_store::Store::open(&database_url)
            .await
            .expect("broker store opens");
        let mut fleet = Fleet {
            sim,
            database_url,
            store,
            broker: None,
        };
        fleet.start_broker().await;
        fleet
    }

    fn config(&self) -> Config {
        let mut config = testing::config(&self.database_url, &self.sim, &[]);
        config.limits = Limits::default();
        config.audit_reader_groups = vec!["office".into()];
        config
    }

    async fn start_broker(&mut self) {
        self.broker = Some(testing::start(self.config(), &self.sim).await);
    }

    async fn stop_broker(&mut self) {
        if let Some(broker) = self.broker.take() {
            broker.shutdown(Duration::from_secs(1)).await;
        }
    }

    fn url(&self) -> String {
        self.broker.as_ref().expect("the broker runs").url()
    }

    /// `device add` then `POST /v1/devices/enroll`: the device's credential.
    async fn enroll(&self, name: &str, group: &str) -> String {
        let (_, code) = self.store.add_device(name, group).await.unwrap();
        aeropay_client::tls::install_crypto_provider();
        let answer: Value = reqwest::Client::new()
            .post(format!("{}/v1/devices/enroll", self.url()))
            .json(&json!({"code": code.reveal()}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        format!(
            "{}.{}",
            answer["device_id"].as_str().expect("enrolled"),
            answer["secret"].as_str().unwrap()
        )
    }

    /// The fleet's trail as an operator reads it: `GET /v1/audit` from a
    /// desk of a reader group, every page.
    async fn trail(&self, desk: &str, device: &str) -> Vec<Value> {
        let http = reqwest::Client::new();
        let mut entries = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut url = format!("{}/v1/audit?device={device}&limit=1000", self.url());
            if let Some(cursor) = &after {
                url.push_str(&format!("&after={cursor}"));
            }
            let page: Value = http
                .get(url)
                .bearer_auth(desk)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            entries.extend(page["entries"].as_array().expect("a page").iter().cloned());
            match page["next"].as_str() {
                Some(next) => after = Some(next.to_owned()),
                None => return entries,
            }
        }
    }
}

// ---- the test's sink: POST /v1/audit over HTTP -------------------------------

/// The device's side of `POST /v1/audit`, for these tests only. It follows
/// the broker to its new address after a restart, keeps every
/// acknowledgement, and can lose the answer to its next batch after the
/// broker stored it (as a crash right after the broker answered would).
#[derive(Clone)]
struct HttpSink {
    base: Arc<Mutex<String>>,
    credential: String,
    http: reqwest::Client,
    acks: Arc<Mutex<Vec<Ack>>>,
    lose_next_answer: Arc<AtomicBool>,
}

impl HttpSink {
    fn new(base: String, credential: String) -> HttpSink {
        HttpSink {
            base: Arc::new(Mutex::new(base)),
            credential,
            http: reqwest::Client::new(),
            acks: Arc::default(),
            lose_next_answer: Arc::default(),
        }
    }

    fn point_at(&self, base: String) {
        *self.base.lock().unwrap() = base;
    }

    fn acks(&self) -> Vec<Ack> {
        self.acks.lock().unwrap().clone()
    }
}

impl AuditSink for HttpSink {
    fn upload(
        &self,
        batch: &[OutgoingAuditEntry],
    ) -> impl Future<Output = Result<Ack, SinkError>> + Send {
        let request = self
            .http
            .post(format!("{}/v1/audit", self.base.lock().unwrap()))
            .bearer_auth(&self.credential)
            .json(&json!({ "entries": batch }));
        let (acks, lose) = (self.acks.clone(), self.lose_next_answer.clone());
        async move {
            let response = request.send().await.map_err(|_| SinkError::unreachable())?;
            let status = response.status().as_u16();
            let retry_after = response
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse().ok())
                .map(Duration::from_secs);
            let body: Value = response.json().await.unwrap_or(Value::Null);
            if status != 200 {
                return Err(SinkError::from_answer(
                    status,
                    body["code"].as_str(),
                    retry_after,
                ));
            }
            let ack = Ack {
                new: body["new"].as_u64().expect("new") as usize,
                duplicates: body["duplicates"].as_u64().expect("duplicates") as usize,
            };
            acks.lock().unwrap().push(ack);
            if lose.swap(false, Ordering::SeqCst) {
                return Err(SinkError::unreachable());
            }
            Ok(ack)
        }
    }
}

// ---- the device --------------------------------------------------------------

fn entry(at: i64, n: u64) -> AuditEntry {
    AuditEntry {
        at,
        mode: AuditMode::Kiosk,
        staff: None,
        action: if n.is_multiple_of(2) {
            AuditAction::EnrollmentStarted
        } else {
            AuditAction::CodeSent
        },
        detail: format!("step {n}, code sent to +1415555{:04}", n % 10_000),
        error_code: None,
        correlation_id: Some(format!("enr-{}", n / 2)),
    }
}

fn uploader(store: &Arc<Store>, sink: &HttpSink) -> AuditUploader<HttpSink> {
    AuditUploader::new(store.clone(), sink.clone(), UploadSchedule::default())
}

/// Steps until everything is sent (any wait is taken as over at once).
async fn drain(uploader: &mut AuditUploader<HttpSink>, now: i64) {
    for _ in 0..1000 {
        match uploader.step(now).await {
            Next::UpToDate => return,
            Next::SendMore | Next::RetryAfter(_) => {}
            Next::Stopped(_) => panic!("stopped: {:?}", uploader.status().borrow()),
        }
    }
    panic!("not up to date: {:?}", uploader.status().borrow());
}

/// Every entry of the device, once and in order: seq 1 to `count`, the
/// local times, the masked phone numbers.
fn assert_complete(trail: &[Value], count: u64, times: &[i64]) {
    let seqs: Vec<u64> = trail.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert_eq!(
        seqs,
        (1..=count).collect::<Vec<_>>(),
        "every entry once, in order"
    );
    let mut ids: Vec<&str> = trail.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as u64, count, "one id per entry");
    for (sent, at) in trail.iter().zip(times) {
        let at = time::OffsetDateTime::from_unix_timestamp(*at).unwrap();
        let at = at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        assert_eq!(sent["at"], at.as_str());
        let text = sent["detail"]["text"].as_str().unwrap();
        assert!(!text.contains("1415555"), "a full phone number: {text}");
    }
}

// ---- offline for a day ---------------------------------------------------------

const DAY: i64 = 24 * 60 * 60;
/// 2026-12-05T00:00:00Z.
const MORNING: i64 = 1_796_428_800;

/// The device writes an entry every 4 simulated minutes for a day while
/// the broker is down, restarting at noon; then the broker comes back.
async fn offline_for_a_day(database_url: String) {
    let mut fleet = Fleet::start(database_url).await;
    let credential = fleet.enroll("kiosk-1", "store-1").await;
    let desk = fleet.enroll("desk-1", "office").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sqlite3");
    let sink = HttpSink::new(fleet.url(), credential);
    let mut store = Arc::new(Store::open(&path).unwrap());
    let mut uploader = uploader(&store, &sink);
    let mut times = Vec::new();

    // Online at first: sent as written.
    for n in 0..10 {
        let at = MORNING - 600 + n as i64;
        store.audit(&entry(at, n)).unwrap();
        times.push(at);
    }
    drain(&mut uploader, MORNING).await;
    assert_eq!(store.audit_outbox_state().unwrap().pending, 0);

    fleet.stop_broker().await;
    let (mut now, mut next_entry, mut next_try) = (MORNING, MORNING, MORNING);
    let (mut attempts, mut restarted) = (0u32, false);
    while now < MORNING + DAY {
        if now >= next_entry {
            let n = times.len() as u64;
            store.audit(&entry(now, n)).unwrap();
            times.push(now);
            next_entry += 4 * 60;
        }
        if !restarted && now >= MORNING + DAY / 2 {
            // The app restarts: everything dropped, the file reopened.
            drop(uploader);
            assert_eq!(Arc::strong_count(&store), 1);
            drop(store);
            store = Arc::new(Store::open(&path).unwrap());
            uploader = self::uploader(&store, &sink);
            next_try = now;
            restarted = true;
        }
        if now >= next_try {
            attempts += 1;
            match uploader.step(now).await {
                Next::RetryAfter(wait) => {
                    assert!(wait <= Duration::from_secs(300), "{wait:?}");
                    next_try = now + wait.as_secs().max(1) as i64;
                }
                other => panic!("the broker is down, yet {other:?}"),
            }
        }
        now = next_entry.min(next_try);
    }
    let written = times.len() as u64;
    assert_eq!(written, 10 + 360);
    let state = store.audit_outbox_state().unwrap();
    assert_eq!((state.pending, state.sent_through), (360, 10));
    // The status as of the last try (an entry may have come after it).
    let status = uploader.status().borrow().clone();
    assert_eq!(status.state, UploadState::Retrying);
    assert_eq!(status.last_error_code.as_deref(), Some("FLEET_UNREACHABLE"));
    assert!(
        status.pending >= 359 && status.sent_through == 10,
        "{status:?}"
    );
    // Backed off, not hammering: at most one try per 150 s once at the cap.
    assert!(attempts <= 600, "{attempts} tries in a day");

    fleet.start_broker().await;
    sink.point_at(fleet.url());
    drain(&mut uploader, now).await;
    let state = store.audit_outbox_state().unwrap();
    assert_eq!((state.pending, state.sent_through), (0, written));
    assert_eq!(state.acknowledged_at, Some(now));
    let trail = fleet.trail(&desk, "kiosk-1").await;
    assert_complete(&trail, written, &times);
    assert_eq!(trail[0]["kind"], "enrollment_started");
    assert_eq!(trail[0]["detail"]["mode"], "kiosk");
    assert_eq!(trail[0]["detail"]["correlation_id"], "enr-0");
    // Nothing was sent twice: every acknowledged entry was new.
    assert!(sink.acks().iter().all(|ack| ack.duplicates == 0));
    fleet.stop_broker().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_offline_with_a_restart_arrives_complete_and_in_order_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    offline_for_a_day(format!(
        "sqlite://{}",
        dir.path().join("broker.db").display()
    ))
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_day_offline_with_a_restart_arrives_complete_and_in_order_postgres() {
    let pg = TestPostgres::start();
    offline_for_a_day(pg.url()).await;
}

// ---- a crash between the broker's answer and the mark --------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_acknowledged_but_not_marked_is_sent_again_and_counted_as_duplicates() {
    let pg = TestPostgres::start();
    let fleet = Fleet::start(pg.url()).await;
    let credential = fleet.enroll("kiosk-1", "store-1").await;
    let desk = fleet.enroll("desk-1", "office").await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.sqlite3");
    let sink = HttpSink::new(fleet.url(), credential);
    let store = Arc::new(Store::open(&path).unwrap());
    let times: Vec<i64> = (0..250).map(|n| MORNING + n * 60).collect();
    for (n, at) in times.iter().enumerate() {
        store.audit(&entry(*at, n as u64)).unwrap();
    }
    let mut uploader = uploader(&store, &sink);
    assert_eq!(uploader.step(MORNING).await, Next::SendMore);
    // The broker stores the second batch; the app dies before the mark.
    sink.lose_next_answer.store(true, Ordering::SeqCst);
    assert!(matches!(uploader.step(MORNING).await, Next::RetryAfter(_)));
    drop(uploader);
    drop(store);

    let store = Arc::new(Store::open(&path).unwrap());
    assert_eq!(store.audit_outbox_state().unwrap().sent_through, 200);
    let mut uploader = self::uploader(&store, &sink);
    drain(&mut uploader, MORNING + 60).await;
    assert_eq!(
        sink.acks(),
        [
            Ack {
                new: 200,
                duplicates: 0
            },
            Ack {
                new: 50,
                duplicates: 0
            },
            Ack {
                new: 0,
                duplicates: 50
            },
        ]
    );
    assert_eq!(store.audit_outbox_state().unwrap().sent_through, 250);
    assert_complete(&fleet.trail(&desk, "kiosk-1").await, 250, &times);
}

// ---- a device the fleet refuses -----------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disabled_or_revoked_device_stops_and_keeps_its_entries() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::start(format!(
        "sqlite://{}",
        dir.path().join("broker.db").display()
    ))
    .await;
    let credential = fleet.enroll("kiosk-1", "store-1").await;
    let store = Arc::new(Store::open(&dir.path().join("app.sqlite3")).unwrap());
    let sink = HttpSink::new(fleet.url(), credential);
    let mut uploader = uploader(&store, &sink);
    for n in 0..3 {
        store.audit(&entry(MORNING + n as i64, n)).unwrap();
    }
    drain(&mut uploader, MORNING).await;

    // Paused by the operator: stopped, tried again after an hour, and it
    // goes on once the device is enabled.
    fleet.store.disable("kiosk-1").await.unwrap();
    for n in 3..5 {
        store.audit(&entry(MORNING + n as i64, n)).unwrap();
    }
    assert_eq!(
        uploader.step(MORNING + 10).await,
        Next::Stopped(Duration::from_secs(3600))
    );
    assert_eq!(
        uploader.status().borrow().last_error_code.as_deref(),
        Some("BROKER_DEVICE_DISABLED")
    );
    fleet.store.enable("kiosk-1").await.unwrap();
    assert_eq!(uploader.step(MORNING + 3610).await, Next::UpToDate);

    fleet.store.revoke("kiosk-1").await.unwrap();
    for n in 5..9 {
        store.audit(&entry(MORNING + n as i64, n)).unwrap();
    }
    for hour in 1..=3 {
        assert_eq!(
            uploader.step(MORNING + hour * 3600 + 7200).await,
            Next::Stopped(Duration::from_secs(3600))
        );
    }
    let status = uploader.status().borrow().clone();
    assert_eq!(status.state, UploadState::Stopped);
    assert_eq!(
        status.last_error_code.as_deref(),
        Some("BROKER_DEVICE_REVOKED")
    );
    assert_eq!((status.pending, status.sent_through), (4, 5));
    assert_eq!(sink.acks().len(), 2, "no batch taken from a refused device");
    let device = fleet.store.device("kiosk-1").await.unwrap();
    let stored = fleet
        .store
        .list_audit(&broker_store::AuditFilter {
            device: Some(device.name),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(stored.entries.len(), 5);
}

// ---- a power cut while writing and sending ---------------------------------------

const POWER_CUT_DIR: &str = "FLEET_AUDIT_TEST_DIR";
const POWER_CUT_BROKER: &str = "FLEET_AUDIT_TEST_BROKER";
const POWER_CUT_CREDENTIAL: &str = "FLEET_AUDIT_TEST_CREDENTIAL";

/// The device of the power-cut test, in a process of its own: writes
/// entries and sends them until it is killed. Run only by that test.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the device process of a_power_cut_loses_nothing"]
async fn power_cut_device() {
    let (Ok(dir), Ok(base), Ok(credential)) = (
        std::env::var(POWER_CUT_DIR),
        std::env::var(POWER_CUT_BROKER),
        std::env::var(POWER_CUT_CREDENTIAL),
    ) else {
        panic!("run by a_power_cut_loses_nothing");
    };
    let store = Arc::new(Store::open(&Path::new(&dir).join("app.sqlite3")).unwrap());
    let sink = HttpSink::new(base, credential);
    let schedule = UploadSchedule {
        batch_entries: 7,
        ..UploadSchedule::default()
    };
    let mut uploader = AuditUploader::new(store.clone(), sink, schedule);
    for n in 0u64.. {
        store.audit(&entry(MORNING + n as i64, n)).unwrap();
        if n.is_multiple_of(5) {
            uploader.step(MORNING + n as i64).await;
        }
        println!("written {}", n + 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_power_cut_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = Fleet::start(format!(
        "sqlite://{}",
        dir.path().join("broker.db").display()
    ))
    .await;
    let credential = fleet.enroll("kiosk-1", "store-1").await;
    let desk = fleet.enroll("desk-1", "office").await;
    let device_dir = dir.path().join("device");
    let mut device = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "power_cut_device", "--ignored", "--nocapture"])
        .env(POWER_CUT_DIR, &device_dir)
        .env(POWER_CUT_BROKER, fleet.url())
        .env(POWER_CUT_CREDENTIAL, &credential)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Cut once it is well into writing and sending.
    let lines = BufReader::new(device.stdout.take().unwrap()).lines();
    let seen = tokio::task::spawn_blocking(move || {
        let mut written = 0u64;
        for line in lines {
            if let Some(n) = line.unwrap().strip_prefix("written ") {
                written = n.parse().unwrap();
                if written >= 400 {
                    break;
                }
            }
        }
        written
    });
    // A guard against a device that hangs, not a timing assertion.
    let seen = tokio::time::timeout(Duration::from_secs(300), seen).await;
    device.kill().unwrap();
    device.wait().unwrap();
    let seen = seen
        .expect("the device wrote nothing for 5 minutes")
        .unwrap();
    assert!(seen >= 400, "the device ended early after {seen} entries");

    let store = Arc::new(Store::open(&device_dir.join("app.sqlite3")).unwrap());
    let file = rusqlite::Connection::open(device_dir.join("app.sqlite3")).unwrap();
    let check: String = file
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    // The store leaves SQLite's default: every commit synced (FULL, 2), so
    // what survives this kill survives a power cut too.
    let synchronous: i64 = file
        .query_row("PRAGMA synchronous", [], |row| row.get(0))
        .unwrap();
    assert_eq!(synchronous, 2);
    let state = store.audit_outbox_state().unwrap();
    let written = state.sent_through + state.pending;
    assert!(written >= seen, "{written} entries kept of {seen} written");
    assert!(state.sent_through > 0, "nothing was sent before the cut");
    // The mark never runs ahead of the broker, and lags it by at most the
    // batch that was in flight (7 entries).
    let before = fleet.trail(&desk, "kiosk-1").await.len() as u64;
    assert!(
        before >= state.sent_through && before <= state.sent_through + 7,
        "the broker has {before} entries, the mark says {}",
        state.sent_through
    );
    let sink = HttpSink::new(fleet.url(), credential);
    let mut uploader = uploader(&store, &sink);
    drain(&mut uploader, MORNING + 100_000).await;
    let times: Vec<i64> = (0..written as i64).map(|n| MORNING + n).collect();
    assert_complete(&fleet.trail(&desk, "kiosk-1").await, written, &times);
}
