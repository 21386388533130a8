//! Kiosk mode in the real window: the attract screen between customers, the
//! idle warning and its countdown, and a reset that leaves nothing behind.

use aeropay_onboarding_e2e::{App, Launch};
use std::time::Duration;

fn kiosk(idle_seconds: u32) -> Launch {
    Launch {
        settings_json: Some(format!(
            r#"{{"kiosk": {{"idleSeconds": {idle_seconds}, "warningSeconds": 20, "widgetIdleSeconds": {idle_seconds}}}}}"#
        )),
        args: vec!["--mode".into(), "kiosk".into()],
    }
}

async fn rust_state(app: &App) -> serde_json::Value {
    app.execute("return window.__TAURI__.core.invoke('enrollment_state')")
        .await
}

#[tokio::test]
async fn the_idle_warning_gives_more_time_then_start_over_leaves_nothing() {
    let app = App::launch_with(kiosk(3)).await;
    app.wait_for_text("#app-status", "Ready").await;
    // Between customers: the attract screen, no customer data, no settings.
    app.wait_for_text("#attract-start", "Tap to start").await;
    app.screenshot("attract");
    assert!(!app.is_present("#open-settings:not([hidden])").await);
    app.click("#attract-start").await;

    app.type_into("#field-firstName", "Ada").await;
    app.type_into("#field-lastName", "Lovelace").await;
    app.type_into("#field-phone", "(415) 555-0191").await;
    app.type_into("#field-email", "ada@example.com").await;
    app.click("#details-submit").await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    assert_eq!(rust_state(&app).await["firstName"], "Ada");

    // Quiet: the warning comes, with a countdown of at least 20 seconds.
    app.wait_for_text("#idle-warning", "Are you still there?")
        .await;
    let left: u32 = app.text("#idle-countdown").await.parse().unwrap();
    assert!((15..=20).contains(&left), "countdown {left}");
    app.screenshot("idle-warning");
    app.click("#idle-more-time").await;
    assert!(
        !app.is_present("#idle-warning").await,
        "more time closes the warning"
    );
    app.wait_for_text("#screen-title", "Enter the code").await;

    // Quiet again; this time the customer starts over.
    app.wait_for_text("#idle-warning", "Are you still there?")
        .await;
    app.click("#idle-start-over").await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    let page = app
        .execute("return document.body.innerText + document.body.innerHTML")
        .await
        .to_string();
    for trace in ["Ada", "Lovelace", "555-0191", "ada@example.com"] {
        assert!(!page.contains(trace), "{trace} left on the page");
    }
    let state = rust_state(&app).await;
    assert!(
        state["id"].is_null() && state["firstName"].is_null(),
        "{state}"
    );
    app.quit().await;
}

#[tokio::test]
async fn an_unanswered_warning_resets_to_the_attract_screen() {
    let app = App::launch_with(kiosk(1)).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
    app.type_into("#field-firstName", "Grace").await;
    app.wait_for_text("#idle-warning", "Are you still there?")
        .await;
    // Nobody answers: after the countdown the session is gone.
    app.wait_for(
        "the attract screen after the countdown",
        Duration::from_secs(30),
        || async { app.is_present("#attract-start").await },
    )
    .await;
    assert!(!app.is_present("#idle-warning").await);
    let page = app
        .execute("return document.body.innerHTML")
        .await
        .to_string();
    assert!(!page.contains("Grace"));
    app.quit().await;
}
