//! The enrollment's rules in the real window: a returning customer at a desk
//! gets no code once staff checked their ID, the widget's messages are checked (shape and origin) before they
//! count, a broken success can be retried, and savings accounts are refused.

mod common;

use aeropay_onboarding_e2e::App;
use common::{
    check_kept_securely, choose_account, enroll_until_widget, enrollments, launch_v1,
    link_checking_account, pass_the_id_check, record_titles, sign_in_to_bank, stored_token,
    submit_details, titles_seen, wait_account_ready, wait_for_widget, wait_linked, wait_ready,
    Bank, Customer,
};
use onboarding_core::store::EnrollmentStatus;

/// Enrolls `customer` through `bank`, then starts the next customer with
/// the same phone number. Returns the first enrollment's user id, with the
/// page on the existing-accounts screen.
async fn enroll_then_return(
    app: &App,
    customer: &Customer,
    again_as: &Customer,
    bank: Bank,
) -> String {
    enroll_until_widget(app, customer).await;
    link_checking_account(app, bank).await;
    wait_linked(app, bank).await;
    let first = check_kept_securely(app, customer, bank).await;

    app.click("#next-customer").await;
    app.wait_for_text("#screen-title", "New customer").await;
    assert_eq!(
        app.execute("return document.getElementById('field-phone').value;")
            .await,
        "",
        "the next customer starts from an empty form"
    );
    record_titles(app).await;
    submit_details(app, again_as).await;
    // Staff must say they checked the customer's ID: without the box
    // ticked, Rust refuses and nothing of the customer is shown.
    app.wait_for_text("#screen-title", "has enrolled on this machine before")
        .await;
    app.screenshot("id-check");
    app.click("#id-check-continue").await;
    app.wait_for_text("#notice", "check the customer's photo ID")
        .await;
    assert!(!app.is_present("#existing-accounts").await);
    pass_the_id_check(app).await;
    let title = app
        .wait_for_text("#screen-title", "already has a bank account with Aeropay")
        .await;
    assert_eq!(
        title,
        format!(
            "{} already has a bank account with Aeropay",
            again_as.first_name
        )
    );
    let existing = app.text("#existing-accounts").await;
    assert!(
        existing.contains(bank.linked_name())
            && existing.contains(&format!("Checking •••• {}", bank.checking_last4())),
        "{existing:?}"
    );
    app.screenshot("existing-accounts");
    let seen = titles_seen(app).await;
    assert!(
        !seen.iter().any(|t| t.contains("Enter the code")),
        "a returning customer must not be asked for a code; screens shown: {seen:?}"
    );
    let codes_sent = app
        .log()
        .matches("simulator: verification code sent")
        .count();
    assert_eq!(codes_sent, 1, "one code, for the first visit only");
    first.user_id.expect("the first link names its user")
}

#[tokio::test]
async fn a_returning_customer_skips_the_code_after_the_id_check_and_uses_their_account() {
    let app = App::launch().await;
    let customer = Customer::new("Ada", "Lovelace", 20);
    // Same phone, typed another way: the same customer.
    let mut again = customer.clone();
    again.phone = "415.555.0120".into();
    let user_id = enroll_then_return(&app, &customer, &again, Bank::Aerobank).await;

    app.click("#existing-accounts button").await;
    wait_account_ready(&app, Bank::Aerobank).await;
    let lead = app.text(".card.done .lead").await;
    assert_eq!(
        lead,
        "Welcome back. Ada's account is ready for Aeropay payments. \
         This account is now the default for payments."
    );
    app.screenshot("returning-done");

    let records = enrollments(&app);
    assert_eq!(records.len(), 2, "{records:?}");
    for record in &records {
        assert_eq!(record.status, EnrollmentStatus::Linked, "{record:?}");
        assert_eq!(record.user_id.as_deref(), Some(user_id.as_str()));
        assert_eq!(record.phone_hash, records[0].phone_hash);
    }
    assert_ne!(records[0].id, records[1].id, "a new record per visit");
    check_kept_securely(&app, &customer, Bank::Aerobank).await;
    app.quit().await;
}

