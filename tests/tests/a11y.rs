//! Accessibility in the real window (WCAG 2.2 A/AA): an axe-core audit of
//! every screen of both modes, enrollment from the first screen to Done
//! with the keyboard alone (desk and kiosk), focus on each new screen,
//! focus trapped in dialogs and given back, the focus ring, the idle
//! warning's countdown for screen readers and the kiosk's "More time",
//! "Larger text" (200 %) and 44 px targets.
//!
//! The tests take turns: the kiosk test sets the machine's staff PIN,
//! which would put the desk's settings behind it.

mod common;

use aeropay_onboarding_e2e::a11y::{
    assert_accessible, assert_focus_ring, atspi_tree, focus_matches, focused, press,
    press_shift_tab, reflow_problems, reflow_problems_in, small_targets, tab_to, type_keys,
    wait_focus,
};
use aeropay_onboarding_e2e::fantoccini::key::Key;
use aeropay_onboarding_e2e::{app_binary, App, Launch};
use common::*;
use onboarding_core::vault::{OsKeychain, SecretKey, Vault};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const PIN: &str = "731946";

/// The staff PIN, set with `aeropay-onboarding set-staff-pin`; removed
/// from the test keyring when dropped.
struct StaffPinSet;

impl StaffPinSet {
    fn new() -> Self {
        let mut child = Command::new(app_binary())
            .arg("set-staff-pin")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the app binary runs");
        writeln!(child.stdin.take().expect("stdin"), "{PIN}").expect("PIN written");
        let output = child.wait_with_output().expect("set-staff-pin ends");
        assert!(output.status.success(), "set-staff-pin failed");
        Self
    }
}

impl Drop for StaffPinSet {
    fn drop(&mut self) {
        let _ = OsKeychain::new().delete(&SecretKey::StaffPin);
    }
}

/// Shift+Tab until the focus matches `css` (at most `max` presses).
async fn shift_tab_to(app: &App, css: &str, max: usize) {
    for _ in 0..=max {
        if focus_matches(app, css).await {
            return;
        }
        press_shift_tab(app).await;
    }
    panic!(
        "Shift+Tab did not reach `{css}`; focus is on {}",
        focused(app).await
    );
}

/// Fails unless every control on screen is at least 44 × 44 CSS px.
async fn assert_targets(app: &App, screen: &str) {
    let small = small_targets(app, 44.0).await;
    assert!(
        small.is_empty(),
        "controls under 44×44 px on the {screen} screen: {small:?}"
    );
}

/// Fails if the page scrolls sideways or a control is cut off or covered.
async fn assert_reflows(app: &App, screen: &str) {
    let problems = reflow_problems(app).await;
    if !problems.is_empty() {
        app.screenshot(&format!("reflow-{}", screen.replace(' ', "-")));
        panic!("at 200 % text on the {screen} screen: {problems:?}");
    }
}

/// A kiosk dialog at 200 % text (the class "Larger text" puts on the root;
/// set here since the dialogs also open where the button is hidden): its
/// controls whole, reachable and 44 × 44 px.
async fn assert_dialog_reflows(app: &App, dialog: &str, screen: &str) {
    app.execute("document.documentElement.classList.add('larger-text'); return true;")
        .await;
    let problems = reflow_problems_in(app, dialog).await;
    if !problems.is_empty() {
        app.screenshot(&format!("reflow-{}", screen.replace(' ', "-")));
        panic!("at 200 % text on the {screen} dialog: {problems:?}");
    }
    assert_targets(app, &format!("{screen}, larger text")).await;
    app.screenshot(&format!("reflow-{}", screen.replace(' ', "-")));
    app.execute("document.documentElement.classList.remove('larger-text'); return true;")
        .await;
}

/// Turns the kiosk's "Larger text" on or off with its button.
async fn set_larger_text(app: &App, on: bool) {
    let pressed = app
        .execute("return document.getElementById('larger-text').getAttribute('aria-pressed')")
        .await;
    if (pressed == "true") != on {
        app.click("#larger-text").await;
    }
    let size = if on { "40px" } else { "20px" };
    app.wait_for("the text size", Duration::from_secs(5), || async {
        app.execute("return getComputedStyle(document.documentElement).fontSize")
            .await
            == size
    })
    .await;
}

