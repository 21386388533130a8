//! The app window opens, renders its first screen, and talks to Rust.

use aeropay_onboarding_e2e::{App, Launch};

#[tokio::test]
async fn first_screen_shows_the_product_and_the_simulator() {
    let app = App::launch().await;
    assert_eq!(app.text("h1").await, "Aeropay Onboarding");
    // The badge and status are filled from the `app_info` command: they only
    // show the environment once the round trip to Rust has worked.
    app.wait_for_text("#environment", "Simulator — no real bank data")
        .await;
    app.wait_for_text("#app-status", "Ready").await;
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
