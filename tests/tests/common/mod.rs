//! Steps shared by the enrollment tests: a customer's details and code, the
//! clicks for each test bank in the simulated widget (OAuth banks through
//! their own window), and what the app must have kept afterwards — in the
//! local database and in the OS keychain.

#![allow(dead_code)]

pub mod updates;

use aeropay_onboarding::store::{EnrollmentRecord, EnrollmentStatus, Store};
use aeropay_onboarding::vault::{OsKeychain, Secret, SecretKey, StoredToken, TokenScope, Vault};
use aeropay_onboarding_e2e::{App, Launch};
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Settings that select Aeropay API v1 (and so the 1.x widget payload).
pub const API_V1_SETTINGS: &str = r#"{"apiVersion":"v1"}"#;

/// The sandbox's bypass code: confirms any customer.
pub const BYPASS_CODE: &str = "000000";

pub async fn launch_v1() -> App {
    App::launch_with(Launch {
        settings_json: Some(API_V1_SETTINGS.into()),
        ..Launch::default()
    })
    .await
}

/// A customer as typed on the details screen.
#[derive(Debug, Clone)]
pub struct Customer {
    pub first_name: &'static str,
    pub last_name: &'static str,
    /// As typed: `(415) 555-01NN`.
    pub phone: String,
    pub email: String,
}

impl Customer {
    /// A customer with the phone number `(415) 555-01NN`.
    pub fn new(first_name: &'static str, last_name: &'static str, nn: u8) -> Self {
        assert!(nn < 100, "two digits");
        Self {
            first_name,
            last_name,
            phone: format!("(415) 555-01{nn:02}"),
            email: format!(
                "{}.{}.{nn}@example.com",
                first_name.to_lowercase(),
                last_name.to_lowercase()
            ),
        }
    }

    /// The ten digits of the phone number.
    pub fn phone_digits(&self) -> String {
        self.phone.chars().filter(char::is_ascii_digit).collect()
    }
}

/// The simulator's test banks, with the credentials that sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bank {
    /// Any username and password; any MFA answer.
    AerosyncMfa,
    /// Consent in the bank's own window.
    AerosyncOauth,
    /// `mxuser`/`challenge`, answer `correct`.
    AerosyncMfaTrigger,
    /// `sync`/`no_mfa`.
    Aerobank,
    /// `sync`/`mfa`, answer `correct`.
    AerobankWithMfa,
    /// Consent in the bank's own window with `sync`/`no_mfa`.
    AerobankOauth,
}

impl Bank {
    pub const ALL: [Bank; 6] = [
        Bank::AerosyncMfa,
        Bank::AerosyncOauth,
        Bank::AerosyncMfaTrigger,
        Bank::Aerobank,
        Bank::AerobankWithMfa,
        Bank::AerobankOauth,
    ];

    /// The bank's `data-bank` in the widget's list.
    pub fn id(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "aerosync-mfa",
            Bank::AerosyncOauth => "aerosync-oauth",
            Bank::AerosyncMfaTrigger => "aerosync-mfa-trigger",
            Bank::Aerobank | Bank::AerobankWithMfa => "aerobank",
            Bank::AerobankOauth => "aerobank-oauth",
        }
    }

    /// The name in the widget's bank list.
    pub fn list_name(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "Aerosync Bank (MFA)",
            Bank::AerosyncOauth => "Aerosync Bank (OAuth)",
            Bank::AerosyncMfaTrigger => "Aerosync Bank (MFA Trigger)",
            Bank::Aerobank | Bank::AerobankWithMfa => "Aerobank",
            Bank::AerobankOauth => "Aerobank (OAuth)",
        }
    }

    /// The bank's name as Aeropay reports the linked account (the done
    /// screen and the enrollment record show this one).
    pub fn linked_name(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "Aerosync Bank (MFA)",
            Bank::AerosyncOauth => "Aerosync Bank (oAuth)",
            Bank::AerosyncMfaTrigger => "Aerosync Bank (MFA Trigger)",
            Bank::Aerobank | Bank::AerobankWithMfa | Bank::AerobankOauth => "Aerobank",
        }
    }

    /// Last four digits of the bank's checking account (the first one).
    pub fn checking_last4(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "5016",
            Bank::AerosyncOauth => "1329",
            Bank::AerosyncMfaTrigger => "4242",
            Bank::Aerobank | Bank::AerobankWithMfa => "6789",
            Bank::AerobankOauth => "1357",
        }
    }

    /// Last four digits of the bank's savings account (the second one).
    pub fn savings_last4(self) -> &'static str {
        match self {
            Bank::AerosyncMfa => "8824",
            Bank::AerosyncOauth => "7710",
            Bank::AerosyncMfaTrigger => "5151",
            Bank::Aerobank | Bank::AerobankWithMfa => "2468",
            Bank::AerobankOauth => "9753",
        }
    }

    fn credentials(self) -> (&'static str, &'static str) {
        match self {
            Bank::AerosyncMfa => ("kiosk-user", "any-password"),
            Bank::AerosyncOauth => ("oauth-user", "oauth-password"),
            Bank::AerosyncMfaTrigger => ("mxuser", "challenge"),
            Bank::Aerobank | Bank::AerobankOauth => ("sync", "no_mfa"),
            Bank::AerobankWithMfa => ("sync", "mfa"),
        }
    }

    fn mfa_answer(self) -> Option<&'static str> {
        match self {
            Bank::AerosyncMfa => Some("123456"),
            Bank::AerosyncMfaTrigger | Bank::AerobankWithMfa => Some("correct"),
            _ => None,
        }
    }

    pub fn is_oauth(self) -> bool {
        matches!(self, Bank::AerosyncOauth | Bank::AerobankOauth)
    }
}

