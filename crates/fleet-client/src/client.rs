//! [`BrokerClient`]: one device talking to its broker over HTTP(S).

use crate::credential::DeviceCredential;
use crate::error::FleetError;
use crate::wire::{
    AuditEntry, AuditPage, AuditUpload, AuditUploaded, ConfirmRequest, ConfirmedUser, CreatedUser,
    DeviceInfo, DeviceSettings, EnrollRequest, Enrolled, ErrorBody, NewUser, UserToken,
};
use aeropay_client::secret::SecretString;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;
use url::Url;

/// Answers larger than this are not the broker's and are not read further
/// (audit pages have their own bound, [`AUDIT_ENTRY_MAX_BYTES`] per entry).
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The most one entry of an audit page can take: the broker accepts a
/// `detail` of up to 16 KiB, plus the entry's other fields.
const AUDIT_ENTRY_MAX_BYTES: usize = 17 * 1024;

/// Most entries the broker puts in one audit page.
pub const AUDIT_PAGE_MAX: u32 = 1000;

/// Which part of the fleet's audit trail to read (`GET /v1/audit`). The
/// broker lists entries by device, then by the device's `seq`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only devices of this group.
    pub group: Option<String>,
    /// Only this device, by name.
    pub device: Option<String>,
    /// The `next` of the previous page.
    pub after: Option<String>,
    /// Entries in the page, 1 to [`AUDIT_PAGE_MAX`]; 0: the broker's default (100).
    pub limit: u32,
}

/// How a device reaches its broker.
#[derive(Debug, Clone)]
pub struct BrokerConfig {
    /// https, or http to this machine only.
    pub base_url: Url,
    pub connect_timeout: Duration,
    /// Longer than the broker's own request timeout (45 s by default), so a
    /// slow Aeropay ends in the broker's answer rather than in a cut.
    pub request_timeout: Duration,
    pub user_agent: String,
    pub retry: RetryPolicy,
}

impl BrokerConfig {
    pub fn new(base_url: Url) -> Self {
        Self {
            base_url,
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(50),
            user_agent: format!("aeropay-onboarding/{}", env!("CARGO_PKG_VERSION")),
            retry: RetryPolicy::default(),
        }
    }
}

/// Repeats of a call whose answer was lost (no connection, a reset, a
/// timeout) or that the broker said to retry because its database was
/// briefly away. Only calls that are safe to repeat are repeated: the user
/// calls carry an [`IdempotencyKey`], the others change nothing twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in total, including the first (1 = no retry).
    pub attempts: u32,
    pub first_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(4),
        }
    }
}

/// The `Idempotency-Key` of one enrollment request: the same for every
/// repeat of that request, so the broker answers a repeat with the answer
/// it kept instead of calling Aeropay again.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// `None` unless 1 to 128 printable ASCII characters (the broker's rule).
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into();
        let ok = !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_graphic());
        ok.then_some(Self(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What redeeming an enrollment code gives.
#[derive(Debug, Clone)]
pub struct EnrolledDevice {
    pub credential: DeviceCredential,
    pub name: String,
    pub group: String,
}

#[derive(Clone)]
pub struct BrokerClient {
    http: reqwest::Client,
    config: BrokerConfig,
    credential: Option<DeviceCredential>,
}

impl std::fmt::Debug for BrokerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BrokerClient")
            .field("base_url", &self.config.base_url.as_str())
            .field("credential", &self.credential)
            .finish()
    }
}

/// Whether a repeat may be sent after a failure, by call.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Repeat {
    /// The same request changes nothing more the second time.
    Safe,
    /// Only when the request never left (the connection was refused): a
    /// code redeemed twice is refused, and its secret would be lost.
    OnlyUnsent,
}

