//! `aeropay-onboarding-broker serve | device …`.

use crate::api::RunningBroker;
use crate::config::Config;
use broker_store::{DeviceStatus, Store};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Parser)]
#[command(
    name = "aeropay-onboarding-broker",
    version,
    about = "The fleet broker of Aeropay Onboarding: enrolls devices and keeps the merchant's Aeropay secret"
)]
pub struct Cli {
    /// The configuration file (TOML, or JSON by its .json extension).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serves the broker's HTTP API.
    Serve,
    /// Reads and checks the configuration and the groups' settings, then
    /// says what it found; the same checks `serve` makes at start.
    CheckConfig,
    /// Adds, lists and manages the fleet's devices.
    #[command(subcommand)]
    Device(DeviceCommand),
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Adds a device and prints its one-time enrollment code (shown once).
    Add {
        name: String,
        /// The store or team it belongs to.
        #[arg(long, default_value = "default")]
        group: String,
    },
    /// Lists the devices.
    List,
    /// Refuses the device until it is enabled again.
    Disable { name: String },
    /// Accepts a disabled device again.
    Enable { name: String },
    /// Refuses the device for good.
    Revoke { name: String },
}

/// Runs a parsed command; the text to print on success, or the error's.
pub async fn run(cli: Cli, env: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let config = Config::load(cli.config.as_deref(), env).map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve => {
            let secrets = config.secrets(env).map_err(|e| e.to_string())?;
            let store = open(&config).await?;
            let mut broker = RunningBroker::start(config, secrets, store)
                .await
                .map_err(|e| e.to_string())?;
            broker.stop_on(shutdown_signal());
            broker.wait().await;
            Ok(String::new())
        }
        Command::CheckConfig => Ok(check_config(&config)),
        Command::Device(command) => {
            let store = open(&config).await?;
            device(&store, command).await.map_err(|e| e.to_string())
        }
    }
}

/// What `check-config` prints for a configuration that was read.
fn check_config(config: &Config) -> String {
    let mut out = String::from("The configuration is valid.\n");
    match &config.groups_settings_dir {
        None => out.push_str("No group settings (groups.settings_dir is not set).\n"),
        Some(dir) => {
            out.push_str(&format!(
                "Group settings from {}: {} group(s).\n",
                dir.display(),
                config.groups.len()
            ));
            for (name, group) in config.groups.iter() {
                let fields = group.settings.fields();
                out.push_str(&format!(
                    "  {name}\tversion {}\t{}\n",
                    group.version,
                    if fields.is_empty() {
                        "manages nothing".to_owned()
                    } else {
                        fields.join(", ")
                    }
                ));
            }
        }
    }
    out
}

async fn open(config: &Config) -> Result<Store, String> {
    Store::open(&config.database_url)
        .await
        .map_err(|e| format!("{} ({})", e, e.code()))
}

async fn device(store: &Store, command: DeviceCommand) -> Result<String, broker_store::StoreError> {
    let line = |d: &broker_store::Device| {
        format!(
            "{}\t{}\t{}\t{}",
            d.name,
            d.group,
            d.status.as_str(),
            d.last_seen_at
                .map(|t| t.to_string())
                .unwrap_or_else(|| "-".into())
        )
    };
    Ok(match command {
        DeviceCommand::Add { name, group } => {
            let (device, code) = store.add_device(&name, &group).await?;
            format!(
                "Device {} added to group {}.\nEnrollment code (shown once, valid until {}):\n\n  {}\n",
                device.name,
                device.group,
                code.expires_at,
                code.reveal()
            )
        }
        DeviceCommand::List => {
            let devices = store.list_devices().await?;
            let active = devices
                .iter()
                .filter(|d| d.status == DeviceStatus::Active)
                .count();
            let mut out = String::from("NAME\tGROUP\tSTATUS\tLAST SEEN\n");
            for d in &devices {
                out.push_str(&line(d));
                out.push('\n');
            }
            out.push_str(&format!("{} devices, {} active\n", devices.len(), active));
            out
        }
        DeviceCommand::Disable { name } => format!("{}\n", line(&store.disable(&name).await?)),
        DeviceCommand::Enable { name } => format!("{}\n", line(&store.enable(&name).await?)),
        DeviceCommand::Revoke { name } => format!("{}\n", line(&store.revoke(&name).await?)),
    })
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("stopping: running requests get up to 10 s");
    // Gives the log line a chance before the server stops.
    tokio::time::sleep(Duration::from_millis(10)).await;
}
