//! The fleet broker under load, on 127.0.0.1 (`scripts/bench-broker.sh`).
//!
//! The simulator plays Aeropay in this process; the broker runs as its own
//! process (the `serve` binary, on a free port), so that its memory can be
//! read from `/proc/<pid>/status` alone. Then:
//!
//! 1. devices are added with the store's `add_device`, and enrolled over
//!    HTTP (`POST /v1/devices/enroll`);
//! 2. customers are enrolled through the broker, many in flight: create
//!    user, confirm the code, ask for a userForMerchant token, by devices
//!    taken round-robin;
//! 3. the same Aeropay calls are made straight to the simulator with the
//!    Aeropay client (merchant scope), as many in flight: the difference is
//!    what the broker adds;
//! 4. the merchant tokens the simulator minted for the broker are counted:
//!    one for the whole fleet, or the run fails;
//! 5. the broker's resident memory is read before and after.
//!
//! Nothing here asserts a duration: the figures are printed, and the run
//! fails only when a call fails or the fleet needed more than one merchant
//! token.
//!
//! ```text
//! fleet [--postgres] [--devices N] [--http-enroll N] [--enrollments N] [--concurrency N]
//! ```

use aeropay_client::{AeropayClient, ClientConfig, NewUser, StaticCredentials};
use aeropay_onboarding_broker::config::Config;
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig};
use broker_store::testing::TestPostgres;
use broker_store::Store;
use futures::StreamExt as _;
use serde_json::{json, Value};
use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Per device and hour; far above what one device does in a run, so that
/// the broker never answers 429 here.
const BENCH_LIMIT_PER_HOUR: u32 = 1_000_000;
/// The simulator's sandbox code, which confirms any user.
const CODE: &str = "000000";

struct Options {
    postgres: bool,
    devices: usize,
    http_enroll: usize,
    enrollments: usize,
    concurrency: usize,
}

fn usage() -> String {
    "fleet [--postgres] [--devices N] [--http-enroll N] [--enrollments N] [--concurrency N]\n\
     defaults: 10000 devices, all of them enrolled over HTTP, 2000 enrollments, 200 in flight"
        .to_owned()
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        postgres: false,
        devices: 10_000,
        http_enroll: usize::MAX,
        enrollments: 2_000,
        concurrency: 200,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            args.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{name} takes a positive number\n{}", usage()))
        };
        match arg.as_str() {
            "--postgres" => o.postgres = true,
            "--devices" => o.devices = number("--devices")?,
            "--http-enroll" => o.http_enroll = number("--http-enroll")?,
            "--enrollments" => o.enrollments = number("--enrollments")?,
            "--concurrency" => o.concurrency = number("--concurrency")?,
            // `cargo bench` adds it.
            "--bench" => {}
            "-h" | "--help" => return Err(usage()),
            other => return Err(format!("unknown argument {other:?}\n{}", usage())),
        }
    }
    o.http_enroll = o.http_enroll.min(o.devices);
    Ok(o)
}

