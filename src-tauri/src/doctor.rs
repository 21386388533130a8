//! `aeropay-onboarding doctor`: checks that this machine can enroll customers
//! (keychain, settings, Aeropay API, widget origin) and names the fix for
//! each failure. The checks are one plain function over injected paths and
//! vaults, so tests run them without touching the machine's own set-up.

use crate::aeropay::{self, AeropayClient, AeropayError, ErrorCategory, StaticCredentials};
use crate::aerosync::{frame_origins, widget_origin};
use crate::config::{Environment, Settings};
use crate::policy::{Policy, PolicyError};
use crate::simulator::{Simulator, SimulatorConfig};
use crate::vault::{OsKeychain, Secret, SecretKey, Vault, VaultError, SERVICE};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// The outcome of one check, as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub name: String,
    pub ok: bool,
    /// What was found; never a secret.
    pub detail: String,
    /// One line that says what to do, when the check failed.
    pub fix: Option<String>,
}

impl CheckResult {
    fn pass(name: &str, detail: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok: true,
            detail: scrub(detail.into()),
            fix: None,
        }
    }

    fn fail(name: &str, detail: impl Into<String>, fix: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            ok: false,
            detail: scrub(detail.into()),
            fix: Some(fix.into()),
        }
    }
}

/// Details quote errors from the keychain and the network: pass them through
/// the one redaction function like any other output.
fn scrub(text: String) -> String {
    aeropay::redact::redact_text(&text)
}

/// What the checks look at.
pub struct DoctorInputs {
    /// `None` when the machine has no configuration directory at all.
    pub settings_path: Option<PathBuf>,
    /// Where the app keeps the merchant's API credentials.
    pub vault: Arc<dyn Vault>,
    /// Where the keychain probe writes, reads back and deletes its entry.
    pub probe_vault: Arc<dyn Vault>,
    /// For each network request and for the keychain's answer.
    pub timeout: Duration,
    /// The machine's policy (managed settings), as read.
    pub policy: Result<Policy, PolicyError>,
}

impl DoctorInputs {
    /// The machine's own set-up: the OS keychain and the settings file.
    pub fn for_this_machine() -> Self {
        Self {
            settings_path: crate::config::settings_path().ok(),
            vault: Arc::new(OsKeychain::new()),
            probe_vault: Arc::new(probe_keychain()),
            timeout: Duration::from_secs(10),
            policy: crate::policy::load().map(|policy| policy.with_group(kept_group_settings())),
        }
    }
}

/// On a device of a fleet, its group's settings as the broker last sent
/// them; the settings file's own check reports a file that cannot be read.
fn kept_group_settings() -> Option<onboarding_core::group_settings::GroupSettings> {
    let settings =
        crate::config::Settings::load_from(&crate::config::settings_path().ok()?).ok()?;
    onboarding_core::group_settings::for_settings(&settings, &crate::config::data_dir().ok()?)
}

/// The probe writes under its own keychain service, so it can never touch
/// (or delete) an entry the app uses.
pub fn probe_keychain() -> OsKeychain {
    OsKeychain::with_service(format!("{SERVICE}.doctor-probe"))
}

/// Runs every check in order and returns their results.
pub async fn run_checks(inputs: &DoctorInputs) -> Vec<CheckResult> {
    let mut results = vec![check_keychain(inputs).await];
    let settings = match check_settings(inputs) {
        Ok((settings, result)) => {
            results.push(result);
            settings
        }
        Err(result) => {
            results.push(result);
            results.push(check_policy(&inputs.policy));
            return results;
        }
    };
    results.push(check_policy(&inputs.policy));
    // The API and widget checks use what the app would run with.
    let settings = match &inputs.policy {
        Ok(policy) => policy.apply(settings),
        Err(_) => settings,
    };
    match (&settings.fleet, settings.environment.api_base()) {
        (Some(fleet), base) => results.extend(check_fleet(&settings, fleet, base, inputs).await),
        (None, None) => results.extend(check_simulator(&settings, inputs.timeout).await),
        (None, Some(base)) => results.extend(check_remote(&settings, base, inputs).await),
    }
    results.extend(check_widget_origin(&settings.environment));
    results.extend(origins_to_allow_list(&settings.environment));
    results
}

