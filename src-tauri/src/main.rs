// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use aeropay_onboarding::cli::{self, Cli, Command};
use aeropay_onboarding::config::{self, Settings};
use aeropay_onboarding::policy;
use aeropay_onboarding::startup::{self, Mark};
use aeropay_onboarding::store::Store;
use aeropay_onboarding::vault::OsKeychain;
use clap::Parser;
use onboarding_core::group_settings;
use std::process::ExitCode;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn main() -> ExitCode {
    startup::begin();
    // Before any HTTP client, the updater's included.
    aeropay_onboarding::tls::install_crypto_provider();
    tracing_subscriber::fmt()
        // Everything reaches the filter below, which decides.
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(std::io::stderr)
        .finish()
        .with(aeropay_onboarding::logging::filter())
        .init();

    let cli = Cli::parse();
    match cli.command {
        None => open_window(cli.mode.map(Into::into)),
        Some(Command::Simulate(args)) => simulate(&args),
        Some(Command::Doctor) => doctor(),
        Some(Command::KioskSession) => kiosk_session(),
        Some(Command::SetStaffPin) => {
            let result = machine().and_then(|(settings, _, _, store)| {
                cli::set_staff_pin(
                    &mut std::io::stdin().lock(),
                    &OsKeychain::new(),
                    &store,
                    settings.mode,
                )
            });
            match result {
                Ok(()) => {
                    println!("Staff PIN set; only its hash is in the OS keychain.");
                    ExitCode::SUCCESS
                }
                Err(err) => fail(err.code(), &err),
            }
        }
        Some(Command::Configure(args)) if args.is_broker() => configure_fleet(&args),
        Some(Command::Configure(args)) => {
            let result = machine().and_then(|(_, path, policy, store)| {
                let mut input = cli::configure_input(&args)?;
                cli::configure(
                    &args,
                    &mut input,
                    &OsKeychain::new(),
                    &path,
                    &store,
                    &policy,
                )
            });
            match result {
                Ok(settings) => {
                    println!(
                        "Configured {} (merchant {}); the API key and secret are in the OS keychain.",
                        settings.environment.label(),
                        args.merchant_id.unwrap_or_default()
                    );
                    if args.staff_pin_stdin {
                        println!("Staff PIN set; only its hash is in the OS keychain.");
                    }
                    ExitCode::SUCCESS
                }
                Err(err) => fail(err.code(), &err),
            }
        }
    }
}

/// `configure --environment broker --broker-url URL`, the code on stdin.
fn configure_fleet(args: &cli::ConfigureArgs) -> ExitCode {
    use aeropay_onboarding::fleet_client::BrokerConfig;
    let result = machine().and_then(|(_, path, policy, store)| {
        let mut input = cli::configure_input(args)?;
        let url = args
            .broker_url
            .clone()
            .ok_or(cli::CliError::MissingInput("--broker-url is needed"))?;
        let runtime = tokio::runtime::Runtime::new().map_err(cli::CliError::Runtime)?;
        runtime.block_on(cli::configure_fleet(
            args,
            &mut input,
            &OsKeychain::new(),
            &path,
            &store,
            &policy,
            BrokerConfig::new(url),
        ))
    });
    match result {
        Ok(settings) => {
            let fleet = settings.fleet.as_ref();
            println!(
                "Enrolled in the fleet as {} (group {}) at {}; Aeropay: {}. The device credential is in the OS keychain; this device holds no API key or secret.",
                fleet.map(|f| f.device_name.as_str()).unwrap_or_default(),
                fleet.map(|f| f.group.as_str()).unwrap_or_default(),
                fleet.map(|f| f.broker_url.as_str()).unwrap_or_default(),
                settings.environment.label(),
            );
            if args.staff_pin_stdin {
                println!("Staff PIN set; only its hash is in the OS keychain.");
            }
            ExitCode::SUCCESS
        }
        Err(err) => fail(err.code(), &err),
    }
}

/// This machine's settings (the policy's managed fields in them), their
/// path, its policy and its database (for the audit trail), opened before
/// anything is changed.
type Machine = (Settings, std::path::PathBuf, policy::Policy, Store);

