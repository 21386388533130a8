//! The bank's sign-in window (OAuth banks) in the real window, on a kiosk:
//! it opens no windows of its own (a `window.open` in it takes the same
//! window to the page), shows https pages only (loopback http for the
//! simulator), and closes when the customer cancels. And the main window
//! never keeps a third-party page as its document.

mod common;

use aeropay_onboarding_e2e::App;
use common::{
    enroll_until_widget, open_the_bank_window, quiet_kiosk, wait_only_main_window, Customer,
};
use std::time::Duration;

async fn current_url(app: &App) -> String {
    app.execute("return window.location.href")
        .await
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_bank_window_stays_one_window_shows_only_https_and_closes_on_cancel() {
    let app = App::launch_with(quiet_kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
    enroll_until_widget(&app, &Customer::new("Annie", "Easley", 47)).await;
    let main = app.client().window().await.expect("the main window");
    open_the_bank_window(&app).await;
    assert_eq!(app.windows().await.len(), 2);
    let sign_in = current_url(&app).await;

    // The bank's page opens a window (on a click, as a bank's button
    // would): the same window goes there instead.
    let again = format!("{sign_in}?opened=again");
    app.execute(&format!(
        r#"const b = document.createElement("button");
           b.id = "open-another"; b.textContent = "Open";
           b.onclick = () => window.open({again:?}, "_blank");
           document.body.prepend(b); return true;"#
    ))
    .await;
    app.click("#open-another").await;
    app.wait_for(
        "the bank window to show the page it opened",
        Duration::from_secs(10),
        || async { current_url(&app).await == again },
    )
    .await;
    assert_eq!(app.windows().await.len(), 2, "still one bank window");
    app.screenshot("bank-window-after-window-open");

    // Not https (nor the simulator's loopback): refused, as a new window
    // and in place.
    app.execute(
        r#"const b = document.createElement("button");
           b.id = "open-http"; b.textContent = "Open";
           b.onclick = () => window.open("http://example.com/", "_blank");
           document.body.prepend(b); return true;"#,
    )
    .await;
    app.click("#open-http").await;
    app.wait_for(
        "the refused window in the app's log",
        Duration::from_secs(10),
        || async { app.log().matches("bank window navigation refused").count() >= 1 },
    )
    .await;
    app.execute("window.location.href = 'http://example.com/'; return true;")
        .await;
    app.wait_for(
        "the refused navigation in the app's log",
        Duration::from_secs(10),
        || async { app.log().matches("bank window navigation refused").count() >= 2 },
    )
    .await;
    assert_eq!(app.windows().await.len(), 2);
    assert_eq!(current_url(&app).await, again, "the bank window stayed");

    // Cancel in the app closes the bank's window.
    app.switch_to_window(main).await;
    app.click("#cancel").await;
    app.wait_for_text("#screen-title", "Enrollment cancelled")
        .await;
    wait_only_main_window(&app).await;
    app.quit().await;
}

#[tokio::test]
async fn the_main_window_never_keeps_a_third_party_page() {
    let app = App::launch_with(quiet_kiosk()).await;
    app.wait_for_text("#app-status", "Ready").await;
    app.click("#attract-start").await;
    enroll_until_widget(&app, &Customer::new("Evelyn", "Boyd", 48)).await;
    let widget = app
        .execute("return document.getElementById('widget-frame').src")
        .await;
    let widget = widget.as_str().expect("the widget's address").to_owned();
    let app_page = current_url(&app).await;
    assert!(app_page.starts_with("tauri://"), "{app_page}");

    // The widget's origin may fill the frame, never the window.
    app.execute(&format!("window.location.href = {widget:?}; return true;"))
        .await;
    app.wait_for(
        "the app's own page back in the main window",
        Duration::from_secs(15),
        || async {
            app.log().contains("a third-party page in the main window")
                && current_url(&app).await.starts_with("tauri://")
                && app.is_present("#app-status").await
        },
    )
    .await;
    app.wait_for_text("#app-status", "Ready").await;
    // The enrollment is where it was: Rust owns it.
    app.wait_for_text("#screen-title", "Link a bank account")
        .await;
    app.quit().await;
}