/// A kiosk screen: the audit and 44 × 44 px targets as it comes up, then
/// with "Larger text" on: no sideways scrolling, every control whole,
/// reachable and 44 × 44 px; "Larger text" off again.
async fn check_kiosk_screen(app: &App, screen: &str, shot: &str) {
    assert_accessible(app, &format!("kiosk: {screen}")).await;
    assert_targets(app, screen).await;
    set_larger_text(app, true).await;
    assert_reflows(app, screen).await;
    assert_targets(app, &format!("{screen}, larger text")).await;
    app.screenshot(shot);
    set_larger_text(app, false).await;
}

/// Records every message the page's live region (`#announcer`) says from
/// now on.
async fn record_announcements(app: &App) {
    app.execute(
        r#"window.__said = [];
        const region = document.getElementById("announcer");
        new MutationObserver(() => {
          if (region.textContent) window.__said.push(region.textContent);
        }).observe(region, { childList: true, characterData: true, subtree: true });
        return true;"#,
    )
    .await;
}

/// How many times the live region said `message` so far.
async fn said(app: &App, message: &str) -> usize {
    let value = app.execute("return window.__said").await;
    value
        .as_array()
        .expect("the recorder is installed")
        .iter()
        .filter(|said| *said == message)
        .count()
}

/// In the widget's frame, with keys only: Aerobank, `sync` / `no_mfa`, the
/// checking account selected; focus left on "Connect account" (not pressed).
async fn widget_by_keyboard(app: &App) {
    // From the page's heading, Tab goes into the widget's frame.
    press(app, Key::Tab).await;
    wait_focus(app, "#widget-frame").await;
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    tab_to(app, "button[data-bank='aerobank']", 15).await;
    press(app, Key::Enter).await;
    app.wait_for_text("#screen", "Sign in to Aerobank").await;
    wait_focus(app, "#username").await;
    type_keys(app, "sync").await;
    press(app, Key::Tab).await;
    type_keys(app, "no_mfa").await;
    press(app, Key::Enter).await;
    app.wait_for_text("#screen", "Choose an account").await;
    tab_to(app, "#acct-0", 10).await;
    press(app, ' ').await;
    tab_to(app, "button[type='submit']", 10).await;
}