fn main() -> ExitCode {
    let options = match options() {
        Ok(o) => o,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    // Started before the runtime: it waits for the server synchronously.
    let postgres = options.postgres.then(TestPostgres::start);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let result = runtime.block_on(run(&options, postgres.as_ref()));
    drop(runtime);
    drop(postgres);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("FAILED: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The broker's own process; killed when dropped.
struct BrokerProcess {
    child: Child,
    url: String,
}

impl Drop for BrokerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl BrokerProcess {
    fn start(config_file: &std::path::Path, sim: &RunningSimulator) -> BrokerProcess {
        let creds = sim.credentials();
        let mut child = Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding-broker"))
            .arg("--config")
            .arg(config_file)
            .arg("serve")
            // Everything but the key and secret comes from the file.
            .env_remove("BROKER_DATABASE_URL")
            .env_remove("BROKER_LISTEN")
            .env_remove("BROKER_AEROPAY_ENVIRONMENT")
            .env_remove("BROKER_AEROPAY_API_VERSION")
            .env_remove("BROKER_CREDENTIALS_FILE")
            .env_remove("AEROPAY_MERCHANT_ID")
            .env("AEROPAY_API_KEY", &creds.api_key)
            .env("AEROPAY_API_SECRET", &creds.api_secret)
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the broker starts");
        let stdout = child.stdout.take().expect("its standard output");
        let mut lines = BufReader::new(stdout).lines();
        let addr = loop {
            let line = lines
                .next()
                .expect("the broker logs its address before it ends")
                .expect("a log line");
            let entry: Value = serde_json::from_str(&line).unwrap_or(Value::Null);
            if entry["fields"]["message"] == "broker listening" {
                break entry["fields"]["addr"]
                    .as_str()
                    .expect("an address")
                    .to_owned();
            }
        };
        // Its log lines are read (and dropped) so that it never blocks on
        // a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        BrokerProcess {
            child,
            url: format!("http://{addr}"),
        }
    }

    /// VmRSS and VmHWM in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|kb| kb.parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// The nearest-rank percentile of sorted durations, in milliseconds.
fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank - 1].as_secs_f64() * 1000.0
}

/// A phone number of enrollment `n` of a phase (`base` keeps phases apart).
fn phone(base: usize, n: usize) -> String {
    format!("+1415{:07}", base + n)
}

fn customer(phone: &str) -> Value {
    json!({"firstName": "Ana", "lastName": "Lopez", "phoneNumber": phone, "email": "ana@example.com"})
}

/// One POST to the broker: how long it took, and its JSON answer.
async fn post(
    http: &reqwest::Client,
    url: String,
    credential: Option<&str>,
    idempotency_key: Option<&str>,
    body: Value,
) -> Result<(Duration, Value), String> {
    let started = Instant::now();
    let mut request = http.post(&url).json(&body);
    if let Some(credential) = credential {
        request = request.bearer_auth(credential);
    }
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.map_err(|e| format!("{url}: {e}"))?;
    let status = response.status();
    let text = response.text().await.map_err(|e| format!("{url}: {e}"))?;
    let took = started.elapsed();
    if !status.is_success() {
        return Err(format!("{url}: {status} {text}"));
    }
    let value = serde_json::from_str(&text).map_err(|e| format!("{url}: {e}: {text}"))?;
    Ok((took, value))
}

/// The three calls of one enrollment; `first_create` and `later_create`
/// split the creates between the first wave (the enrollments started
/// before any had ended, which wait for the first merchant token) and the
/// others.
#[derive(Default)]
struct Calls {
    create: Vec<Duration>,
    confirm: Vec<Duration>,
    token: Vec<Duration>,
    first_create: Vec<Duration>,
    later_create: Vec<Duration>,
}

impl Calls {
    fn push(&mut self, sample: [Duration; 3], first_wave: bool) {
        self.create.push(sample[0]);
        self.confirm.push(sample[1]);
        self.token.push(sample[2]);
        if first_wave {
            self.first_create.push(sample[0]);
        } else {
            self.later_create.push(sample[0]);
        }
    }

    fn sort(&mut self) {
        for calls in [
            &mut self.create,
            &mut self.confirm,
            &mut self.token,
            &mut self.first_create,
            &mut self.later_create,
        ] {
            calls.sort();
        }
    }
}

/// What a phase of many enrollments gave: the calls' durations, the wall
/// time, and the failures (with the first few messages).
struct Phase {
    calls: Calls,
    wall: Duration,
    failures: Vec<String>,
}

async fn phase<F, Fut>(count: usize, concurrency: usize, one: F) -> Phase
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = Result<[Duration; 3], String>>,
{
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(0..count)
        .map(|n| {
            let call = one(n);
            async move { (n, call.await) }
        })
        .buffer_unordered(concurrency)
        .collect()
        .await;
    let wall = started.elapsed();
    let mut calls = Calls::default();
    let mut failures = Vec::new();
    for (n, result) in results {
        match result {
            Ok(sample) => calls.push(sample, n < concurrency),
            Err(message) => failures.push(message),
        }
    }
    calls.sort();
    Phase {
        calls,
        wall,
        failures,
    }
}

fn check(what: &str, phase: &Phase) -> Result<(), String> {
    if phase.failures.is_empty() {
        return Ok(());
    }
    let first: Vec<&str> = phase.failures.iter().take(3).map(String::as_str).collect();
    Err(format!(
        "{what}: {} enrollments failed; the first: {first:#?}",
        phase.failures.len()
    ))
}

async fn run(o: &Options, postgres: Option<&TestPostgres>) -> Result<(), String> {
    aeropay_client::tls::install_crypto_provider();
    let sim = Simulator::start(SimulatorConfig::default())
        .await
        .map_err(|e| format!("the simulator does not start: {e}"))?;
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let (database_url, database) = match postgres {
        Some(pg) => (
            pg.url(),
            "PostgreSQL (a throwaway server on 127.0.0.1, TCP)",
        ),
        None => (
            format!("sqlite://{}", dir.path().join("broker.db").display()),
            "SQLite (a file in a temporary folder)",
        ),
    };
    let config_file = dir.path().join("broker.toml");
    let config_text = format!(
        "database_url = {database_url:?}\n\
         listen = \"127.0.0.1:0\"\n\
         [aeropay]\n\
         environment = {base:?}\n\
         merchant_id = {merchant}\n\
         [limits]\n\
         codes_per_hour = {BENCH_LIMIT_PER_HOUR}\n\
         users_per_hour = {BENCH_LIMIT_PER_HOUR}\n",
        base = sim.base_url(),
        merchant = sim.credentials().merchant_id,
    );
    std::fs::write(&config_file, config_text).map_err(|e| e.to_string())?;
    // The broker's own reading of that file: the Aeropay base URL and API
    // version the direct calls use too.
    let config = Config::load(Some(&config_file), &|_| None).map_err(|e| e.to_string())?;
    let store = Store::open(&database_url)
        .await
        .map_err(|e| format!("the store does not open: {e}"))?;

    let broker = BrokerProcess::start(&config_file, &sim);
    let idle = broker.memory();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| e.to_string())?;

    println!("Fleet broker benchmark");
    println!("  database: {database}");
    println!(
        "  broker: its own process (the `serve` binary, {}), JSON logs at info read and dropped",
        broker.url
    );
    println!(
        "  rate limits raised for the bench: {BENCH_LIMIT_PER_HOUR} codes and {BENCH_LIMIT_PER_HOUR} users per device and hour"
    );
    println!(
        "  Aeropay: the simulator, in the load generator's process ({} worker threads)",
        tokio_workers()
    );
    println!(
        "  load: {} devices, {} enrollments, {} in flight, devices taken round-robin",
        o.devices, o.enrollments, o.concurrency
    );
    println!();

    // 1. Devices.
    let started = Instant::now();
    let mut codes = Vec::with_capacity(o.devices);
    for n in 0..o.devices {
        let (_, code) = store
            .add_device(&format!("kiosk-{n:05}"), &format!("store-{:03}", n / 100))
            .await
            .map_err(|e| format!("add_device: {e}"))?;
        codes.push(code);
    }
    let added = started.elapsed();
    let started = Instant::now();
    let enrolled: Vec<Result<String, String>> =
        futures::stream::iter(codes.iter().take(o.http_enroll))
            .map(|code| {
                let http = &http;
                let url = format!("{}/v1/devices/enroll", broker.url);
                async move {
                    let (_, answer) =
                        post(http, url, None, None, json!({"code": code.reveal()})).await?;
                    Ok(format!(
                        "{}.{}",
                        answer["device_id"].as_str().unwrap_or_default(),
                        answer["secret"].as_str().unwrap_or_default()
                    ))
                }
            })
            .buffer_unordered(o.concurrency)
            .collect()
            .await;
    let enroll_took = started.elapsed();
    let credentials: Vec<String> = enrolled.into_iter().collect::<Result<_, _>>()?;
    let after_devices = broker.memory();
    println!("1. Devices");
    println!(
        "   {} added with the store's add_device, one after the other: {:.2} s ({:.0}/s)",
        o.devices,
        added.as_secs_f64(),
        o.devices as f64 / added.as_secs_f64()
    );
    println!(
        "   {} of them enrolled over HTTP (POST /v1/devices/enroll, {} in flight): {:.2} s ({:.0}/s)",
        credentials.len(),
        o.concurrency,
        enroll_took.as_secs_f64(),
        credentials.len() as f64 / enroll_took.as_secs_f64()
    );
    println!();

    // 2. Enrollments through the broker.
    let through = phase(o.enrollments, o.concurrency, |n| {
        let http = &http;
        let base = &broker.url;
        let credential = credentials[n % credentials.len()].as_str();
        async move {
            let key = format!("bench-{n}");
            let (create, created) = post(
                http,
                format!("{base}/v1/users"),
                Some(credential),
                Some(&format!("{key}-create")),
                customer(&phone(1_000_000, n)),
            )
            .await?;
            let user_id = created["user"]["id"]
                .as_str()
                .ok_or_else(|| format!("no user id in {created}"))?;
            let (confirm, _) = post(
                http,
                format!("{base}/v1/users/{user_id}/confirm"),
                Some(credential),
                Some(&format!("{key}-confirm")),
                json!({"code": CODE}),
            )
            .await?;
            let (token, answer) = post(
                http,
                format!("{base}/v1/users/{user_id}/token"),
                Some(credential),
                None,
                json!({}),
            )
            .await?;
            if answer["scope"] != "userForMerchant" {
                return Err(format!("not a user token: {answer}"));
            }
            Ok([create, confirm, token])
        }
    })
    .await;
    check("through the broker", &through)?;
    let fleet_mints = sim.counts().merchant_mints;
    let after_load = broker.memory();

    // 3. The same Aeropay calls, straight to the simulator.
    let client = AeropayClient::new(
        ClientConfig::with_base_url(
            config.base_url().ok_or("no Aeropay base URL")?,
            config.api_version,
        ),
        Arc::new(StaticCredentials::new(
            sim.credentials().api_key.as_str(),
            sim.credentials().api_secret.as_str(),
            sim.credentials().merchant_id,
        )),
    )
    .map_err(|e| e.to_string())?;
    let direct = phase(o.enrollments, o.concurrency, |n| {
        let client = &client;
        async move {
            let new_user = NewUser {
                first_name: "Ana".into(),
                last_name: "Lopez".into(),
                phone_number: phone(5_000_000, n),
                email: "ana@example.com".into(),
            };
            let started = Instant::now();
            let created = client
                .create_user(&new_user)
                .await
                .map_err(|e| format!("create_user: {e}"))?;
            let create = started.elapsed();
            let started = Instant::now();
            client
                .confirm_user(&created.user.id, CODE)
                .await
                .map_err(|e| format!("confirm_user: {e}"))?;
            let confirm = started.elapsed();
            let started = Instant::now();
            client
                .user_token(&created.user.id)
                .await
                .map_err(|e| format!("user_token: {e}"))?;
            Ok([create, confirm, started.elapsed()])
        }
    })
    .await;
    check("straight to the simulator", &direct)?;
    let all_mints = sim.counts().merchant_mints;

    let rate = |p: &Phase| p.calls.create.len() as f64 / p.wall.as_secs_f64();
    println!("2. Enrollments (create user, confirm code, user token)");
    println!(
        "   through the broker: {} in {:.2} s: {:.1} enrollments/s",
        through.calls.create.len(),
        through.wall.as_secs_f64(),
        rate(&through)
    );
    println!(
        "   straight to the simulator (Aeropay client, merchant scope, same calls): {} in {:.2} s: {:.1} enrollments/s",
        direct.calls.create.len(),
        direct.wall.as_secs_f64(),
        rate(&direct)
    );
    println!();
    println!(
        "3. Latency per call, ms, {} in flight (load generator's view)",
        o.concurrency
    );
    println!();
    println!(
        "| call | broker p50 | broker p99 | direct p50 | direct p99 | added p50 | added p99 |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, b, d) in [
        ("create user", &through.calls.create, &direct.calls.create),
        (
            "create user, first wave",
            &through.calls.first_create,
            &direct.calls.first_create,
        ),
        (
            "create user, the others",
            &through.calls.later_create,
            &direct.calls.later_create,
        ),
        (
            "confirm code",
            &through.calls.confirm,
            &direct.calls.confirm,
        ),
        ("user token", &through.calls.token, &direct.calls.token),
    ] {
        let (b50, b99, d50, d99) = (
            percentile(b, 50),
            percentile(b, 99),
            percentile(d, 50),
            percentile(d, 99),
        );
        println!(
            "| {name} | {b50:.1} | {b99:.1} | {d50:.1} | {d99:.1} | {:+.1} | {:+.1} |",
            b50 - d50,
            b99 - d99
        );
    }
    println!();
    println!(
        "   first wave: the first {} enrollments started, before any had ended; they wait for the first merchant token",
        o.concurrency.min(o.enrollments)
    );
    println!();
    println!("4. Merchant tokens");
    println!(
        "   minted by the simulator for the broker's fleet: {fleet_mints} ({}; {} devices, {} enrollments)",
        if fleet_mints == 1 {
            "one for the whole fleet, as it must be"
        } else {
            "WRONG: the fleet must share one"
        },
        credentials.len(),
        through.calls.create.len()
    );
    println!(
        "   then by the direct client for itself: {} ({all_mints} in all)",
        all_mints - fleet_mints
    );
    println!();
    println!(
        "5. Broker process memory (/proc/{}/status; the broker alone, not the simulator or the load generator)",
        broker.child.id()
    );
    println!();
    println!("| when | VmRSS | VmHWM |");
    println!("|---|---:|---:|");
    for (when, (rss, hwm)) in [
        ("started, idle", idle),
        ("after the devices", after_devices),
        ("after the enrollments", after_load),
    ] {
        println!("| {when} | {} | {} |", mib(rss), mib(hwm));
    }
    drop(broker);
    sim.shutdown().await;
    if fleet_mints != 1 {
        return Err(format!(
            "the fleet needed {fleet_mints} merchant tokens, not one"
        ));
    }
    Ok(())
}

fn tokio_workers() -> usize {
    std::thread::available_parallelism()
        .map(usize::from)
        .unwrap_or(1)
}
