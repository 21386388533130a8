use std::path::Path;
use std::process::Command;

fn main() {
    bundle_page();
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
        "desk_fleet_enrollments",
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
        "update_install",
        "page_events",
    ]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run tauri-build");
}

/// The page the app embeds (`frontendDist` in tauri.conf.json): ui/ with its
/// ES modules bundled into one by esbuild (tools/page/bundle.mjs), so the
/// window fetches one script instead of ten at start-up. Written to
/// target/page/, whatever the cargo target directory.
fn bundle_page() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("..");
    let ui = root.join("ui");
    println!("cargo:rerun-if-changed={}", ui.display());
    println!(
        "cargo:rerun-if-changed={}",
        root.join("tools/page/bundle.mjs").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        root.join("tools/page/package-lock.json").display()
    );
    if !root.join("tools/page/node_modules/esbuild").is_dir() {
        panic!(
            "The page's bundler is not installed: run `make deps` \
             (or `npm ci --prefix tools/page`; it needs Node.js)."
        );
    }
    // The page differs by platform in one declaration (the text's font;
    // see bundle.mjs), so the bundler is told which one it builds for.
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").expect("cargo sets CARGO_CFG_TARGET_OS");
    let status = Command::new("node")
        .arg(root.join("tools/page/bundle.mjs"))
        .arg(&ui)
        .arg(root.join("target/page"))
        .arg(&target_os)
        .status()
        .unwrap_or_else(|err| panic!("Node.js could not run the page's bundler: {err}"));
    assert!(
        status.success(),
        "the page's bundler failed ({status}): see its output above"
    );
}
