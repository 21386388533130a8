//! How long a kiosk reset takes, in the real window: from "Start over" on the
//! idle warning (Rust runs the same reset when the countdown reaches zero) to the attract
//! screen drawn, and to Rust's reset done (`kiosk_reset` returned: session
//! and tokens dropped, bank windows closed, webview data and clipboard
//! cleared, audit written). The page's own `performance.mark`s time it, so
//! WebDriver's latency is not in the numbers.
//!
//!     cargo build -p aeropay-onboarding
//!     scripts/with-keyring.sh cargo bench --profile dev -p aeropay-onboarding-e2e --bench kiosk_reset -- --runs 20
//!
//! Two situations, `--runs` resets each, in one kiosk app: a customer on the
//! details screen, and a customer in the bank widget (its origin has storage
//! to clear).

use aeropay_onboarding_e2e::bench_args::BenchArgs;
use aeropay_onboarding_e2e::flow::{
    fill_details, kiosk_until_widget, press_start_over_on_the_warning, Customer,
};
use aeropay_onboarding_e2e::{App, Launch};
use std::time::Duration;

const MARKS: &str = r#"
    const at = (name) => { const m = performance.getEntriesByName(name, "mark"); return m.length ? m[m.length - 1].startTime : null; };
    const trigger = at("kiosk-reset-trigger"), shown = at("kiosk-attract-shown"), done = at("kiosk-reset-done");
    if (trigger === null || shown === null || done === null || shown < trigger) return null;
    return { attract: shown - trigger, rust: done - trigger };"#;

fn runs() -> usize {
    BenchArgs::from_env().number("runs").unwrap_or(20)
}

/// A customer in the bank widget, its origin holding local and session
/// storage (for the reset to clear).
async fn up_to_the_widget(app: &App, customer: &Customer) {
    kiosk_until_widget(app, customer).await;
    app.enter_frame(0).await;
    app.execute(
        r#"localStorage.setItem("bench", "1"); sessionStorage.setItem("bench", "1"); return true;"#,
    )
    .await;
    app.leave_frames().await;
}

/// One reset: waits for the warning, presses "Start over", returns the
/// page's (attract drawn, Rust done) times in ms.
async fn reset(app: &App) -> (f64, f64) {
    press_start_over_on_the_warning(app).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let marks = app.execute(MARKS).await;
        if let (Some(attract), Some(rust)) = (marks["attract"].as_f64(), marks["rust"].as_f64()) {
            return (attract, rust);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no reset marks after 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = (p * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn report(what: &str, mut samples: Vec<f64>) {
    samples.sort_by(|a, b| a.total_cmp(b));
    println!(
        "| {what} (n={}) | {:.1} ms | {:.1} ms | {:.1} – {:.1} ms |",
        samples.len(),
        percentile(&samples, 0.5),
        percentile(&samples, 0.9),
        samples[0],
        samples[samples.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    let runs = runs();
    let app = App::launch_with(Launch {
        // The warning comes after two quiet seconds.
        settings_json: Some(
            r#"{"kiosk": {"idleSeconds": 2, "warningSeconds": 20, "widgetIdleSeconds": 2}}"#.into(),
        ),
        args: vec!["--mode".into(), "kiosk".into()],
        ..Default::default()
    })
    .await;
    app.wait_for_text("#app-status", "Ready").await;

    let mut results = Vec::new();
    for (situation, widget) in [("details screen", false), ("bank widget", true)] {
        let (mut attract, mut rust) = (Vec::new(), Vec::new());
        // One warm-up reset, not counted.
        for n in 0..=runs {
            app.wait_for_text("#attract-start", "Tap to start").await;
            app.click("#attract-start").await;
            let customer = Customer::numbered(
                "Bench",
                "Customer",
                3000 + n as u16 + if widget { 500 } else { 0 },
            );
            if widget {
                up_to_the_widget(&app, &customer).await;
            } else {
                fill_details(&app, &customer).await;
            }
            let (a, r) = reset(&app).await;
            if n > 0 {
                attract.push(a);
                rust.push(r);
            }
        }
        results.push((situation, attract, rust));
    }
    println!("| reset from \"Start over\" | median | p90 | min – max |");
    println!("|---|---|---|---|");
    for (situation, attract, rust) in results {
        report(&format!("{situation}: attract screen drawn"), attract);
        report(&format!("{situation}: Rust reset done"), rust);
    }
    app.quit().await;
}
