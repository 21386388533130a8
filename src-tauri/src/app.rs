use crate::aerosync::frame_origins;
use crate::backend::{Backend, StartError};
use crate::commands::CommandError;
use crate::config::{Environment, Settings};
use crate::enrollment::{EnrollmentView, Step};
use crate::kiosk::{IdleState, IdleWatch};
use crate::page_events::{PageEventName, PageEvents};
use crate::simulator::Simulator;
use crate::vault::Vault;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use tauri::utils::config::Csp;
use tauri::webview::NewWindowResponse;
use tauri::{
    AppHandle, Builder, Context, Manager, Runtime, Url, WebviewUrl, WebviewWindow,
    WebviewWindowBuilder, WindowEvent,
};
use tauri_plugin_window_state::{AppHandleExt, StateFlags};

/// Bank sign-in popups get labels with this prefix; no capability names
/// them, so they have no IPC.
const POPUP_PREFIX: &str = "bank-popup-";

/// What the commands share. Owned by Rust; the page only renders it.
pub struct AppState {
    /// The settings this run uses: the user's, with the fields the
    /// machine's policy manages replaced.
    pub settings: Settings,
    /// The machine's policy (nothing managed when there is none).
    pub policy: crate::policy::Policy,
    /// Started on the async runtime while the window opens (see `run`):
    /// commands wait for it with [`AppState::backend`].
    backend: tokio::sync::SetOnce<Result<Backend, StartError>>,
    pub vault: Arc<dyn Vault>,
    /// Where the settings screen saves.
    pub settings_path: PathBuf,
    /// The desk's last CSV export, to show in the file manager.
    pub last_export: std::sync::Mutex<Option<PathBuf>>,
    /// `--mode` given on the command line: it wins over the saved setting,
    /// after a restart too (a restart keeps the arguments).
    pub mode_override: Option<crate::config::Mode>,
    /// Kiosk: when a quiet customer is warned and reset (see `watch_idle`).
    pub idle: std::sync::Mutex<IdleWatch>,
    /// Whether the bank widget is open now (the longer quiet time), as the
    /// state listener last saw it.
    pub widget_open: AtomicBool,
}

impl AppState {
    /// The state of an app whose backend has started.
    pub fn new(
        settings: Settings,
        backend: Backend,
        vault: Arc<dyn Vault>,
        settings_path: PathBuf,
    ) -> Self {
        let state = Self::starting(settings, vault, settings_path);
        state.backend_started(Ok(backend));
        state
    }

    /// The state of an app whose backend is still starting: commands that
    /// need it wait until [`AppState::backend_started`].
    pub fn starting(settings: Settings, vault: Arc<dyn Vault>, settings_path: PathBuf) -> Self {
        Self {
            idle: std::sync::Mutex::new(IdleWatch::new(settings.kiosk)),
            widget_open: AtomicBool::new(false),
            settings,
            policy: crate::policy::Policy::default(),
            backend: tokio::sync::SetOnce::new(),
            vault,
            settings_path,
            last_export: std::sync::Mutex::new(None),
            mode_override: None,
        }
    }

    /// How the backend's start ended; only the first call counts.
    pub fn backend_started(&self, started: Result<Backend, StartError>) {
        if self.backend.set(started).is_err() {
            tracing::warn!("the backend was already started");
        }
    }

    /// The backend, once it has started (waits until then); its start
    /// error, in the current language, if it could not start.
    pub async fn backend(&self) -> Result<&Backend, CommandError> {
        self.backend
            .wait()
            .await
            .as_ref()
            .map_err(CommandError::from)
    }

    /// The backend if it has started by now, without waiting.
    pub fn started(&self) -> Option<&Backend> {
        self.backend.get().and_then(|started| started.as_ref().ok())
    }

    pub fn with_mode_override(mut self, mode: Option<crate::config::Mode>) -> Self {
        self.mode_override = mode;
        self
    }

    /// The machine's policy, whose managed fields `settings` already hold.
    pub fn with_policy(mut self, policy: crate::policy::Policy) -> Self {
        self.policy = policy;
        self
    }
}

