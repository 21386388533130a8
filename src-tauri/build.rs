fn main() {
    // Declaring the app's commands puts them under the permission system:
    // only windows whose capability grants `allow-<command>` may call them,
    // so popups (OAuth bank windows) get no IPC at all.
    let manifest = tauri_build::AppManifest::new().commands(&[
        "app_info",
        "app_boot",
        "settings_get",
        "settings_save",
        "app_restart",
        "enrollment_state",
        "enrollment_submit_details",
        "enrollment_submit_code",
        "enrollment_resend_code",
        "enrollment_confirm_id",
        "enrollment_send_code",
        "enrollment_use_account",
        "enrollment_open_widget",
        "enrollment_widget_message",
        "enrollment_cancel",
        "enrollment_start_over",
        "kiosk_reset",
        "kiosk_activity",
        "kiosk_more_time",
        "desk_enrollments",
        "enrollment_resume",
        "enrollment_link_another",
        "desk_export",
        "desk_show_export",
        "staff_status",
        "staff_unlock",
        "staff_lock",
        "staff_set_pin",
        "kiosk_exit",
        "l10n_bundle",
        "l10n_format",
        "l10n_choose",
        "update_status",
        "update_install",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run tauri-build");
}