/// The report as printed: `ok`/`FAIL`, name and detail, then the fix.
pub fn render(results: &[CheckResult]) -> String {
    let mut out = String::new();
    for result in results {
        let status = if result.ok { "ok  " } else { "FAIL" };
        out.push_str(&format!("{status}  {}: {}\n", result.name, result.detail));
        if let Some(fix) = &result.fix {
            out.push_str(&format!("      fix: {fix}\n"));
        }
    }
    out
}

pub fn all_ok(results: &[CheckResult]) -> bool {
    results.iter().all(|result| result.ok)
}

// ---- keychain --------------------------------------------------------------

const KEYCHAIN: &str = "keychain";

fn vault_fix(err: &VaultError) -> &'static str {
    match err {
        VaultError::NoSecretService { .. } => {
            "start gnome-keyring or KWallet in this desktop session (Linux), then run doctor again"
        }
        VaultError::Locked { .. } => {
            "unlock the keychain (log in to the desktop session, or run `gnome-keyring-daemon --unlock`)"
        }
        VaultError::Corrupt { .. } => {
            "delete the damaged keychain entry and run `aeropay-onboarding configure` again"
        }
        VaultError::Unavailable { .. } | VaultError::WrongKind { .. } => {
            "check that the OS keychain works for this user (Keychain Access, Credential Manager, Seahorse)"
        }
    }
}

/// Runs a blocking keychain call off the async threads, bounded in time: an
/// unlock prompt nobody answers must not hang the doctor.
async fn with_vault<T: Send + 'static>(
    timeout: Duration,
    call: impl FnOnce() -> Result<T, VaultError> + Send + 'static,
) -> Result<T, String> {
    match tokio::time::timeout(timeout, tokio::task::spawn_blocking(call)).await {
        Ok(Ok(Ok(value))) => Ok(value),
        Ok(Ok(Err(err))) => Err(format!("{err} ({})", err.code())),
        Ok(Err(_)) => Err("the keychain call stopped unexpectedly".into()),
        Err(_) => Err(format!(
            "the keychain did not answer within {} s (waiting for an unlock prompt?)",
            timeout.as_secs()
        )),
    }
}

async fn check_keychain(inputs: &DoctorInputs) -> CheckResult {
    let vault = inputs.probe_vault.clone();
    let outcome = tokio::time::timeout(
        inputs.timeout,
        tokio::task::spawn_blocking(move || probe(vault.as_ref())),
    )
    .await;
    match outcome {
        Ok(Ok(Ok(()))) => CheckResult::pass(
            KEYCHAIN,
            "reachable and unlocked (a probe entry was written, read back and deleted)",
        ),
        Ok(Ok(Err(ProbeError::Vault(err)))) => {
            CheckResult::fail(KEYCHAIN, format!("{err} ({})", err.code()), vault_fix(&err))
        }
        Ok(Ok(Err(ProbeError::Mismatch))) => CheckResult::fail(
            KEYCHAIN,
            "the probe entry read back differs from what was written",
            "check that the OS keychain works for this user (Keychain Access, Credential Manager, Seahorse)",
        ),
        Ok(Err(_)) => CheckResult::fail(
            KEYCHAIN,
            "the keychain call stopped unexpectedly",
            "run doctor again; if it persists, check the OS keychain",
        ),
        Err(_) => CheckResult::fail(
            KEYCHAIN,
            format!(
                "no answer within {} s (waiting for an unlock prompt?)",
                inputs.timeout.as_secs()
            ),
            "unlock the keychain (log in to the desktop session, or run `gnome-keyring-daemon --unlock`)",
        ),
    }
}

