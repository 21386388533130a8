//! The device's client against a real broker on 127.0.0.1 (SQLite on disk,
//! the simulator as Aeropay), and against servers that are not one.

use aeropay_client::secret::SecretString;
use aeropay_onboarding_broker::config::Limits;
use aeropay_onboarding_broker::{testing, RunningBroker};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use broker_store::Store;
use fleet_client::wire::{AuditEntry, NewUser};
use fleet_client::{AuditFilter, BrokerClient, BrokerConfig, IdempotencyKey, RetryPolicy};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use url::Url;

struct Fleet {
    sim: RunningSimulator,
    store: Store,
    broker: RunningBroker,
    _dir: tempfile::TempDir,
}

async fn fleet() -> Fleet {
    let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("broker.db").display());
    let mut config = testing::config(&url, &sim, &[]);
    config.limits = Limits::default();
    config.audit_reader_groups = vec!["office".into()];
    let store = Store::open(&url).await.unwrap();
    let broker = testing::start(config, &sim).await;
    Fleet {
        sim,
        store,
        broker,
        _dir: dir,
    }
}

fn config(url: &str) -> BrokerConfig {
    let mut config = BrokerConfig::new(Url::parse(url).unwrap());
    config.retry = RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(200),
    };
    config
}

impl Fleet {
    fn client(&self) -> BrokerClient {
        BrokerClient::new(config(&self.broker.url()), None).unwrap()
    }

    async fn enrolled(&self, name: &str) -> BrokerClient {
        self.enrolled_in(name, "store-1").await
    }

    async fn enrolled_in(&self, name: &str, group: &str) -> BrokerClient {
        let (_, code) = self.store.add_device(name, group).await.unwrap();
        let client = self.client();
        let enrolled = client.enroll(&code.reveal().into()).await.unwrap();
        assert_eq!(enrolled.name, name);
        client.with_credential(enrolled.credential)
    }
}

fn customer() -> NewUser {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    NewUser {
        first_name: "Ana".into(),
        last_name: "Lopez".into(),
        phone_number: format!(
            "+1415{:07}",
            4_000_000 + n + std::process::id() % 1000 * 100
        ),
        email: "ana@example.com".into(),
    }
}

