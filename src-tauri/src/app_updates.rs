//! Runs signed updates in the app: checks the feed on a schedule with
//! tauri-plugin-updater (which downloads and verifies the minisign
//! signature), asks `crate::updates::may_apply_now` when it may install,
//! installs the `.deb` and restarts into the new version. Every check,
//! download, refusal and install goes to the audit trail.

use crate::store::{AuditAction, AuditEntry, AuditMode};
use crate::updates::{
    feed_url_allowed, install_deb, may_apply_now, pubkey_override, updates_off_because,
    ApplyDecision, Moment, UpdateError,
};
use crate::AppState;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_updater::UpdaterExt;

/// The first check comes this long after start (the window first).
const FIRST_CHECK_AFTER: Duration = Duration::from_secs(5);
/// How often a downloaded update asks again whether it may install.
const ASK_AGAIN_EVERY: Duration = Duration::from_secs(5);
/// A feed or a download slower than this counts as down.
const FEED_TIMEOUT: Duration = Duration::from_secs(30);
/// Written before the restart, read by the next start: which version an
/// update installed, to say in the audit trail whether it runs.
const MARKER_FILE: &str = "update-installed.json";

pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// What the page may know: a version waiting for staff (desk).
#[derive(Debug, Default)]
pub struct UpdateState {
    pub available: Mutex<Option<String>>,
    pub staff_asked: AtomicBool,
}

impl UpdateState {
    /// The verified version waiting for staff, if any.
    pub fn waiting(&self) -> Option<String> {
        self.available
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Marker {
    from: String,
    to: String,
}

fn audit<R: Runtime>(app: &AppHandle<R>, action: AuditAction, detail: String, code: Option<&str>) {
    // Feed and download addresses in the detail (also inside the HTTP
    // client's errors) lose their query and password.
    let detail = crate::updates::without_url_secrets(&detail);
    match code {
        Some(code) => tracing::warn!(action = action.as_str(), code, "{detail}"),
        None => tracing::info!(action = action.as_str(), "{detail}"),
    }
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    // Updates start once the backend has (`app::backend_started`).
    let Some(backend) = state.started() else {
        return;
    };
    let entry = AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        mode: AuditMode::from(state.settings.mode),
        staff: backend.staff.actor().map(str::to_owned),
        action,
        detail,
        error_code: code.map(str::to_owned),
        correlation_id: None,
    };
    if let Err(err) = backend.store.audit(&entry) {
        tracing::error!(code = err.code(), "audit entry not written: {err}");
    }
}

fn refused<R: Runtime>(app: &AppHandle<R>, err: &UpdateError) {
    let action = if err.retry() {
        AuditAction::UpdateFailed
    } else {
        AuditAction::UpdateRefused
    };
    audit(app, action, err.to_string(), Some(err.code()));
}

/// At start: says in the audit trail whether the version an update
/// installed is the one running now.
pub fn record_start<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) {
    let path = data_dir.join(MARKER_FILE);
    let Ok(bytes) = std::fs::read(&path) else {
        return;
    };
    let _ = std::fs::remove_file(&path);
    match serde_json::from_slice::<Marker>(&bytes) {
        Ok(marker) if marker.to == VERSION => audit(
            app,
            AuditAction::UpdateStarted,
            format!("running version {VERSION}, updated from {}", marker.from),
            None,
        ),
        Ok(marker) => audit(
            app,
            AuditAction::UpdateFailed,
            format!(
                "version {} was installed but version {VERSION} runs",
                marker.to
            ),
            Some("UPDATE_NOT_RUNNING"),
        ),
        Err(err) => tracing::warn!("unreadable {MARKER_FILE}: {err}"),
    }
}

/// Starts the schedule when the settings turn updates on.
pub fn start<R: Runtime>(app: &AppHandle<R>, data_dir: PathBuf) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let Some(backend) = state.started() else {
        return;
    };
    let settings = state.settings.updates.clone();
    if let Some(why) = updates_off_because(&settings, backend.environment.is_simulated()) {
        tracing::info!("no update checks: {why}");
        return;
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_CHECK_AFTER).await;
        loop {
            check_once(&app, &data_dir).await;
            tokio::time::sleep(settings.interval()).await;
        }
    });
}

fn signature_error(err: &tauri_plugin_updater::Error) -> bool {
    use tauri_plugin_updater::Error as E;
    matches!(
        err,
        E::Minisign(_)
            | E::Base64(_)
            | E::SignatureUtf8(_)
            | E::SignedVersionMismatch { .. }
            | E::MissingSignedVersion
    )
}

