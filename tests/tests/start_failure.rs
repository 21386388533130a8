//! The window opens before the app's backend (database, simulator, API
//! client) has started. When the backend cannot start, the page says why,
//! with the error's code, in the screen's language; a desk stays open with
//! it, a kiosk exits with a failure status so its supervisor starts it again.

use aeropay_onboarding_e2e::{App, Launch};
use std::path::Path;
use std::time::{Duration, Instant};

/// A data folder (an `XDG_DATA_HOME`) whose database file is not SQLite.
fn data_home_with_a_broken_database() -> tempfile::TempDir {
    let home = tempfile::Builder::new()
        .prefix("aeropay-e2e-broken-data")
        .tempdir()
        .expect("temp dir");
    let data_dir = home.path().join("app.aeropay-onboarding.desktop");
    std::fs::create_dir_all(&data_dir).expect("data dir");
    let not_sqlite = "These are not the database's pages.\n".repeat(200);
    std::fs::write(data_dir.join("app.sqlite3"), not_sqlite).expect("file written");
    home
}

fn data_home_env(home: &Path) -> (String, String) {
    ("XDG_DATA_HOME".into(), home.to_string_lossy().into_owned())
}

#[tokio::test]
async fn a_database_that_cannot_open_is_shown_on_the_page_with_its_code() {
    let broken = data_home_with_a_broken_database();
    // An app that exits before its window leaves the WebDriver session
    // waiting: bounded, so that is a failure, not a hang.
    let launch = App::launch_with(Launch {
        settings_json: Some(r#"{"language": "es"}"#.into()),
        env: vec![data_home_env(broken.path())],
        ..Launch::default()
    });
    let app = tokio::time::timeout(Duration::from_secs(90), launch)
        .await
        .expect("the window opens although the database cannot");
    let status = app
        .wait_for_text("#app-status", "(código STORE_SQLITE)")
        .await;
    assert!(
        status.starts_with("Falló la base de datos local"),
        "the store's own message, in Spanish: {status:?}"
    );
    assert_eq!(
        app.execute("return document.getElementById('app-status').dataset.state")
            .await,
        "error"
    );
    app.wait_for_text("#environment", "Sin conexión").await;
    // A command that needs the backend answers with the same error.
    let answer = app
        .execute(
            "return window.__TAURI__.core.invoke('enrollment_state').then(() => 'answered', (e) => e.code)",
        )
        .await;
    assert_eq!(answer, "STORE_SQLITE");
    assert!(
        app.log()
            .contains("error [STORE_SQLITE]: the local database failed"),
        "the error line on stderr:\n{}",
        app.log()
    );
    // A desk stays open for staff to read it.
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(app.app_pid().is_some(), "the desk window closed by itself");
    app.quit().await;
}

#[tokio::test]
async fn a_kiosk_that_cannot_start_exits_with_a_failure_status() {
    // The display of a working app, to run a second, broken kiosk on.
    let app = App::launch().await;
    let broken = data_home_with_a_broken_database();
    let mut kiosk = app
        .app_command()
        .env("XDG_DATA_HOME", broken.path())
        .args(["--mode", "kiosk"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the kiosk starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = kiosk.try_wait().expect("kiosk status") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = kiosk.kill();
            panic!("the kiosk that could not start kept running");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut kiosk.stderr.take().expect("stderr"), &mut stderr)
        .expect("stderr read");
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error [STORE_SQLITE]: the local database failed"),
        "{stderr}"
    );
    app.quit().await;
}