fn key(text: &str) -> IdempotencyKey {
    IdempotencyKey::new(text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_learns_who_it_is_and_which_aeropay_the_broker_uses() {
    let f = fleet().await;
    let kiosk = f.enrolled("store-1-kiosk-1").await;
    let me = kiosk.device().await.unwrap();
    assert_eq!(me.name, "store-1-kiosk-1");
    assert_eq!(me.group, "store-1");
    assert_eq!(me.device_id, kiosk.credential().unwrap().device_id);
    assert_eq!(
        me.aeropay.base_url.as_str().trim_end_matches('/'),
        f.sim.base_url().trim_end_matches('/')
    );
    assert_eq!(me.aeropay.api_version, aeropay_client::ApiVersion::V2);

    // Without a credential the call is not even sent.
    let err = f.client().device().await.unwrap_err();
    assert_eq!(err.code(), "BROKER_DEVICE_CREDENTIAL_MISSING");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_enrolls_a_customer_and_gets_their_token() {
    let f = fleet().await;
    let kiosk = f.enrolled("store-1-kiosk-1").await;
    let created = kiosk
        .create_user(&customer(), &key("e1:create"))
        .await
        .unwrap();
    assert_eq!(created.mfa_type.as_deref(), Some("sms"));
    let user_id = created.user.id.clone();

    let early = kiosk.user_token(&user_id).await.unwrap_err();
    assert_eq!(early.code(), fleet_client::USER_NOT_VERIFIED_HERE);
    assert!(!early.is_device_refused());

    let wrong = kiosk
        .confirm_user(&user_id, "123456", &key("e1:confirm:1"))
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "AP111");
    let confirmed = kiosk
        .confirm_user(&user_id, "000000", &key("e1:confirm:2"))
        .await
        .unwrap();
    assert_eq!(confirmed.user.id, user_id);
    assert_eq!(confirmed.user.user_status.as_deref(), Some("Active"));

    let token = kiosk.user_token(&user_id).await.unwrap();
    assert_eq!(token.scope, "userForMerchant");
    assert_eq!(token.user_id, user_id);
    assert!(token.expires_at > time::OffsetDateTime::now_utc().unix_timestamp());

    // The same key again: the kept answer, Aeropay not called again.
    let calls = f.sim.counts().create_user_calls;
    let again = kiosk.create_user(&customer(), &key("e1:create")).await;
    assert_eq!(
        again.unwrap_err().code(),
        "BROKER_IDEMPOTENCY_KEY_REUSED",
        "another customer under the same key"
    );
    assert_eq!(f.sim.counts().create_user_calls, calls);
    assert_eq!(f.sim.counts().merchant_mints, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_and_devices_the_broker_refuses_say_why() {
    let f = fleet().await;
    let (_, code) = f.store.add_device("kiosk-1", "store-1").await.unwrap();
    let code: SecretString = code.reveal().into();
    let first = f.client().enroll(&code).await.unwrap();
    let used = f.client().enroll(&code).await.unwrap_err();
    assert_eq!(used.code(), "BROKER_ENROLLMENT_CODE_USED");
    assert!(used.to_string().contains("already used"), "{used}");
    let typo = f.client().enroll(&"not-a-code".into()).await.unwrap_err();
    assert_eq!(typo.code(), "BROKER_ENROLLMENT_CODE_INVALID");

    let kiosk = f.client().with_credential(first.credential.clone());
    f.store.disable("kiosk-1").await.unwrap();
    let paused = kiosk.device().await.unwrap_err();
    assert_eq!(paused.code(), fleet_client::DEVICE_DISABLED);
    assert!(paused.is_device_refused());
    f.store.enable("kiosk-1").await.unwrap();
    kiosk.device().await.unwrap();

    f.store.revoke("kiosk-1").await.unwrap();
    let revoked = kiosk
        .create_user(&customer(), &key("r1:create"))
        .await
        .unwrap_err();
    assert_eq!(revoked.code(), fleet_client::DEVICE_REVOKED);
    assert_eq!(revoked.status(), Some(403));
    assert_eq!(
        revoked.to_string(),
        "This device has been removed from the fleet. Ask your manager to enroll it again."
    );
    assert!(revoked.is_device_refused());

    // A wrong secret for a known id.
    let (_, code2) = f.store.add_device("kiosk-2", "store-1").await.unwrap();
    let second = f.client().enroll(&code2.reveal().into()).await.unwrap();
    let forged = fleet_client::DeviceCredential::new(second.credential.device_id, "forged".into());
    let refused = f
        .client()
        .with_credential(forged)
        .device()
        .await
        .unwrap_err();
    assert_eq!(refused.status(), Some(401));
    assert!(refused.is_device_refused());

    // Nothing printed of an error or a client shows the secret.
    let secret = second.credential.secret.expose().to_owned();
    let client = f.client().with_credential(second.credential);
    let shown = format!("{refused} {refused:?} {client:?} {used:?}");
    assert!(!shown.contains(&secret), "{shown}");
    assert!(!shown.contains(code.expose()), "{shown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_batches_sent_twice_add_nothing() {
    let f = fleet().await;
    let kiosk = f.enrolled("kiosk-1").await;
    let entries = vec![AuditEntry {
        id: uuid::Uuid::new_v4(),
        seq: 1,
        at: time::OffsetDateTime::now_utc(),
        kind: "enrollment_started".into(),
        detail: serde_json::json!({"mode": "kiosk"}),
    }];
    let first = kiosk.upload_audit(&entries).await.unwrap();
    assert_eq!((first.new, first.duplicates), (1, 0));
    let again = kiosk.upload_audit(&entries).await.unwrap();
    assert_eq!((again.new, again.duplicates), (0, 1));
}

fn entries(seqs: std::ops::RangeInclusive<u64>, kind: &str) -> Vec<AuditEntry> {
    seqs.map(|seq| AuditEntry {
        id: uuid::Uuid::new_v4(),
        seq,
        at: time::OffsetDateTime::now_utc(),
        kind: kind.into(),
        detail: serde_json::json!({"mode": "kiosk", "correlation_id": format!("e-{seq}")}),
    })
    .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_desk_pages_through_the_fleets_trail_and_others_are_refused() {
    let f = fleet().await;
    let kiosk_1 = f.enrolled_in("kiosk-1", "store-1").await;
    let kiosk_2 = f.enrolled_in("kiosk-2", "store-2").await;
    let desk = f.enrolled_in("desk-1", "office").await;
    kiosk_1
        .upload_audit(&entries(1..=3, "code_sent"))
        .await
        .unwrap();
    kiosk_2
        .upload_audit(&entries(1..=2, "link_succeeded"))
        .await
        .unwrap();

    // Every entry once, page by page, by device then seq.
    let mut filter = AuditFilter {
        limit: 2,
        ..AuditFilter::default()
    };
    let mut read = Vec::new();
    let mut pages = 0;
    loop {
        let page = desk.audit(&filter).await.unwrap();
        pages += 1;
        assert!(page.entries.len() <= 2);
        read.extend(page.entries);
        match page.next {
            Some(next) => filter.after = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    let mut seen: Vec<(String, String, u64)> = read
        .iter()
        .map(|e| (e.device.clone(), e.group.clone(), e.seq))
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("kiosk-1".into(), "store-1".into(), 1),
            ("kiosk-1".into(), "store-1".into(), 2),
            ("kiosk-1".into(), "store-1".into(), 3),
            ("kiosk-2".into(), "store-2".into(), 1),
            ("kiosk-2".into(), "store-2".into(), 2),
        ]
    );
    assert_eq!(read[0].detail["correlation_id"], "e-1");

    // Filters by group and by device name.
    let by_group = desk
        .audit(&AuditFilter {
            group: Some("store-2".into()),
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(by_group.entries.len(), 2);
    assert!(by_group.entries.iter().all(|e| e.device == "kiosk-2"));
    assert_eq!(by_group.next, None);
    let by_device = desk
        .audit(&AuditFilter {
            device: Some("kiosk-1".into()),
            limit: 1000,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    let seqs: Vec<u64> = by_device.entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);

    // A device outside the reader groups: the broker's code and message.
    let refused = kiosk_1.audit(&AuditFilter::default()).await.unwrap_err();
    assert_eq!(refused.code(), fleet_client::AUDIT_FORBIDDEN);
    assert_eq!(refused.status(), Some(403));
    assert_eq!(refused.to_string(), fleet_client::messages::AUDIT_FORBIDDEN);
    assert!(!refused.is_device_refused());
    assert!(!refused.retryable());
}

/// A server that answers every request with `answer`, as raw HTTP.
async fn serve_raw(answer: &'static [u8]) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 64 * 1024];
            let _ = socket.read(&mut buf).await;
            let _ = socket.write_all(answer).await;
            let _ = socket.shutdown().await;
        }
    });
    format!("http://{addr}")
}

fn credential() -> fleet_client::DeviceCredential {
    fleet_client::DeviceCredential::new(uuid::Uuid::new_v4(), "device-secret-value".into())
}

#[tokio::test]
async fn a_server_that_is_not_the_broker_is_named_as_such() {
    let html = serve_raw(
        b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 20\r\nconnection: close\r\n\r\n<html>proxy!</html>\n",
    )
    .await;
    let client = BrokerClient::new(config(&html), Some(credential())).unwrap();
    let err = client.device().await.unwrap_err();
    assert_eq!(err.code(), "BROKER_UNEXPECTED_ANSWER");
    assert!(!format!("{err} {err:?}").contains("device-secret-value"));

    let garbage =
        serve_raw(b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nnot json!")
            .await;
    let client = BrokerClient::new(config(&garbage), Some(credential())).unwrap();
    assert_eq!(
        client.device().await.unwrap_err().code(),
        "BROKER_UNEXPECTED_ANSWER"
    );

    // An answer far larger than any of the broker's is not read to its end.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = vec![0u8; 64 * 1024];
            let _ = socket.read(&mut buf).await;
            let head = "HTTP/1.1 200 OK\r\ncontent-length: 8388608\r\n\r\n";
            let _ = socket.write_all(head.as_bytes()).await;
            let chunk = vec![b' '; 64 * 1024];
            for _ in 0..128 {
                if socket.write_all(&chunk).await.is_err() {
                    break;
                }
            }
        }
    });
    let client = BrokerClient::new(config(&format!("http://{addr}")), Some(credential())).unwrap();
    assert_eq!(
        client.device().await.unwrap_err().code(),
        "BROKER_UNEXPECTED_ANSWER"
    );
}

#[tokio::test]
async fn a_broker_that_does_not_answer_is_unreachable() {
    // A port that was free a moment ago, now closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let client = BrokerClient::new(
        config(&format!("http://127.0.0.1:{port}")),
        Some(credential()),
    )
    .unwrap();
    let err = client.device().await.unwrap_err();
    assert_eq!(err.code(), "BROKER_UNREACHABLE");
    assert!(err.retryable());
    assert!(
        err.to_string().contains(&format!("127.0.0.1:{port}")),
        "{err}"
    );
    let enroll = BrokerClient::new(config(&format!("http://127.0.0.1:{port}")), None)
        .unwrap()
        .enroll(&"the-code".into())
        .await
        .unwrap_err();
    assert_eq!(enroll.code(), "BROKER_UNREACHABLE");
    assert!(!format!("{enroll:?}").contains("the-code"));
}

/// A front for the broker that lets the first request through, waits for
/// the broker's answer, and cuts the connection instead of passing it on:
/// an answer lost on the way back. Later connections pass both ways.
async fn losing_first_answer(broker: std::net::SocketAddr) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut first = true;
        while let Ok((mut device, _)) = listener.accept().await {
            let mut upstream = tokio::net::TcpStream::connect(broker).await.unwrap();
            if std::mem::take(&mut first) {
                tokio::spawn(async move {
                    let (mut from_device, _to_device) = device.split();
                    let (mut from_broker, mut to_broker) = upstream.split();
                    let forward = tokio::io::copy(&mut from_device, &mut to_broker);
                    let mut answer = [0u8; 1];
                    tokio::select! {
                        _ = forward => {}
                        _ = from_broker.read_exact(&mut answer) => {}
                    }
                    // Both dropped: the device sees the connection cut.
                });
            } else {
                tokio::spawn(async move {
                    let _ = tokio::io::copy_bidirectional(&mut device, &mut upstream).await;
                });
            }
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_asked_again_and_the_kept_one_comes_back() {
    let f = fleet().await;
    let enrolled = f.enrolled("kiosk-1").await;
    let credential = enrolled.credential().unwrap().clone();

    // Without repeats the device is left without an answer…
    let front = losing_first_answer(f.broker.addr()).await;
    let mut once = config(&front);
    once.retry.attempts = 1;
    let kiosk = BrokerClient::new(once, Some(credential.clone())).unwrap();
    let lost = kiosk
        .create_user(&customer(), &key("lost-1"))
        .await
        .unwrap_err();
    assert_eq!(lost.code(), "BROKER_UNREACHABLE");
    assert_eq!(f.sim.counts().users_created, 1);

    // …with them, the same request comes back with the broker's kept
    // answer: Aeropay created one user and was called once.
    let front = losing_first_answer(f.broker.addr()).await;
    let kiosk = BrokerClient::new(config(&front), Some(credential)).unwrap();
    let customer = customer();
    let created = kiosk.create_user(&customer, &key("lost-2")).await.unwrap();
    let counts = f.sim.counts();
    assert_eq!(
        counts.users_created, 2,
        "one more user, for one more customer"
    );
    assert_eq!(
        counts.create_user_calls, 2,
        "the repeat did not reach Aeropay"
    );
    let again = kiosk.create_user(&customer, &key("lost-2")).await.unwrap();
    assert_eq!(again, created);
}
