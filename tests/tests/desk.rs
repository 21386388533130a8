//! Desk mode in the real window: two customers enrolled one after another,
//! both in the list (filters and search included), the one who stopped at
//! the code resumed from the list, and the list exported as CSV.

mod common;

use aeropay_onboarding_e2e::App;
use common::{
    confirm_with_bypass_code, enrollments, link_checking_account, pass_the_id_check,
    submit_details, wait_for_widget, wait_linked, wait_ready, Bank, Customer, BYPASS_CODE,
};
use onboarding_core::store::EnrollmentStatus;
use std::time::Duration;

/// The rows of the list as `(customer, phone, bank, status)`.
async fn rows(app: &App) -> Vec<[String; 4]> {
    let value = app
        .execute(
            "return [...document.querySelectorAll('#enrollments tbody tr')].map((tr) =>
               ['.customer-cell', '.phone-cell', '.bank-cell', '.status-cell']
                 .map((cell) => tr.querySelector(cell).textContent));",
        )
        .await;
    serde_json::from_value(value).expect("rows of four cells")
}

async fn wait_rows(app: &App, count: usize) -> Vec<[String; 4]> {
    app.wait_for(
        "the list to show its rows",
        Duration::from_secs(10),
        || async {
            app.is_present("#enrollments tbody tr, #enrollments-empty")
                .await
                && rows(app).await.len() == count
        },
    )
    .await;
    rows(app).await
}

async fn choose_status(app: &App, status: &str) {
    app.execute(&format!(
        "const s = document.getElementById('filter-status'); s.value = '{status}';
         s.dispatchEvent(new Event('change'));"
    ))
    .await;
}

#[tokio::test]
async fn desk_lists_two_customers_resumes_one_at_the_code_and_exports_csv() {
    let app = App::launch_with(aeropay_onboarding_e2e::Launch {
        args: vec!["--mode".into(), "desk".into()],
        ..Default::default()
    })
    .await;
    wait_ready(&app).await;
    assert!(app.is_present("#desk-nav:not([hidden])").await);

    // Ada enrolls all the way.
    let ada = Customer::new("Ada", "Lovelace", 41);
    submit_details(&app, &ada).await;
    confirm_with_bypass_code(&app).await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::Aerobank).await;
    wait_linked(&app, Bank::Aerobank).await;
    app.click("#next-customer").await;

    // Grace gets her code by text message, but staff turn to the list
    // before she reads it out.
    let grace = Customer::new("Grace", "Hopper", 42);
    submit_details(&app, &grace).await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    app.click("#nav-list").await;
    app.wait_for_text("#screen-title", "Enrollments on this machine")
        .await;
    let listed = wait_rows(&app, 2).await;
    assert_eq!(listed[0][0], "Grace H.", "newest first: {listed:?}");
    assert_eq!(listed[0][1], "•••-•••-••42");
    assert_eq!(listed[0][2], "—");
    assert_eq!(listed[0][3], "Waiting for code");
    assert_eq!(listed[1][0], "Ada L.");
    assert_eq!(listed[1][1], "•••-•••-••41");
    assert_eq!(listed[1][2], "Aerobank •••• 6789");
    assert_eq!(listed[1][3], "Linked");
    let page = app.execute("return document.body.innerText;").await;
    let page = page.as_str().unwrap_or_default();
    for secret in [ada.phone_digits(), grace.phone_digits(), ada.email.clone()] {
        assert!(!page.contains(&secret), "{secret} on the page");
    }
    assert_eq!(app.text("#enrollments-count").await, "2 enrollments");
    app.screenshot("desk-list");

    // Filters: by status, then by a search of the name.
    choose_status(&app, "waiting_for_code").await;
    let waiting = wait_rows(&app, 1).await;
    assert_eq!(waiting[0][0], "Grace H.");
    choose_status(&app, "failed").await;
    app.wait_for_text("#enrollments-empty", "No enrollments match")
        .await;
    choose_status(&app, "all").await;
    wait_rows(&app, 2).await;
    app.type_into("#filter-text", "ada").await;
    let found = wait_rows(&app, 1).await;
    assert_eq!(found[0][0], "Ada L.");
    assert_eq!(
        app.execute("return document.activeElement.id;").await,
        "filter-text",
        "typing a search keeps the focus in the search field"
    );
    app.execute(
        "const t = document.getElementById('filter-text'); t.value = '';
         t.dispatchEvent(new Event('input'));",
    )
    .await;
    wait_rows(&app, 2).await;
    assert!(
        app.is_present("#enrollments tbody tr:first-child [data-action='resume']")
            .await
    );
    assert!(
        app.is_present("#enrollments tbody tr:nth-child(2) [data-action='link-another']")
            .await
    );

    // Resume Grace at the code: no new POST /user, so no second code.
    app.click("#enrollments tbody tr:first-child [data-action='resume']")
        .await;
    app.wait_for_text("#screen-title", "Enter the code").await;
    assert!(app.is_present("#resumed-code-hint").await);
    assert!(!app.is_present("#code-resend").await);
    app.type_into("#field-code", BYPASS_CODE).await;
    app.click("#code-submit").await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::AerosyncMfa).await;
    wait_linked(&app, Bank::AerosyncMfa).await;
    let codes_sent = app
        .log()
        .matches("simulator: verification code sent")
        .count();
    assert_eq!(
        codes_sent, 2,
        "one code each for Ada and Grace, none on resume"
    );

    let records = enrollments(&app);
    assert_eq!(records.len(), 2, "resuming continues the same enrollment");
    assert!(records.iter().all(|r| r.status == EnrollmentStatus::Linked));

    // Both linked in the list, then exported.
    app.click("#nav-list").await;
    let listed = wait_rows(&app, 2).await;
    assert_eq!(listed[0][2], "Aerosync Bank (MFA) •••• 5016");
    assert_eq!(listed[0][3], "Linked");
    app.click("#export-csv").await;
    app.wait_for_text("#export-result", "Saved 2 enrollments to")
        .await;
    let path = app.text("#export-path").await;
    assert!(path.starts_with(app.home().to_str().unwrap()), "{path}");
    let csv = std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("date,customer,phone,bank,last_four,status,error_code")
    );
    let body: Vec<&str> = lines.collect();
    assert_eq!(body.len(), 2, "{csv}");
    assert!(
        body[0].contains(",Ada L.,•••-•••-••41,Aerobank,6789,linked,"),
        "{csv}"
    );
    assert!(
        body[1].contains(",Grace H.,•••-•••-••42,Aerosync Bank (MFA),5016,linked,"),
        "{csv}"
    );
    for secret in [
        ada.phone_digits(),
        grace.phone_digits(),
        ada.email.clone(),
        grace.email.clone(),
    ] {
        assert!(!csv.contains(&secret), "{secret} in the export");
    }
    for record in &records {
        let user_id = record.user_id.as_deref().unwrap();
        assert!(
            !csv.contains(&format!(",{user_id},")),
            "user id in the export"
        );
    }
    app.screenshot("desk-exported");
    app.quit().await;
}

