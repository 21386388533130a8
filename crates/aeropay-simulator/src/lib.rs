//! A loopback stand-in for Aeropay's sandbox API and the Aerosync widget.
//!
//! It serves both API versions on the real paths and headers, with the
//! sandbox's trigger values, error shapes and OTP bypass, plus a widget that
//! speaks the real `postMessage` protocol for each SDK generation. The app
//! runs against it with no setup, staff train on it, and the end-to-end tests
//! drive it. It only ever binds 127.0.0.1.
//!
//! ```no_run
//! # async fn demo() -> Result<(), aeropay_simulator::SimulatorError> {
//! use aeropay_simulator::{Simulator, SimulatorConfig};
//! let sim = Simulator::start(SimulatorConfig::default()).await?;
//! println!("{} {}", sim.base_url(), sim.widget_url());
//! sim.shutdown().await;
//! # Ok(()) }
//! ```

mod admin;
mod auth;
pub mod banks;
mod counts;
mod errors;
pub mod faults;
mod linking;
mod persist;
mod state;
mod users;
pub mod widget;

pub use admin::ADMIN_TOKEN_HEADER;
pub use counts::Counts;
pub use errors::{ApiVersion, Fail};
pub use faults::{Fault, FaultKind};
pub use state::MfaType;
pub use users::V1UserShape;
pub use widget::{success_messages, SdkGeneration, SuccessAccount, SuccessContext};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use errors::ApiVersion::{V1, V2};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The simulated merchant's credentials. Simulator-only values: printing
/// them is fine, they open nothing real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantCredentials {
    pub api_key: String,
    pub api_secret: String,
    pub merchant_id: u64,
}

impl Default for MerchantCredentials {
    /// Stable defaults, so a configured app keeps working across restarts.
    fn default() -> Self {
        MerchantCredentials {
            api_key: "sim_api_key_0000000000000000".into(),
            api_secret: "sim_api_secret_0000000000000000".into(),
            merchant_id: 1234,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    /// 0 picks a free port.
    pub port: u16,
    /// Keep state in this SQLite file across restarts; in memory if `None`.
    pub state_file: Option<PathBuf>,
    /// Lifetime of API and widget tokens (Aeropay: 1800 s).
    pub token_ttl_secs: u64,
    /// What `POST /user` answers in `mfaType`; `None` confirms at once.
    pub mfa: Option<MfaType>,
    /// Whether the merchant's Aerosync configuration links several accounts
    /// in one widget flow (the `accounts[]` success payload).
    pub multi_account: bool,
    pub credentials: MerchantCredentials,
    pub merchant_name: String,
    /// Wrong codes allowed on `confirmUser`; the last one answers AP112.
    pub max_otp_attempts: u32,
    /// Which identifiers the v1 user object carries.
    pub v1_user_shape: V1UserShape,
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        SimulatorConfig {
            port: 0,
            state_file: None,
            token_ttl_secs: 1800,
            mfa: Some(MfaType::Sms),
            multi_account: false,
            credentials: MerchantCredentials::default(),
            merchant_name: "Simulated Merchant".into(),
            max_otp_attempts: 5,
            v1_user_shape: V1UserShape::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SimulatorError {
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind { port: u16, source: std::io::Error },
    #[error(transparent)]
    State(#[from] persist::PersistError),
}

impl SimulatorError {
    pub fn code(&self) -> &'static str {
        match self {
            SimulatorError::Bind { .. } => "SIM_BIND",
            SimulatorError::State(_) => "SIM_STATE",
        }
    }
}

/// The merchant as the handlers see it.
pub(crate) struct Merchant {
    pub api_key: String,
    pub api_secret: String,
    pub merchant_id: u64,
    pub name: String,
    pub mfa: Option<MfaType>,
    pub multi_account: bool,
}

/// Everything a handler needs.
pub(crate) struct Sim {
    pub store: state::Store,
    pub merchant: Merchant,
    pub token_ttl: u64,
    pub max_otp_attempts: u32,
    pub v1_user_shape: V1UserShape,
    pub base_url: String,
    /// The port it listens on: admin requests must name it in `Host`.
    pub port: u16,
    /// This run's token for `/__admin/*`.
    pub admin_token: String,
    pub faults: faults::Faults,
    /// Tokens minted and users created, for tests that count calls.
    pub counters: Arc<counts::Counters>,
}

impl Sim {
    pub fn widget_url(&self) -> String {
        format!("{}/aerosync/", self.base_url)
    }

    pub fn oauth_url(&self, login_id: &str) -> String {
        format!("{}/aerosync/oauth/{login_id}", self.base_url)
    }
}

pub(crate) type Shared = Arc<Sim>;

pub struct Simulator;

impl Simulator {
    /// Binds 127.0.0.1 (port from the config, 0 for any) and serves until the
    /// returned handle is shut down or dropped.
    pub async fn start(config: SimulatorConfig) -> Result<RunningSimulator, SimulatorError> {
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, config.port))
            .await
            .map_err(|source| SimulatorError::Bind {
                port: config.port,
                source,
            })?;
        Self::serve(listener, config).await
    }

    /// Binds 127.0.0.1 (`port`, 0 for any) without serving yet: the app
    /// learns the simulator's origin this way before its window exists (the
    /// page's CSP names it), and serves on it with [`Simulator::start_on`].
    pub fn bind(port: u16) -> Result<std::net::TcpListener, SimulatorError> {
        let bound = std::net::TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .and_then(|listener| listener.set_nonblocking(true).map(|()| listener));
        bound.map_err(|source| SimulatorError::Bind { port, source })
    }

    /// The origin (`http://127.0.0.1:<port>`) a listener from
    /// [`Simulator::bind`] will serve.
    pub fn origin_of(listener: &std::net::TcpListener) -> Result<String, SimulatorError> {
        listener
            .local_addr()
            .map(|addr| format!("http://{addr}"))
            .map_err(|source| SimulatorError::Bind { port: 0, source })
    }

    /// Serves on a listener from [`Simulator::bind`]; `config.port` is not
    /// used. Must run inside a tokio runtime.
    pub async fn start_on(
        listener: std::net::TcpListener,
        config: SimulatorConfig,
    ) -> Result<RunningSimulator, SimulatorError> {
        let port = listener.local_addr().map(|a| a.port()).unwrap_or_default();
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|source| SimulatorError::Bind { port, source })?;
        Self::serve(listener, config).await
    }

    async fn serve(
        listener: tokio::net::TcpListener,
        config: SimulatorConfig,
    ) -> Result<RunningSimulator, SimulatorError> {
        let addr = listener
            .local_addr()
            .map_err(|source| SimulatorError::Bind {
                port: config.port,
                source,
            })?;
        let persistence = match &config.state_file {
            Some(path) => Some(persist::Persistence::open(path)?),
            None => None,
        };
        let data = match &persistence {
            Some(p) => p.load()?.unwrap_or_default(),
            None => state::Data::new(),
        };
        let base_url = format!("http://{addr}");
        let admin_token = admin::new_token();
        let counters = Arc::new(counts::Counters::default());
        let sim = Arc::new(Sim {
            store: state::Store::new(data, persistence),
            merchant: Merchant {
                api_key: config.credentials.api_key.clone(),
                api_secret: config.credentials.api_secret.clone(),
                merchant_id: config.credentials.merchant_id,
                name: config.merchant_name.clone(),
                mfa: config.mfa,
                multi_account: config.multi_account,
            },
            token_ttl: config.token_ttl_secs,
            max_otp_attempts: config.max_otp_attempts.max(1),
            v1_user_shape: config.v1_user_shape,
            base_url: base_url.clone(),
            port: addr.port(),
            admin_token: admin_token.clone(),
            faults: faults::Faults::default(),
            counters: counters.clone(),
        });
        let app = router(sim);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = rx.await;
            });
            if let Err(err) = serve.await {
                tracing::error!(%err, "simulator stopped");
            }
        });
        tracing::info!(%base_url, "simulator listening");
        Ok(RunningSimulator {
            addr,
            base_url,
            admin_token,
            credentials: config.credentials,
            counters,
            stop: Some(tx),
            task: Some(task),
        })
    }
}

