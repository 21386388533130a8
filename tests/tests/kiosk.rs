//! Kiosk mode in the real window: the attract screen between customers, the
//! idle warning and its countdown, the longer quiet time while the bank
//! widget and the bank's own window are open, a reset that leaves nothing
//! behind, and a known phone number that shows nothing before its code.

mod common;

use aeropay_onboarding_e2e::{x_windows_shown, App, Launch};
use common::{
    enroll_until_widget, link_checking_account, open_the_bank_window, submit_details, wait_linked,
    Bank, Customer,
};
use std::time::Duration;

fn kiosk(idle_seconds: u32, widget_idle_seconds: u32) -> Launch {
    Launch {
        settings_json: Some(format!(
            r#"{{"kiosk": {{"idleSeconds": {idle_seconds}, "warningSeconds": 20, "widgetIdleSeconds": {widget_idle_seconds}}}}}"#
        )),
        args: vec!["--mode".into(), "kiosk".into()],
        ..Default::default()
    }
}

async fn rust_state(app: &App) -> serde_json::Value {
    app.execute("return window.__TAURI__.core.invoke('enrollment_state')")
        .await
}

#[tokio::test]
async fn the_idle_warning_gives_more_time_then_start_over_leaves_nothing() {
    let app = App::launch_with(kiosk(3, 3)).await;
    app.wait_for_text("#app-status", "Ready").await;
    // Between customers: the attract screen, no customer data, no settings.
    app.wait_for_text("#attract-start", "Tap to start").await;
    app.screenshot("attract");
    // The mode is on the page's root from before its first layout: Rust's
    // initialization script puts it there, the page's own script never does.
    assert_eq!(
        app.execute("return document.documentElement.dataset.mode;")
            .await,
        "kiosk"
    );
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
    // The seconds Rust counts down, as the sentence states them.
    let left: u32 = app
        .find("#idle-text")
        .await
        .attr("data-seconds")
        .await
        .unwrap()
        .expect("data-seconds")
        .parse()
        .unwrap();
    app.wait_for_text("#idle-text", "For your privacy this screen starts over in")
        .await;
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
    let app = App::launch_with(kiosk(1, 1)).await;
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

#[tokio::test]
async fn the_longer_quiet_time_holds_while_the_bank_window_is_open() {
    // 3 quiet seconds on the app's own screens; 20 once the widget is open,
    // since the page sees nothing the customer does in it or at the bank.
    let app = App::launch_with(kiosk(3, 20)).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
    enroll_until_widget(&app, &Customer::new("Mary", "Jackson", 45)).await;
    let main = app.client().window().await.expect("the main window");
    open_the_bank_window(&app).await;
    app.switch_to_window(main.clone()).await;
    // The last thing the page sees: the quiet time starts here.
    app.execute(r#"document.dispatchEvent(new PointerEvent("pointerdown")); return true;"#)
        .await;

    // The customer signs in at the bank for longer than the page's own
    // quiet time: no warning, and the bank's window stays open.
    tokio::time::sleep(Duration::from_secs(8)).await;
    assert!(
        !app.is_present("#idle-warning").await,
        "the 3-second limit was applied while the bank's window was open"
    );
    assert_eq!(app.windows().await.len(), 2, "the bank's window is open");

    // The longer limit still ends: the warning comes, over the widget, and
    // the bank's window steps aside so nothing covers the warning.
    assert!(
        bank_window_viewable(app.display()),
        "the bank's window shows"
    );
    app.wait_for(
        "the warning after 20 quiet seconds",
        Duration::from_secs(30),
        || async { app.is_present("#idle-warning").await },
    )
    .await;
    app.wait_for(
        "the bank's window to hide",
        Duration::from_secs(5),
        || async { !bank_window_viewable(app.display()) },
    )
    .await;
    app.screenshot("idle-warning-over-the-widget");
    app.wait_for_text("#screen-title", "Link a bank account")
        .await;

    // More time: the bank's window comes back as the customer left it.
    app.click("#idle-more-time").await;
    app.wait_for(
        "the bank's window to show again",
        Duration::from_secs(5),
        || async { bank_window_viewable(app.display()) },
    )
    .await;
    let windows = app.windows().await;
    assert_eq!(windows.len(), 2, "the same bank window, not a new one");
    app.switch_to_new_window(&[main]).await;
    app.wait_for_text("#screen", "Sign in to").await;
    app.quit().await;
}

#[tokio::test]
async fn the_idle_reset_comes_from_rust_even_with_the_pages_timers_stopped() {
    // Quiet time long enough for the details to be typed on a busy machine
    // (the page reports input at most once a second).
    let app = App::launch_with(kiosk(5, 5)).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
    submit_details(&app, &Customer::new("Ida", "Rhodes", 49)).await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    assert_eq!(rust_state(&app).await["firstName"], "Ida");
    // A page whose timers no longer run (hung, or tampered with) cannot
    // keep the customer's session: the countdown is Rust's.
    app.execute(
        r#"const last = setTimeout(() => {}, 0);
           for (let id = 0; id <= last + 1000; id++) { clearTimeout(id); clearInterval(id); }
           window.setInterval = () => 0; window.setTimeout = () => 0;
           return true;"#,
    )
    .await;
    app.wait_for_text("#idle-warning", "Are you still there?")
        .await;
    app.wait_for(
        "Rust's reset after the countdown",
        Duration::from_secs(40),
        || async { app.is_present("#attract-start").await },
    )
    .await;
    let state = rust_state(&app).await;
    assert!(
        state["id"].is_null() && state["firstName"].is_null(),
        "{state}"
    );
    assert!(!page_text(&app).await.contains("Ida"));
    app.quit().await;
}

/// What the page shows and holds (text and markup).
async fn page_text(app: &App) -> String {
    app.execute("return document.body.innerText + document.body.innerHTML")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_known_phone_gets_the_code_screen_and_a_wrong_code_shows_nothing() {
    let app = App::launch_with(kiosk(600, 600)).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
    // Dorothy enrolls and links Aerobank's checking account (…6789).
    let dorothy = Customer::new("Dorothy", "Vaughan", 46);
    enroll_until_widget(&app, &dorothy).await;
    link_checking_account(&app, Bank::Aerobank).await;
    wait_linked(&app, Bank::Aerobank).await;
    app.click("#next-customer").await;
    app.wait_for_text("#attract-start", "Tap to start").await;

    // A stranger walks up and types Dorothy's number.
    app.click("#attract-start").await;
    let stranger = Customer {
        first_name: "Eve",
        last_name: "Walkup",
        phone: dorothy.phone.clone(),
        email: "eve.walkup@example.com".into(),
    };
    submit_details(&app, &stranger).await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    app.screenshot("kiosk-code-screen");
    let page = page_text(&app).await;
    let hidden = [
        Bank::Aerobank.linked_name(),
        Bank::Aerobank.checking_last4(),
        "Checking",
        "Welcome back",
        "already has",
        dorothy.first_name,
    ];
    for trace in hidden {
        assert!(!page.contains(trace), "{trace:?} shown before the code");
    }
    assert!(page.contains("Aeropay sent a code"), "the code screen");

    // A wrong code: Aeropay's refusal, and still nothing of Dorothy.
    app.type_into("#field-code", "111111").await;
    app.click("#code-submit").await;
    app.wait_for_text("#screen", "AP111").await;
    app.screenshot("kiosk-wrong-code");
    let page = page_text(&app).await;
    for trace in hidden {
        assert!(!page.contains(trace), "{trace:?} shown after a wrong code");
    }
    let state = rust_state(&app).await;
    assert_eq!(state["step"], "code", "{state}");
    let state = state.to_string();
    for trace in hidden {
        assert!(!state.contains(trace), "{trace:?} in the page's state");
    }
    app.quit().await;
}

/// Whether the X server shows the bank's sign-in window now (its title is
/// the app's "Bank sign-in"; no window manager here, so top-level windows
/// are the root's children).
fn bank_window_viewable(display: &str) -> bool {
    x_windows_shown(display, &[])
        .iter()
        .any(|line| line.contains("\"Bank sign-in\""))
}
