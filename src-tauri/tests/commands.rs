//! Commands through Tauri's mock runtime: the same command table as the app
//! (`app_builder`), the app's real capabilities, no display.

use aeropay_onboarding::backend::Backend;
use aeropay_onboarding::config::{Environment, Mode, Settings};
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
    app_with_override(settings, None)
}

/// The app started with `--mode` on the command line.
fn app_with_override(
    settings: Settings,
    mode_override: Option<Mode>,
) -> (App<MockRuntime>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let backend =
        tauri::async_runtime::block_on(Backend::start(&settings, dir.path(), vault.clone(), None))
            .expect("backend starts");
    let app = app_builder(mock_builder())
        .manage(
            AppState::new(settings, backend, vault, dir.path().join("settings.json"))
                .with_mode_override(mode_override),
        )
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

fn today_range() -> serde_json::Value {
    let today = time::OffsetDateTime::now_utc().date();
    json!({ "from": today.to_string(), "to": today.to_string(), "utcOffsetMinutes": 0 })
}

#[test]
fn the_desk_list_answers_on_a_desk_and_names_bad_filters() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    let mut filter = today_range();
    filter["status"] = json!("all");
    filter["text"] = json!("");
    let rows = invoke_with(&main, "desk_enrollments", json!({ "filter": filter }))
        .expect("the list answers");
    assert_eq!(rows, json!([]));

    filter["from"] = json!("2026-02-30");
    let err = invoke_with(&main, "desk_enrollments", json!({ "filter": filter })).unwrap_err();
    assert_eq!(err["code"], "DESK_BAD_DATE", "{err}");
    assert!(err["message"].as_str().unwrap().contains("YYYY-MM-DD"));

    let err = invoke_with(&main, "enrollment_resume", json!({ "id": "nope" })).unwrap_err();
    assert_eq!(err["code"], "ENROLLMENT_NOT_FOUND", "{err}");
}

#[test]
fn a_kiosk_shows_no_list_and_resumes_nothing() {
    let (app, _dir) = app(Settings {
        mode: aeropay_onboarding::config::Mode::Kiosk,
        ..Settings::default()
    });
    let main = window(&app, "main");
    let mut filter = today_range();
    filter["status"] = json!("all");
    for (command, args) in [
        ("desk_enrollments", json!({ "filter": filter })),
        ("enrollment_resume", json!({ "id": "x" })),
        ("enrollment_link_another", json!({ "id": "x" })),
        ("desk_export", json!({ "range": today_range() })),
        ("desk_show_export", json!({})),
        ("desk_fleet_enrollments", json!({ "filter": {} })),
    ] {
        let err = invoke_with(&main, command, args).unwrap_err();
        assert_eq!(err["code"], "DESK_ONLY", "{command}: {err}");
    }
}

#[test]
fn a_desk_outside_a_fleet_has_no_fleet_list() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    let err = invoke_with(
        &main,
        "desk_fleet_enrollments",
        json!({ "filter": { "store": "store-12", "device": null, "utcOffsetMinutes": 60 } }),
    )
    .unwrap_err();
    assert_eq!(err["code"], "DESK_NOT_FLEET", "{err}");
    assert_eq!(
        err["message"],
        "This desk is not part of a fleet: it shows its own enrollments only."
    );
}
const STAFF_PIN: &str = "482913";

fn set_pin(app: &App<MockRuntime>) {
    let state = app.state::<AppState>();
    let pin = aeropay_onboarding::staff::Pin::parse(STAFF_PIN).unwrap();
    aeropay_onboarding::staff::store_pin(state.vault.as_ref(), &pin).unwrap();
}

/// The audit trail's actions, oldest first, each with "by …" when the staff
/// column names someone.
fn actions_and_staff(app: &App<MockRuntime>) -> Vec<String> {
    audit_trail(app)
        .into_iter()
        .map(|e| match e.staff {
            Some(staff) => format!("{} by {staff}", e.action.as_str()),
            None => e.action.as_str().to_owned(),
        })
        .collect()
}