enum ProbeError {
    Vault(VaultError),
    Mismatch,
}

impl From<VaultError> for ProbeError {
    fn from(err: VaultError) -> Self {
        ProbeError::Vault(err)
    }
}

fn probe(vault: &dyn Vault) -> Result<(), ProbeError> {
    // Any entry kind works; the probe's own service keeps it apart.
    let key = SecretKey::StaffPin;
    let value = Secret::StaffPin {
        phc: format!("doctor-probe-{}", uuid::Uuid::new_v4()),
    };
    vault.put(&key, &value)?;
    let read = vault.get(&key);
    let deleted = vault.delete(&key);
    if read? != Some(value) {
        return Err(ProbeError::Mismatch);
    }
    deleted?;
    Ok(())
}

// ---- settings --------------------------------------------------------------

const SETTINGS: &str = "settings";

fn check_settings(inputs: &DoctorInputs) -> Result<(Settings, CheckResult), CheckResult> {
    let Some(path) = &inputs.settings_path else {
        return Err(CheckResult::fail(
            SETTINGS,
            "no configuration directory (CONFIG_NO_DIR); the API and widget checks need settings",
            "set HOME (or XDG_CONFIG_HOME) for this user",
        ));
    };
    match Settings::load_from(path) {
        Ok(settings) => {
            let source = if path.exists() {
                format!("{} read", path.display())
            } else {
                format!("{} absent: defaults apply", path.display())
            };
            let detail = format!("{source}; environment {}", settings.environment.label());
            Ok((settings.clone(), CheckResult::pass(SETTINGS, detail)))
        }
        Err(err) => Err(CheckResult::fail(
            SETTINGS,
            format!(
                "{err} ({}); the API and widget checks need readable settings",
                err.code()
            ),
            format!(
                "fix or delete {} (then run `aeropay-onboarding configure`)",
                path.display()
            ),
        )),
    }
}

// ---- policy ----------------------------------------------------------------

const POLICY: &str = "policy";

/// Whether a policy is in force, and which fields it manages.
fn check_policy(policy: &Result<Policy, PolicyError>) -> CheckResult {
    let mut result = check_policy_file(policy);
    if let Ok(Policy {
        group: Some(group), ..
    }) = policy
    {
        let fields = policy.as_ref().map(|p| p.fields()).unwrap_or_default();
        result.detail = format!(
            "{}; under it, the settings the fleet's server sent for group {group}; managed in all: {}",
            result.detail,
            if fields.is_empty() {
                "no field".to_owned()
            } else {
                fields.join(", ")
            }
        );
    }
    result
}

/// The policy file's part of the line.
fn check_policy_file(policy: &Result<Policy, PolicyError>) -> CheckResult {
    // This system's policy file or key (the Linux file, macOS' managed
    // preferences, Windows' key).
    let place = crate::policy::place_for(std::env::consts::OS);
    match policy {
        Ok(policy) => match &policy.source {
            None if cfg!(unix)
                && place.is_some_and(|place| {
                    crate::policy::folder_not_searchable(std::path::Path::new(place))
                }) =>
            {
                CheckResult::fail(
                    POLICY,
                    format!(
                        "{} cannot be looked at by this account (its folder is not searchable): no policy applies",
                        place.unwrap_or_default()
                    ),
                    match place.and_then(|place| std::path::Path::new(place).parent()) {
                        Some(folder) if folder != std::path::Path::new("/etc/aeropay-onboarding") => {
                            format!("to manage this machine: chmod 755 {}", folder.display())
                        }
                        _ => "to manage this machine: chmod 755 /etc/aeropay-onboarding (its keyring credential stays 0600)".into(),
                    },
                )
            }
            None if policy.group.is_some() => CheckResult::pass(
                POLICY,
                match place {
                    Some(place) => format!("no machine policy ({place} absent)"),
                    None => "no machine policy on this system".into(),
                },
            ),
            None => CheckResult::pass(
                POLICY,
                match place {
                    Some(place) => format!("none in force ({place} absent): nothing is managed"),
                    None => "none: this system has no policy; nothing is managed".into(),
                },
            ),
            Some(path) if policy.fields().is_empty() => CheckResult::pass(
                POLICY,
                format!("{} in force; it manages no field", path.display()),
            ),
            Some(path) => CheckResult::pass(
                POLICY,
                format!(
                    "{} in force; managed: {}",
                    path.display(),
                    policy.fields().join(", ")
                ),
            ),
        },
        Err(err) => CheckResult::fail(
            POLICY,
            format!("{err} ({}); the app will not start with it", err.code()),
            "fix the policy file (root's, mode 0644 or stricter, only the documented fields), or remove it",
        ),
    }
}

