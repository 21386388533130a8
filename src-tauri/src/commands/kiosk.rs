//! Between two kiosk customers nothing of the first may survive.

use super::CommandError;
use crate::enrollment::EnrollmentView;
use crate::store::AuditAction;
use crate::AppState;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// Ends the current customer's session: the enrollment and the customer's
/// cached tokens are dropped (a link call under way finishes and records its
/// outcome first), bank windows close, and the main webview's cookies,
/// storage and cache, the widget's included, are cleared, and so is the
/// system clipboard and, on Linux, the primary selection (a phone number or
/// e-mail copied or selected there would otherwise wait for the next
/// customer's paste). Staff are locked. `reason` names who ended it, for
/// the audit trail.
#[tauri::command]
pub async fn kiosk_reset<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    reason: ResetReason,
) -> Result<EnrollmentView, CommandError> {
    let view = state.backend.enrollments.start_over().await;
    crate::app::close_bank_popups(&app);
    if let Some(main) = app.get_webview_window("main") {
        if let Err(err) = main.clear_all_browsing_data() {
            tracing::warn!("webview data not cleared: {err}");
        }
    }
    if let Err(err) = app.clipboard().clear() {
        tracing::warn!("clipboard not cleared: {err}");
    }
    #[cfg(target_os = "linux")]
    if let Err(err) = clear_primary_selection() {
        tracing::warn!("primary selection not cleared: {err}");
    }
    super::audit(&state, reason.audit_action(), "session reset".into());
    // Staff unlocked before the reset are not unlocked for the next customer
    // (after the audit entry, which names staff when they reset).
    let staff = state.backend.staff.clone();
    if let Err(err) = super::blocking(move || staff.lock()).await {
        tracing::warn!(code = %err.code, "staff not locked by the reset: {}", err.message);
    }
    tracing::info!(?reason, "session reset");
    Ok(view)
}

/// The idle warning opened (`shown`) or the customer asked for more time:
/// while it is up the bank's windows are hidden, so the warning is never
/// behind one of them; "I need more time" brings them back as they were.
/// "Start over" and the countdown's end close them (see [`kiosk_reset`]).
#[tauri::command]
pub fn kiosk_idle_warning<R: Runtime>(app: AppHandle<R>, shown: bool) {
    crate::app::show_bank_popups(&app, !shown);
}

/// Who ended a kiosk session. Anything else the page sends is refused by
/// the command's argument parsing, before anything is reset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResetReason {
    /// The idle countdown reached zero.
    Idle,
    /// The customer pressed "Start over".
    Customer,
    /// Staff ended the session.
    Staff,
}

impl ResetReason {
    fn audit_action(self) -> AuditAction {
        match self {
            ResetReason::Idle => AuditAction::ResetByIdle,
            ResetReason::Customer => AuditAction::ResetByCustomer,
            ResetReason::Staff => AuditAction::ResetByStaff,
        }
    }
}

/// A kiosk window also covers its monitor by size and position: without a
/// window manager (a bare X session, as many kiosks run) nobody answers the
/// full-screen request, and the window would keep its desk size.
pub fn cover_monitor<R: Runtime>(window: &WebviewWindow<R>) {
    match window.current_monitor() {
        Ok(Some(monitor)) => {
            let placed = window
                .set_position(*monitor.position())
                .and_then(|()| window.set_size(*monitor.size()));
            if let Err(err) = placed {
                tracing::warn!("kiosk window not fitted to the monitor: {err}");
            }
        }
        Ok(None) => tracing::warn!("no monitor found for the kiosk window"),
        Err(err) => tracing::warn!("kiosk window not fitted to the monitor: {err}"),
    }
}

/// No context menu in a kiosk window, whichever frame is clicked. The page's
/// own lockdown (ui/kiosk.js) cannot reach into the widget's cross-origin
/// frame or a bank's page; WebKitGTK's `context-menu` signal covers every
/// frame of the webview. Elsewhere the page's lockdown is all there is.
pub fn refuse_context_menus<R: Runtime>(window: &WebviewWindow<R>) {
    #[cfg(target_os = "linux")]
    {
        let connected = window.with_webview(|webview| {
            use webkit2gtk::WebViewExt;
            // `true`: handled, so no menu is shown.
            webview.inner().connect_context_menu(|_, _, _, _| true);
        });
        if let Err(err) = connected {
            tracing::warn!("context menus not refused: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = window;
}

/// On Linux, text selected in a field is also offered to other programs as
/// the primary selection (middle-click paste), which the clipboard plugin
/// does not clear.
#[cfg(target_os = "linux")]
fn clear_primary_selection() -> Result<(), arboard::Error> {
    use arboard::{ClearExtLinux, LinuxClipboardKind};
    arboard::Clipboard::new()?
        .clear_with()
        .clipboard(LinuxClipboardKind::Primary)
}