pub async fn wait_ready(app: &App) {
    app.wait_for_text("#app-status", "Ready").await;
}

/// Fills in the details screen and submits it.
pub async fn submit_details(app: &App, customer: &Customer) {
    app.wait_for_text("#screen-title", "New customer").await;
    app.type_into("#field-firstName", customer.first_name).await;
    app.type_into("#field-lastName", customer.last_name).await;
    app.type_into("#field-phone", &customer.phone).await;
    app.type_into("#field-email", &customer.email).await;
    app.click("#details-submit").await;
}

/// On the code screen: the sandbox's bypass code.
pub async fn confirm_with_bypass_code(app: &App) {
    app.wait_for_text("#screen-title", "Enter the code").await;
    app.type_into("#field-code", BYPASS_CODE).await;
    app.click("#code-submit").await;
}

/// Desk, a customer known on this machine: staff tick "I checked the
/// customer's photo ID" and go on without a code.
pub async fn pass_the_id_check(app: &App) {
    app.wait_for_text("#screen-title", "has enrolled on this machine before")
        .await;
    app.click("#id-checked").await;
    app.click("#id-check-continue").await;
}

/// Waits for the widget's bank list in its iframe; leaves the page in the
/// app's top-level document.
pub async fn wait_for_widget(app: &App) {
    app.wait_for_text("#screen-title", "Link a bank account")
        .await;
    app.find("#widget-frame").await;
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    app.leave_frames().await;
}

/// A new customer up to the widget: details, code, bank list.
pub async fn enroll_until_widget(app: &App, customer: &Customer) {
    wait_ready(app).await;
    submit_details(app, customer).await;
    confirm_with_bypass_code(app).await;
    wait_for_widget(app).await;
}

/// Inside the widget frame: picks the bank and signs in (the OAuth banks in
/// their own window), answering MFA, up to the account list.
pub async fn sign_in_to_bank(app: &App, bank: Bank) {
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    let (username, password) = bank.credentials();
    if bank.is_oauth() {
        let main = app.client().window().await.expect("current window");
        let before = app.windows().await;
        app.click(&format!("button[data-bank='{}']", bank.id()))
            .await;
        app.wait_for_text("#screen", "Continue at your bank").await;
        app.switch_to_new_window(&before).await;
        app.wait_for_text("#screen", &format!("Sign in to {}", bank.list_name()))
            .await;
        let open = app.windows().await.len();
        assert_eq!(
            open,
            before.len() + 1,
            "exactly one bank window opens for one sign-in"
        );
        app.type_into("#username", username).await;
        app.type_into("#password", password).await;
        app.screenshot(&format!("{}-consent", bank.id()));
        app.click("#allow").await;
        // The bank's page closes itself soon after allowing access; the
        // widget going on to the accounts (below) is the proof.
        app.switch_to_window(main).await;
        app.enter_frame(0).await;
    } else {
        app.click(&format!("button[data-bank='{}']", bank.id()))
            .await;
        app.wait_for_text("#screen", &format!("Sign in to {}", bank.list_name()))
            .await;
        app.type_into("#username", username).await;
        app.type_into("#password", password).await;
        app.click("button[type='submit']").await;
        if let Some(answer) = bank.mfa_answer() {
            app.wait_for_text("#screen", "Additional verification")
                .await;
            app.type_into("#answer", answer).await;
            app.click("button[type='submit']").await;
        }
    }
    app.wait_for_text("#screen", "Choose an account").await;
    app.leave_frames().await;
}

/// In the widget frame: picks the OAuth bank and switches to the bank's
/// window it opens (a top-level page of the widget's origin).
pub async fn open_the_bank_window(app: &App) {
    let before = app.windows().await;
    app.enter_frame(0).await;
    app.click(&format!("button[data-bank='{}']", Bank::AerosyncOauth.id()))
        .await;
    app.wait_for_text("#screen", "Continue at your bank").await;
    app.switch_to_new_window(&before).await;
    app.wait_for_text(
        "#screen",
        &format!("Sign in to {}", Bank::AerosyncOauth.list_name()),
    )
    .await;
}

/// Inside the widget frame: picks account `index` (0 checking, 1 savings)
/// and connects it.
pub async fn choose_account(app: &App, index: usize) {
    app.enter_frame(0).await;
    app.click(&format!("#acct-{index}")).await;
    app.click("button[type='submit']").await;
    app.leave_frames().await;
}

/// The whole widget flow for `bank`, connecting its checking account.
pub async fn link_checking_account(app: &App, bank: Bank) {
    sign_in_to_bank(app, bank).await;
    choose_account(app, 0).await;
}

/// Waits for the done screen after a link and checks it lists `bank`'s
/// checking account. Returns the text of the linked-accounts list.
pub async fn wait_linked(app: &App, bank: Bank) -> String {
    wait_done(app, "Bank account linked", bank).await
}

/// Waits for the done screen after the customer chose an account they
/// already had (nothing new linked), listing `bank`'s checking account.
/// Returns the text of the accounts list.
pub async fn wait_account_ready(app: &App, bank: Bank) -> String {
    wait_done(app, "Account ready", bank).await
}

async fn wait_done(app: &App, title: &str, bank: Bank) -> String {
    app.wait_for_text("#screen-title", title).await;
    let accounts = app.text("#linked-accounts").await;
    assert!(
        accounts.contains(bank.linked_name())
            && accounts.contains(&format!("•••• {}", bank.checking_last4())),
        "the done screen should list {} •••• {}: {accounts:?}",
        bank.linked_name(),
        bank.checking_last4()
    );
    assert!(
        accounts.contains("Checking"),
        "the checking account: {accounts:?}"
    );
    accounts
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
            aeropay_onboarding::simulator::ADMIN_TOKEN_HEADER,
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