/// A running simulator. Dropping it stops the server.
pub struct RunningSimulator {
    addr: SocketAddr,
    base_url: String,
    admin_token: String,
    credentials: MerchantCredentials,
    counters: Arc<counts::Counters>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl RunningSimulator {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`: the v1 base URL.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// `http://127.0.0.1:<port>/v2`.
    pub fn v2_base_url(&self) -> String {
        format!("{}/v2", self.base_url)
    }

    /// The widget page, what `aggregatorCredentials` returns as `fastlinkURL`.
    pub fn widget_url(&self) -> String {
        format!("{}/aerosync/", self.base_url)
    }

    /// The widget's origin, for the host's postMessage origin check.
    pub fn widget_origin(&self) -> String {
        self.base_url.clone()
    }

    /// The demo page, with this run's admin token in the fragment (which
    /// the browser never sends): the page needs it for its demo session.
    pub fn demo_url(&self) -> String {
        format!("{}/demo#admin-token={}", self.base_url, self.admin_token)
    }

    /// This run's token for `/__admin/*`, sent in [`ADMIN_TOKEN_HEADER`].
    /// Random at each start; a simulator-only value.
    pub fn admin_token(&self) -> &str {
        &self.admin_token
    }

    pub fn credentials(&self) -> &MerchantCredentials {
        &self.credentials
    }

    /// Tokens minted and users created since this run started.
    pub fn counts(&self) -> Counts {
        self.counters.snapshot()
    }

    /// Stops accepting, lets running requests finish for up to a second
    /// (a request held by a `timeout` fault would otherwise block), then
    /// stops for good.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(1), &mut task)
                .await
                .is_err()
            {
                task.abort();
                let _ = task.await;
            }
        }
    }
}

