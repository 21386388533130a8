//! Commands through Tauri's mock runtime: the same command table as the app
//! (`app_builder`), the app's real capabilities, no display.

use aeropay_onboarding::backend::Backend;
use aeropay_onboarding::config::{Environment, Settings};
use aeropay_onboarding::vault::{MemoryVault, Secret, SecretKey};
use aeropay_onboarding::{app_builder, AppState};
use serde_json::json;
use std::sync::Arc;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow, WebviewWindowBuilder};

/// The app as `run` builds it, on the mock runtime, with its data in a
/// temporary folder and secrets in memory.
fn app(settings: Settings) -> (App<MockRuntime>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let backend = tauri::async_runtime::block_on(Backend::start(
        &settings,
        dir.path(),
        vault.clone(),
        "desk",
        None,
    ))
    .expect("backend starts");
    let app = app_builder(mock_builder())
        .manage(AppState::new(
            settings,
            backend,
            vault,
            dir.path().join("settings.json"),
        ))
        .build(tauri::generate_context!())
        .expect("app builds");
    (app, dir)
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
    invoke_with(window, cmd, json!({}))
}

fn invoke_with(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    args: serde_json::Value,
) -> Result<serde_json::Value, serde_json::Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            // Linux and macOS serve the app at tauri://localhost.
            url: "tauri://localhost".parse().unwrap(),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<serde_json::Value>().expect("json body"))
}

#[test]
fn app_info_reports_the_simulator_on_first_run() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    let info = invoke(&main, "app_info").expect("app_info answers");
    assert_eq!(info["product"], "Aeropay Onboarding");
    assert_eq!(info["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(info["environment"]["id"], "simulator");
    assert_eq!(info["environment"]["simulated"], true);
}

#[test]
fn app_info_reports_the_configured_environment() {
    let (app, _dir) = app(Settings {
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
    let (app, _dir) = app(Settings::default());
    let popup = window(&app, "bank-popup-9");
    let err = invoke(&popup, "app_info").expect_err("a popup must not reach commands");
    let text = err.to_string();
    assert!(text.contains("not allowed"), "unexpected error: {text}");
}

#[test]
fn an_enrollment_runs_through_commands_and_a_wrong_origin_is_refused() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    let view = invoke_with(
        &main,
        "enrollment_submit_details",
        json!({"details": {"firstName": "Ada", "lastName": "Lovelace", "phone": "(415) 555-0142", "email": "ada@example.com"}}),
    )
    .unwrap();
    assert_eq!(view["step"], "code", "{view}");
    let view = invoke_with(&main, "enrollment_submit_code", json!({"code": "000000"})).unwrap();
    assert_eq!(view["step"], "linking", "{view}");
    let widget_origin = view["widgetOrigin"].as_str().unwrap().to_owned();
    assert!(widget_origin.starts_with("http://127.0.0.1:"));

    let err = invoke_with(
        &main,
        "enrollment_widget_message",
        json!({"origin": "https://evil.example", "data": r#"{"type":"pageSuccess","payload":{"connectionId":"x"}}"#}),
    )
    .expect_err("a message from another origin is refused");
    assert_eq!(err["code"], "WIDGET_WRONG_ORIGIN", "{err}");
    assert!(err["message"]
        .as_str()
        .unwrap()
        .contains("only the bank-link widget"));

    // The state did not move, and a reload shows the same step.
    let view = invoke(&main, "enrollment_state").unwrap();
    assert_eq!(view["step"], "linking");
    let closed = invoke_with(
        &main,
        "enrollment_widget_message",
        json!({"origin": widget_origin, "data": r#"{"type":"widgetClose"}"#}),
    )
    .unwrap();
    assert_eq!(closed["step"], "widgetClosed");
}

#[test]
fn popups_cannot_relay_widget_messages() {
    let (app, _dir) = app(Settings::default());
    let popup = window(&app, "bank-popup-1");
    let err = invoke_with(
        &popup,
        "enrollment_widget_message",
        json!({"origin": "x", "data": "{}"}),
    )
    .expect_err("no IPC for popups");
    assert!(err.to_string().contains("not allowed"), "{err}");
}

#[test]
fn settings_keep_the_secret_in_the_keychain_and_never_show_it_back() {
    let (app, dir) = app(Settings::default());
    let main = window(&app, "main");
    let refused = invoke_with(
        &main,
        "settings_save",
        json!({"form": {"environment": "sandbox", "apiVersion": "v2", "merchantId": "", "apiKey": "k", "apiSecret": ""}}),
    )
    .unwrap();
    assert_eq!(refused["saved"], false);
    assert!(
        refused["fieldErrors"]["merchantId"].is_string()
            && refused["fieldErrors"]["apiSecret"].is_string()
    );
    assert!(!dir.path().join("settings.json").exists(), "nothing saved");

    let saved = invoke_with(
        &main,
        "settings_save",
        json!({"form": {"environment": "sandbox", "apiVersion": "v1", "merchantId": "1234",
                        "apiKey": "key-abc", "apiSecret": "secret-xyz",
                        "widget": {"configurationId": "cfg-9", "theme": "dark"}, "oauthInSystemBrowser": true}}),
    )
    .unwrap();
    assert_eq!(saved["saved"], true, "{saved}");
    let file = std::fs::read_to_string(dir.path().join("settings.json")).unwrap();
    assert!(file.contains("sandbox") && file.contains("cfg-9"));
    assert!(
        !file.contains("secret-xyz") && !file.contains("key-abc"),
        "{file}"
    );
    let state = app.state::<AppState>();
    let stored = state
        .vault
        .get(&SecretKey::MerchantCredentials {
            environment: "sandbox".into(),
        })
        .unwrap();
    assert!(matches!(
        stored,
        Some(Secret::MerchantCredentials {
            merchant_id: 1234,
            ..
        })
    ));

    // The screen shows what was saved, that a restart applies it, and no secret.
    let view = invoke(&main, "settings_get").unwrap();
    assert_eq!(view["environment"], "sandbox");
    assert_eq!(view["restartPending"], true);
    assert_eq!(view["credentialsStored"], true);
    assert!(!view.to_string().contains("secret-xyz"));
}

#[test]
fn the_page_gets_no_clipboard_commands_and_a_reset_still_clears_the_session() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    // The clipboard plugin serves Rust only (the kiosk reset clears it).
    for command in [
        "plugin:clipboard-manager|read_text",
        "plugin:clipboard-manager|write_text",
        "plugin:clipboard-manager|clear",
    ] {
        let err = invoke_with(&main, command, json!({"text": "x", "label": null}))
            .expect_err("no clipboard access for the page");
        assert!(err.to_string().contains("not allowed"), "{command}: {err}");
    }
    // Without a clipboard (no display here) the reset goes on regardless.
    let view =
        invoke_with(&main, "kiosk_reset", json!({"reason": "staff"})).expect("the reset answers");
    assert!(view["id"].is_null(), "{view}");
}
