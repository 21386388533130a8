//! The simulator's log never holds a customer's phone number, and prints
//! the simulated code only at debug level. Alone in its binary: tracing
//! caches per-callsite interest globally, so a thread-local subscriber is
//! only reliable without other tests running in parallel.

mod simulator_support;

use simulator_support::{phone, Sim, V};
use std::io::Write;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn codes_are_logged_at_debug_only_and_phones_never() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("aeropay_onboarding=trace")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // The test runtime has one thread, so the simulator's tasks log here too.
    let _guard = tracing::subscriber::set_default(subscriber);

    let s = Sim::default().await;
    let mut sent = Vec::new();
    for v in [V::V1, V::V2] {
        let merchant = s.merchant_token(v).await;
        let number = phone();
        let r = s
            .create_user(v, &merchant, Sim::user_body(v, &number))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let user = &r.body["user"];
        let id = user.get("aeroPassUserUuid").unwrap_or(&user["id"]);
        let otp = s.otp(id.as_str().expect("a user id")).await;
        let code = otp["code"].as_str().expect("a code was sent").to_owned();
        sent.push((number, code));
    }

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = log.lines().collect();
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains(" INFO ") && l.contains("simulator: verification code sent"))
            .count(),
        2,
        "one info line per code sent:\n{log}"
    );
    for (number, code) in &sent {
        let local = &number[2..];
        assert!(
            !log.contains(local),
            "the phone number {number} is in the log:\n{log}"
        );
        let with_code: Vec<&&str> = lines.iter().filter(|l| l.contains(code.as_str())).collect();
        assert_eq!(
            with_code.len(),
            1,
            "the code {code} once, in its debug line:\n{log}"
        );
        assert!(
            with_code[0].contains(" DEBUG ") && with_code[0].contains("simulated code"),
            "{}",
            with_code[0]
        );
    }
}