#[tokio::test]
async fn a_returning_customer_links_another_account() {
    let app = App::launch().await;
    let customer = Customer::new("Alan", "Turing", 21);
    let user_id = enroll_then_return(&app, &customer, &customer, Bank::Aerobank).await;

    app.click("#link-another").await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::AerosyncMfaTrigger).await;
    let accounts = wait_linked(&app, Bank::AerosyncMfaTrigger).await;
    assert!(
        !accounts.contains("6789"),
        "only the newly linked account: {accounts:?}"
    );
    assert!(app
        .text(".card.done .lead")
        .await
        .starts_with("Welcome back."));
    let record = check_kept_securely(&app, &customer, Bank::AerosyncMfaTrigger).await;
    assert_eq!(record.user_id.as_deref(), Some(user_id.as_str()));
    app.quit().await;
}

/// API v1 and the 1.x widget: a customer who linked "Aerosync Bank (MFA)"
/// comes back, sees that account (read from v1's all-string answers), makes
/// it their default and is welcomed back.
#[tokio::test]
async fn v1_returning_customer_sees_and_uses_their_aerosync_account() {
    let app = launch_v1().await;
    let customer = Customer::new("Gladys", "West", 24);
    let bank = Bank::AerosyncMfa;
    let user_id = enroll_then_return(&app, &customer, &customer, bank).await;
    assert!(
        app.text("#existing-accounts").await.contains("•••• 5016"),
        "the account of Aeropay's v1 example"
    );

    app.click("#existing-accounts button").await;
    let accounts = wait_account_ready(&app, bank).await;
    assert!(accounts.contains("•••• 5016"), "{accounts:?}");
    assert_eq!(
        app.text(".card.done .lead").await,
        "Welcome back. Gladys's account is ready for Aeropay payments. \
         This account is now the default for payments."
    );
    app.screenshot("v1-returning-done");
    let records = enrollments(&app);
    assert_eq!(records.len(), 2, "{records:?}");
    for record in &records {
        assert_eq!(record.status, EnrollmentStatus::Linked, "{record:?}");
        assert_eq!(record.user_id.as_deref(), Some(user_id.as_str()));
    }
    check_kept_securely(&app, &customer, bank).await;
    app.quit().await;
}

#[tokio::test]
async fn malformed_and_wrong_origin_widget_messages_are_refused() {
    let app = App::launch().await;
    let customer = Customer::new("Joan", "Clarke", 22);
    enroll_until_widget(&app, &customer).await;

    // The widget frame posts something that is not JSON: refused, said so,
    // and the widget stays open where it was.
    app.enter_frame(0).await;
    app.execute("window.parent.postMessage('not json', '*'); return true;")
        .await;
    app.leave_frames().await;
    let notice = app
        .wait_for_text("#notice", "WIDGET_MESSAGE_NOT_JSON")
        .await;
    assert!(notice.contains("not JSON"), "{notice:?}");
    assert_eq!(
        app.find("#notice").await.attr("role").await.expect("attr"),
        Some("alert".into())
    );
    app.screenshot("not-json-notice");
    assert_eq!(app.text("#screen-title").await, "Link a bank account");
    app.enter_frame(0).await;
    app.wait_for_text("#screen", "Select your bank").await;
    app.leave_frames().await;

    // A compromised page calls the command itself, claiming another origin.
    let answer = app
        .execute(
            "return window.__TAURI__.core.invoke('enrollment_widget_message', \
             {origin: 'https://evil.example', \
              data: JSON.stringify({type: 'pageSuccess', payload: {connectionId: 'x'}})}) \
             .then(() => 'accepted', e => e.code);",
        )
        .await;
    assert_eq!(answer, "WIDGET_WRONG_ORIGIN");
    let state = app
        .execute(
            "return window.__TAURI__.core.invoke('enrollment_state').then(v => v.step, e => e.code);",
        )
        .await;
    assert_eq!(state, "linking", "the enrollment is still linking");
    assert_eq!(app.text("#screen-title").await, "Link a bank account");

    // A success without the account details: nothing linked, and the
    // failure says so with its code.
    app.enter_frame(0).await;
    app.execute(
        "window.parent.postMessage(JSON.stringify({type: 'pageSuccess', payload: {}}), '*'); \
         return true;",
    )
    .await;
    app.leave_frames().await;
    app.wait_for_text("#screen-title", "We could not finish")
        .await;
    let banner = app
        .wait_for_text(".banner.error", "Code for support: WIDGET_BAD_SUCCESS")
        .await;
    assert!(banner.contains("link the account again"), "{banner:?}");
    app.screenshot("bad-success");
    let failed = &enrollments(&app)[0];
    assert_eq!(failed.status, EnrollmentStatus::Failed);
    assert_eq!(failed.error_code.as_deref(), Some("WIDGET_BAD_SUCCESS"));
    let user_id = failed.user_id.clone().expect("user known");
    assert!(
        stored_token(&user_id).await.is_none(),
        "no token is kept for a failed link"
    );

    // Try again: the widget opens afresh and a real link goes through.
    app.click("#retry").await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::AerosyncMfa).await;
    wait_linked(&app, Bank::AerosyncMfa).await;
    let record = check_kept_securely(&app, &customer, Bank::AerosyncMfa).await;
    assert_eq!(
        record.id, failed.id,
        "the retry finishes the same enrollment"
    );
    app.quit().await;
}

