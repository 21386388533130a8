//! The app window opens, renders its first screen, and talks to Rust.

use aeropay_onboarding::web_engine::ENVIRONMENT;
use aeropay_onboarding_e2e::{procmem, App, Launch};

#[tokio::test]
async fn first_screen_shows_the_product_and_the_simulator() {
    let app = App::launch().await;
    assert_eq!(app.text("h1").await, "Aeropay Onboarding");
    // The badge and status are filled from the `app_info` command: they only
    // show the environment once the round trip to Rust has worked.
    app.wait_for_text("#environment", "Simulator — no real bank data")
        .await;
    app.wait_for_text("#app-status", "Ready").await;
    // index.html shows only the product's name and "Starting…" until the
    // page's script runs; then the header's end, the steps and the footer.
    let displays = app
        .execute(
            r#"return [".header-end", ".stepper", ".app-footer"]
                .map((selector) => getComputedStyle(document.querySelector(selector)).display);"#,
        )
        .await;
    assert_eq!(displays, serde_json::json!(["flex", "flex", "flex"]));
    app.screenshot("first-screen");
    app.quit().await;
}

#[tokio::test]
async fn command_round_trip_reports_the_configured_environment_and_version() {
    let app = App::launch_with(Launch {
        settings_json: Some(
            r#"{"environment":{"kind":"custom","base_url":"http://127.0.0.1:9/"}}"#.into(),
        ),
        ..Launch::default()
    })
    .await;
    app.wait_for_text("#environment", "Custom (http://127.0.0.1:9/)")
        .await;
    let version = app
        .wait_for_text("#version", env!("CARGO_PKG_VERSION"))
        .await;
    assert_eq!(
        version,
        format!("Aeropay Onboarding {}", env!("CARGO_PKG_VERSION"))
    );
    app.quit().await;
}

#[tokio::test]
async fn settings_store_the_secret_and_never_show_it_back() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#open-settings").await;
    app.wait_for_text("#screen-title", "Settings").await;
    // A sandbox without a merchant id is refused, field by field.
    app.execute("document.getElementById('settings-environment').value = 'sandbox'; return null;")
        .await;
    app.type_into("#settings-apiKey", "e2e-key").await;
    app.click("#settings-save").await;
    app.wait_for_text("#settings-merchantId-error", "merchant id")
        .await;
    app.wait_for_text("#settings-apiSecret-error", "both").await;

    app.execute("document.getElementById('settings-environment').value = 'sandbox'; return null;")
        .await;
    app.type_into("#settings-merchantId", "4321").await;
    app.type_into("#settings-apiKey", "e2e-key").await;
    app.type_into("#settings-apiSecret", "e2e-secret-value")
        .await;
    app.click("#settings-save").await;
    app.wait_for_text("#screen", "Settings saved").await;
    app.screenshot("settings-saved");
    let page = app
        .execute("return document.documentElement.outerHTML + JSON.stringify(localStorage)")
        .await;
    assert!(
        !page.to_string().contains("e2e-secret-value"),
        "the secret is not on the page"
    );
    let settings = std::fs::read_to_string(
        app.home()
            .join(".config/app.aeropay-onboarding.desktop/settings.json"),
    )
    .unwrap();
    assert!(settings.contains("sandbox") && settings.contains("4321"));
    assert!(!settings.contains("e2e-secret-value") && !settings.contains("e2e-key"));
    app.click("#settings-close").await;
    app.wait_for_text("#screen-title", "New customer").await;
    app.quit().await;
}

#[tokio::test]
async fn a_reload_shows_the_same_step() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    app.type_into("#field-firstName", "Grace").await;
    app.type_into("#field-lastName", "Hopper").await;
    app.type_into("#field-phone", "(415) 555-0177").await;
    app.type_into("#field-email", "grace@example.com").await;
    app.click("#details-submit").await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    // Rust owns the state: a reloaded page asks for it and shows the same step.
    app.client().refresh().await.expect("reload");
    app.wait_for_text("#app-status", "Ready").await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    app.quit().await;
}