#[tokio::test]
async fn a_linked_customer_links_another_account_from_the_list() {
    let app = App::launch().await;
    wait_ready(&app).await;
    let ada = Customer::new("Ada", "Lovelace", 43);
    submit_details(&app, &ada).await;
    confirm_with_bypass_code(&app).await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::Aerobank).await;
    wait_linked(&app, Bank::Aerobank).await;

    app.click("#nav-list").await;
    wait_rows(&app, 1).await;
    app.click("#enrollments tbody tr:first-child [data-action='link-another']")
        .await;
    // After the ID check straight to the bank list: no details, no code.
    pass_the_id_check(&app).await;
    wait_for_widget(&app).await;
    link_checking_account(&app, Bank::AerosyncMfa).await;
    wait_linked(&app, Bank::AerosyncMfa).await;
    assert_eq!(
        app.log()
            .matches("simulator: verification code sent")
            .count(),
        1
    );
    app.click("#nav-list").await;
    let listed = wait_rows(&app, 2).await;
    assert_eq!(listed[0][2], "Aerosync Bank (MFA) •••• 5016");
    assert_eq!(listed[1][2], "Aerobank •••• 6789");
    app.quit().await;
}

#[tokio::test]
async fn the_desk_window_comes_back_where_staff_left_it() {
    let desk = || aeropay_onboarding_e2e::Launch {
        args: vec!["--mode".into(), "desk".into()],
        ..Default::default()
    };
    let app = App::launch_with(desk()).await;
    wait_ready(&app).await;
    let before = app.client().get_window_rect().await.expect("window rect");
    let wanted = (70, 50, 900, 720);
    assert_ne!(before, wanted, "the test must change something");
    app.client()
        .set_window_rect(
            wanted.0 as u32,
            wanted.1 as u32,
            wanted.2 as u32,
            wanted.3 as u32,
        )
        .await
        .expect("window moved and resized");
    app.wait_for(
        "the window to take its new size",
        Duration::from_secs(5),
        || async { app.client().get_window_rect().await.ok() == Some(wanted) },
    )
    .await;

    // Saved once the window settles, not only on a clean exit.
    let state_file = app
        .home()
        .join(".config/app.aeropay-onboarding.desktop/.window-state.json");
    app.wait_for(
        "the window state to be saved",
        Duration::from_secs(10),
        || async {
            std::fs::read_to_string(&state_file)
                .is_ok_and(|state| state.contains("\"main\"") && state.contains("\"width\": 900"))
        },
    )
    .await;

    let app = app.relaunch(desk()).await;
    wait_ready(&app).await;
    let after = app.client().get_window_rect().await.expect("window rect");
    assert_eq!(after, wanted, "size and position restored");
    app.quit().await;
}
