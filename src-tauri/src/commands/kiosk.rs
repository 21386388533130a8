//! Between two kiosk customers nothing of the first may survive.

use super::CommandError;
use crate::enrollment::EnrollmentView;
use crate::store::AuditAction;
use crate::AppState;
use tauri::{AppHandle, Manager, Runtime, State, WebviewWindow};

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
    reset_session(&app, &state, reason).await
}

/// The reset itself: for "Start over", staff, and the idle countdown's end
/// (decided in Rust, see `app::watch_idle`).
pub async fn reset_session<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    reason: ResetReason,
) -> Result<EnrollmentView, CommandError> {
    state.idle.lock().unwrap_or_else(|e| e.into_inner()).reset();
    // The last customer's states (name, widget address) kept for the page
    // go with them, before this reset's own events are queued.
    if let Some(events) = app.try_state::<crate::page_events::PageEvents>() {
        events.forget();
    }
    if reason == ResetReason::Idle {
        // The page did not ask for this one: the customer's screen goes
        // first, then the slower clearing below.
        crate::app::tell_page(app, crate::page_events::PageEventName::KioskReset, ());
    }
    // The customer's language goes with them: the next one starts in the
    // kiosk's own (before the new state is drawn).
    crate::i18n::set_current(state.settings.language.resolve());
    crate::app::tell_page(app, crate::page_events::PageEventName::L10nChanged, ());
    let backend = state.backend().await?;
    let view = backend.enrollments.start_over().await;
    crate::app::close_bank_popups(app);
    if let Some(main) = app.get_webview_window("main") {
        if let Err(err) = main.clear_all_browsing_data() {
            tracing::warn!("webview data not cleared: {err}");
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        use tauri_plugin_clipboard_manager::ClipboardExt;
        if let Err(err) = app.clipboard().clear() {
            tracing::warn!("clipboard not cleared: {err}");
        }
    }
    #[cfg(target_os = "linux")]
    {
        // Cleared before the reset answers.
        let (cleared, done) = tokio::sync::oneshot::channel();
        let queued = app.run_on_main_thread(move || {
            clear_clipboard_and_primary_selection();
            let _ = cleared.send(());
        });
        if queued.is_err() || done.await.is_err() {
            tracing::warn!(
                "clipboard and primary selection not cleared: the window's thread is gone"
            );
        }
    }
    super::audit(state, reason.audit_action(), "session reset".into());
    // Staff unlocked before the reset are not unlocked for the next customer
    // (after the audit entry, which names staff when they reset).
    let staff = backend.staff.clone();
    if let Err(err) = super::blocking(move || staff.lock()).await {
        tracing::warn!(code = %err.code, "staff not locked by the reset: {}", err.message);
    }
    tracing::info!(?reason, "session reset");
    Ok(view)
}

/// The customer did something on the page (it reports input at most about
/// once a second). Rust keeps the idle clock (`app::watch_idle`).
#[tauri::command]
pub fn kiosk_activity(state: State<'_, AppState>) {
    state
        .idle
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .input(super::now_ms());
}

/// "I need more time": the warning closes and the bank's windows, hidden
/// while it was up, come back as the customer left them.
#[tauri::command]
pub fn kiosk_more_time<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) {
    state
        .idle
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .more_time(super::now_ms());
    crate::app::show_bank_popups(&app, true);
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

/// Carries out a kiosk's [`Lockdown`](crate::kiosk::Lockdown) on one
/// webview: the main window or a bank window. The page's own lockdown
/// (ui/kiosk.js) cannot reach into the widget's cross-origin frame or a
/// bank's page; the webview's signals cover every frame.
pub fn lock_down_webview<R: Runtime>(window: &WebviewWindow<R>) {
    let lockdown = crate::kiosk::Lockdown::for_mode(crate::config::Mode::Kiosk);
    #[cfg(target_os = "linux")]
    {
        let connected = window.with_webview(move |webview| {
            use webkit2gtk::{FileChooserRequestExt, WebViewExt};
            let view = webview.inner();
            // `true`: handled, so WebKit shows nothing.
            if lockdown.context_menu {
                view.connect_context_menu(|_, _, _, _| true);
            }
            if lockdown.print {
                view.connect_print(|_, _| {
                    tracing::info!("kiosk: a print dialog was refused");
                    true
                });
            }
            if lockdown.file_chooser {
                view.connect_run_file_chooser(|_, request| {
                    tracing::info!("kiosk: a file chooser was refused");
                    request.cancel();
                    true
                });
            }
        });
        if let Err(err) = connected {
            tracing::warn!("the kiosk webview lockdown was not applied: {err}");
        }
    }
    #[cfg(windows)]
    if lockdown.browser_accelerator_keys {
        let done = window.with_webview(|webview| {
            use webview2_com::Microsoft::Web::WebView2::Win32::ICoreWebView2Settings3;
            use windows::core::Interface;
            // SAFETY: COM calls on the webview's own controller, on the
            // thread tauri runs this closure on (the webview's).
            let refused = unsafe {
                webview
                    .controller()
                    .CoreWebView2()
                    .and_then(|core| core.Settings())
                    .and_then(|settings| settings.cast::<ICoreWebView2Settings3>())
                    .and_then(|settings| settings.SetAreBrowserAcceleratorKeysEnabled(false))
            };
            if let Err(err) = refused {
                tracing::warn!("browser shortcuts not refused: {err}");
            }
        });
        if let Err(err) = done {
            tracing::warn!("browser shortcuts not refused: {err}");
        }
    }
    #[cfg(not(any(target_os = "linux", windows)))]
    let _ = (window, lockdown);
}

/// On Linux the clipboard is cleared through GTK, which the window already
/// uses (X11 and Wayland alike), and so is the primary selection: text
/// selected in a field is also offered to other programs there
/// (middle-click paste). Empty text takes both over from whichever program
/// holds them (another program's copy included); GTK's own `clear` would only
/// drop what this app holds. Runs on the main thread, as GTK requires.
#[cfg(target_os = "linux")]
fn clear_clipboard_and_primary_selection() {
    // Without a GTK display on this thread (tauri's mock runtime in tests)
    // there is no clipboard of the app's to clear.
    if !gtk::is_initialized_main_thread() {
        tracing::warn!("clipboard and primary selection not cleared: no GTK on this thread");
        return;
    }
    for selection in ["CLIPBOARD", "PRIMARY"] {
        gtk::Clipboard::get(&gtk::gdk::Atom::intern(selection)).set_text("");
    }
}
