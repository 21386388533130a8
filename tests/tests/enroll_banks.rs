//! A new customer enrolls through each test bank of the simulator, with
//! Aeropay API v2 and v1, in the real window. After each link the app must
//! have kept a live token in the OS keychain, a record of the link in its
//! database, and no phone number, e-mail or token in the database file.

mod common;

use aeropay_onboarding_e2e::App;
use common::{
    check_kept_securely, enroll_until_widget, launch_v1, link_checking_account,
    record_widget_messages, take_widget_messages, wait_linked, wait_only_main_window, Bank,
    Customer,
};

/// Details, code, the widget for `bank`, the done screen, the kept state.
async fn new_customer_links(app: App, customer: Customer, bank: Bank) {
    enroll_until_widget(&app, &customer).await;
    app.screenshot("widget-banks");
    link_checking_account(&app, bank).await;
    let accounts = wait_linked(&app, bank).await;
    app.screenshot("done");
    let title = app.text("#screen-title").await;
    assert_eq!(title, "Bank account linked");
    let lead = app.text(".card.done .lead").await;
    assert_eq!(
        lead,
        format!(
            "{}'s account is ready for Aeropay payments.",
            customer.first_name
        ),
        "a new customer is not welcomed back"
    );
    assert_eq!(
        accounts.lines().filter(|l| l.contains("••••")).count(),
        1,
        "exactly one account linked: {accounts:?}"
    );
    // A bank window, if one was opened, does not outlive the link.
    wait_only_main_window(&app).await;
    check_kept_securely(&app, &customer, bank).await;
    app.quit().await;
}

#[tokio::test]
async fn v2_new_customer_links_aerosync_bank_mfa() {
    let customer = Customer::new("Grace", "Hopper", 10);
    new_customer_links(App::launch().await, customer, Bank::AerosyncMfa).await;
}

#[tokio::test]
async fn v2_new_customer_links_aerosync_bank_oauth_through_the_bank_window() {
    let customer = Customer::new("Katherine", "Johnson", 11);
    new_customer_links(App::launch().await, customer, Bank::AerosyncOauth).await;
}

#[tokio::test]
async fn v2_new_customer_links_aerosync_bank_mfa_trigger() {
    let customer = Customer::new("Margaret", "Hamilton", 12);
    new_customer_links(App::launch().await, customer, Bank::AerosyncMfaTrigger).await;
}

#[tokio::test]
async fn v2_new_customer_links_aerobank_without_mfa() {
    let customer = Customer::new("Hedy", "Lamarr", 13);
    new_customer_links(App::launch().await, customer, Bank::Aerobank).await;
}

#[tokio::test]
async fn v2_new_customer_links_aerobank_with_mfa() {
    let customer = Customer::new("Radia", "Perlman", 14);
    new_customer_links(App::launch().await, customer, Bank::AerobankWithMfa).await;
}

#[tokio::test]
async fn v2_new_customer_links_aerobank_oauth_through_the_bank_window() {
    let customer = Customer::new("Frances", "Allen", 15);
    new_customer_links(App::launch().await, customer, Bank::AerobankOauth).await;
}

#[tokio::test]
async fn v1_new_customer_links_aerobank() {
    let customer = Customer::new("Barbara", "Liskov", 16);
    new_customer_links(launch_v1().await, customer, Bank::Aerobank).await;
}

/// Aeropay's v1 page, end to end: the 1.x widget (SDK 1.1.3) at "Aerosync
/// Bank (MFA)", whose link answer is all strings ("isSelected":"1"), ends
/// on the account that page shows.
#[tokio::test]
async fn v1_new_customer_links_aerosync_bank_mfa() {
    let customer = Customer::new("Shafi", "Goldwasser", 17);
    let app = launch_v1().await;
    enroll_until_widget(&app, &customer).await;
    // The widget's source carries its token: only its parameter names are
    // read. SDK 1.1.3 sends no `version`, which selects the 1.x payload.
    let parameters = app
        .execute(
            "return [...new URL(document.getElementById('widget-frame').src).searchParams.keys()];",
        )
        .await;
    let parameters: Vec<String> = serde_json::from_value(parameters).expect("parameter names");
    assert!(
        parameters.contains(&"token".to_string()) && !parameters.contains(&"version".to_string()),
        "the 1.x widget is launched with a token and no version: {parameters:?}"
    );
    record_widget_messages(&app).await;
    link_checking_account(&app, Bank::AerosyncMfa).await;
    let accounts = wait_linked(&app, Bank::AerosyncMfa).await;
    app.screenshot("done");
    // The 1.x success: the v1 link's `user_id` and `user_password`, then
    // the close that SDK sends after it.
    let messages = take_widget_messages(&app).await;
    let outcomes: Vec<&serde_json::Value> = messages
        .iter()
        .map(|(_, m)| m)
        .filter(|m| m["type"] != "widgetPageLoaded")
        .collect();
    let types: Vec<&str> = outcomes
        .iter()
        .map(|m| m["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, ["pageSuccess", "widgetClose"]);
    let payload_keys: Vec<&String> = outcomes[0]["payload"]
        .as_object()
        .expect("a payload object")
        .keys()
        .collect();
    assert_eq!(
        payload_keys,
        ["ClientName", "FILoginAcctId", "user_id", "user_password"]
    );
    assert!(
        accounts.contains("Aerosync Bank (MFA)") && accounts.contains("•••• 5016"),
        "{accounts:?}"
    );
    assert_eq!(
        accounts.lines().filter(|l| l.contains("••••")).count(),
        1,
        "exactly one account linked: {accounts:?}"
    );
    assert_eq!(
        app.text(".card.done .lead").await,
        "Shafi's account is ready for Aeropay payments.",
        "a new customer is not welcomed back"
    );
    check_kept_securely(&app, &customer, Bank::AerosyncMfa).await;
    app.quit().await;
}

#[tokio::test]
async fn v1_new_customer_links_aerosync_bank_mfa_trigger() {
    let customer = Customer::new("Adele", "Goldberg", 18);
    new_customer_links(launch_v1().await, customer, Bank::AerosyncMfaTrigger).await;
}

#[tokio::test]
async fn v1_new_customer_links_aerobank_oauth_through_the_bank_window() {
    let customer = Customer::new("Lynn", "Conway", 19);
    new_customer_links(launch_v1().await, customer, Bank::AerobankOauth).await;
}