/// Everything the app registers on a builder. Shared by `run` and the
/// mock-runtime tests, so both exercise the same command table.
pub fn app_builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    // Windows and macOS open pages and clear the clipboard through plugins
    // (crate::system_open; commands/kiosk.rs), used from Rust only: no
    // capability grants the page any of their commands.
    #[cfg(not(target_os = "linux"))]
    let builder = builder
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_clipboard_manager::init());
    builder
        .invoke_handler(tauri::generate_handler![
            crate::commands::app_info,
            crate::commands::app_boot,
            crate::commands::settings_get,
            crate::commands::settings_save,
            crate::commands::app_restart,
            crate::commands::enrollment_state,
            crate::commands::enrollment_submit_details,
            crate::commands::enrollment_submit_code,
            crate::commands::enrollment_resend_code,
            crate::commands::enrollment_confirm_id,
            crate::commands::enrollment_send_code,
            crate::commands::enrollment_use_account,
            crate::commands::enrollment_open_widget,
            crate::commands::enrollment_widget_message,
            crate::commands::enrollment_cancel,
            crate::commands::enrollment_start_over,
            crate::commands::kiosk_reset,
            crate::commands::kiosk_activity,
            crate::commands::kiosk_more_time,
            crate::commands::desk_enrollments,
            crate::commands::desk_fleet_enrollments,
            crate::commands::enrollment_resume,
            crate::commands::enrollment_link_another,
            crate::commands::desk_export,
            crate::commands::desk_show_export,
            crate::commands::staff_status,
            crate::commands::staff_unlock,
            crate::commands::staff_lock,
            crate::commands::staff_set_pin,
            crate::commands::kiosk_exit,
            crate::commands::l10n_bundle,
            crate::commands::l10n_format,
            crate::commands::l10n_choose,
            crate::commands::update_install,
            crate::commands::page_events,
        ])
        .manage(crate::app_updates::UpdateState::default())
        .manage(PageEvents::default())
}

/// Tells the page something: queued for its waiting `page_events` command
/// (see `crate::page_events` for why not a Tauri event).
pub fn tell_page<R: Runtime>(
    app: &AppHandle<R>,
    name: PageEventName,
    payload: impl serde::Serialize,
) {
    let Some(events) = app.try_state::<PageEvents>() else {
        return;
    };
    if let Err(err) = events.send(name, payload) {
        tracing::warn!(event = ?name, "page event not sent: {err}");
    }
}

/// Follows the enrollment for the page: sends each new state to the main
/// window, and closes bank popups once the widget is gone.
pub fn state_listener<R: Runtime>(app: AppHandle<R>) -> crate::enrollment::StateListener {
    Arc::new(move |view: &EnrollmentView| {
        if !matches!(view.step, Step::Linking { .. } | Step::Finishing { .. }) {
            close_bank_popups(&app);
        }
        if let Some(state) = app.try_state::<AppState>() {
            let open = matches!(view.step, Step::Linking { .. });
            state.widget_open.store(open, Ordering::Relaxed);
        }
        tell_page(&app, PageEventName::EnrollmentState, view);
    })
}