impl BrokerClient {
    /// Refuses an address that is not https (or http to this machine): the
    /// device secret and user tokens never cross a network in clear text.
    pub fn new(
        config: BrokerConfig,
        credential: Option<DeviceCredential>,
    ) -> Result<Self, FleetError> {
        check_url(&config.base_url)?;
        aeropay_client::tls::install_crypto_provider();
        let http = reqwest::Client::builder()
            // A redirect would carry the device secret elsewhere.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(config.user_agent.clone())
            .build()
            .map_err(|_| FleetError::InvalidUrl {
                reason: "no HTTP client could be built on this machine".into(),
            })?;
        Ok(Self {
            http,
            config,
            credential,
        })
    }

    /// The same client acting as the enrolled device.
    pub fn with_credential(&self, credential: DeviceCredential) -> Self {
        Self {
            credential: Some(credential),
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.config.base_url
    }

    pub fn credential(&self) -> Option<&DeviceCredential> {
        self.credential.as_ref()
    }

    /// `POST /v1/devices/enroll`: redeems the one-time code.
    pub async fn enroll(&self, code: &SecretString) -> Result<EnrolledDevice, FleetError> {
        let body = EnrollRequest { code: code.clone() };
        let enrolled: Enrolled = self
            .call(
                Method::POST,
                "/v1/devices/enroll",
                Some(&body),
                None,
                false,
                Repeat::OnlyUnsent,
            )
            .await?;
        Ok(EnrolledDevice {
            credential: DeviceCredential::new(enrolled.device_id, enrolled.secret),
            name: enrolled.name,
            group: enrolled.group,
        })
    }

    /// `GET /v1/device`: who this device is and which Aeropay the broker uses.
    pub async fn device(&self) -> Result<DeviceInfo, FleetError> {
        self.call::<(), _>(Method::GET, "/v1/device", None, None, true, Repeat::Safe)
            .await
    }

    /// `GET /v1/device/settings`: the managed settings of this device's
    /// group, to be checked by the caller before use.
    pub async fn settings(&self) -> Result<DeviceSettings, FleetError> {
        self.call::<(), _>(
            Method::GET,
            "/v1/device/settings",
            None,
            None,
            true,
            Repeat::Safe,
        )
        .await
    }

    /// `POST /v1/users`: Aeropay's POST /user, made by the broker.
    pub async fn create_user(
        &self,
        user: &NewUser,
        key: &IdempotencyKey,
    ) -> Result<CreatedUser, FleetError> {
        self.call(
            Method::POST,
            "/v1/users",
            Some(user),
            Some(key),
            true,
            Repeat::Safe,
        )
        .await
    }

    /// `POST /v1/users/{id}/confirm`: Aeropay's confirmUser, made by the broker.
    pub async fn confirm_user(
        &self,
        user_id: &str,
        code: &str,
        key: &IdempotencyKey,
    ) -> Result<ConfirmedUser, FleetError> {
        let path = format!("/v1/users/{}/confirm", path_segment(user_id)?);
        let body = ConfirmRequest { code: code.into() };
        self.call(
            Method::POST,
            &path,
            Some(&body),
            Some(key),
            true,
            Repeat::Safe,
        )
        .await
    }

    /// `POST /v1/users/{id}/token`: a userForMerchant token for a customer
    /// this device confirmed recently.
    pub async fn user_token(&self, user_id: &str) -> Result<UserToken, FleetError> {
        let path = format!("/v1/users/{}/token", path_segment(user_id)?);
        self.call(
            Method::POST,
            &path,
            Some(&serde_json::json!({})),
            None,
            true,
            Repeat::Safe,
        )
        .await
    }

    /// `POST /v1/audit`: a batch sent again adds nothing.
    pub async fn upload_audit(&self, entries: &[AuditEntry]) -> Result<AuditUploaded, FleetError> {
        let body = AuditUpload {
            entries: entries.to_vec(),
        };
        self.call(
            Method::POST,
            "/v1/audit",
            Some(&body),
            None,
            true,
            Repeat::Safe,
        )
        .await
    }

    /// `GET /v1/audit`: one page of the fleet's audit trail, for a device
    /// of one of the broker's `audit.reader_groups` (others get 403
    /// `BROKER_AUDIT_FORBIDDEN`).
    pub async fn audit(&self, filter: &AuditFilter) -> Result<AuditPage, FleetError> {
        let limit = filter.limit.min(AUDIT_PAGE_MAX);
        // The serializer is not Send: it is gone before the call awaits.
        let query = {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            if let Some(group) = &filter.group {
                query.append_pair("group", group);
            }
            if let Some(device) = &filter.device {
                query.append_pair("device", device);
            }
            if let Some(after) = &filter.after {
                query.append_pair("after", after);
            }
            if limit > 0 {
                query.append_pair("limit", &limit.to_string());
            }
            query.finish()
        };
        let path = if query.is_empty() {
            "/v1/audit".to_owned()
        } else {
            format!("/v1/audit?{query}")
        };
        let entries = if limit == 0 { 100 } else { limit as usize };
        self.call_bounded::<(), _>(
            Method::GET,
            &path,
            None,
            None,
            true,
            Repeat::Safe,
            MAX_ANSWER_BYTES.max(entries * AUDIT_ENTRY_MAX_BYTES),
        )
        .await
    }

    async fn call<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        key: Option<&IdempotencyKey>,
        authenticated: bool,
        repeat: Repeat,
    ) -> Result<T, FleetError> {
        self.call_bounded(
            method,
            path,
            body,
            key,
            authenticated,
            repeat,
            MAX_ANSWER_BYTES,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn call_bounded<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        key: Option<&IdempotencyKey>,
        authenticated: bool,
        repeat: Repeat,
        max_answer_bytes: usize,
    ) -> Result<T, FleetError> {
        let policy = &self.config.retry;
        let mut backoff = policy.first_backoff;
        let mut attempt = 1;
        loop {
            match self
                .attempt(
                    method.clone(),
                    path,
                    body,
                    key,
                    authenticated,
                    max_answer_bytes,
                )
                .await
            {
                Err(failure) if attempt < policy.attempts.max(1) && failure.repeatable(repeat) => {
                    tracing::info!(
                        path,
                        attempt,
                        code = failure.error.code(),
                        delay_ms = backoff.as_millis() as u64,
                        "broker call failed, repeating"
                    );
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(policy.max_backoff);
                    attempt += 1;
                }
                Err(failure) => {
                    tracing::warn!(
                        path,
                        attempt,
                        code = failure.error.code(),
                        "broker call failed"
                    );
                    return Err(failure.error);
                }
                Ok(value) => return Ok(value),
            }
        }
    }

    async fn attempt<B: Serialize, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        key: Option<&IdempotencyKey>,
        authenticated: bool,
        max_answer_bytes: usize,
    ) -> Result<T, Failure> {
        let url = self.url(path).map_err(Failure::final_)?;
        let mut request = self.http.request(method, url);
        if authenticated {
            let credential = self
                .credential
                .as_ref()
                .ok_or(FleetError::NotEnrolled)
                .map_err(Failure::final_)?;
            let mut value = HeaderValue::from_str(&credential.bearer())
                .map_err(|_| Failure::final_(FleetError::NotEnrolled))?;
            value.set_sensitive(true);
            request = request.header(AUTHORIZATION, value);
        }
        if let Some(key) = key {
            request = request.header("Idempotency-Key", key.as_str());
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let mut response = request.send().await.map_err(|e| self.unreachable(&e))?;
        let status = response.status().as_u16();
        let unexpected = || FleetError::UnexpectedAnswer {
            host: self.host(),
            status,
        };
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > max_answer_bytes {
                        return Err(Failure::final_(unexpected()));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                // The answer was cut: as good as lost.
                Err(e) => return Err(self.unreachable(&e)),
            }
        }
        if (200..300).contains(&status) {
            return serde_json::from_slice(&bytes).map_err(|_| Failure::final_(unexpected()));
        }
        match serde_json::from_slice::<ErrorBody>(&bytes) {
            Ok(body) => {
                // Only a briefly unavailable database is worth repeating at
                // once; a rate limit asks for minutes, not seconds.
                let repeat = body.retry && status == 503;
                let error = FleetError::Broker { status, body };
                Err(if repeat {
                    Failure::may_repeat(error)
                } else {
                    Failure::final_(error)
                })
            }
            Err(_) => Err(Failure::final_(unexpected())),
        }
    }

