//! The command layer: thin adapters between the page and the plain-Rust core.
//! Each command parses its input, calls the core, and maps errors once to
//! `{code, message, retry}` (see `error.rs`).

mod desk;
mod enrollment;
mod error;
mod kiosk;
mod l10n;
mod settings;
mod staff;
mod updates;

pub use desk::*;
pub use enrollment::*;
pub use error::CommandError;
pub use kiosk::*;
pub use l10n::*;
pub use settings::*;
pub use staff::*;
pub use updates::*;

use crate::store::{AuditAction, AuditEntry, AuditMode};
use crate::AppState;
use serde::Serialize;
use tauri::State;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct EnvironmentInfo {
    pub id: String,
    pub label: String,
    pub simulated: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    pub product: String,
    pub version: String,
    pub environment: EnvironmentInfo,
    pub mode: crate::config::Mode,
    pub kiosk: crate::config::KioskTimers,
    /// The language the screen speaks now.
    pub lang: crate::i18n::Lang,
}

/// What the first screen shows: the product, its version, where it talks to.
/// Answers once the backend has started.
#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, CommandError> {
    Ok(info_of(&state, state.backend().await?))
}

fn info_of(state: &AppState, backend: &crate::backend::Backend) -> AppInfo {
    let environment = &backend.environment;
    AppInfo {
        product: "Aeropay Onboarding".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        environment: match &state.settings.fleet {
            Some(fleet) => EnvironmentInfo {
                id: "fleet".into(),
                label: crate::config::fleet_label(fleet, environment),
                simulated: false,
            },
            None => EnvironmentInfo {
                id: environment.id(),
                label: crate::config::environment_label(environment),
                simulated: environment.is_simulated(),
            },
        },
        mode: state.settings.mode,
        kiosk: state.settings.kiosk.normalized(),
        lang: crate::i18n::current(),
    }
}

/// Everything the page needs to start, in one answer once the backend has
/// started: the language's texts, the app's info, the status line and the
/// version already formatted, and the enrollment's state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppBoot {
    pub info: AppInfo,
    pub bundle: &'static crate::i18n::PageBundle,
    /// `ui-ready` with the environment's name: the status line.
    pub status: crate::i18n::PageMessage,
    /// `ui-version` with the product and its version.
    pub version: crate::i18n::PageMessage,
    pub state: crate::enrollment::EnrollmentView,
    /// The verified update waiting for staff, if any (a desk shows it; the
    /// `update-available` event says when one arrives later).
    pub update: Option<String>,
    /// The last page event before `state`: the page follows the ones after.
    pub events: u64,
}

/// The page's first command (see [`AppBoot`]).
#[tauri::command]
pub async fn app_boot(
    state: State<'_, AppState>,
    updates: State<'_, crate::app_updates::UpdateState>,
    page_events: State<'_, crate::page_events::PageEvents>,
) -> Result<AppBoot, CommandError> {
    let backend = state.backend().await?;
    let info = info_of(&state, backend);
    // Read before the state: an event sent in between comes again, which
    // the page shows twice rather than not at all.
    let events = page_events.last();
    let view = backend.enrollments.view().await;
    let lang = info.lang;
    let status = crate::i18n::page_format(
        lang,
        "ui-ready",
        &page_args([("environment", &info.environment.label)]),
    );
    let version = crate::i18n::page_format(
        lang,
        "ui-version",
        &page_args([("product", &info.product), ("version", &info.version)]),
    );
    crate::startup::mark(crate::startup::Mark::Ready);
    crate::startup::mark(crate::startup::Mark::FirstState);
    // Needed once a phone is hashed: read while the customer types.
    backend.load_phone_key_soon();
    Ok(AppBoot {
        bundle: crate::i18n::page_bundle(lang),
        info,
        status,
        version,
        state: view,
        update: updates.waiting(),
        events,
    })
}

/// The page's waiting command: the events after `after` as soon as there
/// are any, or none after a while (see `crate::page_events`).
#[tauri::command]
pub async fn page_events(
    events: State<'_, crate::page_events::PageEvents>,
    after: u64,
) -> Result<crate::page_events::PageEventBatch, CommandError> {
    Ok(events.next(after, crate::page_events::WAIT).await)
}

/// Message arguments as the page sends them.
fn page_args<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a String)>,
) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.clone().into()))
        .collect()
}

/// One line of the audit trail for an action taken through a command, with
/// this run's mode and `staff` while staff are unlocked (the store scrubs
/// the detail again). The action has happened either way, so a failed
/// write is logged, not shown.
pub(crate) fn audit(state: &AppState, action: AuditAction, detail: String) {
    // Every caller has waited for the backend already.
    let Some(backend) = state.started() else {
        tracing::error!(
            action = action.as_str(),
            "audit entry not written: the app has not started"
        );
        return;
    };
    let entry = AuditEntry {
        at: time::OffsetDateTime::now_utc().unix_timestamp(),
        mode: AuditMode::from(state.settings.mode),
        staff: backend.staff.actor().map(str::to_owned),
        action,
        detail,
        error_code: None,
        correlation_id: None,
    };
    if let Err(err) = backend.store.audit(&entry) {
        tracing::error!(code = err.code(), "audit entry not written: {err}");
    }
}

/// Unix time in milliseconds, for the kiosk's idle clock.
pub(crate) fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// Runs blocking work (the keychain, argon2) on tokio's blocking threads,
/// so the IPC threads stay free, and maps its error once.
pub(crate) async fn blocking<T, E>(
    work: impl FnOnce() -> Result<T, E> + Send + 'static,
) -> Result<T, CommandError>
where
    T: Send + 'static,
    E: Into<CommandError> + Send + 'static,
{
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| {
            CommandError::localized(
                "INTERNAL",
                "The app could not finish a background task; try again.",
                true,
            )
        })?
        .map_err(Into::into)
}