/// Opens the main window and runs the event loop until it closes.
/// `settings` hold the policy's managed fields already; a policy that could
/// not be read is this run's start failure, on the page like any other.
pub fn run(
    settings: Settings,
    policy: Result<crate::policy::Policy, crate::policy::PolicyError>,
    data_dir: PathBuf,
    settings_path: PathBuf,
    mode_override: Option<crate::config::Mode>,
) -> Result<(), tauri::Error> {
    let (policy, policy_failure) = match policy {
        Ok(policy) => (policy, None),
        Err(err) => (crate::policy::Policy::default(), Some(err)),
    };
    // One app per data directory; checked first, before anything opens.
    let builder = app_builder(tauri::Builder::default().plugin(crate::instance::plugin(&data_dir)))
        // Signed updates: used from Rust only (no capability grants the page
        // its commands); see `crate::app_updates`.
        .plugin(tauri_plugin_updater::Builder::new().build())
        // macOS gives every app a default menu (Quit, Hide, Services…);
        // a kiosk shows none.
        .enable_macos_default_menu(
            !crate::kiosk::Lockdown::for_mode(settings.mode).macos_default_menu,
        );
    // A desk window comes back where staff left it; a kiosk always fills
    // the screen.
    let builder = match settings.mode {
        crate::config::Mode::Desk => builder.plugin(
            tauri_plugin_window_state::Builder::new()
                .with_state_flags(WINDOW_STATE)
                .with_filter(|label| label == "main")
                .build(),
        ),
        crate::config::Mode::Kiosk => builder,
    };
    // The built-in simulator's port is chosen now, before the window: the
    // page's CSP names its exact origin.
    let simulator_listener = if settings.environment.is_simulated() {
        let bound = Simulator::bind(0).map_err(start_error)?;
        crate::startup::mark(crate::startup::Mark::SimulatorBound);
        Some(bound)
    } else {
        None
    };
    let simulator_origin = match &simulator_listener {
        Some(bound) => Some(Simulator::origin_of(bound).map_err(start_error)?),
        None => None,
    };
    let mut context = tauri::generate_context!();
    set_csp(
        &mut context,
        &settings.environment,
        simulator_origin.as_deref(),
    );
    crate::i18n::set_current(settings.language.resolve());
    // The frames the main window may show: the CSP's `frame-src`, known
    // without the backend.
    let allowed = frame_origins(&settings.environment, simulator_origin.as_deref());
    let kiosk = settings.mode == crate::config::Mode::Kiosk;
    let app = builder
        .setup(move |app| {
            crate::startup::mark(crate::startup::Mark::SetupBegins);
            let vault: Arc<dyn Vault> = Arc::new(crate::vault::OsKeychain::new());
            let system_browser = system_browser_allowed(&settings);
            app.manage(
                AppState::starting(settings.clone(), vault.clone(), settings_path)
                    .with_mode_override(mode_override)
                    .with_policy(policy),
            );
            // The window first: WebKit's start (its own processes, the page)
            // takes far longer than the backend's, which runs meanwhile on
            // the async runtime. Commands wait for the backend.
            let window = main_window(app.handle(), allowed, system_browser, kiosk)?;
            crate::startup::mark(crate::startup::Mark::WebviewCreated);
            let handle = app.handle().clone();
            let listener = state_listener(handle.clone());
            let start_dir = data_dir.clone();
            let start = tauri::async_runtime::spawn(async move {
                if let Some(err) = policy_failure {
                    return Err(StartError::Policy(err));
                }
                Backend::start_on(
                    &settings,
                    &start_dir,
                    vault,
                    Some(listener),
                    simulator_listener,
                )
                .await
            });
            tauri::async_runtime::spawn(async move {
                // A panic in the start must not leave the page waiting.
                let started = start.await.unwrap_or(Err(StartError::Interrupted));
                backend_started(&handle, started, &data_dir);
            });
            if kiosk {
                watch_idle(app.handle().clone());
            } else {
                save_window_state_when_settled(&window);
            }
            Ok(())
        })
        .build(context)?;
    app.run(move |app, event| {
        // A desk whose backend failed stays open with the error on its
        // page (see `backend_started`); when staff close it, the process
        // still ends with a failure status.
        if let tauri::RunEvent::ExitRequested {
            code: None, api, ..
        } = event
        {
            let failed = app
                .try_state::<AppState>()
                .is_some_and(|state| state.backend.get().is_some_and(Result::is_err));
            if failed {
                api.prevent_exit();
                app.exit(1);
            }
        }
    });
    Ok(())
}

/// How long a kiosk shows why it could not start before it exits.
const KIOSK_START_FAILURE_SHOWN: std::time::Duration = std::time::Duration::from_secs(10);

