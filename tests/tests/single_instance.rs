//! One app per data directory: starting the app again while it runs brings
//! the running window forward and exits, in the real window. Every test here
//! runs its own app at the same time, each with its own data directory (a
//! lock and a socket in it), which is what keeps them apart.

use aeropay_onboarding_e2e::{App, Launch};
use std::process::Stdio;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{ConnectionExt, CreateWindowAux, InputFocus, Window, WindowClass};
use x11rb::rust_connection::RustConnection;

/// Another program's window over the app's, holding the keyboard focus.
fn window_on_top(display: &str) -> (RustConnection, Window) {
    let (conn, screen) = x11rb::connect(Some(display)).expect("the X display");
    let root = conn.setup().roots[screen].root;
    let window = conn.generate_id().expect("a window id");
    conn.create_window(
        x11rb::COPY_DEPTH_FROM_PARENT,
        window,
        root,
        0,
        0,
        640,
        480,
        0,
        WindowClass::INPUT_OUTPUT,
        0,
        &CreateWindowAux::new().override_redirect(1),
    )
    .expect("create a window");
    conn.map_window(window).expect("map it");
    conn.set_input_focus(InputFocus::PARENT, window, x11rb::CURRENT_TIME)
        .expect("focus it");
    // A round trip: the server has done all of it.
    conn.get_input_focus()
        .expect("ask for the focus")
        .reply()
        .expect("the focus");
    (conn, window)
}

fn focus_is(conn: &RustConnection, window: Window) -> bool {
    conn.get_input_focus()
        .expect("ask for the focus")
        .reply()
        .expect("the focus")
        .focus
        == window
}

fn on_top(conn: &RustConnection, window: Window) -> bool {
    let root = conn.setup().roots[0].root;
    let tree = conn
        .query_tree(root)
        .expect("ask for the windows")
        .reply()
        .expect("the windows");
    // Bottom to top.
    tree.children.last() == Some(&window)
}

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
    let (x, other) = window_on_top(app.display());
    assert!(focus_is(&x, other) && on_top(&x, other));

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
    // Its window came forward: over the other window, with the focus.
    app.wait_for(
        "the running window to come forward",
        Duration::from_secs(10),
        || async { !on_top(&x, other) && !focus_is(&x, other) },
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
    // Two apps with different HOMEs on one machine both run: the lock is
    // per data directory, not per machine.
    let first = App::launch_with(kiosk()).await;
    let second = App::launch_with(kiosk()).await;
    first.wait_for_text("#attract-start", "Tap to start").await;
    second.wait_for_text("#attract-start", "Tap to start").await;
    assert!(!first.log().contains("the app was started again"));
    assert!(!second.log().contains("the app was started again"));
    first.quit().await;
    second.quit().await;
}

#[tokio::test]
async fn an_app_killed_outright_does_not_keep_the_next_one_out() {
    let app = App::launch_with(kiosk()).await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    let data_dir = app
        .home()
        .join(".local/share/app.aeropay-onboarding.desktop");
    assert!(data_dir.join("instance.lock").exists());
    assert!(data_dir.join("instance.sock").exists());

    // SIGKILL: no exit handler runs; the lock file and the socket file stay.
    app.kill_app();
    assert!(
        data_dir.join("instance.sock").exists(),
        "the socket file stays"
    );

    let app = app.relaunch(kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    assert!(!app.log().contains("the app was started again"));
    assert!(
        app.log()
            .contains("a socket left by an app that ended was replaced"),
        "{}",
        app.log()
    );

    // And it is the one a further start hands over to.
    let output = app
        .app_command()
        .args(["--mode", "kiosk"])
        .output()
        .expect("the third start runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    app.wait_for(
        "the running app to note the third start",
        Duration::from_secs(10),
        || async { app.log().contains("the app was started again") },
    )
    .await;
    app.quit().await;
}
