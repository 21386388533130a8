//! Enrollment cost against the in-process simulator (plain Rust, no window):
//! real HTTP over loopback, SQLite on disk, the widget completed through the
//! simulator's own widget API, as the customer's clicks would.
//!
//!     cargo bench -p onboarding-core --bench enrollment
//!     cargo bench -p onboarding-core --bench enrollment -- --enrollments 30 --rounds 100
//!
//! Reports:
//! - time from relaying `pageSuccess` (`Enrollments::widget_message`) to the
//!   Done state, and the other steps, over N enrollments of new customers;
//! - token mints per enrollment (new customer, returning customer);
//! - Aeropay API calls per enrollment, counted by a loopback proxy between the
//!   app's client and the simulator (a separate pass, so the proxy's own cost
//!   never enters the timings);
//! - app overhead per API call: `AeropayClient::bank_accounts` against the
//!   same GET made with a bare `reqwest::Client`, interleaved in one run.
//!
//! Everything listens on 127.0.0.1 and stops when the bench ends.

use aeropay_client::{AeropayClient, ApiVersion, ClientConfig, StaticCredentials};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig, ADMIN_TOKEN_HEADER};
use aerosync::WidgetOptions;
use onboarding_core::config::Environment;
use onboarding_core::enrollment::{
    CustomerDetails, EnrollmentDeps, EnrollmentView, Enrollments, Step,
};
use onboarding_core::store::{PhoneHasher, Store};
use onboarding_core::vault::MemoryVault;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---- settings ---------------------------------------------------------------

struct Settings {
    /// New-customer enrollments timed.
    enrollments: usize,
    /// Returning customers timed (each a fresh app session).
    returning: usize,
    /// Enrollments run through the counting proxy.
    counted: usize,
    /// Interleaved rounds of the per-call overhead comparison.
    rounds: usize,
    /// Calls per side in each round.
    calls_per_round: usize,
}

impl Settings {
    fn from_args() -> Settings {
        let mut settings = Settings {
            enrollments: 30,
            returning: 10,
            counted: 3,
            rounds: 100,
            calls_per_round: 25,
        };
        let args: Vec<String> = std::env::args().skip(1).collect();
        let mut i = 0;
        while i < args.len() {
            let value = || {
                args.get(i + 1)
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|v| *v > 0)
                    .unwrap_or_else(|| panic!("{} needs a positive number", args[i]))
            };
            match args[i].as_str() {
                "--enrollments" => settings.enrollments = value(),
                "--returning" => settings.returning = value(),
                "--counted" => settings.counted = value(),
                "--rounds" => settings.rounds = value(),
                "--calls-per-round" => settings.calls_per_round = value(),
                // cargo bench passes `--bench`; other harness flags are ignored.
                _ => {
                    i += 1;
                    continue;
                }
            }
            i += 2;
        }
        settings
    }
}

// ---- statistics -------------------------------------------------------------

/// Median, p10, p90, min and max of a sample, nearest-rank.
struct Summary {
    n: usize,
    min: f64,
    p10: f64,
    median: f64,
    p90: f64,
    max: f64,
}

impl Summary {
    fn of(samples: &[f64]) -> Summary {
        assert!(!samples.is_empty(), "no samples");
        let mut sorted = samples.to_vec();
        sorted.sort_by(f64::total_cmp);
        let rank = |p: f64| {
            let index = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
            sorted[index - 1]
        };
        Summary {
            n: sorted.len(),
            min: sorted[0],
            p10: rank(0.10),
            median: rank(0.50),
            p90: rank(0.90),
            max: sorted[sorted.len() - 1],
        }
    }