/// The backend is up, or could not start. Either way the commands waiting
/// for it go on; a failure is on the page (its first command answers with
/// the error's code and message), in the log, and on stderr as before the
/// window came first.
fn backend_started<R: Runtime>(
    app: &AppHandle<R>,
    started: Result<Backend, StartError>,
    data_dir: &std::path::Path,
) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let failure = started
        .as_ref()
        .err()
        .map(|err| (err.code(), err.to_string()));
    state.backend_started(started);
    match failure {
        None => {
            crate::app_updates::record_start(app, data_dir);
            crate::app_updates::start(app, data_dir.to_owned());
        }
        Some((code, message)) => {
            tracing::error!(code = %code, "the app could not start: {message}");
            eprintln!("error [{code}]: {message}");
            // A kiosk has no close button and nobody to read a message
            // for long: it exits with a failure status after a while, so
            // its supervisor (`kiosk-session`) starts it again with its
            // back-off, which also clears a passing cause (a full disk, a
            // database another process holds). A desk stays open with the
            // message for staff to act on; closing it exits with status 1.
            if state.settings.mode == crate::config::Mode::Kiosk {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    tokio::time::sleep(KIOSK_START_FAILURE_SHOWN).await;
                    app.exit(1);
                });
            }
        }
    }
}

fn start_error(err: crate::simulator::SimulatorError) -> tauri::Error {
    tauri::Error::Io(std::io::Error::other(format!("[{}] {err}", err.code())))
}

/// Replaces the page's CSP with the one for this environment
/// ([`crate::csp::csp_for`]): `frame-src` names only the origins the
/// widget may come from. Called on the context before the app is built;
/// tauri serves every page with it.
pub fn set_csp<R: Runtime>(
    context: &mut Context<R>,
    environment: &Environment,
    simulator_origin: Option<&str>,
) {
    let policy = crate::csp::csp_for(environment, simulator_origin);
    context.config_mut().app.security.csp = Some(Csp::Policy(policy));
}

/// Whether bank sign-in pages go to the system browser: only at a desk
/// that asked for it. A kiosk keeps them in its own bank windows, whatever
/// the settings file says (`--mode kiosk` may override a desk's settings).
fn system_browser_allowed(settings: &Settings) -> bool {
    if let Err(err) = settings.check_kiosk() {
        tracing::warn!(code = err.code(), "{err}");
        return false;
    }
    settings.oauth_in_system_browser
}