/// Every audit entry, oldest first.
fn audit_trail(app: &App<MockRuntime>) -> Vec<aeropay_onboarding::store::AuditEntry> {
    app.state::<AppState>()
        .started()
        .expect("started")
        .store
        .audit_entries(0, i64::MAX)
        .unwrap()
}

fn simulator_form() -> serde_json::Value {
    json!({"form": {"environment": "simulator", "apiVersion": "v2", "mode": "kiosk",
                    "kioskIdleSeconds": "45", "kioskWarningSeconds": "30", "kioskWidgetIdleSeconds": "300"}})
}

#[test]
fn with_a_pin_set_settings_are_refused_until_staff_unlock() {
    let (app, _dir) = app(Settings::default());
    set_pin(&app);
    let main = window(&app, "main");
    for (cmd, args) in [
        ("settings_get", json!({})),
        ("settings_save", simulator_form()),
        ("app_restart", json!({})),
    ] {
        let err = invoke_with(&main, cmd, args).expect_err("staff only");
        assert_eq!(err["code"], "STAFF_LOCKED", "{cmd}: {err}");
        assert!(err["message"].as_str().unwrap().contains("staff PIN"));
    }
    let status = invoke(&main, "staff_status").unwrap();
    assert_eq!(
        status,
        json!({"pinSet": true, "unlocked": false, "secondsUntilLock": 0, "waitSeconds": 0, "lockedOut": false})
    );

    let wrong = invoke_with(&main, "staff_unlock", json!({"pin": "000000"})).unwrap_err();
    assert_eq!(wrong["code"], "STAFF_PIN_WRONG", "{wrong}");
    assert_eq!(wrong["retry"], true);
    let refused = invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap_err();
    assert_eq!(
        refused["code"], "STAFF_PIN_WAIT",
        "the wait refuses even the right PIN"
    );
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let unlocked = invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap();
    assert_eq!(unlocked["unlocked"], true);
    assert_eq!(unlocked["secondsUntilLock"], 900);

    let view = invoke(&main, "settings_get").unwrap();
    assert_eq!(view["staffPinSet"], true);
    assert_eq!(view["mode"], "desk");
    assert_eq!(view["kiosk"]["idleSeconds"], 90);
    let saved = invoke_with(&main, "settings_save", simulator_form()).unwrap();
    assert_eq!(saved["saved"], true, "{saved}");

    let audit = audit_trail(&app);
    let actions: Vec<_> = audit.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["pin_failed", "pin_succeeded", "settings_changed"]);
    let changed = audit.last().unwrap();
    assert_eq!(changed.staff.as_deref(), Some("staff"));
    assert_eq!(
        changed.detail,
        "settings saved; changed: mode, kioskIdleSeconds"
    );
    assert!(!format!("{audit:?}").contains(STAFF_PIN));

    let locked = invoke(&main, "staff_lock").unwrap();
    assert_eq!(locked["unlocked"], false);
    let err = invoke(&main, "settings_get").unwrap_err();
    assert_eq!(err["code"], "STAFF_LOCKED");
}

#[test]
fn a_kiosk_without_a_pin_refuses_settings_and_says_how_to_set_one() {
    let (app, _dir) = app(Settings {
        mode: Mode::Kiosk,
        ..Settings::default()
    });
    let main = window(&app, "main");
    for cmd in ["settings_get", "app_restart", "kiosk_exit"] {
        let err = invoke(&main, cmd).unwrap_err();
        assert_eq!(err["code"], "STAFF_NO_PIN", "{cmd}: {err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .contains("aeropay-onboarding configure --staff-pin"),
            "{err}"
        );
    }
    let err = invoke_with(&main, "staff_set_pin", json!({"newPin": "1234"})).unwrap_err();
    assert_eq!(err["code"], "STAFF_NO_PIN");
    assert_eq!(invoke(&main, "staff_status").unwrap()["pinSet"], false);
}

