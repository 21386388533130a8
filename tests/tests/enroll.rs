//! A customer enrolls in the real window, on the built-in simulator: details,
//! code, the widget in its iframe, the link, the done screen.

use aeropay_onboarding_e2e::App;
use std::time::Duration;

#[tokio::test]
async fn a_new_customer_links_an_aerobank_account() {
    let app = App::launch().await;
    app.wait_for_text("#app-status", "Ready").await;
    app.type_into("#field-firstName", "Ada").await;
    app.type_into("#field-lastName", "Lovelace").await;
    app.type_into("#field-phone", "(415) 555-0142").await;
    app.type_into("#field-email", "ada@example.com").await;
    app.screenshot("details");
    app.click("#details-submit").await;

    app.wait_for_text("#screen-title", "Enter the code").await;
    app.screenshot("code");
    // The sandbox's documented bypass code.
    app.type_into("#field-code", "000000").await;
    app.click("#code-submit").await;

    app.wait_for_text("#screen-title", "Link a bank account")
        .await;
    app.find("#widget-frame").await;
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    app.screenshot("widget-banks");
    app.click("button[data-bank='aerobank']").await;
    app.type_into("#username", "sync").await;
    app.type_into("#password", "no_mfa").await;
    app.click("button[type='submit']").await;
    app.wait_for_text("#screen", "Choose an account").await;
    app.click("#acct-0").await;
    app.click("button[type='submit']").await;
    app.leave_frames().await;

    app.wait_for_text("#screen-title", "Bank account linked")
        .await;
    let accounts = app.text("#linked-accounts").await;
    assert!(
        accounts.contains("Aerobank") && accounts.contains("6789"),
        "{accounts}"
    );
    app.screenshot("done");
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.quit().await;
}
