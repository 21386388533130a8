//! The kiosk page is locked down, in the real window: no context menu (in
//! the widget's frame either), no text selection outside the fields, no
//! zoom, nothing dragged out. The desk window keeps the ordinary behaviour.

mod common;

use aeropay_onboarding_e2e::fantoccini::key::Key;
use aeropay_onboarding_e2e::{x_windows_shown, App, Launch};
use common::{enroll_until_widget, Customer};
use std::process::Command;
use std::time::Duration;

fn launch(mode: &str) -> Launch {
    Launch {
        settings_json: Some(r#"{"kiosk": {"idleSeconds": 600}}"#.into()),
        args: vec!["--mode".into(), mode.into()],
        ..Default::default()
    }
}

/// For each gesture: whether the page refused it (`defaultPrevented`), for
/// events dispatched where a customer's would land.
const GESTURES: &str = r##"
    const title = document.querySelector("#screen-title") || document.querySelector(".attract-title");
    const input = document.querySelector("input");
    const logo = document.querySelector(".brand-mark");
    const refused = (target, event) => { target.dispatchEvent(event); return event.defaultPrevented; };
    const key = (k, code, extra) => new KeyboardEvent("keydown", { key: k, code, bubbles: true, cancelable: true, ...extra });
    return {
      contextMenu: refused(title, new MouseEvent("contextmenu", { bubbles: true, cancelable: true })),
      selectText: refused(title, new Event("selectstart", { bubbles: true, cancelable: true })),
      selectInField: input ? refused(input, new Event("selectstart", { bubbles: true, cancelable: true })) : null,
      ctrlPlus: refused(title, key("+", "Equal", { ctrlKey: true, shiftKey: true })),
      ctrlMinus: refused(title, key("-", "Minus", { ctrlKey: true })),
      ctrlZero: refused(title, key("0", "Digit0", { ctrlKey: true })),
      ctrlNumpadPlus: refused(title, key("+", "NumpadAdd", { ctrlKey: true })),
      plainTyping: input ? refused(input, key("0", "Digit0", {})) : null,
      ctrlWheel: refused(title, new WheelEvent("wheel", { deltaY: -120, ctrlKey: true, bubbles: true, cancelable: true })),
      plainWheel: refused(title, new WheelEvent("wheel", { deltaY: 120, bubbles: true, cancelable: true })),
      gesture: refused(title, new Event("gesturestart", { bubbles: true, cancelable: true })),
      dragImage: refused(logo, new DragEvent("dragstart", { bubbles: true, cancelable: true })),
      userSelect: getComputedStyle(title).webkitUserSelect || getComputedStyle(title).userSelect,
      fieldUserSelect: input ? (getComputedStyle(input).webkitUserSelect || getComputedStyle(input).userSelect) : null,
      touchAction: getComputedStyle(document.body).touchAction,
      zoom: window.devicePixelRatio,
    };"##;

#[tokio::test]
async fn the_kiosk_page_refuses_menu_selection_zoom_and_drag() {
    let app = App::launch_with(launch("kiosk")).await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    // The window covers the screen, also here with no window manager to
    // answer the full-screen request.
    let size = app
        .execute("return [innerWidth, innerHeight, screen.width, screen.height]")
        .await;
    assert_eq!(size[0], size[2], "width of the page and the screen: {size}");
    assert_eq!(
        size[1], size[3],
        "height of the page and the screen: {size}"
    );
    app.click("#attract-start").await;
    app.wait_for_text("#screen-title", "New customer").await;
    let refused = app.execute(GESTURES).await;
    for gesture in [
        "contextMenu",
        "selectText",
        "ctrlPlus",
        "ctrlMinus",
        "ctrlZero",
        "ctrlNumpadPlus",
        "ctrlWheel",
        "gesture",
        "dragImage",
    ] {
        assert_eq!(refused[gesture], true, "{gesture} allowed: {refused}");
    }
    // What a customer needs still works.
    for allowed in ["selectInField", "plainTyping", "plainWheel"] {
        assert_eq!(refused[allowed], false, "{allowed} refused: {refused}");
    }
    assert_eq!(refused["userSelect"], "none", "{refused}");
    assert_eq!(refused["fieldUserSelect"], "text", "{refused}");
    assert_eq!(refused["touchAction"], "pan-x pan-y", "{refused}");

    // Real keys: the zoom shortcuts change nothing, the field still types.
    let zoom = refused["zoom"].clone();
    let field = app.find("#field-firstName").await;
    for shortcut in ["+", "=", "-", "0"] {
        field
            .send_keys(&format!("{}{shortcut}{}", Key::Control, Key::Control))
            .await
            .expect("keys sent");
    }
    app.type_into("#field-firstName", "Ada").await;
    let after = app.execute("return window.devicePixelRatio").await;
    assert_eq!(after, zoom, "the page zoomed");

    // A real double click on the lead text selects nothing; in a field it
    // selects the word.
    app.double_click(".card .lead").await;
    let selected = app.execute("return window.getSelection().toString()").await;
    assert_eq!(selected, "", "text outside the fields was selected");
    app.screenshot("kiosk-details");
    app.quit().await;
}

#[tokio::test]
async fn the_desk_window_keeps_selection_and_the_context_menu() {
    let app = App::launch_with(launch("desk")).await;
    app.wait_for_text("#screen-title", "New customer").await;
    let refused = app.execute(GESTURES).await;
    for gesture in ["contextMenu", "selectText", "ctrlWheel", "dragImage"] {
        assert_eq!(
            refused[gesture], false,
            "{gesture} refused in desk mode: {refused}"
        );
    }
    app.quit().await;
}

/// Pop-up windows the X server shows now (mapped, override-redirect): a
/// context menu is one, and nothing else the app shows here is.
fn popups_shown(display: &str) -> usize {
    x_windows_shown(display, &["Override Redirect State: yes"]).len()
}

/// A real right click (X events, as a mouse sends them) 40 px into the
/// widget's frame, on its header text, where the page's own lockdown cannot
/// reach (another origin). Returns whether a menu came. (WebDriver's own
/// right click never opens WebKit's menu, at a desk either.)
async fn right_click_in_the_widget(app: &App) -> bool {
    assert_eq!(popups_shown(app.display()), 0, "a pop-up before the click");
    // Page coordinates are screen coordinates: the window sits at the
    // screen's origin (no window manager here).
    let at = app
        .execute(
            r#"const frame = document.getElementById("widget-frame").getBoundingClientRect();
            return [Math.round(frame.left + 40), Math.round(frame.top + 40)];"#,
        )
        .await;
    let status = Command::new("xdotool")
        .args([
            "mousemove",
            &at[0].to_string(),
            &at[1].to_string(),
            "click",
            "3",
        ])
        .env("DISPLAY", app.display())
        .status()
        .expect("`xdotool` runs: install the Debian package `xdotool` (`make test` does)");
    assert!(status.success());
    // A menu maps within a frame or two; give it ample time to show.
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while std::time::Instant::now() < deadline {
        if popups_shown(app.display()) > 0 {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

#[tokio::test]
async fn no_context_menu_opens_in_the_widget_frame_of_a_kiosk() {
    let app = App::launch_with(launch("kiosk")).await;
    app.click("#attract-start").await;
    enroll_until_widget(&app, &Customer::new("Annie", "Easley", 60)).await;
    let shown = right_click_in_the_widget(&app).await;
    app.screenshot("kiosk-widget-right-click");
    assert!(!shown, "a context menu opened in the kiosk's widget frame");
    app.quit().await;

    // The same right click at a desk opens WebKit's menu: the check above
    // would see one.
    let app = App::launch_with(launch("desk")).await;
    enroll_until_widget(&app, &Customer::new("Annie", "Easley", 61)).await;
    let shown = right_click_in_the_widget(&app).await;
    app.screenshot("desk-widget-right-click");
    assert!(shown, "no context menu at a desk: the check cannot see one");
    app.quit().await;
}