#[test]
fn a_desk_sets_its_first_pin_and_then_needs_it() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    invoke(&main, "settings_get").expect("a desk without a PIN is open");
    let err = invoke_with(
        &main,
        "staff_set_pin",
        json!({"newPin": "12", "confirmPin": "12"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "STAFF_PIN_FORMAT");
    let err = invoke_with(
        &main,
        "staff_set_pin",
        json!({"newPin": "2468", "confirmPin": "2469"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "STAFF_PIN_MISMATCH");
    let status = invoke_with(
        &main,
        "staff_set_pin",
        json!({"newPin": "2468", "confirmPin": "2468"}),
    )
    .unwrap();
    assert_eq!(
        (status["pinSet"].clone(), status["unlocked"].clone()),
        (json!(true), json!(true))
    );
    invoke(&main, "staff_lock").unwrap();
    assert_eq!(
        invoke(&main, "settings_get").unwrap_err()["code"],
        "STAFF_LOCKED"
    );
    let err = invoke_with(&main, "staff_set_pin", json!({"newPin": "1357"})).unwrap_err();
    assert_eq!(
        err["code"], "STAFF_LOCKED",
        "changing the PIN takes the old one"
    );
    // Leaving kiosk mode is for kiosks only.
    invoke_with(&main, "staff_unlock", json!({"pin": "2468"})).unwrap();
    assert_eq!(
        invoke(&main, "kiosk_exit").unwrap_err()["code"],
        "KIOSK_NOT_ACTIVE"
    );
}

#[test]
fn popups_cannot_reach_the_staff_commands() {
    let (app, _dir) = app(Settings::default());
    let popup = window(&app, "bank-popup-2");
    for cmd in [
        "staff_status",
        "staff_unlock",
        "staff_lock",
        "staff_set_pin",
        "kiosk_exit",
    ] {
        let err = invoke_with(&popup, cmd, json!({"pin": "1234", "newPin": "1234"})).unwrap_err();
        assert!(err.to_string().contains("not allowed"), "{cmd}: {err}");
    }
}

#[test]
fn a_reset_names_who_ended_the_session_and_staff_while_unlocked() {
    let (app, _dir) = app(Settings {
        mode: Mode::Kiosk,
        ..Settings::default()
    });
    set_pin(&app);
    let main = window(&app, "main");
    invoke_with(&main, "kiosk_reset", json!({"reason": "idle"})).unwrap();
    invoke_with(&main, "kiosk_reset", json!({"reason": "customer"})).unwrap();
    let err = invoke_with(&main, "kiosk_reset", json!({"reason": "because"})).unwrap_err();
    assert!(err.to_string().contains("unknown variant"), "{err}");
    invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap();
    invoke_with(&main, "kiosk_reset", json!({"reason": "staff"})).unwrap();
    assert_eq!(
        actions_and_staff(&app),
        [
            "reset_by_idle",
            "reset_by_customer",
            "pin_succeeded by staff",
            "reset_by_staff by staff"
        ]
    );
    // The reset also locked staff: the next customer finds them locked.
    let status = invoke(&main, "staff_status").unwrap();
    assert_eq!(status["unlocked"], false, "{status}");
    assert_eq!(
        invoke(&main, "settings_get").unwrap_err()["code"],
        "STAFF_LOCKED"
    );
}

#[test]
fn a_mode_from_the_command_line_is_no_pending_restart() {
    // Saved settings: the default desk; this run: `--mode kiosk`.
    let (overridden, _dir) = app_with_override(
        Settings {
            mode: Mode::Kiosk,
            ..Settings::default()
        },
        Some(Mode::Kiosk),
    );
    set_pin(&overridden);
    let main = window(&overridden, "main");
    invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap();
    let view = invoke(&main, "settings_get").unwrap();
    assert_eq!(view["mode"], "desk", "the saved setting is shown");
    assert_eq!(view["restartPending"], false, "{view}");

    // Without the override the same difference is a pending restart.
    let (plain, _dir2) = app(Settings {
        mode: Mode::Kiosk,
        ..Settings::default()
    });
    set_pin(&plain);
    let main = window(&plain, "main");
    invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap();
    assert_eq!(
        invoke(&main, "settings_get").unwrap()["restartPending"],
        true
    );
}

#[test]
fn the_page_gets_no_clipboard_commands_and_a_reset_still_clears_the_session() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    // The page has no clipboard commands: on Windows and macOS the
    // clipboard plugin serves Rust only (the kiosk reset clears it); Linux
    // has no such plugin at all.
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

#[test]
fn enrollment_entries_name_staff_while_they_are_unlocked() {
    let (app, _dir) = app(Settings::default());
    set_pin(&app);
    let main = window(&app, "main");
    let details = |first: &str, phone: &str| json!({"details": {"firstName": first, "lastName": "Lovelace", "phone": phone, "email": "ada@example.com"}});
    invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap();
    let view = invoke_with(
        &main,
        "enrollment_submit_details",
        details("Ada", "(415) 555-0143"),
    )
    .unwrap();
    assert_eq!(view["step"], "code", "{view}");
    invoke(&main, "enrollment_cancel").unwrap();
    invoke(&main, "enrollment_start_over").unwrap();
    invoke(&main, "staff_lock").unwrap();
    let view = invoke_with(
        &main,
        "enrollment_submit_details",
        details("Grace", "(415) 555-0144"),
    )
    .unwrap();
    assert_eq!(view["step"], "code", "{view}");

    assert_eq!(
        actions_and_staff(&app),
        [
            "pin_succeeded by staff",
            "enrollment_started by staff",
            "code_sent by staff",
            "enrollment_cancelled by staff",
            "enrollment_started",
            "code_sent",
        ]
    );
}

/// The `frame-src` of a served page's CSP.
fn served_frame_src(app: &App<MockRuntime>) -> String {
    let page = app
        .asset_resolver()
        .get("index.html".into())
        .expect("the app serves index.html");
    let csp = page.csp_header().expect("index.html is served with a CSP");
    let frame: Vec<&str> = csp
        .split(';')
        .map(str::trim)
        .filter_map(|d| d.strip_prefix("frame-src "))
        .collect();
    assert_eq!(frame.len(), 1, "one frame-src in {csp}");
    frame[0].trim().to_owned()
}

#[test]
fn on_the_simulator_the_page_frames_only_the_simulators_own_origin() {
    // As `run` does: the simulator's port is bound first, the CSP names it,
    // and the simulator then serves on that very port.
    let bound = aeropay_onboarding::simulator::Simulator::bind(0).expect("a loopback port");
    let origin = aeropay_onboarding::simulator::Simulator::origin_of(&bound).unwrap();
    let mut context = tauri::generate_context!();
    aeropay_onboarding::set_csp(&mut context, &Environment::Simulator, Some(&origin));
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let settings = Settings::default();
    let backend = tauri::async_runtime::block_on(Backend::start_on(
        &settings,
        dir.path(),
        vault.clone(),
        None,
        Some(bound),
    ))
    .expect("backend starts");
    assert_eq!(backend.simulator_origin().as_deref(), Some(origin.as_str()));
    let app = app_builder(mock_builder())
        .manage(AppState::new(
            settings,
            backend,
            vault,
            dir.path().join("settings.json"),
        ))
        .build(context)
        .expect("app builds");

    let frame_src = served_frame_src(&app);
    assert_eq!(
        frame_src, origin,
        "the simulator's exact origin, port included"
    );
    assert!(!frame_src.contains('*'), "no wildcard: {frame_src}");
}

#[test]
fn in_production_the_page_frames_only_aerosync_hosts() {
    let mut context = tauri::generate_context!();
    aeropay_onboarding::set_csp(&mut context, &Environment::Production, None);
    let app = mock_builder().build(context).expect("app builds");
    let frame_src = served_frame_src(&app);
    assert_eq!(
        frame_src,
        aeropay_onboarding::aerosync::KNOWN_AEROSYNC_ORIGINS.join(" ")
    );
    assert!(!frame_src.contains("127.0.0.1"), "{frame_src}");
}

#[test]
fn the_settings_screen_refuses_the_system_browser_on_a_kiosk() {
    let with_system_browser = |mode: &str| {
        let mut form = simulator_form();
        form["form"]["mode"] = json!(mode);
        form["form"]["oauthInSystemBrowser"] = json!(true);
        form
    };
    // A desk (no PIN: open to whoever sits there) saving a kiosk with it.
    let (desk, dir) = app(Settings::default());
    let main = window(&desk, "main");
    let saved = invoke_with(&main, "settings_save", with_system_browser("kiosk")).unwrap();
    assert_eq!(saved["saved"], false, "{saved}");
    let message = saved["fieldErrors"]["oauthInSystemBrowser"]
        .as_str()
        .unwrap();
    assert!(message.contains("refused on a kiosk"), "{message}");
    assert!(!dir.path().join("settings.json").exists(), "nothing saved");
    // At a desk it is allowed.
    let saved = invoke_with(&main, "settings_save", with_system_browser("desk")).unwrap();
    assert_eq!(saved["saved"], true, "{saved}");

    // Started with `--mode kiosk`: a kiosk whatever the form's mode says.
    let (kiosk, dir) = app_with_override(
        Settings {
            mode: Mode::Kiosk,
            ..Settings::default()
        },
        Some(Mode::Kiosk),
    );
    set_pin(&kiosk);
    let main = window(&kiosk, "main");
    invoke_with(&main, "staff_unlock", json!({"pin": STAFF_PIN})).unwrap();
    let saved = invoke_with(&main, "settings_save", with_system_browser("desk")).unwrap();
    assert_eq!(saved["saved"], false, "{saved}");
    assert!(saved["fieldErrors"]["oauthInSystemBrowser"].is_string());
    assert!(!dir.path().join("settings.json").exists(), "nothing saved");
}

#[test]
fn the_page_gets_its_texts_from_rust_and_a_desk_refuses_a_customers_language() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    let bundle = invoke(&main, "l10n_bundle").expect("l10n_bundle answers");
    assert_eq!(bundle["lang"], "en");
    assert_eq!(
        bundle["messages"]["ui-details-title"]["value"],
        "New customer"
    );
    // Messages with variables are formatted on request, plurals by Fluent.
    let formatted = invoke_with(
        &main,
        "l10n_format",
        json!({"requests": [
            {"id": "ui-code-attempts", "args": {"count": 1}},
            {"id": "ui-code-attempts", "args": {"count": 3}},
            {"id": "ui-resume-row", "args": {"customer": "Ada L."}},
            {"id": "ui-no-such-message", "args": {"count": 1}}
        ]}),
    )
    .expect("l10n_format answers");
    assert_eq!(formatted[0]["value"], "1 attempt left");
    assert_eq!(formatted[1]["value"], "3 attempts left");
    // An attribute alone: the element keeps its text.
    assert!(formatted[2].get("value").is_none(), "{formatted}");
    assert_eq!(
        formatted[2]["attributes"]["aria-label"],
        "Resume Ada L.'s enrollment"
    );
    // A missing message is its id, never an error.
    assert_eq!(formatted[3]["value"], "ui-no-such-message");
    // A desk follows its setting, not the page.
    let refused = invoke_with(&main, "l10n_choose", json!({"lang": "es"})).unwrap_err();
    assert_eq!(refused["code"], "L10N_DESK_SETTING", "{refused}");
    let bundle = invoke(&main, "l10n_bundle").expect("l10n_bundle answers");
    assert_eq!(bundle["lang"], "en");
    // Too much at once is refused with a code.
    let many: Vec<_> = (0..201).map(|_| json!({"id": "ui-cancel"})).collect();
    let refused = invoke_with(&main, "l10n_format", json!({ "requests": many })).unwrap_err();
    assert_eq!(refused["code"], "L10N_TOO_LARGE", "{refused}");
}

#[test]
fn a_desk_language_change_asks_for_no_restart() {
    let (app, _dir) = app(Settings::default());
    let main = window(&app, "main");
    // English, not Spanish: the language is the whole process's, and the
    // other tests read English messages.
    let form = |language: &str| {
        json!({"form": {"environment": "simulator", "apiVersion": "v2", "mode": "desk",
                        "kioskIdleSeconds": "90", "kioskWarningSeconds": "30",
                        "kioskWidgetIdleSeconds": "300", "language": language}})
    };
    let saved = invoke_with(&main, "settings_save", form("auto")).unwrap();
    assert_eq!(saved["saved"], true, "{saved}");
    let pending = invoke(&main, "settings_get").unwrap()["restartPending"].clone();

    let saved = invoke_with(&main, "settings_save", form("en")).unwrap();
    assert_eq!(saved["saved"], true, "{saved}");
    assert_eq!(saved["languageChanged"], true, "{saved}");
    let view = invoke(&main, "settings_get").unwrap();
    assert_eq!(
        view["restartPending"], pending,
        "the language needs no restart"
    );
    assert_eq!(view["language"], "en");

    let again = invoke_with(&main, "settings_save", form("en")).unwrap();
    assert_eq!(again["languageChanged"], false, "{again}");
}

#[test]
fn settings_show_the_policys_fields_as_managed_and_refuse_changes_to_them() {
    let policy = aeropay_onboarding::policy::parse(
        std::path::Path::new("/etc/aeropay-onboarding/policy.json"),
        br#"{"apiVersion": "v1", "kiosk": {"idleSeconds": 60}}"#,
    )
    .unwrap();
    let settings = policy.apply(Settings::default());
    let dir = tempfile::tempdir().unwrap();
    let vault = Arc::new(MemoryVault::new());
    let backend =
        tauri::async_runtime::block_on(Backend::start(&settings, dir.path(), vault.clone(), None))
            .expect("backend starts");
    let settings_path = dir.path().join("settings.json");
    let app = app_builder(mock_builder())
        .manage(AppState::new(settings, backend, vault, settings_path.clone()).with_policy(policy))
        .build(tauri::generate_context!())
        .expect("app builds");
    let main = window(&app, "main");

    let view = invoke(&main, "settings_get").unwrap();
    assert_eq!(view["managed"], json!(["apiVersion", "kioskIdleSeconds"]));
    assert_eq!(view["apiVersion"], "v1");
    assert_eq!(view["kiosk"]["idleSeconds"], 60);
    assert_eq!(view["restartPending"], false, "{view}");

    let form = |api_version: &str, idle: &str| {
        json!({"form": {"environment": "simulator", "apiVersion": api_version,
                        "kioskIdleSeconds": idle, "kioskWarningSeconds": "30",
                        "kioskWidgetIdleSeconds": "400"}})
    };
    for (version, idle, field) in [("v2", "60", "apiVersion"), ("v1", "90", "kioskIdleSeconds")] {
        let err = invoke_with(&main, "settings_save", form(version, idle)).unwrap_err();
        assert_eq!(err["code"], "SETTINGS_MANAGED", "{err}");
        assert_eq!(
            err["message"],
            format!("Managed by your organization: {field} cannot be changed on this machine.")
        );
        assert!(!settings_path.exists(), "nothing written");
    }
    let saved = invoke_with(&main, "settings_save", form("v1", "60")).unwrap();
    assert_eq!(saved["saved"], true, "{saved}");
    // The file keeps the user's own (default) values of the managed fields.
    let on_disk = Settings::load_from(&settings_path).unwrap();
    assert_eq!(on_disk.api_version, Settings::default().api_version);
    assert_eq!(on_disk.kiosk.idle_seconds, 90);
    assert_eq!(on_disk.kiosk.widget_idle_seconds, 400);
}