    fn url(&self, path: &str) -> Result<Url, FleetError> {
        let base = self.config.base_url.as_str().trim_end_matches('/');
        Url::parse(&format!("{base}{path}")).map_err(|_| FleetError::InvalidUrl {
            reason: "it does not combine with the broker's paths".into(),
        })
    }

    fn host(&self) -> String {
        let url = &self.config.base_url;
        match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => String::new(),
        }
    }

    fn unreachable(&self, e: &reqwest::Error) -> Failure {
        // The reqwest error's text is not passed on: it can hold the full
        // URL, and says little a person can act on.
        let reason = if e.is_timeout() {
            "no answer in time"
        } else if e.is_connect() {
            "connection refused or no route"
        } else {
            "the connection was cut"
        };
        Failure {
            error: FleetError::Unreachable {
                host: self.host(),
                reason,
            },
            repeat: if e.is_connect() {
                Some(Repeat::OnlyUnsent)
            } else {
                Some(Repeat::Safe)
            },
        }
    }
}

/// A failed attempt, and which calls may send it again.
struct Failure {
    error: FleetError,
    /// The least a call must allow for a repeat; `None`: never.
    repeat: Option<Repeat>,
}

impl Failure {
    fn final_(error: FleetError) -> Self {
        Self {
            error,
            repeat: None,
        }
    }

