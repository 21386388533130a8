use aeropay_onboarding_broker::{cli, logging};
use clap::Parser as _;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let parsed = cli::Cli::parse();
    if matches!(parsed.command, cli::Command::Serve) {
        logging::init();
    }
    match cli::run(parsed, &|name| std::env::var(name).ok()).await {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
