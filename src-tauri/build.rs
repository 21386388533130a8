fn main() {
    // Declaring the app's commands puts them under the permission system:
    // only windows whose capability grants `allow-<command>` may call them,
    // so popups (OAuth bank windows) get no IPC at all.
    let manifest = tauri_build::AppManifest::new().commands(&["app_info"]);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("failed to run tauri-build");
}
