//! What a kiosk reset leaves behind, in the real window, one thing per test:
//! the widget origin's web storage, an open bank window, a link call under
//! way, the customer's tokens in memory, and the system clipboard.

mod common;

use aeropay_onboarding_e2e::{App, Launch};
use aeropay_simulator::ADMIN_TOKEN_HEADER;
use common::{
    choose_account, confirm_with_bypass_code, data_dir, enroll_until_widget, enrollments,
    open_the_bank_window, record_titles, sign_in_to_bank, simulator_admin_token,
    start_over_from_the_warning, submit_details, titles_seen, touch, wait_for_widget,
    wait_only_main_window, Bank, Customer,
};
use onboarding_core::store::{AuditAction, AuditEntry, EnrollmentStatus, Store};
use std::io::{Read, Write};
use std::process::{Command, Stdio};
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

/// Past the attract screen.
async fn start(app: &App) {
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
}

fn audit(app: &App) -> Vec<AuditEntry> {
    let path = data_dir(app).join("app.sqlite3");
    Store::open(&path)
        .and_then(|store| store.audit_entries(0, i64::MAX))
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn is_reset(entry: &AuditEntry) -> bool {
    matches!(
        entry.action,
        AuditAction::ResetByIdle | AuditAction::ResetByCustomer | AuditAction::ResetByStaff
    )
}

/// Waits until Rust has finished `count` resets (the audit entry is the last
/// thing `kiosk_reset` writes).
async fn wait_resets_done(app: &App, count: usize) {
    app.wait_for(
        "the reset's audit entry",
        Duration::from_secs(40),
        || async { audit(app).iter().filter(|e| is_reset(e)).count() >= count },
    )
    .await;
}

async fn rust_state(app: &App) -> serde_json::Value {
    app.execute("return window.__TAURI__.core.invoke('enrollment_state')")
        .await
}

/// The simulator's base URL, from the widget frame on screen.
async fn simulator_base(app: &App) -> String {
    let origin = app
        .execute("return new URL(document.getElementById('widget-frame').src).origin")
        .await;
    origin
        .as_str()
        .expect("the widget frame's origin")
        .to_owned()
}

/// One request to the simulator's admin API, with the token the app left in
/// its data folder; returns the body.
fn admin(app: &App, base: &str, method: &str, path: &str, body: &str) -> String {
    let host = base
        .strip_prefix("http://")
        .expect("a loopback http origin");
    let token = simulator_admin_token(app);
    let mut stream = std::net::TcpStream::connect(host).expect("the simulator answers");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\n{ADMIN_TOKEN_HEADER}: {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("request sent");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("response read");
    assert!(
        response.starts_with("HTTP/1.1 200"),
        "{method} {path}: {response}"
    );
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

const READ_STORAGE: &str = r#"
    return {
      origin: location.origin,
      local: localStorage.getItem("kiosk-probe"),
      localKeys: localStorage.length,
      session: sessionStorage.getItem("kiosk-probe"),
      sessionKeys: sessionStorage.length,
      cookie: document.cookie,
    };"#;

#[tokio::test]
async fn the_widget_origins_storage_is_empty_after_a_reset() {
    let app = App::launch_with(kiosk(5, 5)).await;
    start(&app).await;
    enroll_until_widget(&app, &Customer::new("Mary", "Jackson", 40)).await;
    touch(&app).await;
    let main = app.client().window().await.expect("the main window");

    // What the widget keeps in its own origin, written inside its frame.
    app.enter_frame(0).await;
    let written = app
        .execute(&format!(
            r#"localStorage.setItem("kiosk-probe", "Mary Jackson");
            sessionStorage.setItem("kiosk-probe", "Mary Jackson");
            document.cookie = "kiosk_probe=MaryJackson; path=/; max-age=3600";
            {READ_STORAGE}"#
        ))
        .await;
    app.leave_frames().await;
    assert_eq!(written["local"], "Mary Jackson", "{written}");
    assert_eq!(written["session"], "Mary Jackson", "{written}");
    // The webview refuses cookies from third-party frames; the widget's
    // origin gets its cookies as a top-level page, in the bank's window.
    let frame_cookie = written["cookie"]
        .as_str()
        .unwrap_or_default()
        .contains("kiosk_probe");
    open_the_bank_window(&app).await;
    let in_window = app
        .execute(&format!(
            r#"document.cookie = "kiosk_window=MaryJackson; path=/; max-age=3600";
            localStorage.setItem("kiosk-probe", "Mary Jackson");
            {READ_STORAGE}"#
        ))
        .await;
    assert_eq!(in_window["origin"], written["origin"], "{in_window}");
    assert!(
        in_window["cookie"]
            .as_str()
            .unwrap_or_default()
            .contains("kiosk_window=MaryJackson"),
        "the bank window could not set a cookie: {in_window}"
    );
    app.switch_to_window(main).await;
    touch(&app).await;

    start_over_from_the_warning(&app).await;
    wait_only_main_window(&app).await;
    wait_resets_done(&app, 1).await;

    // The next customer's widget and bank window: the same origin, nothing
    // of the last customer.
    app.click("#attract-start").await;
    enroll_until_widget(&app, &Customer::new("Dorothy", "Vaughan", 41)).await;
    touch(&app).await;
    app.enter_frame(0).await;
    let after = app.execute(READ_STORAGE).await;
    app.leave_frames().await;
    assert_eq!(after["origin"], written["origin"], "same widget origin");
    assert!(after["local"].is_null(), "localStorage survived: {after}");
    assert!(
        after["session"].is_null(),
        "sessionStorage survived: {after}"
    );
    if frame_cookie {
        assert!(
            !after["cookie"]
                .as_str()
                .unwrap_or_default()
                .contains("kiosk_probe"),
            "the frame's cookie survived: {after}"
        );
    }
    open_the_bank_window(&app).await;
    let window_after = app.execute(READ_STORAGE).await;
    assert!(
        !window_after["cookie"]
            .as_str()
            .unwrap_or_default()
            .contains("kiosk_window"),
        "the widget origin's cookie survived: {window_after}"
    );
    assert!(
        window_after["local"].is_null(),
        "the bank window's localStorage survived: {window_after}"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_reset_closes_an_open_bank_window() {
    let app = App::launch_with(kiosk(5, 5)).await;
    start(&app).await;
    enroll_until_widget(&app, &Customer::new("Evelyn", "Boyd", 42)).await;
    touch(&app).await;
    let before = app.windows().await;
    app.enter_frame(0).await;
    app.click(&format!("button[data-bank='{}']", Bank::AerosyncOauth.id()))
        .await;
    app.wait_for_text("#screen", "Continue at your bank").await;
    app.leave_frames().await;
    app.wait_for("the bank's window", Duration::from_secs(20), || async {
        app.windows().await.len() == before.len() + 1
    })
    .await;

    // The customer leaves the bank's window open and walks away.
    start_over_from_the_warning(&app).await;
    wait_only_main_window(&app).await;
    wait_resets_done(&app, 1).await;
    assert_eq!(app.windows().await, before, "only the main window is left");
    app.quit().await;
}

#[tokio::test]
async fn a_reset_during_the_link_call_records_the_link_but_shows_the_attract_screen() {
    // Quiet time 5 s on the page; the widget step itself has two minutes.
    let app = App::launch_with(kiosk(5, 120)).await;
    start(&app).await;
    let customer = Customer::new("Mae", "Jemison", 43);
    enroll_until_widget(&app, &customer).await;
    let base = simulator_base(&app).await;
    // Aeropay is slow to answer the link call.
    admin(
        &app,
        &base,
        "POST",
        "/__admin/faults",
        r#"{"operation":"link","kind":"latency","ms":12000,"count":1}"#,
    );
    record_titles(&app).await;
    sign_in_to_bank(&app, Bank::Aerobank).await;
    choose_account(&app, 0).await;
    app.wait_for(
        "the page to show the link under way",
        Duration::from_secs(20),
        || async {
            app.execute("return document.getElementById('screen').dataset.step")
                .await
                == "finishing"
        },
    )
    .await;

    // The customer walks away while it links; the warning comes; "Start over".
    app.wait_for_text("#idle-warning", "Are you still there?")
        .await;
    let record = enrollments(&app)
        .into_iter()
        .find(|r| r.first_name == customer.first_name)
        .expect("the enrollment record");
    assert_ne!(
        record.status,
        EnrollmentStatus::Linked,
        "the reset should come while the link call is still under way"
    );
    let titles_before = titles_seen(&app).await.len();
    app.click("#idle-start-over").await;
    app.wait_for_text("#attract-start", "Tap to start").await;

    // Rust lets the call finish, records it, and only then resets.
    wait_resets_done(&app, 1).await;
    let record = enrollments(&app)
        .into_iter()
        .find(|r| r.id == record.id)
        .expect("the enrollment record");
    assert_eq!(record.status, EnrollmentStatus::Linked, "{record:?}");
    assert_eq!(
        record.bank_name.as_deref(),
        Some(Bank::Aerobank.linked_name())
    );
    assert_eq!(
        record.account_last4.as_deref(),
        Some(Bank::Aerobank.checking_last4())
    );
    let trail = audit(&app);
    let linked_at = trail
        .iter()
        .position(|e| {
            e.action == AuditAction::LinkSucceeded
                && e.correlation_id.as_deref() == Some(&record.id)
        })
        .unwrap_or_else(|| panic!("no link entry in the audit trail: {trail:?}"));
    let reset_at = trail.iter().position(is_reset).expect("the reset's entry");
    assert!(
        linked_at < reset_at,
        "the link is recorded before the reset: {trail:?}"
    );

    // The screen never showed the outcome: still the attract screen.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.is_present("#attract-start").await,
        "the attract screen is shown"
    );
    let after_reset = titles_seen(&app).await.split_off(titles_before);
    assert!(
        after_reset.is_empty(),
        "screens shown after the reset: {after_reset:?}"
    );
    let page = app
        .execute("return document.body.innerText + document.body.innerHTML")
        .await
        .to_string();
    for trace in [
        "Bank account linked",
        customer.first_name,
        Bank::Aerobank.checking_last4(),
    ] {
        assert!(!page.contains(trace), "{trace} on the page after the reset");
    }
    assert!(rust_state(&app).await["id"].is_null());
    app.quit().await;
}

#[tokio::test]
async fn a_reset_forgets_the_customers_tokens() {
    let app = App::launch_with(kiosk(5, 5)).await;
    start(&app).await;
    let customer = Customer::new("Annie", "Easley", 44);
    // The widget step: the app holds the customer's token in memory.
    enroll_until_widget(&app, &customer).await;
    let base = simulator_base(&app).await;
    let frame_src = app
        .execute("return document.getElementById('widget-frame').src")
        .await;

    start_over_from_the_warning(&app).await;
    wait_resets_done(&app, 1).await;
    // Nothing of the customer in the page or in Rust's enrollment.
    let page = app
        .execute("return document.body.innerText + document.body.innerHTML")
        .await
        .to_string();
    assert!(!app.is_present("#widget-frame").await, "the widget is gone");
    let announced = app
        .execute("return document.getElementById('announcer').textContent")
        .await;
    assert_eq!(
        announced.as_str(),
        Some(""),
        "what was said to the last customer is left in the live region"
    );
    // Failures name what was left, never the value: the widget's address
    // holds its token.
    let widget_url = frame_src.as_str().unwrap_or("widget url");
    for (what, trace) in [
        ("the first name", customer.first_name),
        ("the last name", customer.last_name),
        ("the widget's address", widget_url),
    ] {
        assert!(!page.contains(trace), "{what} left on the page");
    }
    let state = rust_state(&app).await;
    assert!(
        state["id"].is_null() && state["firstName"].is_null(),
        "{state}"
    );
    // Nor in the events Rust keeps for its page: asked for everything from
    // the first, it has only the reset's own.
    let kept = app
        .execute("return window.__TAURI__.core.invoke('page_events', { after: 0 })")
        .await;
    let names: Vec<&str> = kept["events"]
        .as_array()
        .map(|events| events.iter().filter_map(|e| e["name"].as_str()).collect())
        .unwrap_or_default();
    assert!(!names.is_empty(), "no events kept after the reset");
    let kept = kept.to_string();
    for (what, trace) in [
        ("the first name", customer.first_name),
        ("the widget's address", widget_url),
    ] {
        assert!(
            !kept.contains(trace),
            "{what} kept for the page (events: {names:?})"
        );
    }

    // From here on a token mint uses up this fault, which is otherwise
    // harmless: the next mint waits 1 ms.
    admin(
        &app,
        &base,
        "POST",
        "/__admin/faults",
        r#"{"operation":"token","kind":"latency","ms":1,"count":1}"#,
    );
    // The same customer comes back: on a kiosk they confirm the code again,
    // and the widget's calls need their token — minted anew, not remembered.
    app.click("#attract-start").await;
    submit_details(&app, &customer).await;
    confirm_with_bypass_code(&app).await;
    wait_for_widget(&app).await;
    let faults = admin(&app, &base, "GET", "/__admin/faults", "");
    let faults: serde_json::Value = serde_json::from_str(&faults).expect("JSON");
    assert_eq!(
        faults["faults"],
        serde_json::json!([]),
        "no token was minted for the returning customer: the reset kept their token in memory"
    );
    app.quit().await;
}

fn xclip(display: &str) -> Command {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join("xclip").is_file()));
    assert!(
        found,
        "`xclip` not found: install the Debian package `xclip` (`make test` installs it)"
    );
    let mut command = Command::new("xclip");
    command.args(["-display", display, "-selection", "clipboard"]);
    command
}

fn clipboard_text(display: &str) -> Option<String> {
    let output = xclip(display)
        .arg("-o")
        .stderr(Stdio::null())
        .output()
        .expect("xclip runs");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

#[tokio::test]
async fn a_reset_clears_the_clipboard() {
    let app = App::launch_with(kiosk(5, 5)).await;
    start(&app).await;
    app.type_into("#field-firstName", "Katherine").await;

    // The customer copied their phone number.
    let copied = "(415) 555-0145";
    let mut owner = xclip(app.display())
        .args(["-i", "-quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("xclip runs");
    owner
        .stdin
        .take()
        .expect("stdin")
        .write_all(copied.as_bytes())
        .expect("text to xclip");
    app.wait_for(
        "the text on the clipboard",
        Duration::from_secs(10),
        || async { clipboard_text(app.display()).as_deref() == Some(copied) },
    )
    .await;

    // The page itself cannot read the clipboard through the app.
    let read = app
        .execute(
            r#"return window.__TAURI__.core.invoke("plugin:clipboard-manager|read_text")
                 .then((text) => ({ read: text }), (error) => ({ refused: String(error) }));"#,
        )
        .await;
    assert!(
        read.get("read").is_none(),
        "the page read the clipboard: {read}"
    );

    start_over_from_the_warning(&app).await;
    wait_resets_done(&app, 1).await;
    let left = clipboard_text(app.display());
    let _ = owner.kill();
    let _ = owner.wait();
    assert!(
        left.as_deref()
            .is_none_or(|text| !text.contains("555-0145")),
        "the clipboard still holds {left:?}"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_reset_clears_the_primary_selection() {
    let app = App::launch_with(kiosk(5, 5)).await;
    start(&app).await;
    app.type_into("#field-email", "katherine.johnson@example.com")
        .await;
    // The customer double-clicks their e-mail: on X11 the selection is
    // offered to every other program (middle-click paste).
    app.double_click("#field-email").await;
    let primary = |display: String| async move {
        let output = Command::new("xclip")
            .args(["-display", &display, "-selection", "primary", "-o"])
            .stderr(Stdio::null())
            .output()
            .expect("xclip runs");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let display = app.display().to_owned();
    let selected = primary(display.clone()).await;
    assert!(
        selected.contains("katherine") || selected.contains("example"),
        "the double click selected {selected:?}"
    );
    start_over_from_the_warning(&app).await;
    wait_resets_done(&app, 1).await;
    let left = primary(display).await;
    assert!(
        !left.contains("katherine") && !left.contains("example"),
        "the primary selection still holds {left:?}"
    );
    app.quit().await;
}
