//! The simulated Aerosync widget in the app's iframe: every test bank
//! completes and posts the messages of its SDK generation (recorded in the
//! app page as they arrive), wrong credentials and wrong MFA answers are
//! refused inside the widget, and closing it can be undone.

mod common;

use aeropay_onboarding_e2e::App;
use common::{
    enroll_until_widget, enrollments, launch_v1, link_checking_account, record_widget_messages,
    take_widget_messages, wait_for_widget, wait_linked, Bank, Customer,
};
use serde_json::Value;

const WRONG_CREDENTIALS: &str =
    "The username or password you entered is incorrect. Please try again.";
const WRONG_ANSWER: &str = "That answer is incorrect. Please try again.";

/// The origin of the widget iframe (the simulator).
async fn widget_origin(app: &App) -> String {
    let origin = app
        .execute("return new URL(document.getElementById('widget-frame').src).origin;")
        .await;
    origin.as_str().expect("an origin").to_owned()
}

fn page_titles(messages: &[(String, Value)]) -> Vec<String> {
    messages
        .iter()
        .filter(|(_, m)| m["type"] == "widgetPageLoaded")
        .map(|(_, m)| m["payload"]["pageTitle"].as_str().unwrap_or("").to_owned())
        .collect()
}

fn of_type<'a>(messages: &'a [(String, Value)], kind: &str) -> Vec<&'a Value> {
    messages
        .iter()
        .filter(|(_, m)| m["type"] == kind)
        .map(|(_, m)| m)
        .collect()
}

/// The pages each bank shows, in order, as `widgetPageLoaded` reports them.
fn expected_pages(bank: Bank) -> Vec<&'static str> {
    match bank {
        Bank::AerosyncOauth | Bank::AerobankOauth => vec!["bankSelection", "accountSelection"],
        Bank::Aerobank => vec!["bankSelection", "bankCredentials", "accountSelection"],
        Bank::AerosyncMfa | Bank::AerosyncMfaTrigger | Bank::AerobankWithMfa => vec![
            "bankSelection",
            "bankCredentials",
            "mfaQuestion",
            "accountSelection",
        ],
    }
}

/// Every test bank, one customer each, in one app run: the done screen
/// shows the bank and the account, and the widget's messages are the
/// SDK 2.1 ones (`connectionId`, no credentials, no close).
#[tokio::test]
async fn every_test_bank_links_and_posts_sdk_2_messages() {
    let app = App::launch().await;
    record_widget_messages(&app).await;
    for (n, bank) in Bank::ALL.into_iter().enumerate() {
        let customer = Customer::new("Dorothy", "Vaughan", 30 + n as u8);
        enroll_until_widget(&app, &customer).await;
        if n == 0 {
            app.screenshot("widget-banks");
        }
        let origin = widget_origin(&app).await;
        link_checking_account(&app, bank).await;
        wait_linked(&app, bank).await;
        app.screenshot(&format!("done-{}", bank.id()));
        let user_id = enrollments(&app)[0].user_id.clone().expect("user id");

        let messages = take_widget_messages(&app).await;
        for (from, message) in &messages {
            assert_eq!(from, &origin, "{bank:?}: {message}");
        }
        // An OAuth bank's window: the widget opens it itself, or (when the
        // webview does not let it) asks the host to, naming the simulator's
        // consent page.
        for (_, asked) in messages.iter().filter(|(_, m)| {
            m["type"] == "widgetPageLoaded" && m["payload"]["pageTitle"] == "launchExternalWindow"
        }) {
            assert!(bank.is_oauth(), "{bank:?} asked for a window: {asked}");
            let target = asked["payload"]["onLoadApi"].as_str().unwrap_or("");
            assert!(
                target.starts_with(&format!("{origin}/aerosync/oauth/")),
                "{target}"
            );
        }
        let pages: Vec<String> = page_titles(&messages)
            .into_iter()
            .filter(|p| p != "launchExternalWindow")
            .collect();
        assert_eq!(pages, expected_pages(bank), "{bank:?}: {messages:?}");
        let successes = of_type(&messages, "pageSuccess");
        assert_eq!(successes.len(), 1, "{bank:?}: {messages:?}");
        let payload = &successes[0]["payload"];
        let connection = payload["connectionId"].as_str().unwrap_or("");
        assert_eq!(connection.len(), 36, "{bank:?}: a UUID: {payload}");
        assert_eq!(payload["clientName"], "Simulated Merchant", "{payload}");
        assert_eq!(payload["aeroPassUserUuid"], user_id.as_str(), "{payload}");
        assert!(
            payload.get("user_password").is_none() && payload.get("user_id").is_none(),
            "SDK 2 carries no aggregator credentials: {payload}"
        );
        assert!(
            of_type(&messages, "widgetClose").is_empty(),
            "SDK 2.1 does not close itself after a success: {messages:?}"
        );
        assert!(of_type(&messages, "widgetError").is_empty(), "{messages:?}");

        app.click("#next-customer").await;
        app.wait_for_text("#screen-title", "New customer").await;
    }
    let records = enrollments(&app);
    assert_eq!(records.len(), Bank::ALL.len());
    app.quit().await;
}

