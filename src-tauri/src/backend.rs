//! Puts the plain-Rust parts together for one run of the app: the store, the
//! keychain, the API client (against the built-in simulator when the
//! environment is `simulator`) and the enrollment state machine. No tauri.

use crate::aeropay::{self, AeropayClient, CredentialError, CredentialSource, Credentials};
use crate::aerosync::{SdkVersion, WidgetOptions};
use crate::config::{ApiVersion, Environment, Settings};
use crate::enrollment::{EnrollmentDeps, Enrollments, FleetMerchant, MerchantCalls, StateListener};
use crate::simulator::{RunningSimulator, Simulator, SimulatorConfig};
use crate::staff::{StaffGuard, SystemClock};
use crate::startup::{self, Mark};
use crate::store::{PhoneHasher, Store};
use crate::vault::{Secret, SecretKey, Vault};
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("the built-in simulator could not start: {0}")]
    Simulator(#[from] crate::simulator::SimulatorError),
    #[error("{0}")]
    Client(#[from] aeropay::AeropayError),
    /// The machine's policy (managed settings) could not be used: the app
    /// does not run on settings it was told to impose but could not read.
    #[error("{0}")]
    Policy(#[from] crate::policy::PolicyError),
    /// Fleet mode without this device's credential in the keychain, or
    /// with a broker address the client refuses.
    #[error("{0}")]
    Fleet(#[from] crate::fleet_client::FleetError),
    #[error("{0}")]
    Vault(#[from] crate::vault::VaultError),
    /// The start panicked (a bug): said, rather than leaving the page
    /// waiting for a backend that never comes.
    #[error("the app stopped while starting; start it again")]
    Interrupted,
}

impl StartError {
    pub fn code(&self) -> String {
        match self {
            StartError::Store(err) => err.code().into(),
            StartError::Simulator(err) => err.code().into(),
            StartError::Client(err) => err.code().into(),
            StartError::Policy(err) => err.code().into(),
            StartError::Fleet(err) => err.code().into(),
            StartError::Vault(err) => err.code().into(),
            StartError::Interrupted => "APP_START".into(),
        }
    }
}

/// The merchant's credentials from the keychain, read at each token mint.
struct KeychainCredentials {
    vault: Arc<dyn Vault>,
    environment: Environment,
}

impl CredentialSource for KeychainCredentials {
    fn credentials(&self) -> Result<Credentials, CredentialError> {
        let key = SecretKey::MerchantCredentials {
            environment: self.environment.id(),
        };
        match self.vault.get(&key) {
            Ok(Some(Secret::MerchantCredentials {
                api_key,
                api_secret,
                merchant_id,
            })) => Ok(Credentials {
                api_key,
                api_secret,
                merchant_id,
            }),
            Ok(_) => Err(CredentialError(format!(
                "No Aeropay API key is set up for {}: open Settings, or run `aeropay-onboarding configure`.",
                self.environment.label()
            ))),
            Err(err) => Err(CredentialError(format!("{err} ({})", err.code()))),
        }
    }
}

/// Everything one run of the app works with.
pub struct Backend {
    pub enrollments: Arc<Enrollments>,
    pub store: Arc<Store>,
    /// The staff PIN, its wait after wrong PINs, and the staff session.
    pub staff: Arc<StaffGuard>,
    pub environment: Environment,
    /// The broker, on a device of a fleet (its credential included).
    pub broker: Option<crate::fleet_client::BrokerClient>,
    /// Kept alive for as long as the app runs.
    simulator: Option<RunningSimulator>,
    phone_hasher: Arc<PhoneHasher>,
}

impl Backend {
    pub async fn start(
        settings: &Settings,
        data_dir: &Path,
        vault: Arc<dyn Vault>,
        listener: Option<StateListener>,
    ) -> Result<Self, StartError> {
        Self::start_on(settings, data_dir, vault, listener, None).await
    }

    /// As [`Backend::start`]; the built-in simulator, when the environment
    /// is `simulator`, serves on `simulator_listener` if given (bound
    /// earlier with [`Simulator::bind`], so its origin was known before the
    /// window), or on a free port.
    pub async fn start_on(
        settings: &Settings,
        data_dir: &Path,
        vault: Arc<dyn Vault>,
        listener: Option<StateListener>,
        simulator_listener: Option<std::net::TcpListener>,
    ) -> Result<Self, StartError> {
        let store = Arc::new(Store::open_in(data_dir)?);
        startup::mark(Mark::StoreOpen);
        let staff = Arc::new(StaffGuard::new(
            vault.clone(),
            store.clone(),
            settings.mode,
            Arc::new(SystemClock),
        ));
        let version = settings.api_version;

        let (simulator, base_url, credentials): (_, _, Arc<dyn CredentialSource>) =
            match settings.environment.api_base() {
                // A device of a fleet holds no API key: its client mints
                // nothing and uses the user tokens the broker hands it.
                Some(base) if settings.fleet.is_some() => {
                    (None, base, Arc::new(crate::enrollment::NoApiKey))
                }
                Some(base) => {
                    let credentials = Arc::new(KeychainCredentials {
                        vault: vault.clone(),
                        environment: settings.environment.clone(),
                    });
                    (None, base, credentials)
                }
                None => {
                    // Simulated users survive a restart, as the store's
                    // memory of returning customers does.
                    let config = SimulatorConfig {
                        state_file: Some(data_dir.join("simulator.sqlite3")),
                        ..SimulatorConfig::default()
                    };
                    let simulator = match simulator_listener {
                        Some(bound) => Simulator::start_on(bound, config).await?,
                        None => Simulator::start(config).await?,
                    };
                    startup::mark(Mark::SimulatorStarted);
                    write_admin_token(data_dir, simulator.admin_token());
                    let c = simulator.credentials();
                    let credentials = Arc::new(aeropay::StaticCredentials::new(
                        c.api_key.clone(),
                        c.api_secret.clone(),
                        c.merchant_id,
                    ));
                    let base = simulator
                        .base_url()
                        .parse()
                        .expect("the simulator's base URL parses");
                    (Some(simulator), base, credentials)
                }
            };
        let client = Arc::new(AeropayClient::new(
            aeropay::ClientConfig::with_base_url(base_url, version),
            credentials,
        )?);
        let broker = match &settings.fleet {
            Some(fleet) => Some(broker_client(fleet, vault.clone()).await?),
            None => None,
        };
        if let Some(broker) = &broker {
            upload_audit_trail(store.clone(), broker.clone());
            // The group's settings as the broker has them now: kept for the
            // next start (a running kiosk never changes under a customer).
            onboarding_core::group_settings::spawn_refresh(broker.clone(), data_dir.to_owned());
        }
        let merchant: Arc<dyn MerchantCalls> = match &broker {
            Some(broker) => Arc::new(FleetMerchant {
                broker: broker.clone(),
                client: client.clone(),
            }),
            None => client.clone(),
        };
        startup::mark(Mark::ClientBuilt);

        let phone_hasher = Arc::new(phone_hasher(vault.clone()));
        let enrollments = Arc::new(Enrollments::new(
            EnrollmentDeps {
                client,
                merchant,
                store: store.clone(),
                vault: vault.clone(),
                phone_hasher: phone_hasher.clone(),
                environment: settings.environment.clone(),
                widget: widget_options(settings),
                mode: settings.mode,
                staff: Some(staff.clone()),
            },
            listener,
        ));
        // One keychain read per known customer: kept off the start-up path.
        let purging = enrollments.clone();
        tokio::spawn(async move {
            match purging.purge_expired_tokens().await {
                Ok(0) => {}
                Ok(purged) => {
                    tracing::info!(purged, "expired customer tokens removed from the keychain")
                }
                Err(err) => {
                    tracing::warn!(code = %err.code(), "could not purge expired tokens: {err}")
                }
            }
        });
        // Links left pending by a crash, a power cut or an unreachable
        // Aeropay: settled now, then every minute, off the start-up path.
        let settling = enrollments.clone();
        tokio::spawn(async move {
            loop {
                match settling.settle_unfinished().await {
                    Ok(0) => {}
                    Ok(settled) => tracing::info!(settled, "unfinished enrollments settled"),
                    Err(err) => {
                        tracing::warn!(code = %err.code(), "could not settle unfinished links: {err}")
                    }
                }
                tokio::time::sleep(crate::enrollment::SETTLE_EVERY).await;
            }
        });
        startup::mark(Mark::BackendReady);
        Ok(Self {
            enrollments,
            store,
            staff,
            environment: settings.environment.clone(),
            broker,
            simulator,
            phone_hasher,
        })
    }

    /// Reads the phone-hash key from the keychain in the background, if
    /// not read yet, so the first customer's details do not wait for it.
    /// It starts once the first screen has had time to be drawn: the read
    /// keeps the Secret Service and this process busy for a few
    /// milliseconds, which the web process needs then on a two-core
    /// machine. Details submitted earlier read the key themselves.
    pub fn load_phone_key_soon(&self) {
        let hasher = self.phone_hasher.clone();
        tokio::spawn(async move {
            tokio::time::sleep(PHONE_KEY_AFTER_BOOT).await;
            tokio::task::spawn_blocking(move || hasher.load_key());
        });
    }

    /// The widget origin of the built-in simulator, when it runs.
    pub fn simulator_origin(&self) -> Option<String> {
        self.simulator.as_ref().map(|s| s.widget_origin())
    }
}

/// The broker client of a device of a fleet, with its credential from the
/// keychain (read once, at start).
async fn broker_client(
    fleet: &crate::config::FleetSettings,
    vault: Arc<dyn Vault>,
) -> Result<crate::fleet_client::BrokerClient, StartError> {
    use crate::fleet_client::{BrokerClient, BrokerConfig, DeviceCredential, FleetError};
    let stored = tokio::task::spawn_blocking(move || vault.get(&SecretKey::DeviceCredential))
        .await
        .map_err(|_| StartError::Interrupted)?;
    let credential = match stored {
        Ok(Some(Secret::DeviceCredential { device_id, secret })) => {
            DeviceCredential::new(device_id, secret)
        }
        Ok(_) => return Err(FleetError::NotEnrolled.into()),
        Err(err) => return Err(err.into()),
    };
    let mut config = BrokerConfig::new(fleet.broker_url.clone());
    config.user_agent = format!("aeropay-onboarding/{}", env!("CARGO_PKG_VERSION"));
    Ok(BrokerClient::new(config, Some(credential))?)
}

/// A device of a fleet sends its audit trail to the broker for as long as
/// the app runs, off the start-up path; what it has not sent yet waits in
/// the store across restarts (`fleet_audit`).
fn upload_audit_trail(store: Arc<Store>, broker: crate::fleet_client::BrokerClient) {
    use onboarding_core::fleet_audit::{AuditUploader, UploadSchedule};
    tokio::spawn(async move {
        // Its first status reads the store: a blocking call.
        let made = tokio::task::spawn_blocking(move || {
            AuditUploader::new(store, broker, UploadSchedule::default())
        })
        .await;
        match made {
            Ok(uploader) => uploader.run().await,
            Err(_) => tracing::error!("the audit upload to the fleet's server could not start"),
        }
    });
}

/// Where the app leaves the built-in simulator's admin token, for tooling
/// on this machine (the end-to-end tests read it). Only the account's user
/// can read it, like the simulator's state file beside it; rewritten at
/// each start.
pub const SIMULATOR_ADMIN_TOKEN_FILE: &str = "simulator-admin-token";

fn write_admin_token(data_dir: &Path, token: &str) {
    let path = data_dir.join(SIMULATOR_ADMIN_TOKEN_FILE);
    let written = (|| -> std::io::Result<()> {
        // A fresh file each time, so an older one's permissions do not stay.
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&path)?;
        std::io::Write::write_all(&mut file, token.as_bytes())
    })();
    if let Err(err) = written {
        tracing::warn!("the simulator's admin token was not written to the data folder: {err}");
    }
}

/// How long after the page's boot the phone-hash key is read.
const PHONE_KEY_AFTER_BOOT: std::time::Duration = std::time::Duration::from_millis(500);

/// The widget generation must match the API version: 1.x widgets return the
/// v1 `user_id`/`user_password`, 2.x widgets the v2 `connectionId`.
fn widget_options(settings: &Settings) -> WidgetOptions {
    let mut options = settings.widget.clone();
    options.sdk_version = match (settings.api_version, options.sdk_version) {
        (ApiVersion::V1, _) => SdkVersion::V1_1_3,
        (ApiVersion::V2, SdkVersion::V1_1_3) => SdkVersion::V2_1_4,
        (ApiVersion::V2, chosen) => chosen,
    };
    options
}

/// The key for phone hashes, from the keychain (made on first run), read
/// when first needed. Without a keychain, a key for this run only:
/// returning customers are then not recognised after a restart, but nothing
/// is ever kept in plaintext.
fn phone_hasher(vault: Arc<dyn Vault>) -> PhoneHasher {
    PhoneHasher::lazy(move || {
        let key = phone_hash_key(vault.as_ref());
        startup::mark(Mark::KeychainRead);
        key.into_bytes()
    })
}

fn phone_hash_key(vault: &dyn Vault) -> String {
    let key = SecretKey::PhoneHashKey;
    match vault.get(&key) {
        Ok(Some(Secret::PhoneHashKey { key })) => return key.expose().to_owned(),
        Ok(_) => {
            let fresh = PhoneHasher::generate_key();
            let secret = Secret::PhoneHashKey {
                key: fresh.clone().into(),
            };
            match vault.put(&key, &secret) {
                Ok(()) => return fresh,
                Err(err) => tracing::warn!(code = err.code(), "phone-hash key not stored: {err}"),
            }
        }
        Err(err) => tracing::warn!(code = err.code(), "phone-hash key not readable: {err}"),
    }
    PhoneHasher::generate_key()
}