#[tokio::test]
async fn a_desk_customer_enrolls_by_keyboard_and_every_desk_screen_passes_the_audit() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = App::launch().await;
    wait_ready(&app).await;

    // Details: focus on the first field; Continue with nothing typed names
    // the mistakes and focus goes to the first of them.
    app.wait_for_text("#screen-title", "New customer").await;
    record_announcements(&app).await;
    wait_focus(&app, "#field-firstName").await;
    assert_accessible(&app, "desk: details").await;
    tab_to(&app, "#details-submit", 8).await;
    assert_focus_ring(&app, "details-continue").await;
    app.screenshot("desk-01-details-continue");
    press(&app, Key::Enter).await;
    wait_focus(&app, "[aria-invalid='true']").await;
    assert_accessible(&app, "desk: details with errors").await;
    app.screenshot("desk-02-details-errors");

    let customer = Customer::new("Katherine", "Johnson", 61);
    wait_focus(&app, "#field-firstName").await;
    type_keys(&app, customer.first_name).await;
    press(&app, Key::Tab).await;
    type_keys(&app, customer.last_name).await;
    press(&app, Key::Tab).await;
    type_keys(&app, &customer.phone).await;
    press(&app, Key::Tab).await;
    assert_focus_ring(&app, "details-email").await;
    type_keys(&app, &customer.email).await;
    press(&app, Key::Enter).await;

    // Code: a wrong one, then the sandbox's.
    app.wait_for_text("#screen-title", "Enter the code").await;
    wait_focus(&app, "#field-code").await;
    assert_accessible(&app, "desk: code").await;
    type_keys(&app, "999999").await;
    press(&app, Key::Enter).await;
    app.wait_for_text(".banner.error", "Code for support").await;
    assert!(app.is_present(".banner.error[role='alert']").await);
    wait_focus(&app, "#field-code").await;
    assert_accessible(&app, "desk: code with error").await;
    app.screenshot("desk-03-code-error");
    // A new code: said once; the field has the focus again.
    tab_to(&app, "#code-resend", 3).await;
    press(&app, Key::Enter).await;
    app.wait_for_text("#code-resent", "A new code is on its way")
        .await;
    wait_focus(&app, "#field-code").await;
    let sent = "Aeropay sent a code by text message to the customer's phone. Type it here.";
    assert_eq!(said(&app, sent).await, 1, "the first code is said once");
    app.wait_for(
        "the new code to be said",
        Duration::from_secs(5),
        || async { said(&app, "A new code is on its way.").await == 1 },
    )
    .await;
    type_keys(&app, BYPASS_CODE).await;
    press(&app, Key::Enter).await;

    // The widget: focus on the heading, the frame named, Tab goes into it.
    app.wait_for_text("#screen-title", "Link a bank account")
        .await;
    wait_focus(&app, "#screen-title").await;
    assert_eq!(
        app.execute("return document.getElementById('widget-frame').title")
            .await,
        "Bank sign-in"
    );
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    app.leave_frames().await;
    // Reading the frame moved the focus (Switch To Frame focuses it): back
    // to where the screen put it.
    app.execute("document.getElementById('screen-title').focus(); return true;")
        .await;
    assert_accessible(&app, "desk: widget host").await;
    widget_by_keyboard(&app).await;
    app.leave_frames().await;
    // Aeropay is slow to link: the linking screen stays long enough to audit.
    fault(
        &app,
        serde_json::json!({"operation": "link", "kind": "latency", "ms": 6000, "count": 1}),
    )
    .await;
    app.enter_frame(0).await;
    press(&app, Key::Enter).await;
    app.leave_frames().await;
    app.wait_for("the linking screen", Duration::from_secs(20), || async {
        app.execute("return document.getElementById('screen').dataset.step")
            .await
            == "finishing"
    })
    .await;
    assert_accessible(&app, "desk: linking").await;
    app.screenshot("desk-04-linking");

    // Done: focus on the heading; Tab, Enter for the next customer.
    wait_linked(&app, Bank::Aerobank).await;
    wait_focus(&app, "#screen-title").await;
    // The link took six seconds: "Linking" was said once, then "Still
    // working" once, not again on every redraw.
    assert_eq!(said(&app, "Linking your account…").await, 1);
    assert_eq!(
        said(
            &app,
            "Still working — this can take up to half a minute. Please don't close anything."
        )
        .await,
        1
    );
    assert_accessible(&app, "desk: done").await;
    tab_to(&app, "#next-customer", 5).await;
    assert_focus_ring(&app, "done-next").await;
    app.screenshot("desk-05-done-next");
    press(&app, Key::Enter).await;
    app.wait_for_text("#screen-title", "New customer").await;
    wait_focus(&app, "#field-firstName").await;

    // The other screens, reached by clicks.
    submit_details(&app, &customer).await;
    app.wait_for_text("#screen-title", "has enrolled on this machine before")
        .await;
    assert_accessible(&app, "desk: ID check").await;
    app.click("#id-checked").await;
    app.click("#id-check-continue").await;
    app.wait_for_text("#screen-title", "already has a bank account")
        .await;
    assert_accessible(&app, "desk: existing accounts").await;
    app.click("#cancel").await;
    app.wait_for_text("#screen-title", "Enrollment cancelled")
        .await;
    assert_accessible(&app, "desk: cancelled").await;
    app.click("#start-over").await;

    let second = Customer::new("Dorothy", "Vaughan", 62);
    enroll_until_widget(&app, &second).await;
    app.enter_frame(0).await;
    app.click("#close").await;
    app.leave_frames().await;
    app.wait_for_text("#screen-title", "The bank window was closed")
        .await;
    assert_accessible(&app, "desk: widget closed").await;
    app.click("#reopen-widget").await;
    wait_for_widget(&app).await;
    sign_in_to_bank(&app, Bank::Aerobank).await;
    choose_account(&app, 1).await;
    app.wait_for_text("#screen-title", "We could not finish")
        .await;
    assert_accessible(&app, "desk: failed").await;
    app.click("#retry").await;
    wait_for_widget(&app).await;
    // The link's answer is lost and the account list cannot be read.
    link_until_needs_review(&app).await;
    assert_accessible(&app, "desk: needs review").await;
    app.screenshot("desk-06-needs-review");

    app.click("#nav-list").await;
    app.wait_for_text("#screen-title", "Enrollments").await;
    app.find(".enrollments tbody tr").await;
    assert_accessible(&app, "desk: enrollments list").await;
    app.click("#open-settings").await;
    app.wait_for_text("#screen-title", "Settings").await;
    assert_accessible(&app, "desk: settings").await;
    app.type_into("#settings-kioskIdleSeconds", "5").await;
    app.click("#settings-save").await;
    app.find("#settings-kioskIdleSeconds[aria-invalid='true']")
        .await;
    assert_accessible(&app, "desk: settings with errors").await;
    app.screenshot("desk-07-settings-errors");

    // "More time" is saved with the kiosk's limits.
    app.type_into("#settings-kioskIdleSeconds", "90").await;
    app.click("#settings-kioskMoreTime").await;
    app.click("#settings-save").await;
    app.find("#settings-restart").await;
    let path = app
        .home()
        .join(".config/app.aeropay-onboarding.desktop/settings.json");
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("settings saved"))
            .expect("settings are JSON");
    assert_eq!(saved["kiosk"]["moreTime"], true, "{saved}");
    assert_eq!(saved["kiosk"]["idleSeconds"], 90, "{saved}");
    app.quit().await;
}