/// API v1: the widget posts the 1.x payload (`user_id`, `user_password`,
/// `ClientName`, `FILoginAcctId`) and closes itself right after; the app
/// links from those credentials and ends on the done screen.
#[tokio::test]
async fn v1_widget_posts_aggregator_credentials_then_closes() {
    let app = launch_v1().await;
    record_widget_messages(&app).await;
    for (n, bank) in [Bank::Aerobank, Bank::AerosyncMfa, Bank::AerosyncOauth]
        .into_iter()
        .enumerate()
    {
        let customer = Customer::new("Annie", "Easley", 40 + n as u8);
        enroll_until_widget(&app, &customer).await;
        link_checking_account(&app, bank).await;
        wait_linked(&app, bank).await;
        app.screenshot(&format!("v1-done-{}", bank.id()));

        let messages = take_widget_messages(&app).await;
        let types: Vec<&str> = messages
            .iter()
            .map(|(_, m)| m["type"].as_str().unwrap_or(""))
            .filter(|t| *t != "widgetPageLoaded")
            .collect();
        assert_eq!(types, ["pageSuccess", "widgetClose"], "{messages:?}");
        let payload = &of_type(&messages, "pageSuccess")[0]["payload"];
        for field in ["user_id", "user_password", "FILoginAcctId"] {
            assert!(
                payload[field].as_str().is_some_and(|v| !v.is_empty()),
                "{bank:?}: {field} in {payload}"
            );
        }
        assert_eq!(payload["ClientName"], "Simulated Merchant");
        assert!(payload.get("connectionId").is_none(), "{payload}");
        // The link is really made, and the closing message after it does
        // not undo the done screen.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(app.text("#screen-title").await, "Bank account linked");

        app.click("#next-customer").await;
        app.wait_for_text("#screen-title", "New customer").await;
    }
    app.quit().await;
}

/// Types credentials into the widget's sign-in form and submits.
async fn sign_in(app: &App, username: &str, password: &str) {
    app.type_into("#username", username).await;
    app.type_into("#password", password).await;
    app.click("button[type='submit']").await;
}

#[tokio::test]
async fn wrong_credentials_and_wrong_mfa_answers_are_refused_in_the_widget() {
    let app = App::launch().await;
    let customer = Customer::new("Evelyn", "Boyd", 50);
    enroll_until_widget(&app, &customer).await;
    record_widget_messages(&app).await;
    app.enter_frame(0).await;

    // Aerobank: wrong password.
    app.click("button[data-bank='aerobank']").await;
    sign_in(&app, "sync", "not-the-password").await;
    let error = app.wait_for_text("p.error", WRONG_CREDENTIALS).await;
    assert_eq!(error, WRONG_CREDENTIALS);
    assert_eq!(app.text("#screen h2").await, "Sign in to Aerobank");
    app.screenshot("wrong-credentials");

    // Right credentials, wrong answer, then the right one.
    sign_in(&app, "sync", "mfa").await;
    app.wait_for_text("#screen", "What city were you born in?")
        .await;
    app.type_into("#answer", "Springfield").await;
    app.click("button[type='submit']").await;
    let error = app.wait_for_text("p.error", WRONG_ANSWER).await;
    assert_eq!(error, WRONG_ANSWER);
    assert_eq!(app.text("#screen h2").await, "Additional verification");
    app.screenshot("wrong-mfa-answer");

    app.leave_frames().await;
    let messages = take_widget_messages(&app).await;
    assert!(
        of_type(&messages, "pageSuccess").is_empty(),
        "no success after refused sign-ins: {messages:?}"
    );
    assert_eq!(app.text("#screen-title").await, "Link a bank account");
    app.quit().await;
}

#[tokio::test]
async fn mfa_trigger_bank_refuses_other_credentials_and_answers() {
    let app = App::launch().await;
    let customer = Customer::new("Mae", "Jemison", 51);
    enroll_until_widget(&app, &customer).await;
    app.enter_frame(0).await;
    app.click("button[data-bank='aerosync-mfa-trigger']").await;
    sign_in(&app, "mxuser", "wrong").await;
    app.wait_for_text("p.error", WRONG_CREDENTIALS).await;
    sign_in(&app, "mxuser", "challenge").await;
    app.wait_for_text("#screen", "What is the answer to the challenge question?")
        .await;
    app.type_into("#answer", "incorrect").await;
    app.click("button[type='submit']").await;
    app.wait_for_text("p.error", WRONG_ANSWER).await;
    app.type_into("#answer", "correct").await;
    app.click("button[type='submit']").await;
    app.wait_for_text("#screen", "Choose an account").await;
    app.click("#acct-0").await;
    app.click("button[type='submit']").await;
    app.leave_frames().await;
    wait_linked(&app, Bank::AerosyncMfaTrigger).await;
    app.quit().await;
}

#[tokio::test]
async fn closing_the_widget_can_be_undone() {
    let app = App::launch().await;
    let customer = Customer::new("Valerie", "Thomas", 52);
    enroll_until_widget(&app, &customer).await;
    app.enter_frame(0).await;
    app.click("#close").await;
    app.leave_frames().await;
    app.wait_for_text("#screen-title", "The bank window was closed")
        .await;
    assert!(!app.is_present("#widget-frame").await, "the widget is gone");
    app.screenshot("widget-closed");
    app.click("#reopen-widget").await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::AerosyncMfa).await;
    wait_linked(&app, Bank::AerosyncMfa).await;
    app.quit().await;
}
