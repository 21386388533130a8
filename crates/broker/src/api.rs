//! The broker's HTTP API.
//!
//! | call | who | what |
//! |---|---|---|
//! | `POST /v1/devices/enroll` `{code}` | a new device | `{device_id, name, group, secret}`, once |
//! | `GET /v1/device` | device | `{deviceId, name, group, aeropay: {baseUrl, apiVersion}}` |
//! | `GET /v1/device/settings` | device | `{group, version, settings}`: its group's managed settings; `ETag` is the version, `If-None-Match` with it: 304 |
//! | `POST /v1/users` `{firstName, lastName, phoneNumber, email}` | device | Aeropay POST /user (merchant scope, on the broker): `{user: {id, aeroPassUserUuid}, mfaType}` |
//! | `POST /v1/users/{id}/confirm` `{code}` | device | Aeropay confirmUser: `{user: {id, aeroPassUserUuid, userStatus}}` |
//! | `POST /v1/users/{id}/token` | device | a userForMerchant token for a user this device verified: `{token, scope, userId, expiresAt}` |
//! | `POST /v1/audit` `{entries: […]}` | device | `{new, duplicates}` |
//! | `GET /v1/audit?group=&device=&after=&limit=` | device of a reader group | `{entries, next}` |
//! | `GET /healthz`, `GET /readyz` | anyone | process up; database reachable |
//! | `GET /metrics` | anyone who reaches it | Prometheus text (see [`crate::metrics`]) |
//!
//! Device calls carry `Authorization: Bearer <device_id>.<secret>`. The two
//! user calls take an `Idempotency-Key` header: a repeat with the same key
//! gets the kept reply, without Aeropay being called again.
//!
//! The bodies are `fleet_client::wire`'s types, which the devices read and
//! write too.

use crate::config::{Config, Secrets};
use crate::error::{ApiError, ErrorCode};
use crate::fleet_token::FleetToken;
use crate::metrics::Metrics;
use crate::seal::{RequestDigest, Sealer};
use aeropay_client::{AeropayClient, ClientConfig, MfaType, StaticCredentials};
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use broker_store::{AuditCursor, AuditEntry, AuditFilter, Device, Store};
use fleet_client::wire;
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;
use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use uuid::Uuid;

const KIND_CODE_SENT: &str = "code_sent";
const KIND_USER_CREATED: &str = "user_created";
const HOUR: time::Duration = time::Duration::hours(1);

pub(crate) struct Broker {
    pub store: Store,
    pub client: AeropayClient,
    pub fleet_token: FleetToken,
    pub config: Config,
    pub metrics: Arc<Metrics>,
    pub in_flight: InFlight,
    /// Fingerprints the requests whose replies are kept (idempotency).
    pub request_digest: RequestDigest,
}

/// One request at a time per device and idempotency key in this process:
/// a repeat that arrives while the first is still with Aeropay waits for
/// it, then gets its kept reply.
#[derive(Default)]
pub(crate) struct InFlight(std::sync::Mutex<HashMap<(Uuid, String), KeyLock>>);

type KeyLock = Weak<tokio::sync::Mutex<()>>;

impl InFlight {
    async fn lock(
        &self,
        device: Uuid,
        key: Option<&str>,
    ) -> Option<tokio::sync::OwnedMutexGuard<()>> {
        let key = key?;
        let lock = {
            let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
            map.retain(|_, lock| lock.strong_count() > 0);
            match map.get(&(device, key.to_owned())).and_then(Weak::upgrade) {
                Some(lock) => lock,
                None => {
                    let lock = Arc::new(tokio::sync::Mutex::new(()));
                    map.insert((device, key.to_owned()), Arc::downgrade(&lock));
                    lock
                }
            }
        };
        Some(lock.lock_owned().await)
    }
}

type Shared = Arc<Broker>;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the Aeropay base URL is not set (environment {0:?})")]
    NoBaseUrl(String),
    #[error("the Aeropay client cannot be built: {0}")]
    Client(String),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A broker serving on its address until [`RunningBroker::shutdown`] or drop.