/// What a bank window may show: https pages, and http ones only on this
/// machine's loopback interface (the built-in simulator).
pub(crate) fn bank_url_allowed(url: &Url) -> bool {
    match (url.scheme(), url.host()) {
        ("https", Some(_)) => true,
        ("http", Some(url::Host::Ipv4(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Ipv6(ip))) => ip.is_loopback(),
        ("http", Some(url::Host::Domain(host))) => host == "localhost",
        _ => url.as_str() == "about:blank",
    }
}

pub(crate) fn is_app_url(url: &Url) -> bool {
    matches!(
        (url.scheme(), url.host_str()),
        ("tauri", Some("localhost")) | ("http" | "https", Some("tauri.localhost"))
    ) || matches!(url.as_str(), "about:blank" | "about:srcdoc")
}

/// The script that puts the mode on the page's root element
/// (`data-mode`, which the style sheet reads) as the document starts.
/// The last of the page's initialization scripts (after Tauri's own): the
/// mark tells the start-up bench when they have all run.
fn mode_script(kiosk: bool) -> String {
    let mode = if kiosk { "kiosk" } else { "desk" };
    format!(
        "document.documentElement.dataset.mode = \"{mode}\"; performance.mark(\"app-init-scripts\");"
    )
}

fn main_window<R: Runtime>(
    app: &AppHandle<R>,
    allowed: Vec<String>,
    system_browser: bool,
    kiosk: bool,
) -> tauri::Result<WebviewWindow<R>> {
    let popup_app = app.clone();
    let main_app = app.clone();
    let app_home: Arc<std::sync::Mutex<Option<Url>>> = Arc::default();
    let builder = WebviewWindowBuilder::new(app, "main", WebviewUrl::App("index.html".into()));
    // A kiosk fills the screen, stays on top and offers no developer tools.
    let builder = if kiosk {
        builder
            .fullscreen(true)
            .decorations(false)
            .always_on_top(true)
            .devtools(false)
    } else {
        builder
    };
    let window = builder
        // The mode is on the page's root before its first layout, so the
        // page is laid out once at its mode's text size (a desk's is
        // smaller) instead of again when `app_boot` answers: every text size
        // laid out costs the web process a font lookup. Main frame only.
        .initialization_script(mode_script(kiosk))
        // The page's origin on Windows, as `doctor` reports it.
        .use_https_scheme(crate::origins::WINDOWS_USE_HTTPS_SCHEME)
        .title("Aeropay Onboarding")
        .inner_size(1100.0, 860.0)
        .min_inner_size(720.0, 640.0)
        // Frames may load only the widget. This check cannot tell a frame
        // from the top document (neither Tauri's nor wry's handler says
        // which navigates), so the widget's origins pass here, and
        // `on_page_load` below keeps the top document to the app's pages.
        .on_navigation(move |url| {
            let ok = is_app_url(url) || allowed.contains(&url.origin().ascii_serialization());
            if !ok {
                tracing::warn!(origin = %url.origin().ascii_serialization(), "navigation refused");
            }
            ok
        })
        // Page loads are the top document's only: one that is not the app's
        // own page (a widget origin let through above) is replaced by the
        // app at once, so no third-party page stays the main window.
        .on_page_load(move |window, payload| {
            if payload.event() != tauri::webview::PageLoadEvent::Started {
                if is_app_url(payload.url()) {
                    crate::startup::mark(crate::startup::Mark::PageLoaded);
                }
                return;
            }
            let url = payload.url();
            if is_app_url(url) {
                // The app's own address on this platform (tauri://localhost,
                // or http(s)://tauri.localhost on Windows), to come back to.
                if url.scheme() != "about" {
                    let mut home = app_home.lock().unwrap_or_else(|e| e.into_inner());
                    if home.is_none() {
                        *home = url.join("/index.html").ok();
                    }
                }
                return;
            }
            tracing::warn!(origin = %url.origin().ascii_serialization(), "a third-party page in the main window; back to the app");
            let home = app_home.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let Some(home) = home else {
                tracing::warn!("main window not brought back to the app: its address is not known yet");
                return;
            };
            let label = window.label().to_owned();
            let app = main_app.clone();
            let back = move || {
                if let Some(main) = app.get_webview_window(&label) {
                    if let Err(err) = main.navigate(home) {
                        tracing::warn!("main window not brought back to the app: {err}");
                    }
                }
            };
            if let Err(err) = main_app.run_on_main_thread(back) {
                tracing::warn!("main window not brought back to the app: {err}");
            }
        })
        .on_download(|_, _| false)
        // window.open from the widget (OAuth banks): an isolated popup.
        .on_new_window(move |url, features| {
            if !bank_url_allowed(&url) {
                tracing::warn!(scheme = url.scheme(), "bank window refused: not an https page");
                return NewWindowResponse::Deny;
            }
            if system_browser {
                open_in_system_browser(&popup_app, &url);
                return NewWindowResponse::Deny;
            }
            match bank_popup(&popup_app, url, kiosk)
                .window_features(features)
                .build()
            {
                Ok(window) => {
                    if kiosk {
                        crate::commands::lock_down_webview(&window);
                    }
                    NewWindowResponse::Create { window }
                }
                Err(err) => {
                    tracing::warn!("bank popup not opened: {err}");
                    NewWindowResponse::Deny
                }
            }
        })
        .build()?;
    keep_no_http_cache(&window);
    if kiosk {
        crate::commands::cover_monitor(&window);
        crate::commands::lock_down_webview(&window);
        refuse_close(&window);
    }
    Ok(window)
}

/// The widget's and the banks' pages must leave nothing on disk: WebKit's
/// HTTP cache would keep their responses, and with them the widget's token,
/// under the app's data directory. The app's own page is served from the
/// binary, so the cache buys it nothing. Set on the main window's web
/// context, which every window of the app shares, before the widget loads.
fn keep_no_http_cache<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let set = window.with_webview(|webview| {
            use webkit2gtk::{CacheModel, WebContextExt, WebViewExt};
            if let Some(context) = webview.inner().context() {
                context.set_cache_model(CacheModel::DocumentViewer);
            }
        });
        if let Err(err) = set {
            tracing::warn!("the web cache could not be turned off: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// A kiosk window does not close on request (Alt+F4, a window manager's
/// close button or a taskbar): the only way out is staff's "Leave kiosk
/// mode", which quits the app (`kiosk_exit`).
fn refuse_close<R: Runtime>(window: &WebviewWindow<R>) {
    window.on_window_event(|event| {
        if let WindowEvent::CloseRequested { api, .. } = event {
            api.prevent_close();
            tracing::warn!(
                "closing the kiosk window refused: staff leave kiosk mode from the staff menu"
            );
        }
    });
}

/// Kiosk: Rust keeps the idle clock, not the page (whose timers a hung or
/// reloaded page would lose). The page reports the customer's input
/// (`kiosk_activity`) and shows what this decides: the warning's countdown
/// (`kiosk-idle` events, `secondsLeft` or null when it closes) and the reset
/// at its end (`kiosk-reset`, then the reset itself). While the warning is
/// up the bank's windows are hidden, so nothing covers it; "I need more
/// time" (`kiosk_more_time`) brings them back.
fn watch_idle<R: Runtime>(app: AppHandle<R>) {
    tauri::async_runtime::spawn(async move {
        let mut shown: Option<u64> = None;
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
            let Some(state) = app.try_state::<AppState>() else {
                continue;
            };
            let widget_open = state.widget_open.load(Ordering::Relaxed);
            let now = crate::commands::now_ms();
            let idle = state
                .idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .tick(now, widget_open);
            match idle {
                IdleState::Quiet => {
                    if shown.take().is_some() {
                        tell_idle(&app, None);
                    }
                }
                IdleState::Warning { seconds_left } => {
                    if shown.is_none() {
                        show_bank_popups(&app, false);
                    }
                    if shown != Some(seconds_left) {
                        shown = Some(seconds_left);
                        tell_idle(&app, Some(seconds_left));
                    }
                }
                IdleState::ResetNow => {
                    shown = None;
                    // Tells the page (`kiosk-reset`) first, then resets.
                    let reset = crate::commands::reset_session(
                        &app,
                        &state,
                        crate::commands::ResetReason::Idle,
                    )
                    .await;
                    if let Err(err) = reset {
                        tracing::warn!(code = %err.code, "idle reset not finished: {}", err.message);
                    }
                }
            }
        }
    });
}

fn tell_idle<R: Runtime>(app: &AppHandle<R>, seconds_left: Option<u64>) {
    let payload = serde_json::json!({ "secondsLeft": seconds_left });
    tell_page(app, PageEventName::KioskIdle, payload);
}

/// What a desk window keeps between runs.
const WINDOW_STATE: StateFlags = StateFlags::SIZE
    .union(StateFlags::POSITION)
    .union(StateFlags::MAXIMIZED);

/// The window-state plugin writes its file when the app exits normally; a
/// desk PC may also be switched off or the app killed, so the state is
/// also written half a second after the window stops moving.
fn save_window_state_when_settled<R: Runtime>(window: &WebviewWindow<R>) {
    let changes = Arc::new(AtomicU64::new(0));
    let app = window.app_handle().clone();
    window.on_window_event(move |event| {
        if !matches!(event, WindowEvent::Moved(_) | WindowEvent::Resized(_)) {
            return;
        }
        let this_change = changes.fetch_add(1, Ordering::Relaxed) + 1;
        let changes = changes.clone();
        let app = app.clone();
        tauri::async_runtime::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
            if changes.load(Ordering::Relaxed) == this_change {
                if let Err(err) = app.save_window_state(WINDOW_STATE) {
                    tracing::warn!("window size and position not saved: {err}");
                }
            }
        });
    });
}