    fn line(&self, what: &str, unit: &str) -> String {
        format!(
            "{what:<44} median {:>8.3} {unit}  p10 {:>8.3}  p90 {:>8.3}  min {:>8.3}  max {:>8.3}  (n={})",
            self.median, self.p10, self.p90, self.min, self.max, self.n
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

// ---- counting proxy ---------------------------------------------------------

/// Forwards every request to the simulator and counts it by method and path
/// (numeric path segments folded into `{id}`).
struct CountingProxy {
    base_url: String,
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

struct ProxyState {
    upstream: String,
    http: reqwest::Client,
    counts: Arc<Mutex<BTreeMap<String, u64>>>,
}

impl CountingProxy {
    async fn start(upstream: &str) -> CountingProxy {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("proxy binds loopback");
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let counts = Arc::new(Mutex::new(BTreeMap::new()));
        let state = Arc::new(ProxyState {
            upstream: upstream.to_owned(),
            http: reqwest::Client::new(),
            counts: counts.clone(),
        });
        let app = axum::Router::new().fallback(forward).with_state(state);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        CountingProxy {
            base_url,
            counts,
            stop: Some(stop),
        }
    }

    /// The counts so far, and zero them.
    fn take(&self) -> BTreeMap<String, u64> {
        std::mem::take(&mut *self.counts.lock().unwrap())
    }
}

impl Drop for CountingProxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn forward(
    axum::extract::State(state): axum::extract::State<Arc<ProxyState>>,
    request: axum::extract::Request,
) -> axum::response::Response {
    let (parts, body) = request.into_parts();
    let route = parts
        .uri
        .path()
        .split('/')
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/");
    *state
        .counts
        .lock()
        .unwrap()
        .entry(format!("{} {route}", parts.method))
        .or_default() += 1;

    let path_and_query = parts
        .uri
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .expect("request body");
    let mut headers = parts.headers;
    headers.remove(axum::http::header::HOST);
    let answer = state
        .http
        .request(parts.method, format!("{}{path_and_query}", state.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("simulator answers the proxy");
    let status = answer.status();
    let mut headers = answer.headers().clone();
    headers.remove(axum::http::header::TRANSFER_ENCODING);
    headers.remove(axum::http::header::CONNECTION);
    let bytes = answer.bytes().await.expect("simulator body");
    let mut response = axum::response::Response::new(axum::body::Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

fn total(counts: &BTreeMap<String, u64>) -> u64 {
    counts.values().sum()
}

fn describe(counts: &BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(route, n)| format!("{route} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---- the app side -----------------------------------------------------------

/// One app session: a client and the enrollments, over a shared store and
/// keychain (like the app restarted on the same machine).
struct Session {
    client: Arc<AeropayClient>,
    enrollments: Enrollments,
}

struct Machine {
    store: Arc<Store>,
    vault: Arc<MemoryVault>,
    _dir: tempfile::TempDir,
}

impl Machine {
    fn new() -> Machine {
        let dir = tempfile::tempdir().expect("temp dir");
        Machine {
            store: Arc::new(Store::open(&dir.path().join("app.sqlite3")).expect("store")),
            vault: Arc::new(MemoryVault::new()),
            _dir: dir,
        }
    }

    /// A fresh app session talking to `api_base_url` (the simulator or the proxy).
    fn session(&self, sim: &RunningSimulator, api_base_url: &str) -> Session {
        let config = ClientConfig::with_base_url(api_base_url.parse().unwrap(), ApiVersion::V2);
        let c = sim.credentials();
        let client = Arc::new(
            AeropayClient::new(
                config,
                Arc::new(StaticCredentials::new(
                    c.api_key.clone(),
                    c.api_secret.clone(),
                    c.merchant_id,
                )),
            )
            .expect("client"),
        );
        let enrollments = Enrollments::new(
            EnrollmentDeps {
                client: client.clone(),
                merchant: client.clone(),
                store: self.store.clone(),
                vault: self.vault.clone(),
                phone_hasher: Arc::new(PhoneHasher::new(b"bench-key")),
                environment: Environment::Simulator,
                widget: WidgetOptions::default(),
                mode: onboarding_core::config::Mode::Desk,
                staff: None,
            },
            None,
        );
        Session {
            client,
            enrollments,
        }
    }
}

fn details(phone: &str) -> CustomerDetails {
    CustomerDetails {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phone: phone.into(),
        email: "ada@example.com".into(),
    }
}

/// A distinct valid US mobile number per index (none of the sandbox's
/// trigger numbers).
fn phone(index: usize) -> String {
    let base = (std::process::id() as usize % 400) * 20;
    format!("(415) 555-{:04}", 1000 + (base + index) % 9000)
}

/// What the customer does in the widget at Aerobank: sign in, pick the
/// account. Returns the widget origin and the messages it posts to the page.
async fn complete_widget(
    http: &reqwest::Client,
    sim: &RunningSimulator,
    view: &EnrollmentView,
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
    let api = format!("{}/aerosync/api", sim.base_url());
    let step: Value = http
        .post(format!("{api}/login"))
        .bearer_auth(&token)
        .json(&json!({"bankId": "aerobank", "username": "sync", "password": "no_mfa"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(step["step"], "accounts", "{step}");
    let done: Value = http
        .post(format!("{api}/complete"))
        .bearer_auth(&token)
        .json(&json!({"loginId": step["loginId"], "accountIds": ["6789"], "version": param("version")}))
        .send()
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

async fn otp(http: &reqwest::Client, sim: &RunningSimulator, user_id: &str) -> String {
    let body: Value = http
        .get(format!("{}/__admin/otp?userId={user_id}", sim.base_url()))
        .header(ADMIN_TOKEN_HEADER, sim.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["code"].as_str().expect("an OTP was sent").to_owned()
}

/// Times of one new-customer enrollment, and its user id.
struct Enrolled {
    user_id: String,
    details: Duration,
    code: Duration,
    widget_success_to_done: Duration,
}

/// details → code → widget → pageSuccess relayed → Done.
async fn enroll_new(
    machine: &Machine,
    session: &Session,
    sim: &RunningSimulator,
    http: &reqwest::Client,
    phone: &str,
) -> Enrolled {
    let started = Instant::now();
    let view = session.enrollments.submit_details(details(phone)).await;
    let details_time = started.elapsed();
    assert!(matches!(view.step, Step::Code { .. }), "{view:?}");
    let user_id = machine
        .store
        .enrollment(view.id.as_deref().unwrap())
        .unwrap()
        .unwrap()
        .user_id
        .expect("user id recorded");
    let code = otp(http, sim, &user_id).await;

    let started = Instant::now();
    let view = session.enrollments.submit_code(&code).await;
    let code_time = started.elapsed();
    assert!(matches!(view.step, Step::Linking { .. }), "{view:?}");

    let (origin, messages) = complete_widget(http, sim, &view).await;
    let mut success_to_done = None;
    for raw in &messages {
        let is_success = raw.contains("pageSuccess");
        let started = Instant::now();
        let outcome = session
            .enrollments
            .widget_message(&origin, raw)
            .await
            .expect("message accepted");
        if is_success {
            success_to_done = Some(started.elapsed());
            assert!(
                matches!(outcome.view.step, Step::Done { .. }),
                "{:?}",
                outcome.view
            );
        }
    }
    Enrolled {
        user_id,
        details: details_time,
        code: code_time,
        widget_success_to_done: success_to_done.expect("the widget sent pageSuccess"),
    }
}

/// A returning customer in a fresh app session (desk): details → staff
/// checked the ID → their accounts → use one → Done. Returns the time of
/// the two steps up to their accounts together, and of using one.
async fn enroll_returning(session: &Session, phone: &str) -> (Duration, Duration) {
    let started = Instant::now();
    let view = session.enrollments.submit_details(details(phone)).await;
    assert!(matches!(view.step, Step::IdCheck { .. }), "{view:?}");
    let view = session
        .enrollments
        .confirm_id_checked(true)
        .await
        .expect("the ID check is taken");
    let details_time = started.elapsed();
    let Step::ExistingAccounts { accounts } = &view.step else {
        panic!("{view:?}")
    };
    let started = Instant::now();
    let view = session
        .enrollments
        .use_account(accounts[0].bank_account_id)
        .await;
    let use_time = started.elapsed();
    assert!(
        matches!(
            view.step,
            Step::Done {
                returning_customer: true,
                ..
            }
        ),
        "{view:?}"
    );
    (details_time, use_time)
}

fn mints(client: &AeropayClient) -> (u64, u64) {
    let m = client.mint_counts();
    assert_eq!(m.failed, 0, "no failed mints: {m:?}");
    (m.merchant, m.user_for_merchant)
}

// ---- the bench --------------------------------------------------------------

async fn run(settings: Settings) {
    let sim = Simulator::start(SimulatorConfig::default())
        .await
        .expect("simulator starts");
    let http = reqwest::Client::new();
    let machine = Machine::new();
    let mut next_phone = 0usize;
    let mut new_phone = || {
        next_phone += 1;
        phone(next_phone)
    };

    println!("Aeropay Onboarding: enrollment bench against the in-process simulator (API v2, widget SDK default)");
    println!(
        "enrollments={} returning={} counted={} rounds={} calls_per_round={}",
        settings.enrollments,
        settings.returning,
        settings.counted,
        settings.rounds,
        settings.calls_per_round
    );
    println!("load average at start: {}", load_average());

    // Warm-up: one enrollment in its own session (connections, SQLite pages).
    {
        let session = machine.session(&sim, sim.base_url());
        enroll_new(&machine, &session, &sim, &http, &new_phone()).await;
    }

    // 1. New customers, one after another in one app session (as at a desk).
    let session = machine.session(&sim, sim.base_url());
    let mut details_ms = Vec::new();
    let mut code_ms = Vec::new();
    let mut success_ms = Vec::new();
    let mut mints_per_enrollment = BTreeMap::<(u64, u64), usize>::new();
    let mut first_mints = None;
    let mut enrolled = Vec::new();
    for i in 0..settings.enrollments {
        let before = mints(&session.client);
        let phone = new_phone();
        let e = enroll_new(&machine, &session, &sim, &http, &phone).await;
        let after = mints(&session.client);
        let delta = (after.0 - before.0, after.1 - before.1);
        if i == 0 {
            first_mints = Some(delta);
        } else {
            *mints_per_enrollment.entry(delta).or_default() += 1;
        }
        details_ms.push(ms(e.details));
        code_ms.push(ms(e.code));
        success_ms.push(ms(e.widget_success_to_done));
        enrolled.push((phone, e.user_id));
        session.enrollments.start_over().await;
    }
    println!();
    println!("== New customer, in-process simulator (ms) ==");
    println!(
        "{}",
        Summary::of(&success_ms).line("pageSuccess relayed -> Done", "ms")
    );
    println!(
        "{}",
        Summary::of(&details_ms).line("details submitted -> code screen", "ms")
    );
    println!(
        "{}",
        Summary::of(&code_ms).line("code submitted -> widget open", "ms")
    );
    let (m, u) = first_mints.expect("at least one enrollment");
    println!("token mints, first customer of an app session: merchant {m}, userForMerchant {u}");
    for ((m, u), count) in &mints_per_enrollment {
        println!("token mints, later customers of the session:    merchant {m}, userForMerchant {u}  ({count} enrollments)");
    }

    // 2. Returning customers, each in a fresh app session (same store and keychain).
    let mut returning_details_ms = Vec::new();
    let mut returning_use_ms = Vec::new();
    let mut returning_mints = BTreeMap::<(u64, u64), usize>::new();
    for (phone, _) in enrolled.iter().take(settings.returning) {
        let session = machine.session(&sim, sim.base_url());
        let (d, u) = enroll_returning(&session, phone).await;
        returning_details_ms.push(ms(d));
        returning_use_ms.push(ms(u));
        *returning_mints.entry(mints(&session.client)).or_default() += 1;
    }
    println!();
    println!("== Returning customer, fresh app session (ms) ==");
    println!(
        "{}",
        Summary::of(&returning_details_ms).line("details submitted -> their accounts", "ms")
    );
    println!(
        "{}",
        Summary::of(&returning_use_ms).line("account chosen -> Done", "ms")
    );
    for ((m, u), count) in &returning_mints {
        println!("token mints per returning customer: merchant {m}, userForMerchant {u}  ({count} customers)");
    }

    // 3. API calls per enrollment, counted by a proxy in front of the simulator.
    let proxy = CountingProxy::start(sim.base_url()).await;
    println!();
    println!("== Aeropay API calls per enrollment (counted at a loopback proxy) ==");
    let mut later = BTreeMap::<u64, usize>::new();
    let mut counted_phones = Vec::new();
    {
        let session = machine.session(&sim, &proxy.base_url);
        for i in 0..settings.counted {
            proxy.take();
            let phone = new_phone();
            enroll_new(&machine, &session, &sim, &http, &phone).await;
            let counts = proxy.take();
            if i == 0 {
                println!(
                    "new customer, first of a session: {} calls: {}",
                    total(&counts),
                    describe(&counts)
                );
            } else {
                if later.is_empty() {
                    println!(
                        "new customer, later in a session: {} calls: {}",
                        total(&counts),
                        describe(&counts)
                    );
                }
                *later.entry(total(&counts)).or_default() += 1;
            }
            counted_phones.push(phone);
            session.enrollments.start_over().await;
        }
    }
    for (calls, count) in &later {
        println!("  later customers: {calls} calls ({count} enrollments)");
    }
    let mut returning_calls = BTreeMap::<u64, usize>::new();
    for (i, phone) in counted_phones.iter().enumerate() {
        let session = machine.session(&sim, &proxy.base_url);
        proxy.take();
        enroll_returning(&session, phone).await;
        let counts = proxy.take();
        if i == 0 {
            println!(
                "returning customer, fresh session: {} calls: {}",
                total(&counts),
                describe(&counts)
            );
        }
        *returning_calls.entry(total(&counts)).or_default() += 1;
    }
    for (calls, count) in &returning_calls {
        println!("  returning customers: {calls} calls ({count} customers)");
    }
    drop(proxy);

    // 4. App overhead per API call: the client's GET /v2/bankAccounts against
    // the same GET with a bare reqwest client, interleaved, same token.
    let (_, user_id) = enrolled.last().expect("an enrolled customer").clone();
    let client = machine.session(&sim, sim.base_url()).client;
    let token = client
        .user_token(&user_id)
        .await
        .expect("user token")
        .token
        .expose()
        .to_owned();
    let bare = reqwest::Client::new();
    let url = format!("{}/v2/bankAccounts", sim.base_url());
    let bare_call = || async {
        let body: Value = bare
            .get(&url)
            .header("authorization", format!("Bearer {token}"))
            .header("accept", "application/json")
            .send()
            .await
            .expect("bare GET")
            .json()
            .await
            .expect("bare JSON");
        assert!(body["bankAccounts"]
            .as_array()
            .is_some_and(|a| !a.is_empty()));
    };
    let client_call = || async {
        let accounts = client.bank_accounts(&user_id).await.expect("bankAccounts");
        assert!(!accounts.is_empty());
    };
    for _ in 0..50 {
        client_call().await;
        bare_call().await;
    }
    let mints_before = client.mint_counts().total();
    let mut client_us = Vec::new();
    let mut bare_us = Vec::new();
    let mut ratios = Vec::new();
    let per_call = |d: Duration| d.as_secs_f64() * 1e6 / settings.calls_per_round as f64;
    for round in 0..settings.rounds {
        let mut time_client = Duration::ZERO;
        let mut time_bare = Duration::ZERO;
        for side in [round % 2, (round + 1) % 2] {
            let started = Instant::now();
            for _ in 0..settings.calls_per_round {
                if side == 0 {
                    client_call().await;
                } else {
                    bare_call().await;
                }
            }
            if side == 0 {
                time_client = started.elapsed();
            } else {
                time_bare = started.elapsed();
            }
        }
        client_us.push(per_call(time_client));
        bare_us.push(per_call(time_bare));
        ratios.push(time_client.as_secs_f64() / time_bare.as_secs_f64());
    }
    assert_eq!(
        client.mint_counts().total(),
        mints_before,
        "no mints while timing"
    );
    let c = Summary::of(&client_us);
    let b = Summary::of(&bare_us);
    let r = Summary::of(&ratios);
    println!();
    println!(
        "== App overhead per API call: GET /v2/bankAccounts, {} interleaved rounds of {} calls (µs per call) ==",
        settings.rounds, settings.calls_per_round
    );
    println!("{}", c.line("AeropayClient::bank_accounts", "µs"));
    println!("{}", b.line("bare reqwest GET + serde_json::Value", "µs"));
    println!("{}", r.line("ratio client/bare, per round", "x"));
    println!(
        "overhead per call (difference of medians): {:.1} µs",
        c.median - b.median
    );

    println!("load average at end: {}", load_average());
    sim.shutdown().await;
}

/// The machine's load average (1, 5, 15 min), to judge how noisy a run was.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let settings = Settings::from_args();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(run(settings));
}
