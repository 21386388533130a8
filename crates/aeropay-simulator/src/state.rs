//! The simulator's data: users, widget sessions, bank logins, connections and
//! linked accounts. Everything lives in one serialisable struct so that the
//! optional SQLite file can snapshot it after each change.

use super::persist::Persistence;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Mutex;
use time::OffsetDateTime;

/// How the simulated merchant is configured for MFA on `POST /user`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaType {
    Sms,
    Email,
}

impl MfaType {
    pub fn as_str(self) -> &'static str {
        match self {
            MfaType::Sms => "sms",
            MfaType::Email => "email",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Otp {
    pub code: String,
    pub attempts: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    /// v2 user id (a UUID; also the aeroPassUserUuid).
    pub id: String,
    /// The numeric id v1 responses carry as `userId`.
    pub legacy_id: u64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: String,
    pub created: i64,
    /// Associated with the merchant: false between `POST /user` and a
    /// successful `confirmUser`.
    pub connected: bool,
    pub otp: Option<Otp>,
    /// The Aerosync user (`username` of aggregatorCredentials, `user_id` of
    /// v1 widget results).
    pub aerosync_user: String,
}

impl User {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// One `aggregatorCredentials` answer: a widget token bound to a user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WidgetSession {
    pub jti: String,
    pub user_id: String,
    /// The v1 `user_password` the 1.x widget returns.
    pub password: String,
    pub exp: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LoginStage {
    AwaitingMfa,
    AwaitingConsent,
    Ready,
    Completed,
}

/// A login to a test bank inside one widget session.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BankLogin {
    pub id: String,
    pub session: String,
    pub bank: String,
    pub stage: LoginStage,
}

/// A finished widget flow for one account: what `connectionId` (v2) or
/// `user_id`/`user_password` (v1) refer to.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Connection {
    pub id: String,
    pub user_id: String,
    pub session: String,
    pub bank: String,
    pub account: String,
    pub fi_login_acct_id: u64,
    pub created: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BankAccount {
    pub id: u64,
    pub user_id: String,
    pub connection_id: String,
    pub bank: String,
    pub account: String,
    pub bank_name: String,
    pub name: String,
    pub last4: String,
    pub account_type: String,
    pub selected: bool,
    pub created: i64,
    pub balance: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Data {
    /// HS256 key for API and widget tokens; persisted so tokens survive a
    /// restart with `--state`.
    pub signing_key: Vec<u8>,
    pub users: BTreeMap<String, User>,
    pub sessions: BTreeMap<String, WidgetSession>,
    pub logins: BTreeMap<String, BankLogin>,
    pub connections: BTreeMap<String, Connection>,
    pub accounts: BTreeMap<u64, BankAccount>,
    pub next_legacy_id: u64,
    pub next_account_id: u64,
    pub next_fi_id: u64,
}

impl Data {
    pub fn new() -> Self {
        Data {
            signing_key: rand::random::<[u8; 32]>().to_vec(),
            users: BTreeMap::new(),
            sessions: BTreeMap::new(),
            logins: BTreeMap::new(),
            connections: BTreeMap::new(),
            accounts: BTreeMap::new(),
            next_legacy_id: 12973,
            next_account_id: 1139036,
            next_fi_id: 88410,
        }
    }

    /// Forgets every customer; keeps the signing key.
    pub fn reset(&mut self) {
        let key = std::mem::take(&mut self.signing_key);
        *self = Data::new();
        self.signing_key = key;
    }

    pub fn user_by_phone(&self, phone: &str) -> Option<&User> {
        self.users.values().find(|u| u.phone == phone)
    }

    /// v1 accepts the numeric id or the UUID.
    pub fn user_by_any_id(&self, id: &str) -> Option<&User> {
        self.users.get(id).or_else(|| {
            id.parse::<u64>()
                .ok()
                .and_then(|n| self.users.values().find(|u| u.legacy_id == n))
        })
    }

    pub fn accounts_of(&self, user_id: &str) -> Vec<&BankAccount> {
        self.accounts
            .values()
            .filter(|a| a.user_id == user_id)
            .collect()
    }
}

impl Default for Data {
    fn default() -> Self {
        Data::new()
    }
}

/// The data behind a lock, written through to SQLite when configured.
pub struct Store {
    data: Mutex<Data>,
    persistence: Option<Mutex<Persistence>>,
}

impl Store {
    pub fn new(data: Data, persistence: Option<Persistence>) -> Self {
        Store {
            data: Mutex::new(data),
            persistence: persistence.map(Mutex::new),
        }
    }

    pub fn read<R>(&self, f: impl FnOnce(&Data) -> R) -> R {
        f(&self.data.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Runs a change and saves the result. A failed save is logged, not
    /// returned: the in-memory state stays authoritative for this run.
    pub fn write<R>(&self, f: impl FnOnce(&mut Data) -> R) -> R {
        let mut data = self.data.lock().unwrap_or_else(|e| e.into_inner());
        let result = f(&mut data);
        if let Some(p) = &self.persistence {
            let p = p.lock().unwrap_or_else(|e| e.into_inner());
            if let Err(err) = p.save(&data) {
                tracing::error!(%err, "simulator: cannot save state");
            }
        }
        result
    }
}

pub fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Aeropay's date format: `2025-02-27T12:59:32+00:00`.
pub fn aeropay_date(ts: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(ts).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let fmt =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    t.format(&fmt).unwrap_or_default()
}
