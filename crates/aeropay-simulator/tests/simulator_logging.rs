//! The simulator's log never holds a customer's phone number nor the
//! simulated code, at any level. Alone in its binary: tracing
//! caches per-callsite interest globally, so a thread-local subscriber is
//! only reliable without other tests running in parallel.

mod log_capture;
mod simulator_support;

use log_capture::Captured;
use simulator_support::{phone, Sim, V};

#[tokio::test]
async fn codes_and_phones_are_never_logged() {
    let captured = Captured::default();
    // The test runtime has one thread, so the simulator's tasks log here too.
    let _guard = tracing::subscriber::set_default(captured.subscriber("trace"));

    let s = Sim::default().await;
    let mut sent = Vec::new();
    for v in [V::V1, V::V2] {
        let merchant = s.merchant_token(v).await;
        let number = phone();
        let r = s
            .create_user(v, &merchant, Sim::user_body(v, &number))
            .await;
        assert_eq!(r.status, 200, "the user was not created");
        let user = &r.body["user"];
        let id = user.get("aeroPassUserUuid").unwrap_or(&user["id"]);
        let otp = s.otp(id.as_str().expect("a user id")).await;
        let code = otp["code"].as_str().expect("a code was sent").to_owned();
        sent.push((number, code));
    }

    let log = captured.text();
    let lines: Vec<&str> = log.lines().collect();
    assert!(
        tracing::enabled!(tracing::Level::TRACE),
        "everything is captured, down to trace"
    );
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(" INFO ") && l.contains("simulator: verification code sent"))
            .count(),
        2,
        "one info line per code sent"
    );
    for (n, (number, code)) in sent.iter().enumerate() {
        // Messages name which customer, never the number or the code.
        assert!(
            !log.contains(&number[2..]),
            "customer #{n}'s phone number is in the log"
        );
        assert!(
            !has_number(&log, code),
            "customer #{n}'s code is in the log"
        );
    }
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