    fn may_repeat(error: FleetError) -> Self {
        Self {
            error,
            repeat: Some(Repeat::Safe),
        }
    }

    fn repeatable(&self, call: Repeat) -> bool {
        match (self.repeat, call) {
            (None, _) => false,
            (Some(_), Repeat::Safe) => true,
            (Some(needs), Repeat::OnlyUnsent) => needs == Repeat::OnlyUnsent,
        }
    }
}

/// https with a host, or http to this machine only.
pub(crate) fn check_url(url: &Url) -> Result<(), FleetError> {
    if !aeropay_client::is_safe_base_url(url) {
        return Err(FleetError::InvalidUrl {
            reason: "use an https:// address (plain http only for 127.0.0.1).".into(),
        });
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(FleetError::InvalidUrl {
            reason: "give the server's address only, like https://broker.example.com, without a user, query or #.".into(),
        });
    }
    Ok(())
}

/// A user id as one path segment: ids are printable ASCII without `/`.
fn path_segment(user_id: &str) -> Result<&str, FleetError> {
    let ok = !user_id.is_empty()
        && user_id.len() <= 128
        && user_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(user_id)
    } else {
        Err(FleetError::Broker {
            status: 400,
            body: ErrorBody {
                code: "BROKER_BAD_REQUEST".into(),
                message: crate::messages::BAD_REQUEST.into(),
                retry: false,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_refused_except_to_this_machine() {
        let config = |u: &str| BrokerConfig::new(Url::parse(u).unwrap());
        for refused in ["http://broker.example", "https://user:pw@broker.example"] {
            let err = BrokerClient::new(config(refused), None).unwrap_err();
            assert_eq!(err.code(), "BROKER_URL_INVALID", "{refused}");
        }
        assert!(BrokerClient::new(config("http://127.0.0.1:8080"), None).is_ok());
        assert!(BrokerClient::new(config("https://broker.example/fleet"), None).is_ok());
        let err = BrokerClient::new(config("ftp://broker.example"), None).unwrap_err();
        assert_eq!(err.code(), "BROKER_URL_INVALID");
    }

    #[test]
    fn idempotency_keys_follow_the_brokers_rule() {
        assert!(IdempotencyKey::new("enrollment-1:create:1").is_some());
        assert!(IdempotencyKey::new("").is_none());
        assert!(IdempotencyKey::new("has space").is_none());
        assert!(IdempotencyKey::new("x".repeat(129)).is_none());
    }
}