/// A bank's sign-in window: one at a time (an earlier one is closed), no
/// developer tools, no downloads, https pages only (loopback http for the
/// simulator), and no windows of its own: a `window.open` in it takes this
/// same window to the page instead.
fn bank_popup<R: Runtime>(
    app: &AppHandle<R>,
    url: Url,
    kiosk: bool,
) -> WebviewWindowBuilder<'_, R, AppHandle<R>> {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    close_bank_popups(app);
    let label = format!("{POPUP_PREFIX}{}", NEXT.fetch_add(1, Ordering::Relaxed));
    tracing::info!(origin = %url.origin().ascii_serialization(), "opening the bank's sign-in window");
    let own_app = app.clone();
    let own_label = label.clone();
    let builder = WebviewWindowBuilder::new(app, label, WebviewUrl::External(url))
        .title("Bank sign-in")
        .inner_size(480.0, 720.0)
        .devtools(false)
        .on_download(|_, _| false)
        .on_navigation(|url| {
            let ok = bank_url_allowed(url);
            if !ok {
                tracing::warn!(scheme = url.scheme(), "bank window navigation refused");
            }
            ok
        })
        .on_new_window(move |url, _features| {
            if bank_url_allowed(&url) {
                tracing::info!(origin = %url.origin().ascii_serialization(), "bank window: a new window's page opens in the same window");
                let app = own_app.clone();
                let label = own_label.clone();
                let same_window = move || {
                    if let Some(window) = app.get_webview_window(&label) {
                        if let Err(err) = window.navigate(url) {
                            tracing::warn!("bank window not navigated: {err}");
                        }
                    }
                };
                if let Err(err) = own_app.run_on_main_thread(same_window) {
                    tracing::warn!("bank window not navigated: {err}");
                }
            } else {
                tracing::warn!(scheme = url.scheme(), "bank window navigation refused");
            }
            NewWindowResponse::Deny
        });
    // The kiosk window stays on top of everything: the bank's window must
    // too, or a window manager would hide it behind the kiosk.
    if kiosk {
        builder.always_on_top(true).center()
    } else {
        builder
    }
}