// ---- API -------------------------------------------------------------------

const CREDENTIALS: &str = "credentials";
const REACHABLE: &str = "api reachable";
const TOKEN: &str = "merchant token";

fn client_config(base: Url, settings: &Settings, timeout: Duration) -> aeropay::ClientConfig {
    let version = settings.api_version;
    let mut config = aeropay::ClientConfig::with_base_url(base, version);
    config.connect_timeout = timeout;
    config.request_timeout = timeout;
    // One try: the doctor reports what a first attempt meets.
    config.retry.max_attempts = 1;
    config
}

async fn mint(
    config: aeropay::ClientConfig,
    credentials: StaticCredentials,
    environment: &Environment,
) -> CheckResult {
    let base = config.base_url.to_string();
    let client = match AeropayClient::new(config, Arc::new(credentials)) {
        Ok(client) => client,
        Err(err) => return token_failure(&err, environment),
    };
    match client.merchant_token().await {
        Ok(_) => CheckResult::pass(TOKEN, format!("minted at {base}")),
        Err(err) => token_failure(&err, environment),
    }
}

/// The command that stores this environment's credentials.
fn configure_hint(environment: &Environment) -> String {
    format!(
        "run `aeropay-onboarding configure --environment {} --merchant-id …` with this environment's API key and secret on stdin",
        match environment {
            Environment::Custom { base_url } => format!("custom --base-url {base_url}"),
            other => other.id(),
        }
    )
}

fn token_failure(err: &AeropayError, environment: &Environment) -> CheckResult {
    let fix = match (err.code(), err.category()) {
        ("AP002", _) | (_, ErrorCategory::Auth) => configure_hint(environment),
        (_, ErrorCategory::Network) => {
            "check the network, proxy and firewall between this machine and the API base".into()
        }
        _ => "quote this code to Aeropay support, and check the environment in the settings".into(),
    };
    CheckResult::fail(TOKEN, err.to_string(), fix)
}

/// The built-in simulator: it starts and mints a token; its widget answers.
async fn check_simulator(settings: &Settings, timeout: Duration) -> Vec<CheckResult> {
    let sim = match Simulator::start(SimulatorConfig::default()).await {
        Ok(sim) => sim,
        Err(err) => {
            return vec![CheckResult::fail(
                "simulator",
                format!("{err} ({})", err.code()),
                "free a loopback port (127.0.0.1) for the built-in simulator",
            )]
        }
    };
    let base: Url = sim.base_url().parse().expect("the simulator's URL parses");
    let c = sim.credentials();
    let credentials =
        StaticCredentials::new(c.api_key.clone(), c.api_secret.clone(), c.merchant_id);
    let mut results = vec![
        mint(
            client_config(base, settings, timeout),
            credentials,
            &settings.environment,
        )
        .await,
    ];
    results.push(get_widget(&sim.widget_url(), timeout).await);
    sim.shutdown().await;
    results
}

const WIDGET_ANSWERS: &str = "widget answers";