async fn check_once<R: Runtime>(app: &AppHandle<R>, data_dir: &Path) {
    let Some(state) = app.try_state::<AppState>() else {
        return;
    };
    let settings = state.settings.updates.clone();
    let feed = match settings.feed_for_channel() {
        Ok(feed) => feed,
        Err(err) => return refused(app, &err),
    };
    let pubkey = match pubkey_override() {
        Ok(key) => key,
        Err(err) => return refused(app, &err),
    };
    let mut builder = app.updater_builder().timeout(FEED_TIMEOUT);
    if let Some(key) = pubkey {
        builder = builder.pubkey(key);
    }
    let updater = match builder
        .endpoints(vec![feed.clone()])
        .and_then(|b| b.build())
    {
        Ok(updater) => updater,
        Err(err) => return refused(app, &UpdateError::Feed(err.to_string())),
    };
    let channel = &settings.channel;
    let update = match updater.check().await {
        Ok(Some(update)) => update,
        Ok(None) => {
            return audit(
                app,
                AuditAction::UpdateChecked,
                format!("no newer version than {VERSION} on channel {channel}"),
                None,
            )
        }
        Err(err) => {
            return refused(
                app,
                &UpdateError::Feed(format!("{} ({err})", feed.origin().ascii_serialization())),
            )
        }
    };
    let version = update.version.clone();
    audit(
        app,
        AuditAction::UpdateChecked,
        format!("version {version} is available on channel {channel} (running {VERSION})"),
        None,
    );
    if !feed_url_allowed(&update.download_url) {
        return refused(
            app,
            &UpdateError::FeedNotAllowed(update.download_url.to_string()),
        );
    }
    let bytes = match update.download(|_, _| {}, || {}).await {
        Ok(bytes) => bytes,
        Err(err) if signature_error(&err) => {
            return refused(app, &UpdateError::Signature(err.to_string()))
        }
        Err(err) => return refused(app, &UpdateError::Feed(format!("download: {err}"))),
    };
    audit(
        app,
        AuditAction::UpdateDownloaded,
        // In MB: the trail masks any run of 7 or more digits as a phone number.
        format!(
            "version {version} downloaded ({:.1} MB), signature verified",
            bytes.len() as f64 / 1e6
        ),
        None,
    );
    if tauri::utils::platform::bundle_type() != Some(tauri::utils::config::BundleType::Deb) {
        return refused(app, &UpdateError::NotADebInstall);
    }
    // Wait for a moment with nobody in the middle of an enrollment.
    let mut staff_told = false;
    loop {
        match may_apply_now(&moment(app).await) {
            ApplyDecision::Apply => break,
            ApplyDecision::Wait(why) => tracing::info!("update {version} waits: {why}"),
            ApplyDecision::AskStaff => {
                if !staff_told {
                    staff_told = true;
                    if let Some(updates) = app.try_state::<UpdateState>() {
                        *updates.available.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(version.clone());
                    }
                    crate::app::tell_page(
                        app,
                        crate::page_events::PageEventName::UpdateAvailable,
                        &version,
                    );
                }
            }
        }
        tokio::time::sleep(ASK_AGAIN_EVERY).await;
    }
    install_and_restart(app, data_dir, bytes, version).await;
}

/// What the app is doing now, for [`may_apply_now`].
async fn moment<R: Runtime>(app: &AppHandle<R>) -> Moment {
    let state = app.state::<AppState>();
    // Updates start once the backend has; without it, never a good moment.
    let Some(backend) = state.started() else {
        return Moment {
            mode: state.settings.mode,
            enrollment_on_screen: true,
            customer_present: true,
            finishing: usize::MAX,
            staff_asked: false,
        };
    };
    let enrollment_on_screen = backend.enrollments.view().await.id.is_some();
    let customer_present = state
        .idle
        .lock()
        .map(|idle| idle.customer_present())
        .unwrap_or(true);
    let finishing = backend.store.count_finishing().unwrap_or_else(|err| {
        tracing::warn!(
            code = err.code(),
            "finishing enrollments not counted: {err}"
        );
        usize::MAX
    });
    let staff_asked = app
        .try_state::<UpdateState>()
        .is_some_and(|u| u.staff_asked.load(Ordering::Relaxed));
    Moment {
        mode: state.settings.mode,
        enrollment_on_screen,
        customer_present,
        finishing,
        staff_asked,
    }
}

async fn install_and_restart<R: Runtime>(
    app: &AppHandle<R>,
    data_dir: &Path,
    bytes: Vec<u8>,
    version: String,
) {
    let marker = Marker {
        from: VERSION.into(),
        to: version.clone(),
    };
    let marker_path = data_dir.join(MARKER_FILE);
    if let Err(err) = std::fs::write(
        &marker_path,
        serde_json::to_vec(&marker).unwrap_or_default(),
    ) {
        tracing::warn!("{MARKER_FILE} not written: {err}");
    }
    let to = version.clone();
    let installed = tokio::task::spawn_blocking(move || install_deb(&bytes, &to))
        .await
        .unwrap_or_else(|_| Err(UpdateError::Install("the install task stopped".into())));
    match installed {
        Ok(()) => {
            audit(
                app,
                AuditAction::UpdateInstalled,
                format!("version {version} installed over {VERSION}; restarting"),
                None,
            );
            if std::env::var_os(crate::updates::SUPERVISED_ENV).is_some() {
                // The kiosk session's supervisor starts the new binary.
                app.exit(crate::updates::RESTART_FOR_UPDATE_STATUS);
            } else {
                app.request_restart();
            }
        }
        Err(err) => {
            let _ = std::fs::remove_file(&marker_path);
            refused(app, &err);
        }
    }
}
