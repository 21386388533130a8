use crate::config::Settings;
use tauri::{Builder, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

/// What the commands share. Owned by Rust; the page only renders it.
pub struct AppState {
    pub settings: Settings,
}

impl AppState {
    pub fn new(settings: Settings) -> Self {
        Self { settings }
    }
}

/// Everything the app registers on a builder. Shared by `run` and the
/// mock-runtime tests, so both exercise the same command table.
pub fn app_builder<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder.invoke_handler(tauri::generate_handler![crate::commands::app_info])
}

/// Opens the main window and runs the event loop until it closes.
pub fn run(state: AppState) -> Result<(), tauri::Error> {
    app_builder(tauri::Builder::default())
        .manage(state)
        .setup(|app| {
            main_window(app.handle())?;
            Ok(())
        })
        .run(tauri::generate_context!())
}

fn main_window<R: Runtime, M: Manager<R>>(manager: &M) -> tauri::Result<()> {
    WebviewWindowBuilder::new(manager, "main", WebviewUrl::App("index.html".into()))
        .title("Aeropay Onboarding")
        .inner_size(1024.0, 768.0)
        .min_inner_size(640.0, 560.0)
        .build()?;
    Ok(())
}
