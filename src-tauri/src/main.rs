// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use aeropay_onboarding::cli::{self, Cli, Command};
use aeropay_onboarding::config::{self, Settings};
use aeropay_onboarding::vault::OsKeychain;
use aeropay_onboarding::AppState;
use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();

    match Cli::parse().command {
        None => open_window(),
        Some(Command::Configure(args)) => {
            let result = config::settings_path()
                .map_err(cli::CliError::from)
                .and_then(|path| {
                    cli::configure(
                        &args,
                        &mut std::io::stdin().lock(),
                        &OsKeychain::new(),
                        &path,
                    )
                });
            match result {
                Ok(settings) => {
                    println!(
                        "Configured {} (merchant {}); the API key and secret are in the OS keychain.",
                        settings.environment.label(),
                        args.merchant_id
                    );
                    ExitCode::SUCCESS
                }
                Err(err) => fail(err.code(), &err),
            }
        }
    }
}

fn open_window() -> ExitCode {
    let settings = match config::settings_path().and_then(|path| Settings::load_from(&path)) {
        Ok(settings) => settings,
        Err(err) => return fail(err.code(), &err),
    };
    tracing::info!(environment = %settings.environment.id(), "starting");
    match aeropay_onboarding::run(AppState::new(settings)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => fail("APP_START", &err),
    }
}

fn fail(code: &str, err: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error [{code}]: {err}");
    ExitCode::FAILURE
}
