//! The enrollment state machine against the simulator over loopback: real
//! HTTP, SQLite on disk, the widget's own internal API standing in for the
//! clicks a customer makes in the iframe.

use aeropay_client::{AeropayClient, ApiVersion, ClientConfig, StaticCredentials};
use aeropay_simulator::{
    RunningSimulator, Simulator, SimulatorConfig, V1UserShape, ADMIN_TOKEN_HEADER,
};
use aerosync::{SdkVersion, WidgetOptions};
use onboarding_core::config::{Environment, Mode};
use onboarding_core::enrollment::{
    CustomerDetails, EnrollmentDeps, EnrollmentView, Enrollments, Step,
};
use onboarding_core::store::{AuditAction, AuditMode, EnrollmentStatus, PhoneHasher, Store};
use onboarding_core::vault::{MemoryVault, Secret, SecretKey, Vault};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

struct Rig {
    sim: RunningSimulator,
    enrollments: Enrollments,
    client: Arc<AeropayClient>,
    store: Arc<Store>,
    vault: Arc<MemoryVault>,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

struct Options {
    sim: SimulatorConfig,
    version: ApiVersion,
    sdk: SdkVersion,
    request_timeout: Duration,
    mode: Mode,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            sim: SimulatorConfig::default(),
            version: ApiVersion::V2,
            sdk: SdkVersion::V2_1_4,
            request_timeout: Duration::from_secs(10),
            mode: Mode::Desk,
        }
    }
}

fn client_for(sim: &RunningSimulator, options: &Options) -> Arc<AeropayClient> {
    let mut config = ClientConfig::with_base_url(sim.base_url().parse().unwrap(), options.version);
    config.request_timeout = options.request_timeout;
    let c = sim.credentials();
    Arc::new(
        AeropayClient::new(
            config,
            Arc::new(StaticCredentials::new(
                c.api_key.clone(),
                c.api_secret.clone(),
                c.merchant_id,
            )),
        )
        .unwrap(),
    )
}

impl Rig {
    async fn start(options: Options) -> Rig {
        let sim = Simulator::start(options.sim.clone()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(&dir.path().join("app.sqlite3")).unwrap());
        let vault = Arc::new(MemoryVault::new());
        let client = client_for(&sim, &options);
        let enrollments = enrollments(&client, &store, &vault, &options);
        Rig {
            sim,
            enrollments,
            client,
            store,
            vault,
            http: reqwest::Client::new(),
            _dir: dir,
        }
    }

    /// A second app session on the same machine (same store and keychain),
    /// with a fresh client so its token mints can be counted alone.
    fn restart(&mut self, options: &Options) {
        self.client = client_for(&self.sim, options);
        self.enrollments = enrollments(&self.client, &self.store, &self.vault, options);
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

    /// Whether the audit trail holds this action for the enrollment.
    fn audited(&self, view: &EnrollmentView, action: AuditAction) -> bool {
        self.store
            .audit_entries(0, i64::MAX)
            .unwrap()
            .iter()
            .any(|e| e.action == action && e.correlation_id == view.id)
    }

    /// How many accounts the enrollment's customer has at the simulator.
    async fn accounts_at_aeropay(&self, view: &EnrollmentView) -> usize {
        let record = self
            .store
            .enrollment(view.id.as_deref().unwrap())
            .unwrap()
            .unwrap();
        self.client
            .bank_accounts(record.user_id.as_deref().unwrap())
            .await
            .unwrap()
            .len()
    }

    async fn clear_faults(&self) {
        let status = self
            .http
            .delete(format!("{}/__admin/faults", self.sim.base_url()))
            .header(ADMIN_TOKEN_HEADER, self.sim.admin_token())
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success(), "{status}");
    }

    async fn fault(&self, fault: Value) {
        let status = self
            .http
            .post(format!("{}/__admin/faults", self.sim.base_url()))
            .header(ADMIN_TOKEN_HEADER, self.sim.admin_token())
            .json(&fault)
            .send()
            .await
            .unwrap()
            .status();
        assert!(status.is_success());
    }

    /// What the customer does in the widget at Aerobank (sync / no_mfa).
    async fn complete_widget(
        &self,
        view: &EnrollmentView,
        accounts: &[&str],
    ) -> (String, Vec<String>) {
        self.complete_widget_at(view, ("aerobank", "sync", "no_mfa"), accounts)
            .await
    }

