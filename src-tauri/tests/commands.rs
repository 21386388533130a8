//! Commands through Tauri's mock runtime: the same command table as the app
//! (`app_builder`), the app's real capabilities, no display.

use aeropay_onboarding::config::{Environment, Settings};
use aeropay_onboarding::{app_builder, AppState};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

fn app(settings: Settings) -> App<MockRuntime> {
    app_builder(mock_builder())
        .manage(AppState::new(settings))
        .build(tauri::generate_context!())
        .expect("app builds")
}

fn window(app: &App<MockRuntime>, label: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, Default::default())
        .build()
        .expect("window builds")
}

fn invoke(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // Linux and macOS serve the app at tauri://localhost.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::default(),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<serde_json::Value>().expect("json body"))
}

#[test]
fn app_info_reports_the_simulator_on_first_run() {
    let app = app(Settings::default());
    let main = window(&app, "main");
    let info = invoke(&main, "app_info").expect("app_info answers");
    assert_eq!(info["product"], "Aeropay Onboarding");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["environment"]["id"], "simulator");
    assert_eq!(info["environment"]["simulated"], true);
}

#[test]
fn app_info_reports_the_configured_environment() {
    let app = app(Settings {
        environment: Environment::Sandbox,
        ..Settings::default()
    });
    let main = window(&app, "main");
    let info = invoke(&main, "app_info").unwrap();
    assert_eq!(info["environment"]["id"], "sandbox");
    assert_eq!(info["environment"]["label"], "Aeropay sandbox");
    assert_eq!(info["environment"]["simulated"], false);
}

#[test]
fn windows_other_than_main_get_no_commands() {
    let app = app(Settings::default());
    let popup = window(&app, "oauth-popup");
    let err = invoke(&popup, "app_info").expect_err("a popup must not reach commands");
    let text = err.to_string();
    assert!(text.contains("not allowed"), "unexpected error: {text}");
}