pub struct RunningBroker {
    addr: SocketAddr,
    broker: Shared,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningBroker {
    /// Binds `config.listen` (port 0 picks a free one) and serves.
    pub async fn start(
        config: Config,
        secrets: Secrets,
        store: Store,
    ) -> Result<RunningBroker, StartError> {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            addr: config.listen,
            source,
        })?;
        let base_url = config
            .base_url()
            .ok_or_else(|| StartError::NoBaseUrl(config.environment.id()))?;
        aeropay_client::tls::install_crypto_provider();
        let mut client_config = ClientConfig::with_base_url(base_url, config.api_version);
        client_config.user_agent =
            format!("aeropay-onboarding-broker/{}", env!("CARGO_PKG_VERSION"));
        let credentials = StaticCredentials::new(
            secrets.api_key.clone(),
            secrets.api_secret.clone(),
            secrets.merchant_id,
        );
        let client = AeropayClient::new(client_config, Arc::new(credentials))
            .map_err(|e| StartError::Client(e.to_string()))?;
        let metrics = Arc::new(Metrics::default());
        let fleet_token = FleetToken::new(
            store.clone(),
            client.clone(),
            Sealer::new(&secrets.api_secret),
            metrics.clone(),
        );
        let broker = Arc::new(Broker {
            request_digest: RequestDigest::new(&secrets.api_secret),
            store,
            client,
            fleet_token,
            config,
            metrics,
            in_flight: InFlight::default(),
        });
        let app = router(broker.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(err) = serve.await {
                tracing::error!(%err, "broker stopped");
            }
        });
        tracing::info!(%addr, "broker listening");
        Ok(RunningBroker {
            addr,
            broker,
            stop: Some(tx),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://<addr>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Merchant tokens this broker minted.
    pub fn merchant_mints(&self) -> u64 {
        self.broker.fleet_token.mints()
    }

    /// Stops accepting, lets running requests finish for up to `grace`,
    /// then stops for good.
    pub async fn shutdown(mut self, grace: Duration) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(grace, &mut task).await.is_err() {
                task.abort();
                let _ = task.await;
            }
        }
    }

    /// Serves until the task ends (a signal sent through `stop`).
    pub async fn wait(mut self) {
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// A handle that stops the server when `signal` completes.
    pub fn stop_on<F>(&mut self, signal: F)
    where
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        if let Some(stop) = self.stop.take() {
            tokio::spawn(async move {
                signal.await;
                let _ = stop.send(());
            });
        }
    }
}

impl Drop for RunningBroker {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

fn router(broker: Shared) -> Router {
    let limits = broker.config.limits.clone();
    let devices = Router::new()
        .route("/v1/device", get(whoami))
        .route("/v1/device/settings", get(device_settings))
        .route("/v1/users", post(create_user))
        .route("/v1/users/{user_id}/confirm", post(confirm_user))
        .route("/v1/users/{user_id}/token", post(user_token))
        .route("/v1/audit", post(upload_audit).get(list_audit))
        .route_layer(middleware::from_fn_with_state(broker.clone(), authenticate));
    Router::new()
        .route("/v1/devices/enroll", post(enroll))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .merge(devices)
        .fallback(|| async {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "BROKER_NOT_FOUND",
                fleet_client::messages::NO_SUCH_CALL,
                false,
            )
        })
        .layer(middleware::from_fn_with_state(broker.clone(), observe))
        .layer(RequestBodyLimitLayer::new(limits.body_bytes))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            limits.request_timeout,
        ))
        .with_state(broker)
}

// ---- devices ---------------------------------------------------------------

async fn enroll(State(b): State<Shared>, body: axum::body::Bytes) -> Result<Response, ApiError> {
    let request: wire::EnrollRequest = parse(&body)?;
    // 32 random bytes from the OS-seeded CSPRNG, base64url: only its
    // SHA-256 is stored.
    let raw: [u8; 32] = rand::random();
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
    let device = b
        .store
        .redeem(
            request.code.expose(),
            &broker_store::credential_verifier(secret.as_bytes()),
        )
        .await?;
    tracing::info!(device = %device.name, group = %device.group, "device enrolled");
    Ok(Json(wire::Enrolled {
        device_id: device.id,
        name: device.name,
        group: device.group,
        secret: secret.into(),
    })
    .into_response())
}

/// Who the device is, and the Aeropay its own userForMerchant calls (the
/// widget's credentials, linking, accounts) must go to: this broker's.
async fn whoami(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
) -> Result<Response, ApiError> {
    let base_url = b.config.base_url().ok_or_else(ApiError::internal)?;
    Ok(Json(wire::DeviceInfo {
        device_id: device.id,
        name: device.name,
        group: device.group,
        aeropay: wire::AeropayTarget {
            base_url,
            api_version: b.config.api_version,
        },
    })
    .into_response())
}

/// The managed settings of the device's group (an empty document for a
/// group without a file), read at start; 304 when the device already has
/// this version.
async fn device_settings(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let group = b.config.groups.of(&device.group);
    let etag = format!("\"{}\"", group.version);
    let known = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|tag| tag.trim() == etag));
    if known {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let settings = serde_json::to_value(&group.settings).map_err(|_| ApiError::internal())?;
    Ok((
        [(header::ETAG, etag)],
        Json(wire::DeviceSettings {
            group: device.group,
            version: group.version,
            settings,
        }),
    )
        .into_response())
}