    /// Signs in at `bank` (id, username, password), answers an MFA question
    /// if asked, picks `accounts`. Returns the widget origin and the raw
    /// messages the widget posts to the page.
    async fn complete_widget_at(
        &self,
        view: &EnrollmentView,
        bank: (&str, &str, &str),
        accounts: &[&str],
    ) -> (String, Vec<String>) {
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
        let token = param("token").expect("widget token");
        let api = format!("{}/aerosync/api", self.sim.base_url());
        let post = |path: &str, body: Value| {
            self.http
                .post(format!("{api}{path}"))
                .bearer_auth(&token)
                .json(&body)
                .send()
        };
        let (bank_id, username, password) = bank;
        let mut step: Value = post(
            "/login",
            json!({"bankId": bank_id, "username": username, "password": password}),
        )
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
        if step["step"] == "mfa" {
            step = post(
                "/mfa",
                json!({"loginId": step["loginId"], "answer": "correct"}),
            )
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        }
        assert_eq!(step["step"], "accounts", "{step}");
        let done: Value = post("/complete", json!({"loginId": step["loginId"], "accountIds": accounts, "version": param("version")}))
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

    async fn relay_all(&self, origin: &str, messages: &[String]) -> EnrollmentView {
        let mut last = None;
        for raw in messages {
            last = Some(
                self.enrollments
                    .widget_message(origin, raw)
                    .await
                    .expect("message accepted")
                    .view,
            );
        }
        last.expect("at least one message")
    }
}

fn enrollments(
    client: &Arc<AeropayClient>,
    store: &Arc<Store>,
    vault: &Arc<MemoryVault>,
    options: &Options,
) -> Enrollments {
    Enrollments::new(
        EnrollmentDeps {
            client: client.clone(),
            merchant: client.clone(),
            store: store.clone(),
            vault: vault.clone(),
            phone_hasher: Arc::new(PhoneHasher::new(b"test-key")),
            environment: Environment::Simulator,
            widget: WidgetOptions {
                sdk_version: options.sdk,
                ..WidgetOptions::default()
            },
            mode: options.mode,
            staff: None,
        },
        None,
    )
}

/// A valid, distinct US mobile number per call.
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

fn user_id_of(rig: &Rig, view: &EnrollmentView) -> String {
    let record = rig
        .store
        .enrollment(view.id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    record.user_id.expect("user id recorded")
}

/// details → code → widget, for a new customer.
async fn to_widget(rig: &Rig, phone: &str) -> EnrollmentView {
    let view = rig.enrollments.submit_details(details(phone)).await;
    let Step::Code {
        channel,
        attempts_left,
        ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(channel, "sms");
    assert_eq!(*attempts_left, 5);
    let code = rig.otp(&user_id_of(rig, &view)).await;
    let view = rig.enrollments.submit_code(&code).await;
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
    view
}

fn done_accounts(view: &EnrollmentView) -> Vec<(String, String)> {
    match &view.step {
        Step::Done { accounts, .. } => accounts
            .iter()
            .map(|a| (a.bank_name.clone(), a.last4.clone()))
            .collect(),
        other => panic!("expected done, got {other:?}"),
    }
}

/// A page gets views from command answers and from events, in either
/// order: each view is numbered after every one before it, so the page
/// can keep the newest (the same state asked again included).
#[tokio::test]
async fn every_view_is_numbered_after_the_one_before() {
    let rig = Rig::start(Options::default()).await;
    let start = rig.enrollments.view().await;
    let code = rig.enrollments.submit_details(details(&phone())).await;
    assert!(matches!(code.step, Step::Code { .. }), "{code:?}");
    let again = rig.enrollments.view().await;
    let over = rig.enrollments.start_over().await;
    let revisions = [start.revision, code.revision, again.revision, over.revision];
    assert!(
        revisions.windows(2).all(|pair| pair[0] < pair[1]),
        "{revisions:?}"
    );
}

#[tokio::test]
async fn new_customer_with_a_code_links_through_v2_and_keeps_the_token() {
    let rig = Rig::start(Options::default()).await;
    let phone = phone();
    let view = to_widget(&rig, &phone).await;
    let user_id = user_id_of(&rig, &view);
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );

    // One merchant token (create + confirm), one userForMerchant token.
    let mints = rig.client.mint_counts();
    assert_eq!(
        (mints.merchant, mints.user_for_merchant),
        (1, 1),
        "{mints:?}"
    );

    let stored = rig
        .vault
        .get(&SecretKey::UserToken {
            environment: "simulator".into(),
            user_id: user_id.clone(),
        })
        .unwrap();
    let Some(Secret::AeropayToken(token)) = stored else {
        panic!("token kept: {stored:?}")
    };
    assert_eq!(token.user_id.as_deref(), Some(user_id.as_str()));
    assert!(token.expires_at > time::OffsetDateTime::now_utc().unix_timestamp());

    let record = rig
        .store
        .enrollment(view.id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(record.status, EnrollmentStatus::Linked);
    assert_eq!(record.account_last4.as_deref(), Some("6789"));
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    assert!(
        !format!("{record:?}").contains(&digits[..]),
        "no full phone in the record"
    );
    assert!(!format!("{record:?}").contains(&digits[3..]));
}

#[tokio::test]
async fn v1_api_with_the_1x_widget_links_with_user_id_and_password() {
    let options = Options {
        version: ApiVersion::V1,
        sdk: SdkVersion::V1_1_3,
        ..Options::default()
    };
    let rig = Rig::start(options).await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    // 1.x sends pageSuccess and then widgetClose; the close is harmless.
    assert_eq!(messages.len(), 2, "{messages:?}");
    assert!(messages[0].contains("user_password") && messages[1].contains("widgetClose"));
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
}

fn v1_options(shape: V1UserShape) -> Options {
    Options {
        sim: SimulatorConfig {
            v1_user_shape: shape,
            ..SimulatorConfig::default()
        },
        version: ApiVersion::V1,
        sdk: SdkVersion::V1_1_3,
        ..Options::default()
    }
}

/// Aeropay's v1 page: a new customer links "Aerosync Bank (MFA)" checking
/// 5016 and gets every value back as a string; on their next visit they
/// see that account. With the user object's either shape.
#[tokio::test]
async fn v1_customer_links_the_pages_account_and_finds_it_next_time() {
    for shape in [V1UserShape::UserId, V1UserShape::WithId] {
        let mut rig = Rig::start(v1_options(shape)).await;
        let phone = phone();
        let view = to_widget(&rig, &phone).await;
        let (origin, messages) = rig
            .complete_widget_at(&view, ("aerosync-mfa", "any", "thing"), &["5016"])
            .await;
        let view = rig.relay_all(&origin, &messages).await;
        let mfa_checking = [("Aerosync Bank (MFA)".to_string(), "5016".to_string())];
        assert_eq!(done_accounts(&view), mfa_checking, "{shape:?}");

        rig.restart(&v1_options(shape));
        // A desk: staff check the returning customer's ID instead of a code.
        rig.enrollments.submit_details(details(&phone)).await;
        let view = rig.enrollments.confirm_id_checked(true).await.unwrap();
        let Step::ExistingAccounts { accounts } = &view.step else {
            panic!("{shape:?}: {view:?}")
        };
        let listed: Vec<(String, String)> = accounts
            .iter()
            .map(|a| (a.bank_name.clone(), a.last4.clone()))
            .collect();
        assert_eq!(listed, mfa_checking, "{shape:?}");
        let view = rig
            .enrollments
            .use_account(accounts[0].bank_account_id)
            .await;
        let Step::Done {
            returning_customer, ..
        } = &view.step
        else {
            panic!("{shape:?}: {view:?}")
        };
        assert!(returning_customer);
        assert_eq!(done_accounts(&view), mfa_checking, "{shape:?}");
    }
}

#[tokio::test]
async fn sdk_2_0_5_payload_links_and_its_trailing_close_is_harmless() {
    let rig = Rig::start(Options {
        sdk: SdkVersion::V2_0_5,
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    assert!(messages[0].contains("ClientName") && messages[1].contains("widgetClose"));
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(done_accounts(&view).len(), 1);
}

#[tokio::test]
async fn without_a_code_the_customer_goes_straight_to_the_widget() {
    let rig = Rig::start(Options {
        sim: SimulatorConfig {
            mfa: None,
            ..SimulatorConfig::default()
        },
        ..Options::default()
    })
    .await;
    let view = rig.enrollments.submit_details(details(&phone())).await;
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
}

#[tokio::test]
async fn desk_returning_customer_gets_no_new_code_and_sees_their_account_after_the_id_check() {
    let options = Options::default();
    let mut rig = Rig::start(Options::default()).await;
    let phone = phone();
    let view = to_widget(&rig, &phone).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.relay_all(&origin, &messages).await;

    rig.restart(&options);
    let view = rig.enrollments.submit_details(details(&phone)).await;
    // No POST /user (it would disconnect them), no code: once staff checked
    // the customer's ID, their accounts.
    assert_eq!(
        view.step,
        Step::IdCheck {
            can_send_code: true
        }
    );
    let view = rig.enrollments.confirm_id_checked(true).await.unwrap();
    let Step::ExistingAccounts { accounts } = &view.step else {
        panic!("{view:?}")
    };
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].last4, "6789");
    let mints = rig.client.mint_counts();
    assert_eq!(
        (mints.merchant, mints.user_for_merchant),
        (0, 1),
        "{mints:?}"
    );

    let view = rig
        .enrollments
        .use_account(accounts[0].bank_account_id)
        .await;
    let Step::Done {
        accounts,
        returning_customer,
        newly_linked,
        notice: None,
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert!(returning_customer);
    // Choosing an account links nothing new: the screen says "Account ready".
    assert!(!newly_linked);
    assert!(accounts[0].selected);
}

#[tokio::test]
async fn a_returning_customer_can_link_another_account() {
    let options = Options::default();
    let mut rig = Rig::start(Options::default()).await;
    let phone = phone();
    let view = to_widget(&rig, &phone).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.relay_all(&origin, &messages).await;

    rig.restart(&options);
    rig.enrollments.submit_details(details(&phone)).await;
    rig.enrollments.confirm_id_checked(true).await.unwrap();
    let view = rig.enrollments.open_widget_again().await;
    let (origin, messages) = rig
        .complete_widget_at(&view, ("aerosync-mfa", "any", "thing"), &["5016"])
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerosync Bank (MFA)".to_string(), "5016".to_string())]
    );
}

#[tokio::test]
async fn multi_account_success_links_each_account_and_names_the_one_refused() {
    let rig = Rig::start(Options {
        sim: SimulatorConfig {
            multi_account: true,
            ..SimulatorConfig::default()
        },
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let user_id = user_id_of(&rig, &view);
    // Checking and savings: Aeropay links checking accounts only (AP411).
    let (origin, messages) = rig.complete_widget(&view, &["6789", "2468"]).await;
    assert!(messages[0].contains("accounts"));
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
    let Step::Done {
        notice: Some(notice),
        ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(notice.code, "AP411");
    assert!(notice.message.contains("1 of 2"), "{notice:?}");
    assert_eq!(rig.client.bank_accounts(&user_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_repeated_success_links_once() {
    let rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let user_id = user_id_of(&rig, &view);
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let twice = [messages[0].clone(), messages[0].clone()];
    let view = rig.relay_all(&origin, &twice).await;
    assert_eq!(done_accounts(&view).len(), 1);
    assert_eq!(rig.client.bank_accounts(&user_id).await.unwrap().len(), 1);
}

#[tokio::test]
async fn wrong_origin_and_malformed_messages_are_refused_without_linking() {
    let rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;

    let err = rig
        .enrollments
        .widget_message("https://evil.example", &messages[0])
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "WIDGET_WRONG_ORIGIN");
    let err = rig
        .enrollments
        .widget_message(&origin, "{not json")
        .await
        .err()
        .unwrap();
    assert_eq!(err.code(), "WIDGET_MESSAGE_NOT_JSON");
    assert!(
        matches!(rig.enrollments.view().await.step, Step::Linking { .. }),
        "state unchanged"
    );

    // A success without an account: a clear failure, nothing half-linked.
    let outcome = rig
        .enrollments
        .widget_message(
            &origin,
            r#"{"type":"pageSuccess","payload":{"clientName":"x"}}"#,
        )
        .await
        .unwrap();
    let Step::Failed { error, .. } = &outcome.view.step else {
        panic!("{:?}", outcome.view)
    };
    assert_eq!(error.code, "WIDGET_BAD_SUCCESS");
    assert!(error.retry);

    // Trying again opens a fresh widget, and the real success still links.
    let view = rig.enrollments.open_widget_again().await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(done_accounts(&view).len(), 1);
}

#[tokio::test]
async fn a_widget_closed_early_can_be_reopened() {
    let rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let Step::Linking { widget_origin, .. } = &view.step else {
        panic!()
    };
    let outcome = rig
        .enrollments
        .widget_message(widget_origin, r#"{"type":"widgetClose"}"#)
        .await
        .unwrap();
    assert_eq!(outcome.view.step, Step::WidgetClosed);
    let view = rig.enrollments.open_widget_again().await;
    assert!(matches!(view.step, Step::Linking { .. }));
}

#[tokio::test]
async fn an_account_of_another_customer_is_refused_with_its_code() {
    let rig = Rig::start(Options::default()).await;
    // Someone else links an account first.
    let other = to_widget(&rig, &phone()).await;
    let (_, other_messages) = rig.complete_widget(&other, &["6789"]).await;
    let other_connection: Value = serde_json::from_str(&other_messages[0]).unwrap();
    let other_connection = other_connection["payload"]["connectionId"]
        .as_str()
        .unwrap()
        .to_owned();
    rig.enrollments.start_over().await;

    let view = to_widget(&rig, &phone()).await;
    let user_id = user_id_of(&rig, &view);
    let Step::Linking { widget_origin, .. } = &view.step else {
        panic!()
    };
    let forged = json!({"type": "pageSuccess", "payload": {"connectionId": other_connection, "clientName": "Aerobank", "aeroPassUserUuid": user_id}}).to_string();
    let outcome = rig
        .enrollments
        .widget_message(widget_origin, &forged)
        .await
        .unwrap();
    let Step::Failed { error, .. } = &outcome.view.step else {
        panic!("{:?}", outcome.view)
    };
    assert_eq!(error.code, "AP410", "{error:?}");
    let record = rig
        .store
        .enrollment(outcome.view.id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        (record.status, record.error_code.as_deref()),
        (EnrollmentStatus::Failed, Some("AP410"))
    );
}

#[tokio::test]
async fn a_lost_link_answer_is_reconciled_through_the_account_list() {
    let rig = Rig::start(Options {
        request_timeout: Duration::from_secs(3),
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.fault(json!({"operation": "link", "kind": "lose_answer", "count": 1}))
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
}

#[tokio::test]
async fn a_link_that_never_answers_is_reported_not_guessed() {
    let rig = Rig::start(Options {
        request_timeout: Duration::from_secs(2),
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.fault(json!({"operation": "link", "kind": "timeout", "ms": 5000, "count": 1}))
        .await;
    // The call times out; the account list shows it was not made (the
    // simulator drops a request whose client went away), so it is made once
    // more — and exactly one account exists.
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
    assert_eq!(rig.accounts_at_aeropay(&view).await, 1);
}

#[tokio::test]
async fn a_gateway_error_while_linking_is_reconciled_then_retried() {
    let rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    // A 502 from a gateway says nothing about whether Aeropay acted: the
    // account list decides. Here it did not, so the app links it once more,
    // without sending the customer back to the bank.
    rig.fault(json!({"operation": "link", "kind": "html502", "count": 1}))
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(done_accounts(&view).len(), 1);
    assert_eq!(rig.accounts_at_aeropay(&view).await, 1);
    assert!(!rig.audited(&view, AuditAction::LinkFailed));
}

#[tokio::test]
async fn an_expired_token_mid_flow_is_renewed() {
    // Tokens live 3 s and are renewed at most halfway: by the time the
    // customer finishes in the widget the first userForMerchant token is stale.
    let rig = Rig::start(Options {
        sim: SimulatorConfig {
            token_ttl_secs: 3,
            ..SimulatorConfig::default()
        },
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(done_accounts(&view).len(), 1);
    assert!(rig.client.mint_counts().user_for_merchant >= 2);
}

#[tokio::test]
async fn wrong_codes_count_down_then_stop_the_enrollment() {
    let rig = Rig::start(Options::default()).await;
    let view = rig.enrollments.submit_details(details(&phone())).await;
    assert!(matches!(view.step, Step::Code { .. }));
    let view = rig.enrollments.submit_code("12ab").await;
    let Step::Code {
        error: Some(error),
        attempts_left: 5,
        ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "CODE_FORMAT");
    let mut last = view;
    for _ in 0..5 {
        last = rig.enrollments.submit_code("111111").await;
        if matches!(last.step, Step::Failed { .. }) {
            break;
        }
        let Step::Code {
            error: Some(error), ..
        } = &last.step
        else {
            panic!("{last:?}")
        };
        assert_eq!(error.code, "AP111");
    }
    let Step::Failed { error, .. } = &last.step else {
        panic!("{last:?}")
    };
    assert_eq!(error.code, "AP112");
}

#[tokio::test]
async fn the_sandbox_bypass_code_and_resend_work() {
    let rig = Rig::start(Options::default()).await;
    rig.enrollments.submit_details(details(&phone())).await;
    let view = rig.enrollments.resend_code().await;
    let Step::Code { resent: true, .. } = &view.step else {
        panic!("{view:?}")
    };
    let view = rig.enrollments.submit_code("000000").await;
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
}

#[tokio::test]
async fn invalid_details_name_each_field_and_call_nothing() {
    let rig = Rig::start(Options::default()).await;
    let view = rig
        .enrollments
        .submit_details(CustomerDetails {
            first_name: "R2D2".into(),
            ..details("555")
        })
        .await;
    let Step::Details {
        field_errors,
        error: None,
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(
        field_errors.keys().collect::<Vec<_>>(),
        ["firstName", "phone"]
    );
    assert_eq!(rig.client.mint_counts().total(), 0);
}

#[tokio::test]
async fn sandbox_trigger_numbers_show_aeropays_answer_on_the_details_screen() {
    let rig = Rig::start(Options::default()).await;
    let view = rig
        .enrollments
        .submit_details(details("+1 404 555 0124"))
        .await;
    let Step::Details {
        error: Some(error), ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "AP115");
    assert!(!error.message.is_empty());
}

#[tokio::test]
async fn expired_tokens_are_purged_from_the_keychain() {
    let rig = Rig::start(Options {
        sim: SimulatorConfig {
            token_ttl_secs: 2,
            ..SimulatorConfig::default()
        },
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let user_id = user_id_of(&rig, &view);
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.relay_all(&origin, &messages).await;
    let key = SecretKey::UserToken {
        environment: "simulator".into(),
        user_id,
    };
    assert!(rig.vault.get(&key).unwrap().is_some());
    assert_eq!(
        rig.enrollments.purge_expired_tokens().await.unwrap(),
        0,
        "still valid"
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(rig.enrollments.purge_expired_tokens().await.unwrap(), 1);
    assert!(rig.vault.get(&key).unwrap().is_none());
}

#[tokio::test]
async fn the_audit_trail_follows_the_enrollment_without_personal_data() {
    let rig = Rig::start(Options::default()).await;
    let phone = phone();
    let view = to_widget(&rig, &phone).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    let id = view.id.clone().unwrap();

    let entries = rig.store.audit_entries(0, i64::MAX).unwrap();
    let actions: Vec<String> = entries
        .iter()
        .filter(|e| e.correlation_id.as_deref() == Some(id.as_str()))
        .map(|e| format!("{:?}", e.action))
        .collect();
    assert_eq!(
        actions,
        [
            "EnrollmentStarted",
            "CodeSent",
            "CodeConfirmed",
            "WidgetOpened",
            "LinkSucceeded"
        ]
    );
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let all = format!("{entries:?}");
    assert!(
        !all.contains(&digits) && !all.contains("ada@example.com"),
        "{all}"
    );
    assert!(all.contains("Aerobank account ending 6789"));
}

#[tokio::test]
async fn a_close_that_overtakes_its_success_does_not_lose_the_link() {
    let rig = Rig::start(Options {
        version: ApiVersion::V1,
        sdk: SdkVersion::V1_1_3,
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    // 1.x posts pageSuccess then widgetClose at once; here the close is handled first.
    let reordered = [messages[1].clone(), messages[0].clone()];
    let view = rig.relay_all(&origin, &reordered).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
}

#[tokio::test]
async fn a_refused_account_leaves_the_way_open_to_another() {
    let rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    // Savings: Aeropay links checking accounts only.
    let (origin, messages) = rig.complete_widget(&view, &["2468"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    let Step::Failed {
        error,
        can_link_again,
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "AP411");
    assert!(!error.retry, "the same account would be refused again");
    assert!(can_link_again, "another account may be chosen");
    let view = rig.enrollments.open_widget_again().await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
}

fn everything() -> onboarding_core::store::EnrollmentQuery {
    onboarding_core::store::EnrollmentQuery {
        from: 0,
        to: i64::MAX,
        statuses: vec![],
        text: None,
        limit: 100,
    }
}

#[tokio::test]
async fn an_enrollment_stopped_at_the_code_resumes_in_a_new_app_session() {
    let options = Options::default();
    let mut rig = Rig::start(Options::default()).await;
    let view = rig.enrollments.submit_details(details(&phone())).await;
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
    let id = view.id.clone().unwrap();
    let user_id = user_id_of(&rig, &view);

    // The app is closed; later, staff pick the enrollment from the list.
    rig.restart(&options);
    let rows = rig.enrollments.list(&everything()).unwrap();
    let row = rows.iter().find(|r| r.id == id).unwrap();
    assert_eq!(row.status, EnrollmentStatus::WaitingForCode);
    assert_eq!(row.customer, "Ada L.");
    assert!(row.can_resume && !row.can_link_another, "{row:?}");

    let view = rig.enrollments.resume(&id).await.unwrap();
    assert_eq!(view.id.as_deref(), Some(id.as_str()), "same enrollment");
    assert_eq!(view.first_name.as_deref(), Some("Ada"));
    let Step::Code {
        can_resend: false, ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    // Without the phone number no new code can be asked for.
    let again = rig.enrollments.resend_code().await;
    assert_eq!(again.step, view.step);

    let code = rig.otp(&user_id).await;
    let view = rig.enrollments.submit_code(&code).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerobank".to_string(), "6789".to_string())]
    );
    let record = rig.store.enrollment(&id).unwrap().unwrap();
    assert_eq!(record.status, EnrollmentStatus::Linked);
    assert_eq!(rig.store.enrollments_between(0, i64::MAX).unwrap().len(), 1);
}

#[tokio::test]
async fn a_closed_widget_resumes_at_the_bank_list_without_post_user() {
    let options = Options::default();
    let mut rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let id = view.id.clone().unwrap();
    let Step::Linking { widget_origin, .. } = &view.step else {
        panic!("{view:?}")
    };
    let close = r#"{"type":"widgetClose","payload":{}}"#;
    rig.enrollments
        .widget_message(widget_origin, close)
        .await
        .unwrap();
    assert_eq!(
        rig.store.enrollment(&id).unwrap().unwrap().status,
        EnrollmentStatus::WidgetClosed
    );

    rig.restart(&options);
    let view = rig.enrollments.resume(&id).await.unwrap();
    // Continued from the list: the phone is not on this machine, so staff
    // check the customer's ID; no code can be sent from here.
    assert_eq!(
        view.step,
        Step::IdCheck {
            can_send_code: false
        }
    );
    let view = rig.enrollments.confirm_id_checked(true).await.unwrap();
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(done_accounts(&view).len(), 1);
    // A confirmed customer is never sent through POST /user again: no
    // merchant token was needed at all.
    let mints = rig.client.mint_counts();
    assert_eq!(
        (mints.merchant, mints.user_for_merchant),
        (0, 1),
        "{mints:?}"
    );
}

#[tokio::test]
async fn a_linked_customer_links_another_account_from_the_list() {
    let options = Options::default();
    let mut rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let first = view.id.clone().unwrap();
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.relay_all(&origin, &messages).await;

    rig.restart(&options);
    let row = rig
        .enrollments
        .list(&everything())
        .unwrap()
        .into_iter()
        .find(|r| r.id == first)
        .unwrap();
    assert!(row.can_link_another && !row.can_resume, "{row:?}");
    assert_eq!(
        rig.enrollments.resume(&first).await.unwrap_err().code(),
        "ENROLLMENT_NOT_RESUMABLE"
    );

    // After the ID check straight to the widget, even though the customer
    // has an account.
    let view = rig.enrollments.link_another(&first).await.unwrap();
    assert!(matches!(view.step, Step::IdCheck { .. }), "{view:?}");
    assert_eq!(
        rig.enrollments
            .confirm_id_checked(false)
            .await
            .unwrap_err()
            .code(),
        "ID_CHECK_REQUIRED"
    );
    let view = rig.enrollments.confirm_id_checked(true).await.unwrap();
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
    let second = view.id.clone().unwrap();
    assert_ne!(second, first, "a new enrollment in the list");
    let (origin, messages) = rig
        .complete_widget_at(&view, ("aerosync-mfa", "any", "thing"), &["5016"])
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    assert_eq!(
        done_accounts(&view),
        [("Aerosync Bank (MFA)".to_string(), "5016".to_string())]
    );
    let mints = rig.client.mint_counts();
    assert_eq!(mints.merchant, 0, "no POST /user: {mints:?}");

    let rows = rig.enrollments.list(&everything()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, second, "newest first");
    assert_eq!(rows[0].last4.as_deref(), Some("5016"));
    assert_eq!(rows[1].last4.as_deref(), Some("6789"));
}

#[tokio::test]
async fn the_list_filters_by_status_and_text_and_refuses_what_cannot_resume() {
    let rig = Rig::start(Options::default()).await;
    // Linked: Ada.
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    rig.relay_all(&origin, &messages).await;
    rig.enrollments.start_over().await;
    // Waiting for the code: Grace.
    let mut grace = details(&phone());
    grace.first_name = "Grace".into();
    grace.last_name = "Hopper".into();
    let waiting = rig.enrollments.submit_details(grace).await;
    rig.enrollments.start_over().await;
    // Refused before Aeropay knew the customer (a sandbox trigger number).
    let mut refused = details("+1 404 555 0124");
    refused.first_name = "Zed".into();
    let refused = rig.enrollments.submit_details(refused).await;
    rig.enrollments.start_over().await;

    let query = |statuses: Vec<EnrollmentStatus>, text: Option<&str>| {
        let mut query = everything();
        query.statuses = statuses;
        query.text = text.map(str::to_owned);
        rig.enrollments
            .list(&query)
            .unwrap()
            .into_iter()
            .map(|row| row.customer)
            .collect::<Vec<_>>()
    };
    assert_eq!(query(vec![], None).len(), 3);
    assert_eq!(query(vec![EnrollmentStatus::Linked], None), ["Ada L."]);
    assert_eq!(
        query(vec![EnrollmentStatus::WaitingForCode], None),
        ["Grace H."]
    );
    assert_eq!(query(vec![], Some("grace")), ["Grace H."]);
    assert_eq!(query(vec![], Some("6789")), ["Ada L."]);
    assert_eq!(
        query(vec![], Some("Aero%")),
        Vec::<String>::new(),
        "% is text"
    );
    assert_eq!(query(vec![], Some("Ada L")), ["Ada L."]);

    let refused_id = refused.id.clone().unwrap();
    let row = rig
        .enrollments
        .list(&everything())
        .unwrap()
        .into_iter()
        .find(|r| r.id == refused_id)
        .expect("a refused enrollment is listed");
    assert_eq!(row.status, EnrollmentStatus::Failed);
    assert_eq!(row.error_code.as_deref(), Some("AP115"));
    assert!(!row.can_resume && !row.can_link_another, "{row:?}");
    assert_eq!(
        rig.enrollments
            .resume(&refused_id)
            .await
            .unwrap_err()
            .code(),
        "ENROLLMENT_NOT_RESUMABLE"
    );
    assert!(waiting.id.is_some());
    assert_eq!(
        rig.enrollments
            .resume("no-such-id")
            .await
            .unwrap_err()
            .code(),
        "ENROLLMENT_NOT_FOUND"
    );
}

#[tokio::test]
async fn a_link_neither_answered_nor_listed_needs_review_not_failure() {
    let rig = Rig::start(Options {
        request_timeout: Duration::from_secs(2),
        ..Options::default()
    })
    .await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    // The link is made but its answer is lost, and the account list cannot
    // be read either (every retry of it fails): nothing can settle it.
    rig.fault(json!({"operation": "link", "kind": "lose_answer", "count": 1}))
        .await;
    rig.fault(json!({"operation": "bankAccounts", "kind": "html502", "count": 10}))
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    let Step::NeedsReview { error, accounts } = &view.step else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "LINK_OUTCOME_UNKNOWN");
    assert!(accounts.is_empty());
    let id = view.id.clone().unwrap();
    let record = rig.store.enrollment(&id).unwrap().unwrap();
    assert_eq!(record.status, EnrollmentStatus::NeedsReview);
    assert_eq!(record.error_code.as_deref(), Some("LINK_OUTCOME_UNKNOWN"));
    // No way back to the widget from here (it could link the account
    // twice), and cancelling does not turn it into "cancelled".
    assert!(matches!(
        rig.enrollments.open_widget_again().await.step,
        Step::NeedsReview { .. }
    ));
    assert!(matches!(
        rig.enrollments.cancel().await.step,
        Step::NeedsReview { .. }
    ));
    assert_eq!(
        rig.store.enrollment(&id).unwrap().unwrap().status,
        EnrollmentStatus::NeedsReview
    );

    // Aeropay answers again; a later start settles it through the account
    // list: linked (by the first call), not linked a second time.
    rig.clear_faults().await;
    let mut rig = rig;
    rig.restart(&Options::default());
    assert_eq!(rig.enrollments.settle_unfinished().await.unwrap(), 1);
    let record = rig.store.enrollment(&id).unwrap().unwrap();
    assert_eq!(record.status, EnrollmentStatus::Linked);
    assert_eq!(record.account_last4.as_deref(), Some("6789"));
    assert_eq!(rig.accounts_at_aeropay(&view).await, 1);
    assert!(rig.audited(&view, AuditAction::LinkSucceeded));
    // Nothing left to settle.
    assert_eq!(rig.enrollments.settle_unfinished().await.unwrap(), 0);
}

#[tokio::test]
async fn a_v1_link_written_down_but_never_answered_is_made_once_on_the_next_start() {
    let mut rig = Rig::start(v1_options(V1UserShape::UserId)).await;
    let view = to_widget(&rig, &phone()).await;
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    // The request is held and dropped (as if the app died while waiting),
    // and the account list cannot be read: the link stays pending, its
    // password in the keychain.
    rig.fault(json!({"operation": "link", "kind": "timeout", "ms": 3000, "count": 2}))
        .await;
    rig.fault(json!({"operation": "bankAccounts", "kind": "html502", "count": 10}))
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    assert!(matches!(view.step, Step::NeedsReview { .. }), "{view:?}");
    rig.clear_faults().await;
    rig.restart(&v1_options(V1UserShape::UserId));
    assert_eq!(rig.enrollments.settle_unfinished().await.unwrap(), 1);
    let record = rig
        .store
        .enrollment(view.id.as_deref().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(record.status, EnrollmentStatus::Linked);
    assert_eq!(rig.accounts_at_aeropay(&view).await, 1);
}

/// A customer linked through Aerobank's checking account (…6789).
async fn linked_customer(rig: &Rig, phone: &str) -> i64 {
    let view = match rig.enrollments.submit_details(details(phone)).await {
        view if matches!(view.step, Step::Code { .. }) => {
            rig.enrollments.submit_code("000000").await
        }
        view => view,
    };
    let (origin, messages) = rig.complete_widget(&view, &["6789"]).await;
    let view = rig.relay_all(&origin, &messages).await;
    let Step::Done { accounts, .. } = &view.step else {
        panic!("{view:?}")
    };
    rig.enrollments.start_over().await;
    accounts[0].bank_account_id
}

fn kiosk() -> Options {
    Options {
        mode: Mode::Kiosk,
        ..Options::default()
    }
}

/// Nothing of the customer's accounts in what the page gets.
fn assert_reveals_nothing(view: &EnrollmentView) {
    let page = serde_json::to_string(view).unwrap();
    for trace in ["Aerobank", "6789", "checking", "accounts", "bankAccountId"] {
        assert!(!page.contains(trace), "{trace} shown: {page}");
    }
}

#[tokio::test]
async fn kiosk_known_phone_gets_the_code_step_like_a_new_one_and_sees_nothing_before_it() {
    let mut rig = Rig::start(Options::default()).await;
    let known = phone();
    linked_customer(&rig, &known).await;

    rig.restart(&kiosk());
    let new = rig.enrollments.submit_details(details(&phone())).await;
    rig.enrollments.start_over().await;
    let view = rig.enrollments.submit_details(details(&known)).await;
    // The same screen as for a number never seen: nothing tells a stranger
    // that this one is known.
    assert_eq!(view.step, new.step);
    assert_eq!(
        view.step,
        Step::Code {
            channel: "sms".into(),
            attempts_left: 5,
            error: None,
            resent: false,
            can_resend: true,
        }
    );
    assert_reveals_nothing(&view);
    // POST /user was called for the known customer too (it sent the code).
    assert_eq!(rig.client.mint_counts().merchant, 1);
    assert_eq!(
        rig.enrollments
            .confirm_id_checked(true)
            .await
            .unwrap_err()
            .code(),
        "CODE_REQUIRED",
        "no shortcut on a kiosk"
    );
    assert_eq!(rig.enrollments.view().await.step, view.step);

    // With the code: their account.
    let view = rig.enrollments.submit_code("000000").await;
    let Step::ExistingAccounts { accounts } = &view.step else {
        panic!("{view:?}")
    };
    assert_eq!(accounts[0].last4, "6789");
}

#[tokio::test]
async fn kiosk_wrong_code_for_a_known_phone_reveals_and_changes_nothing() {
    let mut rig = Rig::start(Options::default()).await;
    let known = phone();
    let account_id = linked_customer(&rig, &known).await;

    rig.restart(&kiosk());
    rig.enrollments.submit_details(details(&known)).await;
    let view = rig.enrollments.submit_code("111111").await;
    let Step::Code {
        error: Some(error),
        attempts_left: 4,
        ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "AP111");
    assert_reveals_nothing(&view);
    // Asking for the account or the widget changes nothing either.
    assert_eq!(rig.enrollments.use_account(account_id).await, view);
    assert_eq!(rig.enrollments.open_widget_again().await, view);
    assert_reveals_nothing(&rig.enrollments.view().await);
    assert_eq!(rig.client.mint_counts().user_for_merchant, 0);
}

#[tokio::test]
async fn kiosk_sends_one_phone_three_codes_in_fifteen_minutes_even_across_a_restart() {
    let mut rig = Rig::start(kiosk()).await;
    let number = phone();
    let view = rig.enrollments.submit_details(details(&number)).await;
    let user_id = user_id_of(&rig, &view);
    for _ in 0..2 {
        let view = rig.enrollments.resend_code().await;
        assert!(
            matches!(
                view.step,
                Step::Code {
                    resent: true,
                    error: None,
                    ..
                }
            ),
            "{view:?}"
        );
    }
    let third = rig.otp(&user_id).await;

    // The fourth is refused, with a code and what to do; nothing is sent.
    let view = rig.enrollments.resend_code().await;
    let Step::Code {
        error: Some(error), ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "CODE_LIMIT");
    assert!(!error.retry);
    assert!(
        error.message.contains("try again in about 15 minutes") && error.message.contains("staff"),
        "{}",
        error.message
    );
    assert_eq!(rig.otp(&user_id).await, third, "no fourth code was sent");

    // A restart does not reset the count: a new enrollment is refused too.
    rig.restart(&kiosk());
    let view = rig.enrollments.submit_details(details(&number)).await;
    let Step::Details {
        error: Some(error), ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert_eq!(error.code, "CODE_LIMIT");
    assert_eq!(rig.otp(&user_id).await, third, "no code was sent");
    let refused = rig
        .store
        .audit_entries(0, i64::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.error_code.as_deref() == Some("CODE_LIMIT"))
        .count();
    assert_eq!(refused, 2, "both refusals are in the audit trail");

    // Another phone is not held back.
    let view = rig.enrollments.submit_details(details(&phone())).await;
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
}

#[tokio::test]
async fn kiosk_without_a_code_goes_to_the_widget_as_a_new_customer_would() {
    let no_code = SimulatorConfig {
        mfa: None,
        ..SimulatorConfig::default()
    };
    let mut rig = Rig::start(Options {
        sim: no_code.clone(),
        ..Options::default()
    })
    .await;
    let known = phone();
    linked_customer(&rig, &known).await;

    rig.restart(&kiosk());
    let view = rig.enrollments.submit_details(details(&known)).await;
    // No proof, so no list of accounts and no default to switch: the widget.
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");
    assert_reveals_nothing(&view);
    let (origin, messages) = rig
        .complete_widget_at(&view, ("aerosync-mfa", "any", "thing"), &["5016"])
        .await;
    let view = rig.relay_all(&origin, &messages).await;
    let Step::Done {
        accounts,
        returning_customer,
        ..
    } = &view.step
    else {
        panic!("{view:?}")
    };
    assert!(!returning_customer, "no 'welcome back' without proof");
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0].last4, "5016", "only what they linked now");
}

#[tokio::test]
async fn desk_shortcut_is_refused_without_the_id_check_and_audited_with_it() {
    let mut rig = Rig::start(Options::default()).await;
    let known = phone();
    let account_id = linked_customer(&rig, &known).await;

    rig.restart(&Options::default());
    let view = rig.enrollments.submit_details(details(&known)).await;
    let id = view.id.clone().unwrap();
    assert!(matches!(view.step, Step::IdCheck { .. }), "{view:?}");
    assert_reveals_nothing(&view);
    let err = rig.enrollments.confirm_id_checked(false).await.unwrap_err();
    assert_eq!(err.code(), "ID_CHECK_REQUIRED");
    assert!(err.message().contains("photo ID"), "{}", err.message());
    // Nothing moved: no account can be used from here.
    assert_eq!(rig.enrollments.use_account(account_id).await, view);
    assert_eq!(rig.enrollments.view().await, view);
    let audited = |rig: &Rig| {
        rig.store
            .audit_entries(0, i64::MAX)
            .unwrap()
            .into_iter()
            .filter(|e| e.action == AuditAction::IdChecked)
            .collect::<Vec<_>>()
    };
    assert!(audited(&rig).is_empty());

    let view = rig.enrollments.confirm_id_checked(true).await.unwrap();
    assert!(
        matches!(view.step, Step::ExistingAccounts { .. }),
        "{view:?}"
    );
    let entries = audited(&rig);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0].staff.as_deref(), Some("staff"));
    assert_eq!(entries[0].mode, AuditMode::Desk);
    assert_eq!(entries[0].correlation_id.as_deref(), Some(id.as_str()));
    // No code was sent: POST /user would have disconnected the customer.
    assert_eq!(rig.client.mint_counts().merchant, 0);
}

#[tokio::test]
async fn desk_staff_may_send_a_code_instead_of_checking_the_id() {
    let mut rig = Rig::start(Options::default()).await;
    let known = phone();
    linked_customer(&rig, &known).await;

    rig.restart(&Options::default());
    rig.enrollments.submit_details(details(&known)).await;
    let view = rig.enrollments.send_code_instead().await;
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
    let code = rig.otp(&user_id_of(&rig, &view)).await;
    let view = rig.enrollments.submit_code(&code).await;
    let Step::ExistingAccounts { accounts } = &view.step else {
        panic!("{view:?}")
    };
    assert_eq!(accounts[0].last4, "6789");
}

#[tokio::test]
async fn a_bank_window_is_opened_only_while_the_widget_is_open() {
    let rig = Rig::start(Options::default()).await;
    let view = to_widget(&rig, &phone()).await;
    let Step::Linking { widget_origin, .. } = &view.step else {
        panic!("{view:?}")
    };
    let launch = json!({
        "type": "widgetPageLoaded",
        "payload": {"pageTitle": "launchExternalWindow", "onLoadApi": "https://bank.example/oauth?x=1"}
    })
    .to_string();
    let open = rig
        .enrollments
        .widget_message(widget_origin, &launch)
        .await
        .unwrap();
    assert_eq!(
        open.open_popup.map(|u| u.to_string()).as_deref(),
        Some("https://bank.example/oauth?x=1")
    );

    // Closed, cancelled, or gone after a reset: no bank window.
    rig.enrollments
        .widget_message(widget_origin, r#"{"type":"widgetClose"}"#)
        .await
        .unwrap();
    let late = rig
        .enrollments
        .widget_message(widget_origin, &launch)
        .await
        .unwrap();
    assert_eq!(late.view.step, Step::WidgetClosed);
    assert!(late.open_popup.is_none(), "{:?}", late.open_popup);
    for end in ["cancel", "start over"] {
        match end {
            "cancel" => {
                rig.enrollments.cancel().await;
            }
            _ => {
                rig.enrollments.start_over().await;
            }
        }
        let refused = rig.enrollments.widget_message(widget_origin, &launch).await;
        assert_eq!(
            refused.err().map(|e| e.code()).as_deref(),
            Some("WIDGET_NOT_OPEN"),
            "after {end}"
        );
    }
}
