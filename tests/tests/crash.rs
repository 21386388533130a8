//! The app is killed (SIGKILL: no exit handlers, as in a crash or a power
//! cut) at each point between the widget's success and the Done screen. On
//! the next start each case must end with exactly one link of the account at
//! Aeropay (the simulator) and a Linked record.
//!
//! | kill point | at the simulator when killed | after restart |
//! |---|---|---|
//! | before the link request leaves | nothing | linked once by the settling pass |
//! | while the simulator holds the answer | linked | found in the account list |
//! | after the answer, before the outcome is saved | linked | found in the account list |

mod common;

use aeropay_onboarding_e2e::{App, Launch};
use common::{
    data_dir, enroll_until_widget, enrollments, fault, link_checking_account, wait_until, Bank,
    Customer,
};
use onboarding_core::store::EnrollmentStatus;
use serde_json::Value;
use std::time::Duration;

fn paused_at(point: &str) -> Launch {
    Launch {
        env: vec![("AEROPAY_ONBOARDING_PAUSE_AT".into(), point.into())],
        ..Default::default()
    }
}

/// Accounts at the simulator for each user, from its saved state.
fn simulator_accounts(app: &App) -> Vec<Value> {
    let path = data_dir(app).join("simulator.sqlite3");
    let Ok(connection) =
        rusqlite::Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return Vec::new();
    };
    let json: Option<String> = connection
        .query_row("SELECT json FROM simulator_state WHERE id = 1", [], |row| {
            row.get(0)
        })
        .ok();
    let state: Value = json
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or(Value::Null);
    state["accounts"]
        .as_object()
        .map(|accounts| accounts.values().cloned().collect())
        .unwrap_or_default()
}

/// Kills the app at `point` of a new customer's link (after `before_kill`
/// says the moment has come), restarts it, and checks the outcome.
async fn killed_then_restarted(launch: Launch, customer: Customer, hold_answer: bool, point: &str) {
    let app = App::launch_with(launch).await;
    enroll_until_widget(&app, &customer).await;
    if hold_answer {
        fault(
            &app,
            serde_json::json!({"operation": "link", "kind": "hold_answer", "ms": 600000}),
        )
        .await;
    }
    link_checking_account(&app, Bank::Aerobank).await;
    if hold_answer {
        // The simulator has made the link and holds its answer.
        wait_until(
            "the simulator to make the link",
            Duration::from_secs(30),
            || simulator_accounts(&app).len() == 1,
        )
        .await;
        // A slow answer is not a silent spinner: after a few seconds the
        // screen says it is still at work.
        app.wait_for_text("#still-working", "Please don't close anything")
            .await;
    } else {
        let marker = format!("paused at {point}");
        wait_until(&marker, Duration::from_secs(30), || {
            app.log().contains(&marker)
        })
        .await;
    }
    app.screenshot("before-kill");
    let before = enrollments(&app);
    assert_eq!(before.len(), 1);
    assert_eq!(
        before[0].status,
        EnrollmentStatus::Finishing,
        "what is being linked is on disk before the link call"
    );
    app.kill_app();

    let app = app.relaunch(Launch::default()).await;
    wait_until(
        "the unfinished link to be settled",
        Duration::from_secs(45),
        || {
            enrollments(&app)
                .first()
                .is_some_and(|r| r.status == EnrollmentStatus::Linked)
        },
    )
    .await;
    let record = &enrollments(&app)[0];
    assert_eq!(
        record.bank_name.as_deref(),
        Some(Bank::Aerobank.linked_name())
    );
    assert_eq!(
        record.account_last4.as_deref(),
        Some(Bank::Aerobank.checking_last4())
    );
    let user_id = record.user_id.clone().expect("the customer's id");
    let accounts: Vec<Value> = simulator_accounts(&app)
        .into_iter()
        .filter(|a| a["user_id"] == user_id.as_str())
        .collect();
    assert_eq!(
        accounts.len(),
        1,
        "exactly one link of the account at Aeropay"
    );
    app.screenshot("after-restart");
    app.quit().await;
}

#[tokio::test]
async fn killed_before_the_link_request_leaves() {
    killed_then_restarted(
        paused_at("before-link"),
        Customer::new("Ida", "Kill", 71),
        false,
        "before-link",
    )
    .await;
}

#[tokio::test]
async fn killed_while_the_simulator_holds_the_answer() {
    killed_then_restarted(
        Launch::default(),
        Customer::new("Jon", "Kill", 72),
        true,
        "hold",
    )
    .await;
}

#[tokio::test]
async fn killed_after_the_answer_before_the_outcome_is_saved() {
    killed_then_restarted(
        paused_at("after-link-answer"),
        Customer::new("Kay", "Kill", 73),
        false,
        "after-link-answer",
    )
    .await;
}