#[tokio::test]
async fn a_kiosk_customer_enrolls_by_keyboard_with_larger_text_and_every_kiosk_screen_passes() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let _pin = StaffPinSet::new();
    let app = App::launch_with(quiet_kiosk()).await;
    wait_ready(&app).await;

    // The attract screen: the start control has the focus, and its ring
    // shows when the keyboard comes back to it.
    // Then the language buttons (English / Español), then Staff.
    wait_focus(&app, "#attract-start").await;
    for expected in ["#language-en", "#language-es", "#staff-open"] {
        press(&app, Key::Tab).await;
        wait_focus(&app, expected).await;
        assert_focus_ring(&app, &expected[1..]).await;
    }
    for expected in ["#language-es", "#language-en", "#attract-start"] {
        press_shift_tab(&app).await;
        wait_focus(&app, expected).await;
    }
    assert_focus_ring(&app, "attract-start").await;
    assert_focus_ring(&app, "attract-start").await;
    app.screenshot("kiosk-01-attract");
    assert_accessible(&app, "kiosk: attract").await;
    assert_targets(&app, "attract").await;

    // The staff PIN dialog: focus in, Tab and Shift+Tab stay in, Escape
    // closes it and the focus is back on the Staff button (after the two
    // language buttons).
    for expected in ["#language-en", "#language-es", "#staff-open"] {
        press(&app, Key::Tab).await;
        wait_focus(&app, expected).await;
    }
    press(&app, Key::Enter).await;
    wait_focus(&app, "#staff-pin").await;
    assert_accessible(&app, "kiosk: staff PIN").await;
    assert_targets(&app, "staff PIN").await;
    assert_dialog_reflows(&app, "#staff-pin-dialog", "staff PIN").await;
    for expected in ["#staff-pin-unlock", "#staff-pin-cancel", "#staff-pin"] {
        press(&app, Key::Tab).await;
        wait_focus(&app, expected).await;
    }
    press_shift_tab(&app).await;
    wait_focus(&app, "#staff-pin-cancel").await;
    app.screenshot("kiosk-02-staff-pin");
    press(&app, Key::Escape).await;
    wait_focus(&app, "#staff-open").await;
    assert!(!app.is_present("#staff-pin-dialog").await);

    // The PIN, the staff menu, Settings with "More time".
    press(&app, Key::Enter).await;
    wait_focus(&app, "#staff-pin").await;
    type_keys(&app, PIN).await;
    press(&app, Key::Enter).await;
    wait_focus(&app, "#staff-menu-settings").await;
    assert_accessible(&app, "kiosk: staff menu").await;
    assert_targets(&app, "staff menu").await;
    press(&app, Key::Enter).await;
    app.wait_for_text("#screen-title", "Settings").await;
    wait_focus(&app, "#screen-title").await;
    assert!(app.is_present("label.check #settings-kioskMoreTime").await);
    assert_accessible(&app, "kiosk: settings").await;
    assert_targets(&app, "settings").await;
    app.screenshot("kiosk-03-settings");
    tab_to(&app, "#settings-close", 40).await;
    press(&app, Key::Enter).await;
    wait_focus(&app, "#staff-menu-settings").await;
    tab_to(&app, "#staff-menu-back", 3).await;
    press(&app, Key::Enter).await;
    app.wait_for(
        "the staff menu to close",
        Duration::from_secs(10),
        || async { !app.is_present("#staff-menu").await },
    )
    .await;
    if !focus_matches(&app, "#attract-start").await {
        shift_tab_to(&app, "#attract-start", 3).await;
    }

    // A customer, by keyboard: Enter on the start control.
    press(&app, Key::Enter).await;
    app.wait_for_text("#screen-title", "New customer").await;
    wait_focus(&app, "#field-firstName").await;
    assert_accessible(&app, "kiosk: details").await;
    assert_targets(&app, "details").await;
    tab_to(&app, "#details-submit", 8).await;
    press(&app, Key::Enter).await;
    wait_focus(&app, "[aria-invalid='true']").await;
    assert_accessible(&app, "kiosk: details with errors").await;

    // "Larger text": before the fields in the header; 200 %, no sideways
    // scrolling, every control whole and reachable.
    shift_tab_to(&app, "#larger-text", 3).await;
    assert_focus_ring(&app, "larger-text").await;
    press(&app, ' ').await;
    app.wait_for("larger text", Duration::from_secs(5), || async {
        app.execute("return getComputedStyle(document.documentElement).fontSize")
            .await
            == "40px"
    })
    .await;
    assert_eq!(
        app.execute("return document.getElementById('larger-text').getAttribute('aria-pressed')")
            .await,
        "true"
    );
    assert_reflows(&app, "details with errors").await;
    assert_targets(&app, "details, larger text").await;
    app.screenshot("kiosk-04-details-larger-text");
    assert_accessible(&app, "kiosk: details, larger text").await;

    let customer = Customer::new("Annie", "Easley", 63);
    tab_to(&app, "#field-firstName", 3).await;
    type_keys(&app, customer.first_name).await;
    press(&app, Key::Tab).await;
    type_keys(&app, customer.last_name).await;
    press(&app, Key::Tab).await;
    type_keys(&app, &customer.phone).await;
    press(&app, Key::Tab).await;
    type_keys(&app, &customer.email).await;
    press(&app, Key::Enter).await;

    app.wait_for_text("#screen-title", "Enter the code").await;
    wait_focus(&app, "#field-code").await;
    assert_reflows(&app, "code").await;
    assert_targets(&app, "code").await;
    assert_accessible(&app, "kiosk: code, larger text").await;
    app.screenshot("kiosk-05-code-larger-text");
    type_keys(&app, BYPASS_CODE).await;
    press(&app, Key::Enter).await;

    app.wait_for_text("#screen-title", "Link a bank account")
        .await;
    wait_focus(&app, "#screen-title").await;
    assert_reflows(&app, "widget host").await;
    assert_targets(&app, "widget host").await;
    assert_accessible(&app, "kiosk: widget host, larger text").await;
    app.screenshot("kiosk-06-widget-larger-text");
    widget_by_keyboard(&app).await;
    press(&app, Key::Enter).await;
    app.leave_frames().await;

    wait_linked(&app, Bank::Aerobank).await;
    wait_focus(&app, "#screen-title").await;
    assert_reflows(&app, "done").await;
    assert_targets(&app, "done").await;
    assert_accessible(&app, "kiosk: done, larger text").await;
    tab_to(&app, "#next-customer", 5).await;
    assert_focus_ring(&app, "next-customer").await;
    app.screenshot("kiosk-07-done-larger-text");

    // The reset: the attract screen has the focus again, and the larger
    // text was this customer's choice only.
    press(&app, Key::Enter).await;
    wait_focus(&app, "#attract-start").await;
    assert_eq!(
        app.execute("return getComputedStyle(document.documentElement).fontSize")
            .await,
        "20px"
    );
    assert_eq!(
        app.execute("return document.getElementById('larger-text').getAttribute('aria-pressed')")
            .await,
        "false"
    );
    app.quit().await;
}