async fn get_widget(url: &str, timeout: Duration) -> CheckResult {
    let answer = match http(timeout) {
        Ok(client) => client.get(url).send().await,
        Err(err) => Err(err),
    };
    match answer {
        Ok(response) if response.status().is_success() => {
            CheckResult::pass(WIDGET_ANSWERS, format!("{url}: HTTP {}", response.status()))
        }
        Ok(response) => CheckResult::fail(
            WIDGET_ANSWERS,
            format!("{url}: HTTP {}", response.status()),
            "restart the app; if it persists, report this build",
        ),
        Err(err) => CheckResult::fail(
            WIDGET_ANSWERS,
            format!("{url}: {err}"),
            "restart the app; if it persists, report this build",
        ),
    }
}

fn http(timeout: Duration) -> Result<reqwest::Client, reqwest::Error> {
    crate::tls::install_crypto_provider();
    reqwest::Client::builder()
        .connect_timeout(timeout)
        .timeout(timeout)
        .build()
}

/// Sandbox, production or a custom base: credentials, reachability, token.
async fn check_remote(settings: &Settings, base: Url, inputs: &DoctorInputs) -> Vec<CheckResult> {
    let environment = settings.environment.id();
    let key = SecretKey::MerchantCredentials {
        environment: environment.clone(),
    };
    let vault = inputs.vault.clone();
    let stored = with_vault(inputs.timeout, move || vault.get(&key)).await;
    let configure = configure_hint(&settings.environment);
    let (credentials, credentials_check) = match stored {
        Ok(Some(Secret::MerchantCredentials {
            api_key,
            api_secret,
            merchant_id,
        })) => (
            Some(StaticCredentials::new(api_key, api_secret, merchant_id)),
            CheckResult::pass(
                CREDENTIALS,
                format!(
                    "API key and secret for {environment} (merchant {merchant_id}) are in the keychain"
                ),
            ),
        ),
        Ok(_) => (
            None,
            CheckResult::fail(
                CREDENTIALS,
                format!("no API key and secret for {environment} in the keychain"),
                configure.clone(),
            ),
        ),
        Err(err) => (
            None,
            CheckResult::fail(
                CREDENTIALS,
                err,
                "make the keychain reachable (see the keychain check), then run doctor again",
            ),
        ),
    };
    let mut results = vec![credentials_check];
    results.push(check_reachable(&base, inputs.timeout).await);
    results.push(match credentials {
        Some(credentials) => {
            mint(
                client_config(base, settings, inputs.timeout),
                credentials,
                &settings.environment,
            )
            .await
        }
        None => CheckResult::fail(TOKEN, "not tried: no API credentials", configure),
    });
    results
}

const FLEET: &str = "fleet";

