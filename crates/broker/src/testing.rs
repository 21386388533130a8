//! A broker in front of the built-in simulator, on 127.0.0.1, for the tests
//! of everything that talks to it (the broker's own, the devices' client,
//! the core, the app's command line, the end-to-end tests). Behind the
//! `testing` feature: no production build links the simulator.

use crate::config::Config;
use crate::{RunningBroker, Secrets};
use aeropay_simulator::RunningSimulator;
use broker_store::Store;

/// The configuration a test broker starts with: `database_url`, a free
/// port of 127.0.0.1, the simulator as Aeropay; `extra` adds or replaces
/// environment entries (`BROKER_LISTEN`, `BROKER_GROUPS_SETTINGS_DIR`, …).
pub fn config(database_url: &str, sim: &RunningSimulator, extra: &[(&str, String)]) -> Config {
    let env = |name: &str| {
        if let Some((_, value)) = extra.iter().find(|(key, _)| *key == name) {
            return Some(value.clone());
        }
        match name {
            "BROKER_DATABASE_URL" => Some(database_url.to_owned()),
            "BROKER_LISTEN" => Some("127.0.0.1:0".to_owned()),
            "BROKER_AEROPAY_ENVIRONMENT" => Some(sim.base_url().to_owned()),
            _ => None,
        }
    };
    Config::load(None, &env).expect("the test broker's configuration loads")
}

/// The simulator's merchant credentials, as the broker's secrets.
pub fn secrets(sim: &RunningSimulator) -> Secrets {
    let c = sim.credentials();
    Secrets {
        api_key: c.api_key.as_str().into(),
        api_secret: c.api_secret.as_str().into(),
        merchant_id: c.merchant_id,
    }
}

/// A broker serving `config` with the simulator's credentials, on its own
/// connection to the configured database.
pub async fn start(config: Config, sim: &RunningSimulator) -> RunningBroker {
    let store = Store::open(&config.database_url)
        .await
        .expect("the test broker's database opens");
    RunningBroker::start(config, secrets(sim), store)
        .await
        .expect("the test broker starts")
}
