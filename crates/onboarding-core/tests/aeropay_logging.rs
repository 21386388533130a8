//! No token, API secret, widget token or `user_password` in logs, errors or
//! `Debug` output; no customer's name, phone number, e-mail or code in logs
//! at any level. Tracing caches per-callsite interest globally, so a
//! thread-local subscriber is only reliable while no other test logs: the
//! tests here take turns (`ONE_AT_A_TIME`) and are alone in their binary.

#[path = "../../aeropay-client/tests/aeropay_support/mod.rs"]
mod aeropay_support;
#[path = "../../aeropay-simulator/tests/log_capture/mod.rs"]
mod log_capture;

use aeropay_client::{AeropayClient, ApiVersion, ClientConfig, StaticCredentials};
use aeropay_simulator::{RunningSimulator, Simulator, SimulatorConfig, ADMIN_TOKEN_HEADER};
use aeropay_support::*;
use aerosync::{SdkVersion, WidgetOptions};
use log_capture::Captured;
use onboarding_core::config::{Environment, Mode};
use onboarding_core::enrollment::{
    CustomerDetails, EnrollmentDeps, EnrollmentView, Enrollments, Step,
};
use onboarding_core::store::{PhoneHasher, Store};
use onboarding_core::vault::MemoryVault;
use serde_json::{json, Value};
use std::sync::Arc;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const V2: ApiVersion = ApiVersion::V2;

/// One capturing test at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[tokio::test]
async fn secrets_never_reach_logs_errors_or_debug() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let widget_token =
        "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VyUGFzc3dvcmQiOiJ4In0.widget-sig";
    let server = MockServer::start().await;
    mount_token(&server, V2).await;
    Mock::given(method("GET"))
        .and(path("/v2/aggregatorCredentials"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"fastlinkURL": "https://sandbox.aerosync.com/", "token": widget_token, "username": "u"}),
        ))
        .mount(&server)
        .await;
    // An error whose server text echoes the API secret and a bearer token.
    Mock::given(method("GET"))
        .and(path("/v2/bankAccounts"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"error": {
            "code": "AP999",
            "message": format!("apiSecret={API_SECRET} header authorization: Bearer user-token-1 rejected")
        }})))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/linkAccountFromAggregator"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw("not json user_password=legacy-pw-55", "text/plain"),
        )
        .mount(&server)
        .await;

    let captured = Captured::default();
    // Only this crate's events: the client's own logging is under test.
    let _guard = tracing::subscriber::set_default(
        captured.subscriber("onboarding_core=trace,aeropay_client=trace"),
    );

    let client = client(&server, V2);
    let credentials = client.aggregator_credentials(USER_ID).await.unwrap();
    let error = client.bank_accounts(USER_ID).await.unwrap_err();
    let token = client.user_token(USER_ID).await.unwrap();

    // A v1 client on the same server, seeded with the token (no v1 mint needed).
    let v1 = aeropay_support::client(&server, ApiVersion::V1);
    assert!(v1.install_user_token(token.clone()));
    let legacy = aeropay_client::LinkSource::LegacyCredentials {
        user_id: "aerosync-user".into(),
        user_password: "legacy-pw-55".into(),
    };
    let link_error = v1.link_account(USER_ID, &legacy).await.unwrap_err();

    let logs = captured.text();
    assert!(logs.contains("Aeropay request"), "logging is on");
    assert!(logs.contains("<redacted>"), "bodies are logged redacted");
    let shown = format!(
        "{logs}\n{error}\n{error:?}\n{link_error}\n{link_error:?}\n{credentials:?}\n{token:?}\n{client:?}\n{legacy:?}"
    );
    for (what, secret) in [
        ("the API key", API_KEY),
        ("the API secret", API_SECRET),
        ("the customer's token", "user-token-1"),
        ("the merchant token", "merchant-token-1"),
        ("the widget token", widget_token),
        ("user_password", "legacy-pw-55"),
    ] {
        // Names what leaked, never the value or the output holding it.
        assert!(!shown.contains(secret), "{what} leaked");
    }
}

/// The customer of one enrollment, as typed on the details screen.
struct Person {
    first: &'static str,
    last: &'static str,
    phone: &'static str,
    phone_digits: &'static str,
    email: &'static str,
}

