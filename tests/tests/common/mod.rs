//! What the enrollment tests share: the steps of an enrollment (from the
//! harness's `flow`, which the benchmarks use too), the simulator's faults,
//! and what the app must have kept afterwards — in the local database and in
//! the OS keychain.

#![allow(dead_code)]

pub mod updates;

use aeropay_onboarding_e2e::{App, Launch};
use onboarding_core::store::{EnrollmentRecord, EnrollmentStatus, Store};
use onboarding_core::vault::{OsKeychain, Secret, SecretKey, StoredToken, TokenScope, Vault};
// The steps of an enrollment, shared with the benchmarks.
pub use aeropay_onboarding_e2e::flow::*;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Settings that select Aeropay API v1 (and so the 1.x widget payload).
pub const API_V1_SETTINGS: &str = r#"{"apiVersion":"v1"}"#;

pub async fn launch_v1() -> App {
    App::launch_with(Launch {
        settings_json: Some(API_V1_SETTINGS.into()),
        ..Launch::default()
    })
    .await
}

/// Waits until only the app's main window is left (bank windows closed).
pub async fn wait_only_main_window(app: &App) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let windows = app.windows().await;
        if windows.len() == 1 {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} windows still open; only the main window should be",
            windows.len()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub fn data_dir(app: &App) -> PathBuf {
    app.home()
        .join(".local/share/app.aeropay-onboarding.desktop")
}

/// The admin token of the simulator the app runs in-process, from where the
/// app leaves it in its data folder.
#[allow(dead_code)]
pub fn simulator_admin_token(app: &App) -> String {
    let path = data_dir(app).join(aeropay_onboarding::backend::SIMULATOR_ADMIN_TOKEN_FILE);
    std::fs::read_to_string(&path)
        .unwrap_or_else(|err| panic!("{} not readable: {err}", path.display()))
}

/// Adds a fault to the app's own simulator (its origin is the widget's, so
/// the widget must be open).
pub async fn fault(app: &App, fault: serde_json::Value) {
    let src = app
        .execute("return document.querySelector('#widget-frame').src")
        .await;
    let origin = url::Url::parse(src.as_str().expect("the widget's address"))
        .expect("a URL")
        .origin()
        .ascii_serialization();
    let status = reqwest::Client::new()
        .post(format!("{origin}/__admin/faults"))
        .header(
            aeropay_simulator::ADMIN_TOKEN_HEADER,
            simulator_admin_token(app),
        )
        .json(&fault)
        .send()
        .await
        .expect("the simulator answers")
        .status();
    assert!(status.is_success(), "fault refused: {status}");
}

