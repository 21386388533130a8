//! Desk: "Update available" and staff choosing when to install it. A kiosk
//! installs on its own on the attract screen (`crate::app_updates`).

use super::staff::require_staff;
use super::CommandError;
use crate::app_updates::UpdateState;
use crate::AppState;
use std::sync::atomic::Ordering;
use tauri::State;

/// Staff only: install the waiting update as soon as no enrollment is in
/// progress (at once on a quiet desk), then restart into it.
#[tauri::command]
pub async fn update_install(
    state: State<'_, AppState>,
    updates: State<'_, UpdateState>,
) -> Result<String, CommandError> {
    require_staff(&state).await?;
    let Some(version) = updates.waiting() else {
        return Err(CommandError::localized(
            "UPDATE_NONE",
            "No update is waiting to be installed.",
            false,
        ));
    };
    updates.staff_asked.store(true, Ordering::Relaxed);
    super::audit(
        &state,
        crate::store::AuditAction::UpdateChecked,
        format!("staff chose to install version {version} now"),
    );
    Ok(version)
}
