//! The back office: the list of this machine's enrollments, continuing one,
//! linking another account for a known customer, CSV exports, and on a
//! desk of a fleet the whole fleet's enrollments. None of it is offered on a
//! kiosk, where the next customer stands at the screen.

use super::CommandError;
use crate::config::Mode;
use crate::desk::fleet::{read_fleet, FleetFilter, FleetListing};
use crate::desk::{export_enrollments, DateRange, DeskError, DeskFilter, ExportSummary};
use crate::enrollment::{EnrollmentView, ListRow};
use crate::store::AuditAction;
use crate::AppState;
use tauri::{Runtime, State};

impl From<DeskError> for CommandError {
    fn from(err: DeskError) -> Self {
        let retry = matches!(err, DeskError::Write { .. } | DeskError::Store(_));
        Self::shown(err.code(), &err.text(), retry)
    }
}

fn desk_only(state: &AppState) -> Result<(), CommandError> {
    match state.settings.mode {
        Mode::Desk => Ok(()),
        Mode::Kiosk => Err(CommandError::localized(
            "DESK_ONLY",
            "The list of enrollments is for the back office; it is not shown on a kiosk.",
            false,
        )),
    }
}

#[tauri::command]
pub async fn desk_enrollments(
    state: State<'_, AppState>,
    filter: DeskFilter,
) -> Result<Vec<ListRow>, CommandError> {
    desk_only(&state)?;
    let query = filter.query()?;
    let lang = crate::i18n::current();
    let mut rows = state.backend().await?.enrollments.list(&query)?;
    for row in &mut rows {
        row.started_at_text =
            crate::i18n::format_datetime(lang, row.started_at, filter.range.utc_offset_minutes);
    }
    Ok(rows)
}

/// The whole fleet's enrollments from the broker's audit trail: a desk of
/// a fleet, staff unlocked (the same rule as Settings), and the broker
/// letting this desk's group read the trail (`audit.reader_groups`).
#[tauri::command]
pub async fn desk_fleet_enrollments(
    state: State<'_, AppState>,
    filter: FleetFilter,
) -> Result<FleetListing, CommandError> {
    desk_only(&state)?;
    let backend = state.backend().await?;
    let Some(broker) = backend.broker.clone() else {
        return Err(CommandError::localized(
            "DESK_NOT_FLEET",
            "This desk is not part of a fleet: it shows its own enrollments only.",
            false,
        ));
    };
    super::staff::require_staff(&state).await?;
    let mut listing = read_fleet(&filter, |query| {
        let broker = broker.clone();
        async move { broker.audit(&query).await }
    })
    .await
    .map_err(|err| {
        let retry = err.retryable();
        let code = err.code().to_owned();
        CommandError::shown(
            code,
            &crate::enrollment::EnrollmentError::Fleet(err).text(),
            retry,
        )
    })?;
    let lang = crate::i18n::current();
    for row in &mut listing.rows {
        row.started_at_text =
            crate::i18n::format_datetime(lang, row.started_at, filter.utc_offset_minutes);
    }
    tracing::info!(
        entries = listing.entries_read,
        rows = listing.rows.len(),
        complete = listing.complete,
        "fleet enrollments read"
    );
    Ok(listing)
}

/// Continues an enrollment from the list where it stopped.
#[tauri::command]
pub async fn enrollment_resume(
    state: State<'_, AppState>,
    id: String,
) -> Result<EnrollmentView, CommandError> {
    desk_only(&state)?;
    Ok(state.backend().await?.enrollments.resume(&id).await?)
}

/// A new enrollment that links one more account for a linked customer.
#[tauri::command]
pub async fn enrollment_link_another(
    state: State<'_, AppState>,
    id: String,
) -> Result<EnrollmentView, CommandError> {
    desk_only(&state)?;
    Ok(state.backend().await?.enrollments.link_another(&id).await?)
}

/// Saves the enrollments of a date range as CSV in the Downloads folder.
#[tauri::command]
pub async fn desk_export(
    state: State<'_, AppState>,
    range: DateRange,
) -> Result<ExportSummary, CommandError> {
    desk_only(&state)?;
    let folder = crate::desk::default_export_folder().ok_or(DeskError::NoExportFolder)?;
    let backend = state.backend().await?;
    let summary = export_enrollments(&backend.store, &backend.environment.id(), &range, &folder)?;
    super::audit(
        &state,
        AuditAction::ExportWritten,
        format!(
            "{} enrollments from {} to {}",
            summary.rows,
            range.from.chars().take(10).collect::<String>(),
            range.to.chars().take(10).collect::<String>()
        ),
    );
    tracing::info!(rows = summary.rows, "enrollments exported");
    *state.last_export.lock().unwrap_or_else(|e| e.into_inner()) = Some(summary.path.clone());
    Ok(summary)
}

/// Shows the last export in the file manager. The path comes from Rust's
/// own record of the export, never from the page.
#[tauri::command]
pub fn desk_show_export<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), CommandError> {
    desk_only(&state)?;
    let path = state
        .last_export
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let Some(path) = path else {
        return Err(CommandError::localized(
            "DESK_NO_EXPORT",
            "Nothing has been exported yet.",
            false,
        ));
    };
    crate::system_open::reveal_item_in_dir(&app, &path).map_err(|err| {
        CommandError::shown(
            "DESK_REVEAL",
            &crate::i18n::ErrorText::message(
                "err-desk-reveal",
                [
                    ("reason", err.to_string().into()),
                    ("path", path.display().to_string().into()),
                ],
            ),
            false,
        )
    })
}
