//! A kiosk window refuses the close request a window manager sends (Alt+F4,
//! a close button): only staff's "Leave kiosk mode" ends the app. A desk
//! window closes on the same request, which shows the request arrives.

use aeropay_onboarding_e2e::{x_windows_shown, App, Launch};
use std::time::Duration;
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{AtomEnum, ClientMessageEvent, ConnectionExt, EventMask};

const TITLE: &str = "Aeropay Onboarding";

/// Sends each top-level window titled `title` the `WM_DELETE_WINDOW` message
/// a window manager sends to close it. Returns how many were asked.
fn request_close(display: &str, title: &str) -> usize {
    let (conn, screen) = x11rb::connect(Some(display)).expect("the X display");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &[u8]| {
        conn.intern_atom(false, name)
            .expect("intern_atom sent")
            .reply()
            .expect("an atom")
            .atom
    };
    let (protocols, delete) = (atom(b"WM_PROTOCOLS"), atom(b"WM_DELETE_WINDOW"));
    let tree = conn
        .query_tree(root)
        .expect("query_tree sent")
        .reply()
        .expect("the window tree");
    let mut asked = 0;
    for window in tree.children {
        let name = conn
            .get_property(false, window, AtomEnum::WM_NAME, AtomEnum::ANY, 0, 256)
            .expect("get_property sent")
            .reply()
            .expect("a WM_NAME");
        if name.value != title.as_bytes() {
            continue;
        }
        let event = ClientMessageEvent::new(32, window, protocols, [delete, 0, 0, 0, 0]);
        conn.send_event(false, window, EventMask::NO_EVENT, event)
            .expect("the close request sent");
        asked += 1;
    }
    conn.flush().expect("flushed");
    asked
}

fn shown(app: &App) -> bool {
    x_windows_shown(app.display(), &[])
        .iter()
        .any(|line| line.contains(&format!("\"{TITLE}\"")))
}

fn launch(mode: &str) -> Launch {
    Launch {
        settings_json: None,
        args: vec!["--mode".into(), mode.into()],
        ..Default::default()
    }
}

#[tokio::test]
async fn a_kiosk_window_refuses_to_close_on_request() {
    let app = App::launch_with(launch("kiosk")).await;
    app.wait_for_text("#app-status", "Ready").await;
    assert!(request_close(app.display(), TITLE) >= 1, "no app window");
    app.wait_for(
        "the refusal in the app's log",
        Duration::from_secs(10),
        || async { app.log().contains("closing the kiosk window refused") },
    )
    .await;
    assert!(shown(&app), "the kiosk window is still shown");
    // Still the working app, on its attract screen.
    app.click("#attract-start").await;
    app.wait_for_text("#screen-title", "New customer").await;
    app.quit().await;
}

#[tokio::test]
async fn a_desk_window_closes_on_the_same_request() {
    let app = App::launch_with(launch("desk")).await;
    app.wait_for_text("#app-status", "Ready").await;
    assert!(shown(&app));
    assert!(request_close(app.display(), TITLE) >= 1, "no app window");
    app.wait_for(
        "the desk window to close",
        Duration::from_secs(10),
        || async { !shown(&app) },
    )
    .await;
    assert!(!app.log().contains("closing the kiosk window refused"));
}