#[tokio::test]
async fn a_savings_account_is_refused_and_checking_then_links() {
    let app = App::launch().await;
    let customer = Customer::new("Mary", "Jackson", 23);
    enroll_until_widget(&app, &customer).await;
    sign_in_to_bank(&app, Bank::Aerobank).await;
    choose_account(&app, 1).await;
    app.wait_for_text("#screen-title", "We could not finish")
        .await;
    let banner = app.wait_for_text(".banner.error", "AP411").await;
    assert!(
        banner.contains("Only checking accounts can be linked"),
        "{banner:?}"
    );
    app.screenshot("savings-refused");
    assert_eq!(enrollments(&app)[0].status, EnrollmentStatus::Failed);

    // The message asks for a checking account: the screen must lead back to
    // the bank list to choose one, not only to a fresh start.
    assert!(
        app.is_present("#retry").await,
        "after AP411 the failure screen offers only {:?}; the customer cannot go back \
         to the widget to choose their checking account",
        app.text(".card .actions").await
    );
    app.click("#retry").await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::Aerobank).await;
    let accounts = wait_linked(&app, Bank::Aerobank).await;
    assert!(!accounts.contains("2468"), "{accounts:?}");
    check_kept_securely(&app, &customer, Bank::Aerobank).await;
    app.quit().await;
}

#[tokio::test]
async fn invalid_details_are_refused_field_by_field() {
    let app = App::launch().await;
    wait_ready(&app).await;
    app.type_into("#field-firstName", "Ada1").await;
    app.type_into("#field-phone", "(115) 555-0124").await;
    app.type_into("#field-email", "not-an-address").await;
    app.click("#details-submit").await;
    app.wait_for_text("#field-phone-error", "not a valid US mobile number")
        .await;
    let mut errors = Vec::new();
    for element in app
        .client()
        .find_all(aeropay_onboarding_e2e::fantoccini::Locator::Css(
            ".field-error",
        ))
        .await
        .expect("field errors")
    {
        errors.push(element.text().await.expect("text"));
    }
    assert_eq!(errors.len(), 4, "one error per field: {errors:?}");
    assert_eq!(app.text("#screen-title").await, "New customer");
    app.screenshot("field-errors");
    // What was typed stays, so it can be corrected.
    let typed = app
        .execute(
            "return ['firstName', 'phone', 'email'] \
               .map(name => document.getElementById('field-' + name).value);",
        )
        .await;
    assert_eq!(
        typed,
        serde_json::json!(["Ada1", "(115) 555-0124", "not-an-address"]),
        "after field errors the form must still hold what was typed"
    );
    assert!(
        enrollments(&app).is_empty(),
        "invalid details leave no record"
    );
    app.quit().await;
}