impl Drop for RunningSimulator {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

type Q = Query<HashMap<String, String>>;

fn api_routes(v: ApiVersion) -> Router<Shared> {
    Router::new()
        .route(
            "/token",
            post(move |State(s): State<Shared>, body: Bytes| async move {
                auth::token(&s, v, &body).await
            }),
        )
        .route(
            "/user",
            post(
                move |State(s): State<Shared>, h: HeaderMap, body: Bytes| async move {
                    users::create(&s, v, &h, &body).await
                },
            )
            .get(move |State(s): State<Shared>, h: HeaderMap| async move {
                users::get(&s, v, &h).await
            }),
        )
        .route(
            "/confirmUser",
            post(
                move |State(s): State<Shared>, h: HeaderMap, body: Bytes| async move {
                    users::confirm(&s, v, &h, &body).await
                },
            ),
        )
        .route(
            "/aggregatorCredentials",
            get(
                move |State(s): State<Shared>, h: HeaderMap, Query(q): Q| async move {
                    linking::aggregator_credentials(&s, v, &h, &q).await
                },
            ),
        )
        .route(
            "/linkAccountFromAggregator",
            post(
                move |State(s): State<Shared>, h: HeaderMap, body: Bytes| async move {
                    linking::link(&s, v, &h, &body).await
                },
            ),
        )
        .route(
            "/bankAccounts",
            get(move |State(s): State<Shared>, h: HeaderMap| async move {
                linking::bank_accounts(&s, v, &h).await
            }),
        )
        .route(
            "/userBankAccount",
            patch(
                move |State(s): State<Shared>, h: HeaderMap, body: Bytes| async move {
                    linking::select_account(&s, v, &h, None, &body).await
                },
            ),
        )
        .route(
            "/userBankAccount/{id}",
            patch(
                move |State(s): State<Shared>,
                      h: HeaderMap,
                      Path(id): Path<String>,
                      body: Bytes| async move {
                    linking::select_account(&s, v, &h, Some(&id), &body).await
                },
            ),
        )
}

fn widget_routes() -> Router<Shared> {
    use widget::asset;
    use widget::assets::*;
    let html = "text/html; charset=utf-8";
    let js = "text/javascript; charset=utf-8";
    Router::new()
        .route("/aerosync/", get(move || async move { asset(html, INDEX_HTML) }))
        .route("/aerosync", get(move || async move { asset(html, INDEX_HTML) }))
        .route(
            "/aerosync/widget.css",
            get(|| async { asset("text/css; charset=utf-8", WIDGET_CSS) }),
        )
        .route("/aerosync/widget.js", get(move || async move { asset(js, WIDGET_JS) }))
        .route("/aerosync/oauth.js", get(move || async move { asset(js, OAUTH_JS) }))
        .route(
            "/aerosync/oauth/{login}",
            get(move || async move { asset(html, OAUTH_HTML) }),
        )
        .route("/demo", get(move || async move { asset(html, DEMO_HTML) }))
        .route("/demo.js", get(move || async move { asset(js, DEMO_JS) }))
        .route(
            "/aerosync/api/session",
            get(|State(s): State<Shared>, h: HeaderMap| async move {
                widget::session_info(&s, &h).await
            }),
        )
        .route(
            "/aerosync/api/login",
            post(
                |State(s): State<Shared>, h: HeaderMap, Json(r): Json<widget::LoginRequest>| async move {
                    widget::login(&s, &h, r).await
                },
            ),
        )
        .route(
            "/aerosync/api/login/{id}",
            get(
                |State(s): State<Shared>, h: HeaderMap, Path(id): Path<String>| async move {
                    widget::login_status(&s, &h, &id).await
                },
            ),
        )
        .route(
            "/aerosync/api/mfa",
            post(
                |State(s): State<Shared>, h: HeaderMap, Json(r): Json<widget::MfaRequest>| async move {
                    widget::mfa(&s, &h, r).await
                },
            ),
        )
        .route(
            "/aerosync/api/complete",
            post(
                |State(s): State<Shared>, h: HeaderMap, Json(r): Json<widget::CompleteRequest>| async move {
                    widget::complete(&s, &h, r).await
                },
            ),
        )
        .route(
            "/aerosync/api/oauth/{id}",
            get(|State(s): State<Shared>, Path(id): Path<String>| async move {
                widget::oauth_info(&s, &id).await
            })
            .post(
                |State(s): State<Shared>,
                 Path(id): Path<String>,
                 Json(r): Json<widget::ConsentRequest>| async move {
                    widget::consent(&s, &id, r).await
                },
            ),
        )
}

fn router(sim: Shared) -> Router {
    let faults = sim.faults.clone();
    Router::new()
        .merge(api_routes(V1))
        .nest("/v2", api_routes(V2))
        .merge(widget_routes())
        .merge(admin::routes(sim.clone()))
        .layer(axum::middleware::from_fn_with_state(
            faults,
            faults::middleware,
        ))
        .with_state(sim)
}