#[tokio::test]
async fn the_page_frames_no_other_loopback_port_than_the_simulators() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    // Another port on 127.0.0.1: allowed while frame-src had
    // `http://127.0.0.1:*`, refused now that it names the simulator's port.
    let port = aeropay_onboarding_e2e::free_port();
    let violation = app
        .client()
        .execute_async(
            r#"const [src, done] = arguments;
            document.addEventListener("securitypolicyviolation", (e) => {
              done({ directive: e.effectiveDirective || e.violatedDirective, blocked: e.blockedURI });
            }, { once: true });
            const frame = document.createElement("iframe");
            frame.src = src;
            document.body.appendChild(frame);
            // No report: the frame was allowed (the app's navigation
            // check may still cancel its load, so no load event to wait for).
            setTimeout(() => done(null), 10000);"#,
            vec![serde_json::json!(format!("http://127.0.0.1:{port}/"))],
        )
        .await
        .expect("the script answers");
    assert_eq!(
        violation["directive"], "frame-src",
        "a frame from another loopback port is refused by frame-src: {violation}"
    );
    app.quit().await;
}

/// The page's script and style sheets come from the app; a script or a
/// style put into the page as inline code is refused: the policy has no
/// `'unsafe-inline'`.
#[tokio::test]
async fn inline_code_put_into_the_page_is_refused() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    let own_style = app
        .execute(r#"return getComputedStyle(document.getElementById("app-status")).color;"#)
        .await;
    let result = app
        .execute(
            r##"window.injectedRan = false;
            const script = document.createElement("script");
            script.textContent = "window.injectedRan = true";
            document.head.appendChild(script);
            const style = document.createElement("style");
            style.textContent = "#app-status { color: rgb(1, 2, 3) !important }";
            document.head.appendChild(style);
            return {
              ran: window.injectedRan,
              color: getComputedStyle(document.getElementById("app-status")).color,
            };"##,
        )
        .await;
    assert_eq!(result["ran"], false, "an added inline script ran: {result}");
    assert_eq!(
        result["color"], own_style,
        "an added inline style applied: {result}"
    );
    assert_ne!(own_style, "rgb(1, 2, 3)");
    app.quit().await;
}

/// On Linux the page asks for `sans-serif`, not `system-ui`, which
/// WebKitGTK would look up in fontconfig by name for every text size
/// (tools/page/bundle.mjs), and it knows its mode before its first layout.
#[tokio::test]
async fn the_page_starts_in_its_modes_size_and_the_linux_font() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    let page = app
        .execute(
            r#"const root = getComputedStyle(document.documentElement);
            return { font: root.fontFamily, size: root.fontSize, mode: document.documentElement.dataset.mode };"#,
        )
        .await;
    assert_eq!(page["font"], "sans-serif", "{page}");
    assert_eq!(page["mode"], "desk", "{page}");
    assert_eq!(page["size"], "16px", "{page}");
    app.quit().await;
}

#[tokio::test]
async fn the_web_processes_inherit_the_engine_settings() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    let pid = app.app_pid().expect("the app runs");
    let webkit = procmem::descendants(pid);
    assert!(
        webkit.iter().any(|p| p.comm.starts_with("WebKitWebProces")),
        "no WebKit web process under the app: {webkit:?}"
    );
    for process in webkit {
        let environ = std::fs::read(format!("/proc/{}/environ", process.pid)).unwrap_or_default();
        for (name, value) in ENVIRONMENT {
            let wanted = format!("{name}={value}");
            assert!(
                environ
                    .split(|b| *b == 0)
                    .any(|var| var == wanted.as_bytes()),
                "{} ({}) runs without {wanted}",
                process.comm,
                process.pid
            );
        }
    }
    app.quit().await;
}