/// A device of a fleet: its credential is in the keychain (and no merchant
/// credentials), the broker answers and knows it in good standing, and the
/// Aeropay it names is the one in the settings.
async fn check_fleet(
    settings: &Settings,
    fleet: &crate::config::FleetSettings,
    base: Option<Url>,
    inputs: &DoctorInputs,
) -> Vec<CheckResult> {
    use crate::fleet_client::{BrokerClient, BrokerConfig, DeviceCredential};
    let reconfigure = format!(
        "ask the fleet's operator for a new code (`device add`), then run `aeropay-onboarding configure --environment broker --broker-url {}` with it on stdin",
        fleet.broker_url
    );
    let vault = inputs.vault.clone();
    let merchant = SecretKey::MerchantCredentials {
        environment: settings.environment.id(),
    };
    let stored = with_vault(inputs.timeout, move || {
        Ok((
            vault.get(&SecretKey::DeviceCredential)?,
            vault.get(&merchant)?,
        ))
    })
    .await;
    let mut results = Vec::new();
    let credential = match stored {
        Ok((Some(Secret::DeviceCredential { device_id, secret }), merchant)) => {
            results.push(match merchant {
                None => CheckResult::pass(
                    CREDENTIALS,
                    format!("this device's fleet credential ({device_id}) is in the keychain; no API key or secret"),
                ),
                Some(_) => CheckResult::fail(
                    CREDENTIALS,
                    format!("an API key and secret for {} are still in the keychain beside the fleet credential", settings.environment.id()),
                    format!("run `aeropay-onboarding configure --environment broker --broker-url {}` again, or delete the entry from the keychain", fleet.broker_url),
                ),
            });
            DeviceCredential::new(device_id, secret)
        }
        Ok(_) => {
            results.push(CheckResult::fail(
                CREDENTIALS,
                "no fleet credential for this device in the keychain",
                reconfigure,
            ));
            return results;
        }
        Err(err) => {
            results.push(CheckResult::fail(
                CREDENTIALS,
                err,
                "make the keychain reachable (see the keychain check), then run doctor again",
            ));
            return results;
        }
    };
    let mut config = BrokerConfig::new(fleet.broker_url.clone());
    config.connect_timeout = inputs.timeout;
    config.request_timeout = inputs.timeout;
    // One try: the doctor reports what a first attempt meets.
    config.retry.attempts = 1;
    let answer = match BrokerClient::new(config, Some(credential)) {
        Ok(client) => client.device().await,
        Err(err) => Err(err),
    };
    match answer {
        Ok(device) => {
            let same = base.as_ref().is_some_and(|b| {
                b.as_str().trim_end_matches('/')
                    == device.aeropay.base_url.as_str().trim_end_matches('/')
            }) && device.aeropay.api_version == settings.api_version;
            results.push(if same {
                CheckResult::pass(
                    FLEET,
                    format!(
                        "{} answers; this device is {} (group {}), in good standing; Aeropay {} {:?}",
                        fleet.broker_url, device.name, device.group, device.aeropay.base_url, device.aeropay.api_version
                    ),
                )
            } else {
                CheckResult::fail(
                    FLEET,
                    format!(
                        "{} now uses Aeropay at {} ({:?}); the settings name another",
                        fleet.broker_url, device.aeropay.base_url, device.aeropay.api_version
                    ),
                    reconfigure,
                )
            });
        }
        Err(err) => {
            let fix = match err.code() {
                "BROKER_UNREACHABLE" => "check the network, DNS, proxy and firewall between this machine and the fleet's server, and that the server runs".to_owned(),
                "BROKER_UNEXPECTED_ANSWER" | "BROKER_URL_INVALID" => format!("check that {} is the fleet's server", fleet.broker_url),
                "BROKER_DEVICE_DISABLED" => "ask the fleet's operator to run `device enable` for this device".to_owned(),
                _ if err.is_device_refused() => reconfigure,
                _ => "run doctor again in a moment; if it persists, ask the fleet's operator".to_owned(),
            };
            results.push(CheckResult::fail(
                FLEET,
                format!("{}: {err} ({})", fleet.broker_url, err.code()),
                fix,
            ));
        }
    }
    if let Some(base) = base {
        results.push(check_reachable(&base, inputs.timeout).await);
    }
    results
}

async fn check_reachable(base: &Url, timeout: Duration) -> CheckResult {
    let answer = match http(timeout) {
        Ok(client) => client.get(base.clone()).send().await,
        Err(err) => Err(err),
    };
    match answer {
        // Any HTTP answer, even an error status, proves the route works.
        Ok(response) => CheckResult::pass(REACHABLE, format!("{base}: HTTP {}", response.status())),
        Err(err) => {
            let why = if err.is_timeout() {
                format!("no answer within {} s", timeout.as_secs())
            } else {
                std::error::Error::source(&err)
                    .map(ToString::to_string)
                    .unwrap_or_else(|| err.to_string())
            };
            CheckResult::fail(
                REACHABLE,
                format!("{base}: {why}"),
                "check the network, DNS, proxy and firewall between this machine and the API base",
            )
        }
    }
}

// ---- widget origin -----------------------------------------------------------

const WIDGET_ORIGIN: &str = "widget origin";