#[tokio::test]
async fn every_other_kiosk_screen_passes_the_audit_with_larger_text() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = App::launch_with(quiet_kiosk()).await;
    wait_ready(&app).await;

    // A new customer: the bank window closed, a refused account, a slow
    // link, done.
    app.click("#attract-start").await;
    let customer = Customer::new("Evelyn", "Granville", 65);
    enroll_until_widget(&app, &customer).await;
    app.enter_frame(0).await;
    app.click("#close").await;
    app.leave_frames().await;
    app.wait_for_text("#screen-title", "The bank window was closed")
        .await;
    check_kiosk_screen(&app, "widget closed", "kiosk-11-widget-closed").await;
    app.click("#reopen-widget").await;
    wait_for_widget(&app).await;
    sign_in_to_bank(&app, Bank::Aerobank).await;
    choose_account(&app, 1).await;
    app.wait_for_text("#screen-title", "We could not finish")
        .await;
    check_kiosk_screen(&app, "failed", "kiosk-12-failed").await;
    app.click("#retry").await;
    wait_for_widget(&app).await;
    // Aeropay is slow to link: the linking screen stays long enough.
    fault(
        &app,
        serde_json::json!({"operation": "link", "kind": "latency", "ms": 10000, "count": 1}),
    )
    .await;
    sign_in_to_bank(&app, Bank::Aerobank).await;
    choose_account(&app, 0).await;
    app.wait_for("the linking screen", Duration::from_secs(20), || async {
        app.execute("return document.getElementById('screen').dataset.step")
            .await
            == "finishing"
    })
    .await;
    check_kiosk_screen(&app, "linking", "kiosk-13-linking").await;
    wait_linked(&app, Bank::Aerobank).await;
    app.click("#next-customer").await;
    app.wait_for_text("#attract-start", "Tap to start").await;

    // The same customer comes back: after the code, the accounts Aeropay
    // already has; then cancelled.
    app.click("#attract-start").await;
    submit_details(&app, &customer).await;
    confirm_with_bypass_code(&app).await;
    app.wait_for_text("#screen-title", "already has a bank account")
        .await;
    check_kiosk_screen(&app, "existing accounts", "kiosk-14-existing-accounts").await;
    app.click("#cancel").await;
    app.wait_for_text("#screen-title", "Enrollment cancelled")
        .await;
    check_kiosk_screen(&app, "cancelled", "kiosk-15-cancelled").await;
    app.click("#start-over").await;
    app.wait_for_text("#attract-start", "Tap to start").await;

    // A link whose answer is lost and whose account list cannot be read.
    app.click("#attract-start").await;
    enroll_until_widget(&app, &Customer::new("Gladys", "West", 66)).await;
    link_until_needs_review(&app).await;
    check_kiosk_screen(&app, "needs review", "kiosk-16-needs-review").await;
    app.click("#next-customer").await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    app.quit().await;
}