/// Waits until `done` says yes, checking every 100 ms; fails the test with
/// `what` after `timeout`.
pub async fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + timeout;
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The app's enrollment records, newest first.
pub fn enrollments(app: &App) -> Vec<EnrollmentRecord> {
    let path = data_dir(app).join("app.sqlite3");
    let store = Store::open(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    store
        .enrollments_between(0, i64::MAX)
        .expect("enrollments readable")
}

/// The token the app keeps in the OS keychain for `user_id`.
///
/// The Secret Service races when several clients open sessions at once, so
/// the tests of one binary read it one at a time, and a failed read is tried
/// again once before the test fails with the error.
pub async fn stored_token(user_id: &str) -> Option<StoredToken> {
    static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_AT_A_TIME.lock().await;
    let key = SecretKey::UserToken {
        environment: "simulator".into(),
        user_id: user_id.to_owned(),
    };
    let read = |key: SecretKey| async move {
        tokio::task::spawn_blocking(move || OsKeychain::new().get(&key))
            .await
            .expect("keychain read finished")
    };
    let secret = match read(key.clone()).await {
        Ok(secret) => secret,
        Err(first) => {
            eprintln!(
                "keychain read failed once ({}): {first}; trying again",
                first.code()
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
            read(key)
                .await
                .unwrap_or_else(|err| panic!("keychain read failed ({}): {err}", err.code()))
        }
    };
    match secret {
        Some(Secret::AeropayToken(token)) => Some(token),
        None => None,
        Some(_) => panic!("the user-token entry holds another kind of secret"),
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs() as i64
}

/// Every byte the app's database holds on disk (main file, WAL, journal).
pub fn database_bytes(app: &App) -> Vec<u8> {
    let dir = data_dir(app);
    let mut bytes = Vec::new();
    for name in [
        "app.sqlite3",
        "app.sqlite3-wal",
        "app.sqlite3-shm",
        "app.sqlite3-journal",
    ] {
        if let Ok(content) = std::fs::read(dir.join(name)) {
            bytes.extend(content);
        }
    }
    assert!(!bytes.is_empty(), "no database under {}", dir.display());
    bytes
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|window| window == needle.as_bytes())
}

/// After a link: the newest record says linked to `bank` for this
/// customer, the keychain holds a live token for the record's user, and the
/// database file holds neither the phone number, nor the e-mail, nor the
/// token. Returns the record.
pub async fn check_kept_securely(app: &App, customer: &Customer, bank: Bank) -> EnrollmentRecord {
    let records = enrollments(app);
    // Records started in the same second tie on time: pick by account.
    let record = records
        .iter()
        .filter(|r| r.account_last4.as_deref() == Some(bank.checking_last4()))
        .max_by_key(|r| (r.started_at, r.updated_at))
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no enrollment record for {} •••• {}: {records:?}",
                bank.linked_name(),
                bank.checking_last4()
            )
        });
    assert_eq!(record.status, EnrollmentStatus::Linked, "{record:?}");
    assert_eq!(record.environment, "simulator");
    assert_eq!(record.first_name, customer.first_name);
    assert_eq!(record.last_initial, &customer.last_name[..1]);
    let digits = customer.phone_digits();
    assert!(
        record.phone_masked.ends_with(&digits[8..]),
        "masked phone {:?} should end with {}",
        record.phone_masked,
        &digits[8..]
    );
    assert!(
        !record.phone_masked.contains(&digits[..8]),
        "{:?}",
        record.phone_masked
    );
    assert_eq!(record.bank_name.as_deref(), Some(bank.linked_name()));
    assert_eq!(record.account_last4.as_deref(), Some(bank.checking_last4()));
    assert_eq!(record.account_type.as_deref(), Some("checking"));
    assert_eq!(record.error_code, None);
    let user_id = record
        .user_id
        .clone()
        .expect("a linked record names its user");
    assert!(!user_id.is_empty());

    let token = stored_token(&user_id)
        .await
        .unwrap_or_else(|| panic!("no token in the keychain for user {user_id}"));
    assert_eq!(token.user_id.as_deref(), Some(user_id.as_str()));
    assert_eq!(token.scope, TokenScope::UserForMerchant);
    assert!(
        token.expires_at > unix_now(),
        "the kept token expired at {}",
        token.expires_at
    );
    let token_text = token.token.expose().to_owned();
    assert!(
        token_text.len() >= 16,
        "a real token: {} chars",
        token_text.len()
    );

    let bytes = database_bytes(app);
    // The file is really read: what must be there is there.
    assert!(contains(&bytes, &user_id), "user id not found on disk");
    assert!(
        contains(&bytes, customer.first_name),
        "first name not found on disk"
    );
    assert!(
        !contains(&bytes, &digits),
        "the phone number's digits are in the database file"
    );
    assert!(
        !contains(&bytes, &customer.phone),
        "the phone number as typed is in the database file"
    );
    assert!(
        !contains(&bytes, &customer.email),
        "the e-mail is in the database file"
    );
    assert!(
        !contains(&bytes, &token_text),
        "the customer's token is in the database file"
    );
    record
}

/// Records every `#screen-title` the page shows from now on (the page is
/// never reloaded, so the recorder lives as long as the app).
pub async fn record_titles(app: &App) {
    app.execute(
        r#"
        window.__titlesSeen = [];
        const screen = document.getElementById("screen");
        const note = () => {
          const title = document.getElementById("screen-title");
          if (title) window.__titlesSeen.push(title.textContent);
        };
        new MutationObserver(note).observe(screen, { childList: true, subtree: true, characterData: true });
        note();
        return true;
        "#,
    )
    .await;
}

pub async fn titles_seen(app: &App) -> Vec<String> {
    let value = app.execute("return window.__titlesSeen || null;").await;
    serde_json::from_value(value).expect("the title recorder is installed")
}

/// Records, in the app page, every message the widget iframe posts.
pub async fn record_widget_messages(app: &App) {
    app.execute(
        r#"
        window.__widgetMessages = [];
        window.addEventListener("message", (event) => {
          const frame = document.getElementById("widget-frame");
          if (!frame || event.source !== frame.contentWindow) return;
          window.__widgetMessages.push({
            origin: event.origin,
            data: typeof event.data === "string" ? event.data : JSON.stringify(event.data),
          });
        });
        return true;
        "#,
    )
    .await;
}

/// The widget's messages recorded so far, parsed, with the origin they came
/// from; empties the record.
pub async fn take_widget_messages(app: &App) -> Vec<(String, serde_json::Value)> {
    let value = app
        .execute(
            "const m = window.__widgetMessages || null; window.__widgetMessages = []; return m;",
        )
        .await;
    let raw: Vec<serde_json::Value> =
        serde_json::from_value(value).expect("the message recorder is installed");
    raw.into_iter()
        .map(|entry| {
            let origin = entry["origin"].as_str().expect("origin").to_owned();
            let data = entry["data"].as_str().expect("data");
            let parsed = serde_json::from_str(data)
                .unwrap_or_else(|_| panic!("the widget posted a message that is not JSON: {data}"));
            (origin, parsed)
        })
        .collect()
}

/// A kiosk with long idle timers: nothing resets while a test works.
pub fn quiet_kiosk() -> Launch {
    Launch {
        settings_json: Some(
            r#"{"kiosk": {"idleSeconds": 600, "warningSeconds": 30, "widgetIdleSeconds": 600}}"#
                .into(),
        ),
        args: vec!["--mode".into(), "kiosk".into()],
        ..Default::default()
    }
}