fn machine() -> Result<Machine, cli::CliError> {
    let path = config::settings_path()?;
    let data_dir = config::data_dir()?;
    let settings = Settings::load_from(&path)?;
    let policy = policy::load()?.with_group(group_settings::for_settings(&settings, &data_dir));
    let settings = policy.apply(settings);
    let store = Store::open_in(&data_dir)?;
    Ok((settings, path, policy, store))
}

fn simulate(args: &cli::SimulateArgs) -> ExitCode {
    use aeropay_onboarding::simulator::Simulator;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => return fail("SIM_RUNTIME", &err),
    };
    runtime.block_on(async {
        let sim = match Simulator::start(args.config()).await {
            Ok(sim) => sim,
            Err(err) => return fail(err.code(), &err),
        };
        let c = sim.credentials();
        // Simulator-only credentials: they open nothing real.
        println!("Aeropay simulator (simulated, no real bank data)");
        println!("  API base (v1): {}", sim.base_url());
        println!("  API base (v2): {}", sim.v2_base_url());
        println!("  Widget:        {}", sim.widget_url());
        println!("  Demo:          {}", sim.demo_url());
        println!("  API key:       {}", c.api_key);
        println!("  API secret:    {}", c.api_secret);
        println!("  Merchant id:   {}", c.merchant_id);
        println!(
            "  Admin token:   {} (header {}; new at each start)",
            sim.admin_token(),
            aeropay_onboarding::simulator::ADMIN_TOKEN_HEADER
        );
        println!("Press Ctrl-C to stop.");
        let _ = tokio::signal::ctrl_c().await;
        sim.shutdown().await;
        ExitCode::SUCCESS
    })
}

fn doctor() -> ExitCode {
    use aeropay_onboarding::doctor::{self, DoctorInputs};
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => return fail("DOCTOR_RUNTIME", &err),
    };
    let results = runtime.block_on(doctor::run_checks(&DoctorInputs::for_this_machine()));
    print!("{}", doctor::render(&results));
    if doctor::all_ok(&results) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn kiosk_session() -> ExitCode {
    use aeropay_onboarding::kiosk::session::{supervise, SessionConfig, SessionEnd};
    let config = match config::data_dir() {
        Ok(data_dir) => SessionConfig::for_this_app(data_dir),
        Err(err) => return fail(err.code(), &err),
    };
    let config = match config {
        Ok(config) => config,
        Err(err) => return fail("KIOSK_SESSION_SPAWN", &err),
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(err) => return fail("KIOSK_SESSION_RUNTIME", &err),
    };
    match runtime.block_on(supervise(config)) {
        Ok(SessionEnd::AppQuit { .. } | SessionEnd::Stopped { .. }) => ExitCode::SUCCESS,
        Err(err) => fail(err.code(), &err),
    }
}

fn open_window(mode: Option<aeropay_onboarding::config::Mode>) -> ExitCode {
    startup::mark(Mark::Main);
    // Still one thread: the environment the web processes will inherit.
    aeropay_onboarding::web_engine::set_environment();
    let loaded = config::settings_path().and_then(|path| {
        let settings = Settings::load_from(&path)?;
        Ok((settings, config::data_dir()?, path))
    });
    let (mut settings, data_dir, settings_path) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => return fail(err.code(), &err),
    };
    if let Some(mode) = mode {
        settings.mode = mode;
    }
    // What the policy manages wins, over `--mode` too. A policy that
    // cannot be used stops the start with its code on the page.
    // Fleet mode: the settings of the device's group, as the broker last
    // sent them (kept in the data folder), under the policy file.
    let group = group_settings::for_settings(&settings, &data_dir);
    let policy = policy::load().map(|policy| policy.with_group(group));
    if let Ok(policy) = &policy {
        settings = policy.apply(settings);
        if policy.in_force() {
            tracing::info!(managed = ?policy.fields(), "settings managed by the policy");
        }
    }
    tracing::info!(environment = %settings.environment.id(), mode = settings.mode.as_str(), "starting");
    match aeropay_onboarding::run(settings, policy, data_dir, settings_path, mode) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail("APP_START", &err),
    }
}

fn fail(code: &str, err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error [{code}]: {err}");
    ExitCode::FAILURE
}
