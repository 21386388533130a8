//! The enrollment as the page drives it: each command asks for one action and
//! answers with the state Rust now holds (also sent as the page event
//! `enrollment-state`, `crate::page_events`).

use super::CommandError;
use crate::enrollment::{CustomerDetails, EnrollmentError, EnrollmentView};
use crate::AppState;
use tauri::{AppHandle, Runtime, State};

impl From<EnrollmentError> for CommandError {
    fn from(err: EnrollmentError) -> Self {
        let view = err.view();
        Self {
            code: view.code,
            message: view.message,
            retry: view.retry,
        }
    }
}

#[tauri::command]
pub async fn enrollment_state(state: State<'_, AppState>) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.view().await)
}

#[tauri::command]
pub async fn enrollment_submit_details(
    state: State<'_, AppState>,
    details: CustomerDetails,
) -> Result<EnrollmentView, CommandError> {
    Ok(state
        .backend()
        .await?
        .enrollments
        .submit_details(details)
        .await)
}

#[tauri::command]
pub async fn enrollment_submit_code(
    state: State<'_, AppState>,
    code: String,
) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.submit_code(&code).await)
}

#[tauri::command]
pub async fn enrollment_resend_code(
    state: State<'_, AppState>,
) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.resend_code().await)
}

/// Desk, known customer: staff say they checked the customer's photo ID
/// (`id_checked`), and the enrollment goes on without a code. Refused
/// without it (`ID_CHECK_REQUIRED`), and on a kiosk (`CODE_REQUIRED`).
#[tauri::command]
pub async fn enrollment_confirm_id(
    state: State<'_, AppState>,
    id_checked: bool,
) -> Result<EnrollmentView, CommandError> {
    Ok(state
        .backend()
        .await?
        .enrollments
        .confirm_id_checked(id_checked)
        .await?)
}

/// Desk, known customer: send a code rather than check an ID.
#[tauri::command]
pub async fn enrollment_send_code(
    state: State<'_, AppState>,
) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.send_code_instead().await)
}

#[tauri::command]
pub async fn enrollment_use_account(
    state: State<'_, AppState>,
    bank_account_id: i64,
) -> Result<EnrollmentView, CommandError> {
    Ok(state
        .backend()
        .await?
        .enrollments
        .use_account(bank_account_id)
        .await)
}

#[tauri::command]
pub async fn enrollment_open_widget(
    state: State<'_, AppState>,
) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.open_widget_again().await)
}

/// One message from the widget iframe: the page passes `MessageEvent.origin`
/// and `MessageEvent.data` untouched; Rust decides.
#[tauri::command]
pub async fn enrollment_widget_message<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    origin: String,
    data: String,
) -> Result<EnrollmentView, CommandError> {
    let outcome = state
        .backend()
        .await?
        .enrollments
        .widget_message(&origin, &data)
        .await?;
    if let Some(url) = outcome.open_popup {
        crate::app::open_bank_popup(&app, url);
    }
    Ok(outcome.view)
}

#[tauri::command]
pub async fn enrollment_cancel(state: State<'_, AppState>) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.cancel().await)
}

#[tauri::command]
pub async fn enrollment_start_over(
    state: State<'_, AppState>,
) -> Result<EnrollmentView, CommandError> {
    Ok(state.backend().await?.enrollments.start_over().await)
}