/// Checks `Authorization: Bearer <device_id>.<secret>` and hands the device
/// to the handler.
async fn authenticate(
    State(b): State<Shared>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let (device_id, secret) = bearer(request.headers()).ok_or_else(ApiError::unauthenticated)?;
    let device = b.store.authenticate(device_id, secret.as_bytes()).await?;
    b.store.touch(device.id).await?;
    request.extensions_mut().insert(device);
    Ok(next.run(request).await)
}

fn bearer(headers: &HeaderMap) -> Option<(Uuid, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let credential = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    let (id, secret) = credential.trim().split_once('.')?;
    let id = Uuid::try_parse(id).ok()?;
    if secret.is_empty() || secret.len() > 128 {
        return None;
    }
    Some((id, secret.to_owned()))
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    serde_json::from_slice(body)
        .map_err(|_| ApiError::bad_request(fleet_client::messages::BAD_REQUEST))
}

// ---- enrollment calls ------------------------------------------------------

fn idempotency_key(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    match headers.get("idempotency-key") {
        None => Ok(None),
        Some(value) => {
            let key = value
                .to_str()
                .ok()
                .filter(|k| {
                    !k.is_empty() && k.len() <= 128 && k.bytes().all(|b| b.is_ascii_graphic())
                })
                .ok_or_else(|| ApiError::bad_request("The Idempotency-Key header is not valid."))?;
            Ok(Some(key.to_owned()))
        }
    }
}

/// A reply kept under the key, if the device sent this request before.
async fn replay(
    b: &Broker,
    device: &Device,
    key: Option<&str>,
    operation: &str,
    hash: &[u8; 32],
) -> Result<Option<Response>, ApiError> {
    let Some(key) = key else { return Ok(None) };
    match b.store.idempotent_reply(device.id, key).await? {
        None => Ok(None),
        Some(kept) if kept.operation == operation && &kept.request_hash == hash => {
            tracing::info!(device = %device.name, operation, "request repeated; kept reply sent");
            Ok(Some(Json(kept.reply).into_response()))
        }
        Some(_) => Err(ApiError::idempotency_key_reused()),
    }
}

async fn keep(
    b: &Broker,
    device: &Device,
    key: Option<&str>,
    operation: &str,
    hash: &[u8; 32],
    reply: impl serde::Serialize,
) -> Result<Response, ApiError> {
    let reply = serde_json::to_value(reply).map_err(|_| ApiError::internal())?;
    let reply = match key {
        Some(key) => {
            b.store
                .put_idempotent_reply(device.id, key, operation, hash, &reply)
                .await?
                .reply
        }
        None => reply,
    };
    Ok(Json(reply).into_response())
}

async fn create_user(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let new_user: wire::NewUser = parse(&body)?;
    let key = idempotency_key(&headers)?;
    let canonical = serde_json::to_value(&new_user).map_err(|_| ApiError::internal())?;
    let hash = b.request_digest.of("create_user", "", &canonical);
    let _one_at_a_time = b.in_flight.lock(device.id, key.as_deref()).await;
    if let Some(kept) = replay(&b, &device, key.as_deref(), "create_user", &hash).await? {
        return Ok(kept);
    }
    let limits = &b.config.limits;
    b.store
        .take(device.id, KIND_USER_CREATED, limits.users_per_hour, HOUR)
        .await?;
    // POST /user sends a code whenever the merchant's configuration asks
    // for one: counted before the call.
    b.store
        .take(device.id, KIND_CODE_SENT, limits.codes_per_hour, HOUR)
        .await?;
    b.fleet_token.ensure().await?;
    let created = b.client.create_user(&new_user).await;
    b.fleet_token.share_client_mints().await;
    let created = created?;
    if !created.needs_confirmation() {
        // No code to confirm: the user is connected to the merchant now.
        b.store
            .record_verified_user(device.id, &created.user.id)
            .await?;
    }
    tracing::info!(device = %device.name, user_id = %created.user.id, "user created or found");
    let reply = wire::CreatedUser {
        user: wire::UserRef {
            id: created.user.id,
            aero_pass_user_uuid: created.user.aero_pass_user_uuid,
            user_status: None,
        },
        mfa_type: created.mfa_type.as_ref().map(mfa_name),
    };
    keep(&b, &device, key.as_deref(), "create_user", &hash, reply).await
}

/// The channel as the answer spells it (`"sms"`, `"email"`, `"other"`).
fn mfa_name(mfa: &MfaType) -> String {
    match mfa {
        MfaType::Sms => "sms",
        MfaType::Email => "email",
        MfaType::Other => "other",
    }
    .to_owned()
}

