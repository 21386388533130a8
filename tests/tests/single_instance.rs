//! One app per data directory: starting the app again while it runs brings
//! the running window forward and exits, in the real window. Every test here
//! runs its own app at the same time in one D-Bus session, each with its own
//! data directory, which is what keeps them apart.

use aeropay_onboarding_e2e::{App, Launch};
use std::process::Stdio;
use std::time::{Duration, Instant};

fn kiosk() -> Launch {
    Launch {
        settings_json: None,
        args: vec!["--mode".into(), "kiosk".into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn a_second_start_on_the_same_data_directory_hands_over_and_exits() {
    let app = App::launch_with(kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    assert_eq!(app.windows().await.len(), 1);

    let started = Instant::now();
    let mut second = app
        .app_command()
        .args(["--mode", "kiosk"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the second start runs");
    let status = loop {
        if let Some(status) = second.try_wait().expect("wait for the second start") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = second.kill();
            panic!("the second start is still running after 20 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let output = second.wait_with_output().expect("its output");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        status.success(),
        "the second start exits with 0: {status}\n{stderr}"
    );
    // It left before its own start-up (store, simulator) ran.
    assert!(
        !stderr.contains("simulator listening"),
        "the second start went on to start up: {stderr}"
    );

    // The running app heard of it, and still runs with its one window.
    app.wait_for(
        "the running app to note the second start",
        Duration::from_secs(10),
        || async { app.log().contains("the app was started again") },
    )
    .await;
    assert_eq!(app.windows().await.len(), 1, "still one window");
    app.wait_for_text("#attract-start", "Tap to start").await;
    app.click("#attract-start").await;
    app.wait_for_text("#screen-title", "New customer").await;
    app.quit().await;
}

#[tokio::test]
async fn another_data_directory_is_another_app() {
    // Two apps with different HOMEs in the same D-Bus session both run: the
    // lock is per data directory, not per machine.
    let first = App::launch_with(kiosk()).await;
    let second = App::launch_with(kiosk()).await;
    first.wait_for_text("#attract-start", "Tap to start").await;
    second.wait_for_text("#attract-start", "Tap to start").await;
    assert!(!first.log().contains("the app was started again"));
    assert!(!second.log().contains("the app was started again"));
    first.quit().await;
    second.quit().await;
}