#[tokio::test]
async fn the_idle_warning_keeps_the_keyboard_gives_it_back_and_counts_for_screen_readers() {
    let _turn = ONE_AT_A_TIME.lock().await;
    // "More time": every limit counts double (a 20 s countdown shows 40).
    let app = App::launch_with(Launch {
        settings_json: Some(
            r#"{"kiosk": {"idleSeconds": 3, "warningSeconds": 20, "widgetIdleSeconds": 3, "moreTime": true}}"#
                .into(),
        ),
        args: vec!["--mode".into(), "kiosk".into()],
        ..Default::default()
    })
    .await;
    wait_ready(&app).await;
    wait_focus(&app, "#attract-start").await;
    press(&app, Key::Enter).await;
    app.wait_for_text("#screen-title", "New customer").await;
    wait_focus(&app, "#field-firstName").await;
    type_keys(&app, "Ada").await;
    press(&app, Key::Tab).await;
    wait_focus(&app, "#field-lastName").await;

    // Announcements from now on.
    app.execute(
        r#"window.__announced = [];
        new MutationObserver((records) => {
          const live = document.getElementById("idle-announce");
          if (live && live.textContent && records.some((r) => live.contains(r.target)))
            window.__announced.push(live.textContent);
        }).observe(document.body, { childList: true, subtree: true, characterData: true });
        return true;"#,
    )
    .await;

    app.find("#idle-warning").await;
    let first: u64 = idle_seconds_left(&app).await;
    assert!(
        first > 30,
        "More time doubles the 20 s countdown to 40: it shows {first}"
    );
    wait_focus(&app, "#idle-more-time").await;
    for expected in ["#idle-start-over", "#idle-more-time", "#idle-start-over"] {
        press(&app, Key::Tab).await;
        wait_focus(&app, expected).await;
    }
    for expected in ["#idle-more-time", "#idle-start-over", "#idle-more-time"] {
        press_shift_tab(&app).await;
        wait_focus(&app, expected).await;
    }
    assert_focus_ring(&app, "idle-more-time").await;
    app.screenshot("idle-01-warning");
    assert_accessible(&app, "kiosk: idle warning").await;
    assert_targets(&app, "idle warning").await;
    assert_dialog_reflows(&app, "#idle-warning", "idle warning").await;
    assert_eq!(
        app.execute("return document.getElementById('idle-warning').getAttribute('role')")
            .await,
        "alertdialog"
    );

    // The countdown is announced at 30 s, once, not every second.
    app.wait_for(
        "the countdown to pass 30 s",
        Duration::from_secs(30),
        || async { idle_seconds_left(&app).await <= 28 },
    )
    .await;
    let announced = app.execute("return window.__announced").await;
    assert_eq!(announced, serde_json::json!(["30 seconds left."]));

    // "I need more time" (Enter): the focus is back in the field it left.
    press(&app, Key::Enter).await;
    wait_focus(&app, "#field-lastName").await;
    assert!(!app.is_present("#idle-warning").await);

    // Escape is "I need more time" too.
    app.find("#idle-warning").await;
    wait_focus(&app, "#idle-more-time").await;
    press(&app, Key::Escape).await;
    wait_focus(&app, "#field-lastName").await;
    assert!(!app.is_present("#idle-warning").await);
    app.quit().await;
}

