//! The staff PIN on the page: status, unlock, lock, set or change the PIN,
//! and leaving kiosk mode. The rules live in `crate::staff`.

use super::CommandError;
use crate::staff::{StaffError, StaffGuard, StaffStatus};
use crate::store::AuditAction;
use crate::AppState;
use std::sync::Arc;
use tauri::{AppHandle, Runtime, State};

impl From<StaffError> for CommandError {
    fn from(err: StaffError) -> Self {
        Self::shown(err.code(), &err.text(), err.retry())
    }
}

/// Runs a staff rule off the UI thread (keychain, argon2).
async fn with_guard<T: Send + 'static>(
    guard: &Arc<StaffGuard>,
    f: impl FnOnce(&StaffGuard) -> Result<T, StaffError> + Send + 'static,
) -> Result<T, CommandError> {
    let guard = guard.clone();
    super::blocking(move || f(&guard)).await
}

/// For staff-only commands: refused with STAFF_LOCKED (or STAFF_NO_PIN on a
/// kiosk without a PIN); counts as staff activity. The audit trail reads
/// who acts from the guard itself (`commands::audit`).
pub(crate) async fn require_staff(state: &AppState) -> Result<(), CommandError> {
    with_guard(&state.backend().await?.staff, |guard| {
        guard.require().map(|_| ())
    })
    .await
}

/// Whether a PIN is set, staff are unlocked (and for how long), and how long
/// the next PIN attempt must wait.
#[tauri::command]
pub async fn staff_status(state: State<'_, AppState>) -> Result<StaffStatus, CommandError> {
    with_guard(&state.backend().await?.staff, |guard| guard.status()).await
}

/// Checks the PIN; the right one starts a staff session.
#[tauri::command]
pub async fn staff_unlock(
    state: State<'_, AppState>,
    pin: String,
) -> Result<StaffStatus, CommandError> {
    with_guard(&state.backend().await?.staff, move |guard| {
        guard.unlock(&pin)
    })
    .await
}

/// Ends the staff session now.
#[tauri::command]
pub async fn staff_lock(state: State<'_, AppState>) -> Result<StaffStatus, CommandError> {
    with_guard(&state.backend().await?.staff, |guard| guard.lock()).await
}

/// Sets the first PIN (desk mode) or changes it (an unlocked session).
/// `confirm_pin`, when given, must be the same PIN.
#[tauri::command]
pub async fn staff_set_pin(
    state: State<'_, AppState>,
    new_pin: String,
    confirm_pin: Option<String>,
) -> Result<StaffStatus, CommandError> {
    with_guard(&state.backend().await?.staff, move |guard| {
        guard.set_pin(&new_pin, confirm_pin.as_deref())
    })
    .await
}

/// Leaves kiosk mode (staff only): the app quits, so whatever started the
/// kiosk (a session autostart, a service) decides what comes next.
#[tauri::command]
pub async fn kiosk_exit<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Result<(), CommandError> {
    if state.settings.mode != crate::config::Mode::Kiosk {
        return Err(CommandError::localized(
            "KIOSK_NOT_ACTIVE",
            "The app is not in kiosk mode.",
            false,
        ));
    }
    require_staff(&state).await?;
    super::audit(
        &state,
        AuditAction::KioskExited,
        "kiosk mode left by staff; the app quits".into(),
    );
    tracing::info!("leaving kiosk mode");
    app.exit(0);
    Ok(())
}