/// Enrolls `person` against the simulator with API `version`, through to
/// the linked account, the way the app does (state machine, real client,
/// SQLite); the widget's clicks go through the simulated widget's own API.
/// Returns the code the customer typed.
async fn enroll(sim: &RunningSimulator, version: ApiVersion, person: &Person) -> String {
    let c = sim.credentials();
    let client = Arc::new(
        AeropayClient::new(
            ClientConfig::with_base_url(sim.base_url().parse().unwrap(), version),
            Arc::new(StaticCredentials::new(
                c.api_key.clone(),
                c.api_secret.clone(),
                c.merchant_id,
            )),
        )
        .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(&dir.path().join("app.sqlite3")).unwrap());
    let enrollments = Enrollments::new(
        EnrollmentDeps {
            merchant: client.clone(),
            client,
            store: store.clone(),
            vault: Arc::new(MemoryVault::new()),
            phone_hasher: Arc::new(PhoneHasher::new(b"test-key")),
            environment: Environment::Simulator,
            widget: WidgetOptions {
                sdk_version: match version {
                    ApiVersion::V1 => SdkVersion::V1_1_3,
                    ApiVersion::V2 => SdkVersion::V2_1_4,
                },
                ..WidgetOptions::default()
            },
            mode: Mode::Desk,
            staff: None,
        },
        None,
    );
    let http = reqwest::Client::new();

    let view = enrollments
        .submit_details(CustomerDetails {
            first_name: person.first.into(),
            last_name: person.last.into(),
            phone: person.phone.into(),
            email: person.email.into(),
        })
        .await;
    assert!(matches!(view.step, Step::Code { .. }), "no code screen");
    let record = store.enrollment(view.id.as_deref().unwrap()).unwrap();
    let user_id = record.and_then(|r| r.user_id).expect("user id recorded");
    let otp: Value = http
        .get(format!("{}/__admin/otp?userId={user_id}", sim.base_url()))
        .header(ADMIN_TOKEN_HEADER, sim.admin_token())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = otp["code"].as_str().expect("a code was sent").to_owned();
    let view = enrollments.submit_code(&code).await;

    let (origin, messages) = complete_widget(&http, sim, &view).await;
    let mut last = None;
    for raw in &messages {
        last = Some(
            enrollments
                .widget_message(&origin, raw)
                .await
                .expect("widget message accepted")
                .view,
        );
    }
    let done = last.expect("the widget posted messages");
    assert!(matches!(done.step, Step::Done { .. }), "not linked");
    code
}

/// Aerobank, sync / no_mfa, account 6789, through the simulated widget's
/// API. Returns the widget's origin and the messages it posts.
async fn complete_widget(
    http: &reqwest::Client,
    sim: &RunningSimulator,
    view: &EnrollmentView,
) -> (String, Vec<String>) {
    let Step::Linking {
        widget_url,
        widget_origin,
        ..
    } = &view.step
    else {
        panic!("the widget is not open")
    };
    let url = url::Url::parse(widget_url.expose()).unwrap();
    let param = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    };
    let token = param("token").expect("widget token");
    let api = format!("{}/aerosync/api", sim.base_url());
    let post = |path: &str, body: Value| {
        http.post(format!("{api}{path}"))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let login: Value = post(
        "/login",
        json!({"bankId": "aerobank", "username": "sync", "password": "no_mfa"}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let done: Value = post(
        "/complete",
        json!({"loginId": login["loginId"], "accountIds": ["6789"], "version": param("version")}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let messages = done["messages"]
        .as_array()
        .expect("the widget's messages")
        .iter()
        .map(Value::to_string)
        .collect();
    (widget_origin.clone(), messages)
}

/// Whether `number` appears in `text` as a whole number (not inside a longer
/// run of digits).
fn has_number(text: &str, number: &str) -> bool {
    text.match_indices(number).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + number.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn an_enrollment_logs_no_name_phone_email_or_code_at_any_level() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let captured = Captured::default();
    // Everything, every crate, every level. The test runtime has one
    // thread: the simulator, the client and the state machine all log here.
    let _guard = tracing::subscriber::set_default(captured.subscriber("trace"));
    assert!(
        tracing::enabled!(tracing::Level::TRACE),
        "trace is captured"
    );

    let sim = Simulator::start(SimulatorConfig::default()).await.unwrap();
    let people = [
        (
            ApiVersion::V2,
            Person {
                first: "Grace",
                last: "Hopper",
                phone: "(415) 555-0181",
                phone_digits: "4155550181",
                email: "grace.hopper@navy.example.com",
            },
        ),
        (
            ApiVersion::V1,
            Person {
                first: "Katherine",
                last: "Johnson",
                phone: "+1 415 555 0182",
                phone_digits: "4155550182",
                email: "kjohnson@nasa.example.org",
            },
        ),
    ];
    let mut codes = Vec::new();
    for (version, person) in &people {
        codes.push(enroll(&sim, *version, person).await);
    }

    let logs = captured.text();
    // The bodies were logged (redacted), so there was something to leak.
    for needle in ["Aeropay request", "Aeropay response body", "<redacted>"] {
        assert!(logs.contains(needle), "the log has no {needle:?}");
    }
    for (n, (_, person)) in people.iter().enumerate() {
        let email_name = person.email.split('@').next().unwrap();
        for (what, value) in [
            ("first name", person.first),
            ("last name", person.last),
            ("e-mail", person.email),
            ("e-mail's name", email_name),
            ("phone number", person.phone_digits),
            ("phone number's last seven", &person.phone_digits[3..]),
        ] {
            assert!(
                !logs.contains(value),
                "customer #{n}'s {what} is in the log"
            );
        }
        assert!(
            !has_number(&logs, &codes[n]),
            "customer #{n}'s code is in the log"
        );
    }
}