/// The nodes of the page (under the web document) that a screen reader
/// would announce as controls: role and name.
fn controls(tree: &[aeropay_onboarding_e2e::a11y::AtspiNode]) -> Vec<(String, String)> {
    const CONTROLS: [&str; 7] = [
        "push button",
        "entry",
        "password text",
        "check box",
        "combo box",
        "radio button",
        "link",
    ];
    let Some(start) = tree.iter().position(|node| node.role == "document web") else {
        panic!("no web document in the AT-SPI tree: {tree:?}");
    };
    let depth = tree[start].depth;
    tree[start + 1..]
        .iter()
        .take_while(|node| node.depth > depth)
        .filter(|node| CONTROLS.contains(&node.role.as_str()))
        .map(|node| (node.role.clone(), node.name.clone()))
        .collect()
}

fn has(tree: &[aeropay_onboarding_e2e::a11y::AtspiNode], role: &str, name: &str) -> bool {
    tree.iter()
        .any(|node| node.role == role && node.name == name)
}

/// Reads the AT-SPI tree until `ready` holds for it (WebKit builds the
/// page's accessible objects as they are asked for, so the first read after
/// a new screen may find it half done), at most 15 s; returns the last read.
async fn tree_when(
    app: &App,
    ready: impl Fn(&[aeropay_onboarding_e2e::a11y::AtspiNode]) -> bool,
) -> Vec<aeropay_onboarding_e2e::a11y::AtspiNode> {
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let tree = atspi_tree(app);
        if ready(&tree) || std::time::Instant::now() >= deadline {
            return tree;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn a_screen_reader_finds_every_control_named_over_at_spi() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let app = App::launch_with(Launch {
        env: vec![("NO_AT_BRIDGE".into(), "0".into())],
        ..Default::default()
    })
    .await;
    wait_ready(&app).await;
    app.wait_for_text("#screen-title", "New customer").await;

    // Details: the heading, four named fields, Continue; nothing unnamed.
    let tree = tree_when(&app, |tree| {
        has(tree, "push button", "Continue")
            && tree
                .iter()
                .any(|node| node.focused && node.name == "First name")
    })
    .await;
    let details = controls(&tree);
    for (role, name) in [
        ("entry", "First name"),
        ("entry", "Last name"),
        ("entry", "Mobile phone"),
        ("entry", "E-mail"),
        ("push button", "Continue"),
        ("push button", "Settings"),
    ] {
        assert!(
            details.contains(&(role.to_owned(), name.to_owned())),
            "no {role} named {name:?} over AT-SPI: {details:?}"
        );
    }
    assert!(has(&tree, "heading", "New customer"), "{tree:?}");
    assert!(
        has(&tree, "list", "Progress"),
        "the progress steps are a list: {tree:?}"
    );
    let unnamed: Vec<_> = details
        .iter()
        .filter(|(_, name)| name.trim().is_empty())
        .collect();
    assert!(unnamed.is_empty(), "controls without a name: {unnamed:?}");
    let focused: Vec<_> = tree.iter().filter(|node| node.focused).collect();
    assert!(
        focused
            .iter()
            .any(|node| node.role == "entry" && node.name == "First name"),
        "the first field has the focus for assistive technology too: {focused:?}"
    );

    // The widget's frame has its name; Done: the heading, the account, the
    // next step, and the check mark is not read out.
    let customer = Customer::new("Mary", "Golda", 64);
    enroll_until_widget(&app, &customer).await;
    let tree = tree_when(&app, |tree| {
        tree.iter().any(|node| node.name == "Bank sign-in")
    })
    .await;
    assert!(
        tree.iter().any(|node| node.name == "Bank sign-in"),
        "the widget's frame is named over AT-SPI: {tree:?}"
    );
    link_checking_account(&app, Bank::Aerobank).await;
    wait_linked(&app, Bank::Aerobank).await;
    let tree = tree_when(&app, |tree| {
        has(tree, "heading", "Bank account linked")
            && has(tree, "push button", "Enroll the next customer")
    })
    .await;
    let done = controls(&tree);
    assert!(has(&tree, "heading", "Bank account linked"), "{tree:?}");
    assert!(
        done.contains(&(
            "push button".to_owned(),
            "Enroll the next customer".to_owned()
        )),
        "{done:?}"
    );
    assert!(
        tree.iter()
            .any(|node| node.name.contains("Aerobank") || node.role == "list"),
        "{tree:?}"
    );
    let unnamed: Vec<_> = done
        .iter()
        .filter(|(_, name)| name.trim().is_empty())
        .collect();
    assert!(unnamed.is_empty(), "controls without a name: {unnamed:?}");
    assert!(
        !tree
            .iter()
            .any(|node| node.role == "image" && node.name.is_empty()),
        "an unnamed image is exposed (decorative images must be hidden): {tree:?}"
    );
    app.quit().await;
}

/// The seconds the idle warning's sentence states (Rust formats the
/// sentence; the number is also on the element).
async fn idle_seconds_left(app: &App) -> u64 {
    app.find("#idle-text")
        .await
        .attr("data-seconds")
        .await
        .expect("attribute")
        .expect("data-seconds")
        .parse()
        .expect("a number of seconds")
}

/// Links an account from the open widget while the simulator loses the link's
/// answer and cannot list the accounts: the enrollment ends in "needs review".
async fn link_until_needs_review(app: &App) {
    fault(
        app,
        serde_json::json!({"operation": "link", "kind": "lose_answer", "count": 1}),
    )
    .await;
    fault(
        app,
        serde_json::json!({"operation": "bankAccounts", "kind": "html502", "count": 50}),
    )
    .await;
    sign_in_to_bank(app, Bank::Aerobank).await;
    choose_account(app, 0).await;
    app.wait_for(
        "the link could not be confirmed",
        Duration::from_secs(60),
        || async {
            app.execute("return document.getElementById('screen').dataset.step")
                .await
                == "needsReview"
        },
    )
    .await;
}
