//! Everything the app leaves on disk after a whole enrollment and a CSV
//! export — its logs at trace level, SQLite files, settings, the audit
//! trail, exports, WebKit's storage and caches — holds no secret and no
//! personal data: not the API secret, no token (Aeropay's or the widget's,
//! all JWTs), not the customer's full phone number, e-mail or last name.
//! A hit names the file and what was found, never the value.
//!
//! The built-in simulator's database (the stand-in for Aeropay's own) is
//! left out. The first name and the last initial are kept by design (the desk list
//! shows "Ada L."). Verification codes are not checked here: the simulator's
//! bypass code `000000` is too common a string to scan for; the trace-level
//! log test of the API client checks codes.

mod common;

use aeropay_onboarding_e2e::leftovers::{scan, Needle};
use aeropay_onboarding_e2e::{App, Launch};
use common::{enroll_until_widget, link_checking_account, wait_linked, Bank, Customer};
use std::path::Path;

#[tokio::test]
async fn nothing_secret_or_personal_is_left_behind() {
    let app = App::launch_with(Launch {
        args: vec!["--mode".into(), "desk".into()],
        env: vec![("RUST_LOG".into(), "trace".into())],
        ..Default::default()
    })
    .await;
    let customer = Customer::new("Quentin", "Leakproofington", 77);
    enroll_until_widget(&app, &customer).await;
    link_checking_account(&app, Bank::Aerobank).await;
    wait_linked(&app, Bank::Aerobank).await;
    app.execute("document.querySelector('#nav-list').click()")
        .await;
    app.find("#export-csv").await;
    app.execute("document.querySelector('#export-csv').click()")
        .await;
    app.wait_for_text("#export-result", "Saved").await;
    let export = app.text("#export-path").await;
    app.screenshot("exported");
    let home = app.close().await;
    assert!(
        Path::new(&export).is_file(),
        "the export is among the files scanned"
    );

    let digits = customer.phone_digits();
    let needles = [
        Needle {
            what: "the simulator's API secret",
            bytes: aeropay_simulator::SimulatorConfig::default()
                .credentials
                .api_secret
                .into_bytes(),
        },
        Needle {
            what: "the phone number (digits)",
            bytes: digits.clone().into_bytes(),
        },
        Needle {
            what: "the phone number (as typed)",
            bytes: customer.phone.clone().into_bytes(),
        },
        Needle {
            what: "the phone number (+1 form)",
            bytes: format!("+1{digits}").into_bytes(),
        },
        Needle {
            what: "the e-mail address",
            bytes: customer.email.clone().into_bytes(),
        },
        Needle {
            what: "the last name",
            bytes: customer.last_name.as_bytes().to_vec(),
        },
    ];
    assert!(
        home.path()
            .join(".local/share/app.aeropay-onboarding.desktop/app.sqlite3")
            .is_file(),
        "the app's database is among the files scanned"
    );
    let (files, found) = scan(home.path(), &needles);
    assert!(
        found.is_empty(),
        "{} of {} files hold what they must not:\n{}",
        found.len(),
        files,
        found.join("\n")
    );
}
