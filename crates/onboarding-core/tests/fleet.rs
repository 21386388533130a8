//! Fleet mode: the enrollment state machine with its merchant calls going
//! to a real broker on 127.0.0.1 (SQLite on disk), the simulator as
//! Aeropay, and a device client that holds no API key.

use aeropay_client::{AeropayClient, ClientConfig};
use aeropay_onboarding_broker::{testing, RunningBroker};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig, ADMIN_TOKEN_HEADER};
use aerosync::WidgetOptions;
use fleet_client::{BrokerClient, BrokerConfig, DeviceCredential, RetryPolicy};
use onboarding_core::config::{Environment, Mode};
use onboarding_core::enrollment::{
    CustomerDetails, EnrollmentDeps, EnrollmentView, Enrollments, FleetMerchant, NoApiKey, Step,
};
use onboarding_core::store::{PhoneHasher, Store};
use onboarding_core::vault::{MemoryVault, Secret, SecretKey, Vault};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::AsyncReadExt;

struct Fleet {
    sim: RunningSimulator,
    store: broker_store::Store,
    database_url: String,
    broker: Option<RunningBroker>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

async fn serve(database_url: &str, sim: &RunningSimulator, listen: &str) -> RunningBroker {
    let config = testing::config(database_url, sim, &[("BROKER_LISTEN", listen.to_owned())]);
    testing::start(config, sim).await
}

impl Fleet {
    async fn start() -> Fleet {
        let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let database_url = format!("sqlite://{}", dir.path().join("broker.db").display());
        let broker = serve(&database_url, &sim, "127.0.0.1:0").await;
        let store = broker_store::Store::open(&database_url).await.unwrap();
        Fleet {
            sim,
            store,
            database_url,
            broker: Some(broker),
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    fn broker_addr(&self) -> SocketAddr {
        self.broker.as_ref().unwrap().addr()
    }

    /// `device add`, then the device redeems its code.
    async fn device(&self, name: &str) -> DeviceCredential {
        let (_, code) = self.store.add_device(name, "store-1").await.unwrap();
        let url = format!("http://{}", self.broker_addr());
        BrokerClient::new(config(&url), None)
            .unwrap()
            .enroll(&code.reveal().into())
            .await
            .unwrap()
            .credential
    }

    async fn otp(&self, user_id: &str) -> String {
        let body: Value = self
            .http
            .get(format!(
                "{}/__admin/otp?userId={user_id}",
                self.sim.base_url()
            ))
            .header(ADMIN_TOKEN_HEADER, self.sim.admin_token())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["code"].as_str().expect("an OTP was sent").to_owned()
    }

    /// Signs in at Aerobank in the widget and picks `account`; the
    /// messages the widget posts to the page.
    async fn complete_widget(&self, view: &EnrollmentView, account: &str) -> (String, Vec<String>) {
        let Step::Linking {
            widget_url,
            widget_origin,
            ..
        } = &view.step
        else {
            panic!("the widget is not open: {view:?}")
        };
        let url = url::Url::parse(widget_url.expose()).unwrap();
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        let token = param("token").unwrap();
        let api = format!("{}/aerosync/api", self.sim.base_url());
        let post = |path: &str, body: Value| {
            self.http
                .post(format!("{api}{path}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
        };
        let step: Value = post(
            "/login",
            json!({"bankId": "aerobank", "username": "sync", "password": "no_mfa"}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let done: Value = post(
            "/complete",
            json!({"loginId": step["loginId"], "accountIds": [account], "version": param("version")}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        let messages = done["messages"]
            .as_array()
            .unwrap_or_else(|| panic!("{done}"))
            .iter()
            .map(Value::to_string)
            .collect();
        (widget_origin.clone(), messages)
    }
}

fn config(url: &str) -> BrokerConfig {
    let mut config = BrokerConfig::new(url.parse().unwrap());
    config.retry = RetryPolicy {
        attempts: 8,
        first_backoff: Duration::from_millis(100),
        max_backoff: Duration::from_millis(800),
    };
    config
}

/// One device's app: its client without an API key, its store and keychain.
struct Device {
    enrollments: Enrollments,
    client: Arc<AeropayClient>,
    store: Arc<Store>,
    vault: Arc<MemoryVault>,
}

fn device(
    fleet: &Fleet,
    broker_url: &str,
    credential: DeviceCredential,
    mode: Mode,
    local: Option<(&Arc<Store>, &Arc<MemoryVault>)>,
) -> Device {
    let client = Arc::new(
        AeropayClient::new(
            ClientConfig::with_base_url(fleet.sim.base_url().parse().unwrap(), Default::default()),
            Arc::new(NoApiKey),
        )
        .unwrap(),
    );
    let broker = BrokerClient::new(config(broker_url), Some(credential)).unwrap();
    let (store, vault) = match local {
        Some((store, vault)) => (store.clone(), vault.clone()),
        None => (
            Arc::new(Store::in_memory().unwrap()),
            Arc::new(MemoryVault::new()),
        ),
    };
    let enrollments = Enrollments::new(
        EnrollmentDeps {
            client: client.clone(),
            merchant: Arc::new(FleetMerchant {
                broker,
                client: client.clone(),
            }),
            store: store.clone(),
            vault: vault.clone(),
            phone_hasher: Arc::new(PhoneHasher::new(b"test-key")),
            environment: Environment::Custom {
                base_url: fleet.sim.base_url().parse().unwrap(),
            },
            widget: WidgetOptions::default(),
            mode,
            staff: None,
        },
        None,
    );
    Device {
        enrollments,
        client,
        store,
        vault,
    }
}

fn phone() -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed) + (std::process::id() % 500) * 20;
    format!("(415) 555-{:04}", 1000 + n % 9000)
}

fn details(phone: &str) -> CustomerDetails {
    CustomerDetails {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phone: phone.into(),
        email: "ada@example.com".into(),
    }
}

fn user_id_of(device: &Device, view: &EnrollmentView) -> String {
    device
        .store
        .enrollment(view.id.as_deref().unwrap())
        .unwrap()
        .unwrap()
        .user_id
        .expect("user id recorded")
}

async fn to_done(fleet: &Fleet, device: &Device, phone: &str) -> EnrollmentView {
    let view = device.enrollments.submit_details(details(phone)).await;
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
    let code = fleet.otp(&user_id_of(device, &view)).await;
    let view = device.enrollments.submit_code(&code).await;
    let (origin, messages) = fleet.complete_widget(&view, "6789").await;
    let mut last = None;
    for raw in &messages {
        last = Some(
            device
                .enrollments
                .widget_message(&origin, raw)
                .await
                .unwrap()
                .view,
        );
    }
    let view = last.unwrap();
    assert!(matches!(view.step, Step::Done { .. }), "{view:?}");
    view
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kiosk_enrolls_through_the_broker_and_never_mints_a_token_itself() {
    let fleet = Fleet::start().await;
    let url = format!("http://{}", fleet.broker_addr());
    let kiosk = device(
        &fleet,
        &url,
        fleet.device("kiosk-1").await,
        Mode::Kiosk,
        None,
    );
    let view = to_done(&fleet, &kiosk, &phone()).await;

    let user_id = user_id_of(&kiosk, &view);
    let counts = fleet.sim.counts();
    assert_eq!(counts.users_created, 1);
    assert_eq!(counts.merchant_mints, 1, "the broker's one merchant token");
    let mints = kiosk.client.mint_counts();
    assert_eq!(
        (mints.merchant, mints.user_for_merchant, mints.failed),
        (0, 0, 0),
        "the device minted nothing: {mints:?}"
    );
    // The customer's token is kept, as without a broker; nothing else.
    let kept = kiosk
        .vault
        .get(&SecretKey::UserToken {
            environment: Environment::Custom {
                base_url: fleet.sim.base_url().parse().unwrap(),
            }
            .id(),
            user_id,
        })
        .unwrap();
    assert!(matches!(kept, Some(Secret::AeropayToken(_))), "{kept:?}");
}

/// A front for the broker: passes requests on, but holds back the answer
/// to the first one, tells the test, and cuts that connection when told.
async fn holding_first_answer(
    broker: SocketAddr,
) -> (
    String,
    tokio::sync::oneshot::Receiver<()>,
    Arc<tokio::sync::Notify>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (held_tx, held_rx) = tokio::sync::oneshot::channel();
    let cut = Arc::new(tokio::sync::Notify::new());
    let cut_signal = cut.clone();
    tokio::spawn(async move {
        let mut held = Some(held_tx);
        while let Ok((mut device, _)) = listener.accept().await {
            let Ok(mut upstream) = tokio::net::TcpStream::connect(broker).await else {
                continue; // the broker is restarting: the device sees a cut
            };
            match held.take() {
                Some(held) => {
                    let cut = cut_signal.clone();
                    tokio::spawn(async move {
                        let (mut from_device, _to_device) = device.split();
                        let (mut from_broker, mut to_broker) = upstream.split();
                        let forward = tokio::io::copy(&mut from_device, &mut to_broker);
                        let mut first = [0u8; 1];
                        tokio::select! {
                            _ = forward => {}
                            _ = from_broker.read_exact(&mut first) => {}
                        }
                        let _ = held.send(());
                        cut.notified().await;
                    });
                }
                None => {
                    tokio::spawn(async move {
                        let _ = tokio::io::copy_bidirectional(&mut device, &mut upstream).await;
                    });
                }
            }
        }
    });
    (format!("http://{addr}"), held_rx, cut)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restarted_before_its_answer_arrived_creates_no_second_user() {
    let mut fleet = Fleet::start().await;
    let credential = fleet.device("kiosk-1").await;
    let addr = fleet.broker_addr();
    let (front, held, cut) = holding_first_answer(addr).await;
    let kiosk = Arc::new(device(&fleet, &front, credential, Mode::Kiosk, None));
    let phone = phone();

    let submitting = {
        let kiosk = kiosk.clone();
        let phone = phone.clone();
        tokio::spawn(async move { kiosk.enrollments.submit_details(details(&phone)).await })
    };
    // POST /v1/users was handled (Aeropay called, the answer kept), and its
    // answer is on its way: the broker stops, a new one starts on the same
    // database and address, then the device's connection is cut.
    held.await.unwrap();
    assert_eq!(fleet.sim.counts().create_user_calls, 1);
    fleet.broker.take().unwrap().shutdown(Duration::ZERO).await;
    fleet.broker = Some(serve(&fleet.database_url, &fleet.sim, &addr.to_string()).await);
    cut.notify_one();

    let view = submitting.await.unwrap();
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
    let counts = fleet.sim.counts();
    assert_eq!(counts.users_created, 1, "one user");
    assert_eq!(
        counts.create_user_calls, 1,
        "the repeat got the kept answer: no second POST /user, no second code"
    );
    // The enrollment goes on through the new broker.
    let code = fleet.otp(&user_id_of(&kiosk, &view)).await;
    let view = kiosk.enrollments.submit_code(&code).await;
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
}

fn details_error(view: &EnrollmentView) -> (String, String) {
    match &view.step {
        Step::Details {
            error: Some(error), ..
        } => (error.code.clone(), error.message.clone()),
        other => panic!("expected the details screen with an error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_or_removed_device_says_so_and_its_customer_can_go_on_once_enabled() {
    let fleet = Fleet::start().await;
    let url = format!("http://{}", fleet.broker_addr());
    let kiosk = device(
        &fleet,
        &url,
        fleet.device("kiosk-1").await,
        Mode::Kiosk,
        None,
    );
    let phone = phone();

    fleet.store.disable("kiosk-1").await.unwrap();
    let view = kiosk.enrollments.submit_details(details(&phone)).await;
    let (code, message) = details_error(&view);
    assert_eq!(code, "BROKER_DEVICE_DISABLED");
    assert_eq!(
        message,
        "This device is paused by the fleet's operator. Ask your manager to enable it again."
    );
    let first_id = view.id.clone();
    assert_eq!(fleet.sim.counts().create_user_calls, 0);

    // Enabled again: the same enrollment goes on from the same details.
    fleet.store.enable("kiosk-1").await.unwrap();
    let view = kiosk.enrollments.submit_details(details(&phone)).await;
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
    assert_eq!(view.id, first_id, "the same enrollment");

    fleet.store.revoke("kiosk-1").await.unwrap();
    kiosk.enrollments.start_over().await;
    let view = kiosk.enrollments.submit_details(details(&phone)).await;
    let (code, message) = details_error(&view);
    assert_eq!(code, "BROKER_DEVICE_REVOKED");
    assert_eq!(
        message,
        "This device has been removed from the fleet. Ask your manager to enroll it again."
    );

    // A desk says the same.
    let desk = device(&fleet, &url, fleet.device("desk-1").await, Mode::Desk, None);
    fleet.store.revoke("desk-1").await.unwrap();
    let view = desk.enrollments.submit_details(details(&phone)).await;
    assert_eq!(details_error(&view).0, "BROKER_DEVICE_REVOKED");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_known_customer_not_confirmed_on_this_desk_gets_a_code_not_a_dead_end() {
    let fleet = Fleet::start().await;
    let url = format!("http://{}", fleet.broker_addr());
    let first = device(&fleet, &url, fleet.device("desk-1").await, Mode::Desk, None);
    let phone = phone();
    to_done(&fleet, &first, &phone).await;

    // Another desk credential on the same machine's store: the customer is
    // known and confirmed here, but not through this device at the broker.
    let desk = device(
        &fleet,
        &url,
        fleet.device("desk-2").await,
        Mode::Desk,
        Some((&first.store, &first.vault)),
    );
    let view = desk.enrollments.submit_details(details(&phone)).await;
    assert!(matches!(view.step, Step::IdCheck { .. }), "{view:?}");
    let view = desk.enrollments.confirm_id_checked(true).await.unwrap();
    assert!(
        matches!(view.step, Step::Code { .. }),
        "a code instead of a dead end: {view:?}"
    );
    let code = fleet.otp(&user_id_of(&desk, &view)).await;
    let view = desk.enrollments.submit_code(&code).await;
    assert!(
        matches!(view.step, Step::ExistingAccounts { .. }),
        "{view:?}"
    );
}