fn open_in_system_browser<R: Runtime>(app: &AppHandle<R>, url: &Url) {
    tracing::info!(origin = %url.origin().ascii_serialization(), "opening the bank's sign-in in the system browser");
    if let Err(err) = crate::system_open::open_url(app, url.as_str()) {
        tracing::warn!("system browser not opened: {err}");
    }
}

/// The widget asked the host to open the bank's page (`handleOAuthManually`).
pub fn open_bank_popup<R: Runtime>(app: &AppHandle<R>, url: Url) {
    let settings = app.try_state::<AppState>().map(|state| {
        (
            state.settings.oauth_in_system_browser,
            state.settings.mode == crate::config::Mode::Kiosk,
        )
    });
    let (system_browser, kiosk) = settings.unwrap_or_default();
    if !bank_url_allowed(&url) {
        tracing::warn!(
            scheme = url.scheme(),
            "bank window refused: not an https page"
        );
        return;
    }
    if system_browser && !kiosk {
        open_in_system_browser(app, &url);
        return;
    }
    match bank_popup(app, url, kiosk).build() {
        Ok(window) if kiosk => crate::commands::lock_down_webview(&window),
        Ok(_) => {}
        Err(err) => tracing::warn!("bank popup not opened: {err}"),
    }
}

fn bank_popups<R: Runtime>(app: &AppHandle<R>) -> impl Iterator<Item = WebviewWindow<R>> {
    app.webview_windows()
        .into_iter()
        .filter(|(label, _)| label.starts_with(POPUP_PREFIX))
        .map(|(_, window)| window)
}

pub fn close_bank_popups<R: Runtime>(app: &AppHandle<R>) {
    for window in bank_popups(app) {
        let _ = window.close();
    }
}

/// Hides the bank's windows (they keep what the customer typed) or shows
/// them again, in front: the kiosk's idle warning must not sit behind one.
pub fn show_bank_popups<R: Runtime>(app: &AppHandle<R>, shown: bool) {
    for window in bank_popups(app) {
        let done = if shown {
            window.show().and_then(|()| window.set_focus())
        } else {
            window.hide()
        };
        if let Err(err) = done {
            tracing::warn!(shown, "bank window not shown or hidden: {err}");
        }
    }
}
