//! A bare Tauri window: the same tauri as the app, one static page whose
//! `#app-status` says "Ready." as soon as it is drawn, no plugins, no
//! commands, no Rust work before the window. `scripts/bench-startup.sh`
//! launches it beside the app to show what start-up costs the app adds.

fn main() {
    tauri::Builder::default()
        .run(tauri::generate_context!())
        .expect("the bare window runs");
}