/// For sandbox and production the widget may only come from Aerosync's known
/// hosts: check the list the app allows, without the network (the widget's
/// address comes from Aeropay only once a customer is enrolling).
pub fn check_widget_origin(environment: &Environment) -> Vec<CheckResult> {
    match environment {
        // The simulator's widget was fetched above.
        Environment::Simulator => Vec::new(),
        Environment::Sandbox | Environment::Production => {
            let allowed = frame_origins(environment, None);
            let refused: Vec<&str> = allowed
                .iter()
                .map(String::as_str)
                .filter(|origin| {
                    let accepted = Url::parse(origin)
                        .ok()
                        .and_then(|url| widget_origin(environment, &url).ok());
                    accepted.is_none_or(|accepted| accepted.as_str() != *origin)
                })
                .collect();
            vec![if refused.is_empty() {
                CheckResult::pass(
                    WIDGET_ORIGIN,
                    format!(
                        "frames allowed from Aerosync's hosts only: {}",
                        allowed.join(" ")
                    ),
                )
            } else {
                CheckResult::fail(
                    WIDGET_ORIGIN,
                    format!("not accepted as Aerosync origins: {}", refused.join(", ")),
                    "install an official build of the app",
                )
            }]
        }
        Environment::Custom { base_url } => vec![match base_url.origin() {
            url::Origin::Tuple(..) => CheckResult::pass(
                WIDGET_ORIGIN,
                format!(
                    "frames allowed from {} (custom environment: its API base and Aerosync's hosts)",
                    frame_origins(environment, None).join(" ")
                ),
            ),
            url::Origin::Opaque(_) => CheckResult::fail(
                WIDGET_ORIGIN,
                format!("{base_url} has no web origin"),
                "configure an http(s) base URL: `aeropay-onboarding configure --environment custom --base-url …`",
            ),
        }],
    }
}

// ---- origins to give Aeropay ---------------------------------------------------

const PAGE_ORIGIN: &str = "page origin";
const WIDGET_ORIGINS: &str = "widget origins";

/// What a deployment gives Aeropay to allow-list: the origin of the page
/// that embeds the widget on this platform, and the origins that page may
/// frame (the same list as the CSP's `frame-src`).
pub fn origins_to_allow_list(environment: &Environment) -> Vec<CheckResult> {
    use crate::origins::{this_page_origin, Platform};
    let page = CheckResult::pass(
        PAGE_ORIGIN,
        format!(
            "{} ({}: the origin that embeds the widget; give it to Aeropay to allow-list)",
            this_page_origin(),
            Platform::current().name()
        ),
    );
    let widget = match environment {
        Environment::Simulator => CheckResult::pass(
            WIDGET_ORIGINS,
            format!(
                "{} (the built-in simulator, its port chosen at each start; nothing to allow-list)",
                frame_origins(environment, Some("http://127.0.0.1:<port>")).join(" ")
            ),
        ),
        _ => CheckResult::pass(
            WIDGET_ORIGINS,
            format!(
                "{} (what the page may frame in {})",
                frame_origins(environment, None).join(" "),
                environment.id()
            ),
        ),
    };
    vec![page, widget]
}

#[cfg(test)]
mod origin_tests {
    use super::*;

    #[test]
    fn the_widget_origins_printed_are_the_page_policys_frame_src() {
        for environment in [
            Environment::Sandbox,
            Environment::Production,
            Environment::Custom {
                base_url: "https://staging-api.aeropay.com".parse().unwrap(),
            },
        ] {
            let results = origins_to_allow_list(&environment);
            let widgets = &results[1];
            assert_eq!(widgets.name, WIDGET_ORIGINS);
            let listed = widgets.detail.split(" (").next().unwrap();
            assert_eq!(listed, crate::csp::frame_src(&environment, None));
            assert!(widgets.ok);
        }
        let page = &origins_to_allow_list(&Environment::Sandbox)[0];
        assert!(page.detail.starts_with(crate::origins::this_page_origin()));
    }
}