async fn confirm_user(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
    Path(user_id): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let request: wire::ConfirmRequest = parse(&body)?;
    let key = idempotency_key(&headers)?;
    let canonical = serde_json::to_value(&request).map_err(|_| ApiError::internal())?;
    let hash = b.request_digest.of("confirm_user", &user_id, &canonical);
    let _one_at_a_time = b.in_flight.lock(device.id, key.as_deref()).await;
    if let Some(kept) = replay(&b, &device, key.as_deref(), "confirm_user", &hash).await? {
        return Ok(kept);
    }
    b.fleet_token.ensure().await?;
    let user = b.client.confirm_user(&user_id, &request.code).await;
    b.fleet_token.share_client_mints().await;
    let user = user?;
    b.store.record_verified_user(device.id, &user_id).await?;
    tracing::info!(device = %device.name, user_id = %user_id, "user confirmed");
    let reply = wire::ConfirmedUser {
        user: wire::UserRef {
            id: user.id,
            aero_pass_user_uuid: user.aero_pass_user_uuid,
            user_status: user.user_status,
        },
    };
    keep(&b, &device, key.as_deref(), "confirm_user", &hash, reply).await
}

async fn user_token(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
    Path(user_id): Path<String>,
) -> Result<Response, ApiError> {
    if user_id.is_empty() || user_id.len() > 128 || !user_id.bytes().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::user_not_verified_here());
    }
    let verified = b.store.verified_at(device.id, &user_id).await?;
    let ttl = time::Duration::try_from(b.config.limits.verified_user_ttl)
        .unwrap_or(time::Duration::minutes(30));
    match verified {
        Some(at) if OffsetDateTime::now_utc() - at <= ttl => {}
        _ => return Err(ApiError::user_not_verified_here()),
    }
    let token = b.client.user_token(&user_id).await?;
    Ok(Json(wire::UserToken {
        token: token.token,
        scope: token.scope.as_str().to_owned(),
        user_id,
        expires_at: token.expires_at,
    })
    .into_response())
}

// ---- audit -----------------------------------------------------------------

async fn upload_audit(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let upload: wire::AuditUpload = parse(&body)?;
    let entries: Vec<AuditEntry> = upload
        .entries
        .into_iter()
        .map(|e| AuditEntry {
            id: e.id,
            seq: e.seq,
            at: e.at,
            kind: e.kind,
            detail: e.detail,
        })
        .collect();
    let appended = b.store.append_audit(device.id, &entries).await?;
    Ok(Json(wire::AuditUploaded {
        new: appended.new as u64,
        duplicates: appended.duplicates as u64,
    })
    .into_response())
}

#[derive(Deserialize)]
struct AuditQuery {
    group: Option<String>,
    device: Option<String>,
    after: Option<String>,
    limit: Option<u32>,
}

async fn list_audit(
    State(b): State<Shared>,
    axum::Extension(device): axum::Extension<Device>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, ApiError> {
    if !b.config.audit_reader_groups.contains(&device.group) {
        return Err(ApiError::audit_forbidden());
    }
    let after = q.after.as_deref().map(AuditCursor::parse).transpose()?;
    let page = b
        .store
        .list_audit(&AuditFilter {
            group: q.group,
            device: q.device,
            after,
            limit: q.limit.unwrap_or(0),
        })
        .await?;
    let entries = page
        .entries
        .into_iter()
        .map(|r| wire::AuditRecord {
            device_id: r.device_id,
            device: r.device_name,
            group: r.group,
            id: r.id,
            seq: r.seq,
            at: r.at,
            kind: r.kind,
            detail: r.detail,
            received_at: r.received_at,
        })
        .collect();
    Ok(Json(wire::AuditPage {
        entries,
        next: page.next.as_ref().map(|c| c.as_str().to_owned()),
    })
    .into_response())
}

// ---- operations ------------------------------------------------------------

/// Counts every answer by route, status and error code, and its latency.
async fn observe(State(b): State<Shared>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let code = response
        .extensions()
        .get::<ErrorCode>()
        .map(|c| c.0.as_str());
    b.metrics
        .request(&route, response.status().as_u16(), started.elapsed(), code);
    response
}

async fn metrics(State(b): State<Shared>) -> Result<Response, ApiError> {
    let active = b
        .store
        .list_devices()
        .await?
        .iter()
        .filter(|d| d.status == broker_store::DeviceStatus::Active)
        .count();
    Ok((
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        b.metrics.render(active as i64),
    )
        .into_response())
}

async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

async fn readyz(State(b): State<Shared>) -> Result<Response, ApiError> {
    b.store.schema_version().await?;
    Ok(Json(json!({"status": "ready", "database": b.store.backend()})).into_response())
}
