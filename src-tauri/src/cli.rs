//! The command line of the `aeropay-onboarding` binary. With no subcommand it
//! opens the window; subcommands provision and check a machine.

use crate::config::{ApiVersion, Environment, Mode, Settings};
use crate::secret::SecretString;
use crate::store::{AuditAction, AuditEntry, Store, StoreError};
use crate::vault::{Secret, SecretKey, Vault, VaultError};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::BufRead;
use url::Url;

#[derive(Debug, Parser)]
#[command(
    name = "aeropay-onboarding",
    version,
    about = "Enroll customers with Aeropay and link their bank account through the Aerosync widget",
    long_about = "Enroll customers with Aeropay and link their bank account through the Aerosync widget.\n\nWith no subcommand, opens the app window."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Run as a kiosk (full screen, one customer at a time) or a desk
    /// (normal window); overrides the setting.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    Kiosk,
    Desk,
}

impl From<ModeArg> for crate::config::Mode {
    fn from(mode: ModeArg) -> Self {
        match mode {
            ModeArg::Kiosk => crate::config::Mode::Kiosk,
            ModeArg::Desk => crate::config::Mode::Desk,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Set the environment and merchant id, and store the API key and secret
    /// in the OS keychain. The key and secret are read from standard input,
    /// one per line, so they never appear in the shell history or `ps`.
    /// With `--environment broker --broker-url URL`: enroll this device in a
    /// fleet with the one-time code `device add` printed (read the same
    /// way); the device then keeps only its own credential, no API secret.
    Configure(ConfigureArgs),
    /// Run the built-in Aeropay sandbox and Aerosync widget simulator on
    /// 127.0.0.1 until Ctrl-C, printing its URLs and merchant credentials.
    Simulate(SimulateArgs),
    /// Check this installation: keychain reachable and unlocked, settings
    /// readable, API credentials stored and accepted, API reachable, widget
    /// origin allowed. Prints `ok` or `FAIL` with the fix for each check;
    /// exits non-zero if any check fails.
    Doctor,
    /// Set or replace the staff PIN (4 to 12 digits; 6 to 12 on a kiosk) on this machine, read
    /// from standard input. Only its argon2id hash is stored, in the OS
    /// keychain. Settings and API credentials are left as they are.
    SetStaffPin,
    /// Run the kiosk session: start the app in kiosk mode and start it
    /// again whenever it ends uncleanly (crash, kill, error), after a
    /// back-off from 1 s doubling to 60 s, writing each restart to the audit
    /// trail. Ends when the app quits with status 0 (staff left kiosk mode).
    /// The shipped systemd unit runs it at boot.
    KioskSession,
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Port on 127.0.0.1; 0 picks a free one.
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Keep users and linked accounts in this SQLite file across restarts.
    #[arg(long)]
    pub state: Option<std::path::PathBuf>,
    /// Token lifetime in seconds (Aeropay: 1800).
    #[arg(long, default_value_t = 1800)]
    pub ttl: u64,
    /// What POST /user answers as mfaType.
    #[arg(long, value_enum, default_value = "sms")]
    pub mfa: MfaArg,
    /// The merchant links several accounts per widget flow.
    #[arg(long)]
    pub multi_account: bool,
    /// The identifiers of the v1 user object: `userId` and
    /// `aeroPassUserUuid`, or those plus `id`.
    #[arg(long, value_enum, default_value = "user-id")]
    pub v1_user_shape: V1UserShapeArg,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum V1UserShapeArg {
    UserId,
    WithId,
}

impl From<V1UserShapeArg> for crate::simulator::V1UserShape {
    fn from(shape: V1UserShapeArg) -> Self {
        match shape {
            V1UserShapeArg::UserId => crate::simulator::V1UserShape::UserId,
            V1UserShapeArg::WithId => crate::simulator::V1UserShape::WithId,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MfaArg {
    Sms,
    Email,
    None,
}

impl SimulateArgs {
    pub fn config(&self) -> crate::simulator::SimulatorConfig {
        use crate::simulator::MfaType;
        crate::simulator::SimulatorConfig {
            port: self.port,
            state_file: self.state.clone(),
            token_ttl_secs: self.ttl,
            mfa: match self.mfa {
                MfaArg::Sms => Some(MfaType::Sms),
                MfaArg::Email => Some(MfaType::Email),
                MfaArg::None => None,
            },
            multi_account: self.multi_account,
            v1_user_shape: self.v1_user_shape.into(),
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum EnvironmentArg {
    Simulator,
    Sandbox,
    Production,
    Custom,
    /// A fleet broker (`--broker-url`) makes the merchant's calls.
    Broker,
}

#[derive(Debug, Args)]
pub struct ConfigureArgs {
    #[arg(long, value_enum)]
    pub environment: EnvironmentArg,
    /// Base URL for `--environment custom` (e.g. https://staging-api.aeropay.com).
    #[arg(long, required_if_eq("environment", "custom"), value_parser = safe_base_url)]
    pub base_url: Option<Url>,
    /// The fleet broker for `--environment broker` (https, or http on this
    /// machine only). Standard input then holds the one-time enrollment
    /// code instead of the API key and secret.
    #[arg(long, required_if_eq("environment", "broker"), conflicts_with_all = ["base_url", "merchant_id", "api_version"], value_parser = broker_url)]
    pub broker_url: Option<Url>,
    /// Aeropay merchant id (a number); not with a broker, which has it.
    #[arg(long, required_unless_present = "broker_url")]
    pub merchant_id: Option<u64>,
    /// The API version (v2 unless the machine's policy sets it).
    #[arg(long, value_enum)]
    pub api_version: Option<ApiVersionArg>,
    /// Also set the staff PIN (4 to 12 digits; 6 to 12 on a kiosk), read from standard input as
    /// a third line after the API key and secret (with a broker: a second
    /// line after the enrollment code).
    #[arg(long)]
    pub staff_pin_stdin: bool,
    /// Read the lines from this open file descriptor instead of standard
    /// input, e.g. `--input-fd 3 3<secrets.txt`.
    #[cfg(unix)]
    #[arg(long, value_name = "FD")]
    pub input_fd: Option<u32>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ApiVersionArg {
    V1,
    V2,
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Config(#[from] crate::config::ConfigError),
    #[error("{0}")]
    Vault(#[from] VaultError),
    #[error("expected the API key and the API secret on standard input, one per line: {0}")]
    MissingInput(&'static str),
    #[error("expected the staff PIN (4 to 12 digits; 6 to 12 on a kiosk) on standard input: {0}")]
    MissingPin(&'static str),
    #[error("cannot read standard input: {0}")]
    Stdin(#[from] std::io::Error),
    #[error("cannot read file descriptor {fd}: {source}. Open it for this command, e.g. `--input-fd {fd} {fd}<secrets.txt`.")]
    InputFd { fd: u32, source: std::io::Error },
    #[error("expected the one-time enrollment code (from `device add` on the broker) on standard input: {0}")]
    MissingCode(&'static str),
    #[error("{0}")]
    Fleet(#[from] fleet_client::FleetError),
    /// The code was redeemed but the broker then could not be asked who
    /// this device is: the settings were not changed.
    #[error("{source} The enrollment code is used now: ask the fleet's operator for a new one (`device add` under a new name, or this one after `device revoke`).")]
    FleetAfterRedeem { source: fleet_client::FleetError },
    #[error("cannot start the network runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--broker-url goes with --environment broker (a device of a fleet); --merchant-id goes with the other environments")]
    Arguments,
    #[error("{0}")]
    Staff(#[from] crate::staff::StaffError),
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("{0}")]
    Policy(#[from] crate::policy::PolicyError),
    #[error("managed by your organization: the policy {} sets {}; it cannot be changed here (ask whoever manages this machine)", path.display(), fields.join(", "))]
    Managed {
        path: std::path::PathBuf,
        fields: Vec<&'static str>,
    },
}

impl CliError {
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Config(err) => err.code(),
            CliError::Vault(err) => err.code(),
            CliError::MissingInput(_) => "CLI_MISSING_INPUT",
            CliError::MissingPin(_) => "CLI_MISSING_INPUT",
            CliError::MissingCode(_) => "CLI_MISSING_INPUT",
            CliError::Fleet(err) => fleet_code(err),
            CliError::FleetAfterRedeem { source } => fleet_code(source),
            CliError::Runtime(_) => "CLI_RUNTIME",
            CliError::Arguments => "CLI_ARGUMENTS",
            CliError::Stdin(_) => "CLI_STDIN",
            CliError::InputFd { .. } => "CLI_INPUT_FD",
            CliError::Staff(err) => err.code(),
            CliError::Store(err) => err.code(),
            CliError::Policy(err) => err.code(),
            CliError::Managed { .. } => crate::policy::SETTINGS_MANAGED,
        }
    }
}

/// The broker's codes are `&'static` here as the CLI's others are: the
/// known ones by name, any other under one.
fn fleet_code(err: &fleet_client::FleetError) -> &'static str {
    const KNOWN: &[&str] = &[
        "BROKER_UNREACHABLE",
        "BROKER_UNEXPECTED_ANSWER",
        "BROKER_URL_INVALID",
        "BROKER_DEVICE_CREDENTIAL_MISSING",
        "BROKER_DEVICE_CREDENTIAL_INVALID",
        "BROKER_DEVICE_UNKNOWN",
        "BROKER_DEVICE_NOT_ENROLLED",
        "BROKER_DEVICE_REVOKED",
        "BROKER_DEVICE_DISABLED",
        "BROKER_ENROLLMENT_CODE_INVALID",
        "BROKER_ENROLLMENT_CODE_EXPIRED",
        "BROKER_ENROLLMENT_CODE_USED",
        "BROKER_RATE_LIMITED",
        "BROKER_BAD_REQUEST",
        "BROKER_INTERNAL",
        "BROKER_NOT_FOUND",
    ];
    KNOWN
        .iter()
        .find(|known| **known == err.code())
        .copied()
        .unwrap_or("BROKER_REFUSED")
}

impl ConfigureArgs {
    pub fn is_broker(&self) -> bool {
        matches!(self.environment, EnvironmentArg::Broker)
    }

    fn environment(&self) -> Environment {
        match self.environment {
            EnvironmentArg::Simulator => Environment::Simulator,
            EnvironmentArg::Sandbox => Environment::Sandbox,
            EnvironmentArg::Production => Environment::Production,
            EnvironmentArg::Custom => Environment::Custom {
                base_url: self
                    .base_url
                    .clone()
                    .expect("clap requires --base-url with custom"),
            },
            // The broker names its environment when asked (`configure_fleet`).
            EnvironmentArg::Broker => Environment::Simulator,
        }
    }
}

/// `--broker-url`: https, or http on this machine only, and nothing but
/// the server's address.
fn broker_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text.trim()).map_err(|e| format!("not a URL ({e})"))?;
    let config = fleet_client::BrokerConfig::new(url.clone());
    match fleet_client::BrokerClient::new(config, None) {
        Ok(_) => Ok(url),
        Err(err) => Err(format!("{err} ({})", err.code())),
    }
}

/// `--base-url`: a URL the Aeropay client will accept (https, or http on
/// this machine only).
fn safe_base_url(text: &str) -> Result<Url, String> {
    let url = Url::parse(text).map_err(|e| format!("not a URL ({e})"))?;
    if crate::aeropay::is_safe_base_url(&url) {
        Ok(url)
    } else {
        Err(crate::aeropay::UNSAFE_BASE_URL_HINT.to_owned())
    }
}

/// What the audit trail names as the actor of a change made at a terminal.
const TERMINAL_ACTOR: &str = "command line";

/// The input `configure` reads: the file descriptor given with
/// `--input-fd`, or standard input.
pub fn configure_input(args: &ConfigureArgs) -> Result<Box<dyn BufRead>, CliError> {
    #[cfg(unix)]
    if let Some(fd) = args.input_fd {
        // `/dev/fd/N` reopens the descriptor the shell handed us, on Linux
        // and macOS alike, without unsafe code.
        let file = std::fs::File::open(format!("/dev/fd/{fd}"))
            .map_err(|source| CliError::InputFd { fd, source })?;
        return Ok(Box::new(std::io::BufReader::new(file)));
    }
    let _ = args;
    Ok(Box::new(std::io::BufReader::new(std::io::stdin())))
}

/// Reads the key and secret (and, with `--staff-pin-stdin`, the staff PIN),
/// writes them to the vault, then the settings file, then the audit trail.
/// Everything is read and checked first, and the keychain goes before the
/// file: if anything fails, the settings are left as they were. A field the
/// machine's `policy` manages is refused before anything is read or written.
pub fn configure(
    args: &ConfigureArgs,
    input: &mut dyn BufRead,
    vault: &dyn Vault,
    settings_path: &std::path::Path,
    store: &Store,
    policy: &crate::policy::Policy,
) -> Result<Settings, CliError> {
    let on_disk = Settings::load_from(settings_path)?;
    let mut settings = policy.apply(on_disk.clone());
    settings.check_kiosk()?;
    let merchant_id = match (args.merchant_id, &args.broker_url) {
        (Some(id), None) => id,
        _ => return Err(CliError::Arguments),
    };
    settings.environment = args.environment();
    settings.merchant_id = Some(merchant_id);
    // Configured with the merchant's own key: no broker any more.
    settings.fleet = None;
    settings.api_version = match args.api_version {
        Some(ApiVersionArg::V1) => ApiVersion::V1,
        Some(ApiVersionArg::V2) => ApiVersion::V2,
        // Not given: the policy's version, or v2.
        None => policy.api_version.unwrap_or(ApiVersion::V2),
    };
    refuse_managed(policy, &settings)?;
    let api_key = read_line(input, "the API key is missing")?;
    let api_secret = read_line(input, "the API secret is missing")?;
    let pin = if args.staff_pin_stdin {
        Some(read_pin(
            input,
            "the third line (after the API key and secret) is empty",
            settings.mode,
        )?)
    } else {
        None
    };
    vault.put(
        &SecretKey::MerchantCredentials {
            environment: settings.environment.id(),
        },
        &Secret::MerchantCredentials {
            api_key,
            api_secret,
            merchant_id,
        },
    )?;
    if let Some(pin) = &pin {
        crate::staff::store_pin(vault, pin)?;
    }
    // The file keeps the user's own values of the managed fields.
    policy
        .keep_user_values(settings.clone(), &on_disk)
        .save_to(settings_path)?;
    audit_configured(
        store,
        settings.mode,
        &format!(
            "API key and secret stored for {} (merchant {}) from the command line",
            settings.environment.id(),
            merchant_id
        ),
        pin.is_some(),
    )?;
    Ok(settings)
}

/// `configure --environment broker`: redeems the one-time code read from
/// `input` with the broker, keeps the device's credential in the keychain,
/// asks the broker who the device is and which Aeropay it uses, and only
/// then writes the settings (the broker's environment and API version, and
/// the `fleet` object). The keychain is tried before the code is redeemed,
/// so a locked keychain does not waste the code; if anything fails the
/// settings are left as they were. Merchant credentials a previous set-up
/// left in the keychain are deleted: a fleet device holds none.
pub async fn configure_fleet(
    args: &ConfigureArgs,
    input: &mut dyn BufRead,
    vault: &dyn Vault,
    settings_path: &std::path::Path,
    store: &Store,
    policy: &crate::policy::Policy,
    broker: fleet_client::BrokerConfig,
) -> Result<Settings, CliError> {
    let on_disk = Settings::load_from(settings_path)?;
    let mut settings = policy.apply(on_disk.clone());
    settings.check_kiosk()?;
    let code = read_line(input, "nothing was read")
        .map_err(|_| CliError::MissingCode("nothing was read"))?;
    let pin = if args.staff_pin_stdin {
        Some(read_pin(
            input,
            "the second line (after the enrollment code) is empty",
            settings.mode,
        )?)
    } else {
        None
    };
    // Reachable and unlocked before the code is spent.
    vault.get(&SecretKey::DeviceCredential)?;
    let unenrolled = fleet_client::BrokerClient::new(broker, None)?;
    let enrolled = unenrolled.enroll(&code).await?;
    let credential = enrolled.credential.clone();
    vault.put(
        &SecretKey::DeviceCredential,
        &Secret::DeviceCredential {
            device_id: credential.device_id,
            secret: credential.secret.clone(),
        },
    )?;
    let device = unenrolled
        .with_credential(credential)
        .device()
        .await
        .map_err(|source| CliError::FleetAfterRedeem { source })?;
    let previous_environment = on_disk.environment.id();
    settings.environment = crate::config::environment_of_base(&device.aeropay.base_url);
    settings.api_version = device.aeropay.api_version;
    settings.merchant_id = None;
    settings.fleet = Some(crate::config::FleetSettings {
        broker_url: unenrolled.base_url().clone(),
        device_name: device.name.clone(),
        group: device.group.clone(),
    });
    refuse_managed(policy, &settings)?;
    if let Some(pin) = &pin {
        crate::staff::store_pin(vault, pin)?;
    }
    policy
        .keep_user_values(settings.clone(), &on_disk)
        .save_to(settings_path)?;
    for environment in [previous_environment, settings.environment.id()] {
        let old = SecretKey::MerchantCredentials { environment };
        if let Err(err) = vault.delete(&old) {
            tracing::warn!(code = err.code(), account = %old.account(), "old merchant credentials not deleted: {err}");
        }
    }
    audit_configured(
        store,
        settings.mode,
        &format!(
            "enrolled in the fleet as {} ({}) at {}; device credential stored, no API key",
            device.name,
            device.group,
            unenrolled.base_url()
        ),
        pin.is_some(),
    )?;
    Ok(settings)
}

/// Refuses settings that change a field the machine's policy manages.
fn refuse_managed(policy: &crate::policy::Policy, settings: &Settings) -> Result<(), CliError> {
    let managed = policy.changed_by(settings);
    if managed.is_empty() {
        return Ok(());
    }
    Err(CliError::Managed {
        path: policy.source.clone().unwrap_or_default(),
        fields: managed,
    })
}

/// What `configure` changed, in the audit trail: the credentials, then the
/// staff PIN when one was set.
fn audit_configured(
    store: &Store,
    mode: crate::config::Mode,
    credentials: &str,
    pin_set: bool,
) -> Result<(), CliError> {
    audit(store, mode, AuditAction::CredentialsChanged, credentials)?;
    if pin_set {
        audit(
            store,
            mode,
            AuditAction::PinSet,
            "staff PIN set from the command line",
        )?;
    }
    Ok(())
}

/// Reads the staff PIN from standard input and stores its hash: the PIN
/// never passes through arguments, so neither `ps` nor the shell history
/// sees it. The audit trail records it, and a new PIN ends the wait that
/// wrong PINs started (in a running app too, at its next attempt).
pub fn set_staff_pin(
    input: &mut dyn BufRead,
    vault: &dyn Vault,
    store: &Store,
    mode: Mode,
) -> Result<(), CliError> {
    let pin = read_pin(input, "nothing was read", mode)?;
    crate::staff::store_pin(vault, &pin)?;
    audit(
        store,
        mode,
        AuditAction::PinSet,
        "staff PIN set from the command line",
    )?;
    Ok(())
}

fn audit(store: &Store, mode: Mode, action: AuditAction, detail: &str) -> Result<(), CliError> {
    store.audit(&AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        mode: mode.into(),
        staff: Some(TERMINAL_ACTOR.into()),
        action,
        detail: detail.into(),
        error_code: None,
        correlation_id: None,
    })?;
    Ok(())
}

/// A kiosk's PIN (the mode in the settings) is 6 to 12 digits.
fn read_pin(
    input: &mut dyn BufRead,
    missing: &'static str,
    mode: Mode,
) -> Result<crate::staff::Pin, CliError> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    if line.trim().is_empty() {
        return Err(CliError::MissingPin(missing));
    }
    Ok(crate::staff::Pin::parse_for(&line, mode)?)
}

fn read_line(input: &mut dyn BufRead, missing: &'static str) -> Result<SecretString, CliError> {
    let mut line = String::new();
    input.read_line(&mut line)?;
    let value = line.trim();
    if value.is_empty() {
        return Err(CliError::MissingInput(missing));
    }
    Ok(SecretString::new(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Policy;
    use crate::vault::MemoryVault;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn configure_stores_credentials_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let cli = Cli::try_parse_from([
            "aeropay-onboarding",
            "configure",
            "--environment",
            "sandbox",
            "--merchant-id",
            "1234",
        ])
        .unwrap();
        let Some(Command::Configure(args)) = cli.command else {
            panic!("configure expected")
        };
        let vault = MemoryVault::new();
        let store = Store::in_memory().unwrap();
        let mut input: &[u8] = b"key-1\nsecret-1\n";
        let settings =
            configure(&args, &mut input, &vault, &path, &store, &Policy::default()).unwrap();
        assert_eq!(settings.environment, Environment::Sandbox);
        let stored = vault
            .get(&SecretKey::MerchantCredentials {
                environment: "sandbox".into(),
            })
            .unwrap()
            .unwrap();
        assert_eq!(
            stored,
            Secret::MerchantCredentials {
                api_key: "key-1".into(),
                api_secret: "secret-1".into(),
                merchant_id: 1234
            }
        );
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(!on_disk.contains("secret-1") && !on_disk.contains("key-1"));
    }

    #[test]
    fn a_broker_address_without_the_broker_environment_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let cli = Cli::try_parse_from([
            "aeropay-onboarding",
            "configure",
            "--environment",
            "sandbox",
            "--broker-url",
            "https://broker.example",
        ])
        .unwrap();
        let Some(Command::Configure(args)) = cli.command else {
            panic!("configure expected")
        };
        let mut input: &[u8] = b"key\nsecret\n";
        let err = configure(
            &args,
            &mut input,
            &MemoryVault::new(),
            &path,
            &Store::in_memory().unwrap(),
            &Policy::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "CLI_ARGUMENTS");
        assert!(!path.exists());
        // With a broker, the merchant id is the broker's.
        assert!(Cli::try_parse_from([
            "aeropay-onboarding",
            "configure",
            "--environment",
            "broker",
            "--broker-url",
            "https://broker.example",
            "--merchant-id",
            "1",
        ])
        .is_err());
    }

    #[test]
    fn configure_without_a_secret_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let cli = Cli::try_parse_from([
            "aeropay-onboarding",
            "configure",
            "--environment",
            "production",
            "--merchant-id",
            "9",
        ])
        .unwrap();
        let Some(Command::Configure(args)) = cli.command else {
            panic!("configure expected")
        };
        let vault = MemoryVault::new();
        let store = Store::in_memory().unwrap();
        let mut input: &[u8] = b"only-a-key\n";
        let err =
            configure(&args, &mut input, &vault, &path, &store, &Policy::default()).unwrap_err();
        assert_eq!(err.code(), "CLI_MISSING_INPUT");
        assert!(!path.exists());
    }

    fn configure_args(extra: &[&str]) -> ConfigureArgs {
        let mut argv = vec![
            "aeropay-onboarding",
            "configure",
            "--environment",
            "simulator",
            "--merchant-id",
            "1234",
        ];
        argv.extend_from_slice(extra);
        let Some(Command::Configure(args)) = Cli::try_parse_from(argv).unwrap().command else {
            panic!("configure expected")
        };
        args
    }

    #[test]
    fn configure_sets_the_staff_pin_from_a_third_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let vault = MemoryVault::new();
        let store = Store::in_memory().unwrap();
        let mut input: &[u8] = b"key-1\nsecret-1\n 246813 \n";
        configure(
            &configure_args(&["--staff-pin-stdin"]),
            &mut input,
            &vault,
            &path,
            &store,
            &Policy::default(),
        )
        .unwrap();
        let phc = crate::staff::read_pin_hash(&vault)
            .unwrap()
            .expect("a PIN hash");
        let pin = crate::staff::Pin::parse("246813").unwrap();
        assert!(crate::staff::verify_pin(&pin, &phc).unwrap());
        let on_disk = std::fs::read_to_string(&path).unwrap();
        assert!(!on_disk.contains("246813") && !on_disk.contains("argon2"));
        let audit = store.audit_entries(0, i64::MAX).unwrap();
        let written: Vec<_> = audit
            .iter()
            .map(|e| (e.action, e.staff.as_deref()))
            .collect();
        assert_eq!(
            written,
            [
                (AuditAction::CredentialsChanged, Some("command line")),
                (AuditAction::PinSet, Some("command line"))
            ]
        );
        let text = format!("{audit:?}");
        assert!(
            !text.contains("246813") && !text.contains("secret-1") && !text.contains("key-1"),
            "{text}"
        );
    }

    #[test]
    fn configure_with_a_bad_pin_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        for (stdin, code) in [
            (&b"key-1\nsecret-1\n12ab\n"[..], "STAFF_PIN_FORMAT"),
            (&b"key-1\nsecret-1\n"[..], "CLI_MISSING_INPUT"),
        ] {
            let vault = MemoryVault::new();
            let store = Store::in_memory().unwrap();
            let mut input = stdin;
            let err = configure(
                &configure_args(&["--staff-pin-stdin"]),
                &mut input,
                &vault,
                &path,
                &store,
                &Policy::default(),
            )
            .unwrap_err();
            assert_eq!(err.code(), code, "{err}");
            assert!(!path.exists());
            assert!(vault
                .get(&SecretKey::MerchantCredentials {
                    environment: "simulator".into()
                })
                .unwrap()
                .is_none());
            assert_eq!(crate::staff::read_pin_hash(&vault).unwrap(), None);
            assert!(store.audit_entries(0, i64::MAX).unwrap().is_empty());
        }
    }

    #[test]
    fn configure_refuses_a_kiosk_that_opens_bank_sign_in_in_the_system_browser() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"mode":"kiosk","oauthInSystemBrowser":true}"#).unwrap();
        let before = std::fs::read(&path).unwrap();
        let vault = MemoryVault::new();
        let store = Store::in_memory().unwrap();
        let mut input: &[u8] = b"key\nsecret\n";
        let err = configure(
            &configure_args(&[]),
            &mut input,
            &vault,
            &path,
            &store,
            &Policy::default(),
        )
        .unwrap_err();
        assert_eq!(err.code(), "CONFIG_KIOSK_SYSTEM_BROWSER");
        assert!(err.to_string().contains("refused on a kiosk"), "{err}");
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing changed");
        let key = SecretKey::MerchantCredentials {
            environment: "simulator".into(),
        };
        assert!(vault.get(&key).unwrap().is_none(), "no credentials stored");
        assert!(store.audit_entries(0, i64::MAX).unwrap().is_empty());
    }

    #[test]
    fn configure_refuses_a_field_the_policy_manages_and_keeps_the_users_values() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(&path, r#"{"apiVersion":"v1","kiosk":{"idleSeconds":45}}"#).unwrap();
        let before = std::fs::read(&path).unwrap();
        let policy = crate::policy::parse(
            std::path::Path::new("/etc/aeropay-onboarding/policy.json"),
            br#"{"environment": {"kind": "sandbox"}, "apiVersion": "v2"}"#,
        )
        .unwrap();
        let vault = MemoryVault::new();
        let store = Store::in_memory().unwrap();
        let mut input: &[u8] = b"key\nsecret\n";
        let err = configure(
            &configure_args(&[]),
            &mut input,
            &vault,
            &path,
            &store,
            &policy,
        )
        .unwrap_err();
        assert_eq!(err.code(), "SETTINGS_MANAGED");
        let text = err.to_string();
        assert!(
            text.contains("managed by your organization")
                && text.contains("/etc/aeropay-onboarding/policy.json sets environment"),
            "{text}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing changed");
        assert!(vault
            .get(&SecretKey::MerchantCredentials {
                environment: "simulator".into()
            })
            .unwrap()
            .is_none());

        // The managed environment itself, with the policy's version: the
        // file keeps the user's own version and timers.
        let Some(Command::Configure(args)) = Cli::try_parse_from([
            "aeropay-onboarding",
            "configure",
            "--environment",
            "sandbox",
            "--merchant-id",
            "4321",
        ])
        .unwrap()
        .command
        else {
            panic!("configure expected")
        };
        let mut input: &[u8] = b"key\nsecret\n";
        let settings = configure(&args, &mut input, &vault, &path, &store, &policy).unwrap();
        assert_eq!(settings.environment, Environment::Sandbox);
        let on_disk = Settings::load_from(&path).unwrap();
        assert_eq!(on_disk.environment, Environment::Simulator);
        assert_eq!(on_disk.api_version, ApiVersion::V1);
        assert_eq!(on_disk.kiosk.idle_seconds, 45);
        assert_eq!(on_disk.merchant_id, Some(4321));
    }

    #[test]
    fn set_staff_pin_reads_only_the_pin() {
        let cli = Cli::try_parse_from(["aeropay-onboarding", "set-staff-pin"]).unwrap();
        assert!(matches!(cli.command, Some(Command::SetStaffPin)));
        let vault = MemoryVault::new();
        let store = Store::in_memory().unwrap();
        let mut input: &[u8] = b"864200\n";
        set_staff_pin(&mut input, &vault, &store, Mode::Kiosk).unwrap();
        assert!(crate::staff::read_pin_hash(&vault).unwrap().is_some());
        let mut input: &[u8] = b"86\n";
        let err = set_staff_pin(&mut input, &vault, &store, Mode::Kiosk).unwrap_err();
        assert_eq!(err.code(), "STAFF_PIN_FORMAT");
        assert!(!err.to_string().contains("86"), "{err}");
        let audit = store.audit_entries(0, i64::MAX).unwrap();
        assert_eq!(audit.len(), 1, "only the PIN that was set: {audit:?}");
        assert_eq!(audit[0].action, AuditAction::PinSet);
        assert_eq!(audit[0].mode, crate::store::AuditMode::Kiosk);
        assert_eq!(audit[0].detail, "staff PIN set from the command line");
    }

    #[cfg(unix)]
    #[test]
    fn configure_reads_a_file_descriptor_or_says_it_is_not_open() {
        let dir = tempfile::tempdir().unwrap();
        let lines = dir.path().join("secrets.txt");
        std::fs::write(&lines, "key-fd\nsecret-fd\n").unwrap();
        // A descriptor this process holds open, as a shell's `3<file` would.
        let file = std::fs::File::open(&lines).unwrap();
        let fd = std::os::unix::io::AsRawFd::as_raw_fd(&file).to_string();
        let args = configure_args(&["--input-fd", &fd]);
        let mut input = configure_input(&args).unwrap();
        let mut first = String::new();
        input.read_line(&mut first).unwrap();
        assert_eq!(first, "key-fd\n");

        let closed = configure_args(&["--input-fd", "987"]);
        let err = configure_input(&closed).err().expect("fd 987 is not open");
        assert_eq!(err.code(), "CLI_INPUT_FD");
        assert!(err.to_string().contains("--input-fd 987 987<"), "{err}");
    }

    #[test]
    fn custom_requires_a_base_url() {
        let err = Cli::try_parse_from([
            "aeropay-onboarding",
            "configure",
            "--environment",
            "custom",
            "--merchant-id",
            "9",
        ])
        .unwrap_err();
        assert!(err.to_string().contains("--base-url"), "{err}");
    }

    #[test]
    fn custom_refuses_plain_http_outside_this_machine() {
        let parse = |base: &str| {
            Cli::try_parse_from([
                "aeropay-onboarding",
                "configure",
                "--environment",
                "custom",
                "--base-url",
                base,
                "--merchant-id",
                "9",
            ])
        };
        let err = parse("http://staging-api.aeropay.com").unwrap_err();
        assert!(err.to_string().contains("https://"), "{err}");
        assert!(parse("http://127.0.0.1:47811").is_ok());
        assert!(parse("https://staging-api.aeropay.com").is_ok());
    }

    /// The staff rules' kiosk lockout, ended from the command line.
    mod staff_lockout {
        use super::super::set_staff_pin;
        use crate::config::Mode;
        use crate::staff::{store_pin, ManualClock, Pin, StaffError, StaffGuard};
        use crate::store::{AuditAction, Store};
        use crate::vault::{MemoryVault, Vault};
        use std::sync::Arc;

        const START: i64 = 1_800_000_000;
        const PIN: &str = "482913";

        struct Rig {
            vault: Arc<MemoryVault>,
            store: Arc<Store>,
            clock: Arc<ManualClock>,
        }

        impl Rig {
            fn with_pin() -> Self {
                let rig = Self {
                    vault: Arc::new(MemoryVault::new()),
                    store: Arc::new(Store::in_memory().unwrap()),
                    clock: Arc::new(ManualClock::at_unix_seconds(START)),
                };
                store_pin(rig.vault.as_ref(), &Pin::parse(PIN).unwrap()).unwrap();
                rig
            }

            fn guard(&self, mode: Mode) -> StaffGuard {
                let vault: Arc<dyn Vault> = self.vault.clone();
                StaffGuard::new(vault, self.store.clone(), mode, self.clock.clone())
            }

            fn actions(&self) -> Vec<AuditAction> {
                let audit = self.store.audit_entries(0, i64::MAX).unwrap();
                audit.into_iter().map(|e| e.action).collect()
            }
        }

        /// Types `count` wrong PINs, waiting out each wait. Returns the last error.
        fn wrong_pins(rig: &Rig, guard: &StaffGuard, count: u32) -> StaffError {
            let mut last = None;
            for _ in 0..count {
                let err = guard.unlock("000000").unwrap_err();
                if let StaffError::PinWrong { wait_seconds } = &err {
                    rig.clock.advance_secs(*wait_seconds as i64);
                }
                last = Some(err);
            }
            last.expect("at least one attempt")
        }

        #[test]
        fn ten_wrong_pins_lock_a_kiosk_until_a_pin_is_set_from_the_command_line() {
            let rig = Rig::with_pin();
            let guard = rig.guard(Mode::Kiosk);
            assert_eq!(wrong_pins(&rig, &guard, 9).code(), "STAFF_PIN_WRONG");
            assert!(!guard.status().unwrap().locked_out);
            let tenth = wrong_pins(&rig, &guard, 1);
            assert_eq!(tenth.code(), "STAFF_LOCKED_OUT");
            assert!(tenth.to_string().contains("set-staff-pin"), "{tenth}");
            let status = guard.status().unwrap();
            assert!(status.locked_out && status.wait_seconds == 0, "{status:?}");

            // However long one waits, even the right PIN is refused, uncounted.
            rig.clock.advance_secs(24 * 3600);
            assert_eq!(guard.unlock(PIN).unwrap_err().code(), "STAFF_LOCKED_OUT");
            assert_eq!(rig.actions().len(), 10);
            // A restart keeps the lock (the count comes from the audit trail).
            let guard = rig.guard(Mode::Kiosk);
            assert!(guard.status().unwrap().locked_out);
            assert_eq!(guard.unlock(PIN).unwrap_err().code(), "STAFF_LOCKED_OUT");

            // The same PIN set again from a terminal opens it: in the running app
            // and after a restart.
            let mut input = std::io::Cursor::new(format!("{PIN}\n"));
            set_staff_pin(&mut input, rig.vault.as_ref(), &rig.store, Mode::Kiosk).unwrap();
            assert!(!guard.status().unwrap().locked_out);
            let restarted = rig.guard(Mode::Kiosk);
            assert!(!restarted.status().unwrap().locked_out);
            assert!(restarted.unlock(PIN).unwrap().unlocked);
            assert!(guard.unlock(PIN).unwrap().unlocked);
        }
    }
}
