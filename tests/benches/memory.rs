//! Memory of the app over a long session, beside a bare Tauri window: after
//! many enrollments at the desk and after many kiosk resets, does anything
//! grow? Run it through `scripts/bench-memory.sh`, which builds what it needs
//! and provides the private keyring session:
//!
//!     scripts/bench-memory.sh
//!     scripts/with-keyring.sh cargo bench --profile dev -p aeropay-onboarding-e2e --bench memory -- \
//!         --bare $PWD/target/debug/aeropay-onboarding-bare-window --app $PWD/target/debug/aeropay-onboarding
//!
//! Each reading is VmRSS (and PSS) of the app process plus its descendants
//! (the WebKit web and network processes), taken `SETTLE` after the step and
//! again a second later; the mean of the two is reported. Readings:
//! - the bare window (`--bare`, `tests/bare-window`) at rest, launched before
//!   and after the app's sessions: the yardstick of the ratios;
//! - desk: after start, then after each of `--enrollments` new customers, one
//!   after another in one app session: details, code, the simulator's widget
//!   (Aerobank, checking account) to Done, then "Next customer";
//! - kiosk: after start (attract screen), then after each of `--resets`
//!   resets in one app session: the customer reaches the widget's bank list,
//!   waits, and presses "Start over" on the idle warning.
//!
//! `--kiosk-display cage` runs the kiosk, and the bare window it is compared
//! with, inside cage's headless Wayland output (the compositor of the shipped
//! kiosk session) instead of the harness's Xvfb; the desk stays on Xvfb.
//! cage refuses to run as root: `scripts/bench-memory.sh` runs the bench as
//! `nobody` then.
//!
//! Paths are best given absolute: cargo runs the bench in `tests/`.
//!
//! Growth: last reading minus the first one after the warm-up (the first
//! enrollment or reset), and the least-squares slope per enrollment or reset
//! over all readings after the warm-up.

use aeropay_onboarding_e2e::bench_args::{self, BenchArgs};
use aeropay_onboarding_e2e::flow::{
    enroll_until_widget, kiosk_until_widget, link_checking_account,
    press_start_over_on_the_warning, wait_linked, wait_ready, Bank, Customer,
};
use aeropay_onboarding_e2e::procmem::{
    app_process, load_average, load_average_1min, median, mib, slope, summary, tree_memory,
    TreeMemory, SETTLE,
};
use aeropay_onboarding_e2e::{App, Display, Launch};
use std::path::PathBuf;
use std::time::Duration;

/// Pause between the two readings of one sample.
const SECOND_READING: Duration = Duration::from_secs(1);

struct Settings {
    enrollments: usize,
    resets: usize,
    app: PathBuf,
    bare: Option<PathBuf>,
    /// Extra environment of the app (not of the bare window), to try a
    /// setting without a rebuild, e.g. `--app-env MALLOC_ARENA_MAX=2`.
    app_env: Vec<(String, String)>,
    /// Where the kiosk and its bare window are shown (`--kiosk-display`).
    kiosk_display: Display,
}

impl Settings {
    fn from_args() -> Settings {
        let args = BenchArgs::from_env();
        Settings {
            enrollments: args.number("enrollments").unwrap_or(20),
            resets: args.number("resets").unwrap_or(20),
            app: args
                .paths("app")
                .pop()
                .unwrap_or_else(aeropay_onboarding_e2e::app_binary),
            bare: args.paths("bare").pop(),
            app_env: args
                .all("app-env")
                .into_iter()
                .map(|pair| {
                    let (name, value) = pair.split_once('=').expect("--app-env takes NAME=VALUE");
                    (name.to_owned(), value.to_owned())
                })
                .collect(),
            kiosk_display: match args.value("kiosk-display") {
                None | Some("xvfb") => Display::Xvfb,
                Some("cage") => Display::Cage,
                Some(other) => panic!("--kiosk-display takes xvfb or cage, not {other:?}"),
            },
        }
    }
}

/// One sample: the mean of two readings a second apart, in MiB.
#[derive(Clone, Copy)]
struct Sample {
    app_rss: f64,
    /// The app process's shared memory: under the harness's Xvfb, the
    /// images GTK sends the X server through MIT-SHM; under cage, the
    /// Wayland buffers (wl_shm) GTK draws the window into. One window's
    /// pixels each; they depend on the display, not on what the page keeps.
    app_shmem: f64,
    web_rss: f64,
    total_pss: f64,
    load: f64,
}

impl Sample {
    fn total_rss(&self) -> f64 {
        self.app_rss + self.web_rss
    }

    fn total_rss_without_shmem(&self) -> f64 {
        self.total_rss() - self.app_shmem
    }
}

/// The bare window's medians: RSS total, and without its shared memory.
#[derive(Clone, Copy)]
struct Bare {
    total: f64,
    without_shmem: f64,
}

/// Waits for memory to settle, then reads the app's process tree twice.
async fn sample(app: &App, binary: &std::path::Path) -> (Sample, TreeMemory) {
    let pid = app_process(binary, app.home())
        .expect("the app process is running")
        .pid;
    // A widget frame left behind in the page would hold its document.
    let frames = app
        .execute("return document.querySelectorAll('iframe').length;")
        .await;
    if frames.as_u64() != Some(0) {
        println!("note: {frames} iframe(s) still in the page");
    }
    tokio::time::sleep(SETTLE).await;
    let first = tree_memory(pid);
    tokio::time::sleep(SECOND_READING).await;
    let second = tree_memory(pid);
    let mean = |a: u64, b: u64| (mib(a) + mib(b)) / 2.0;
    (
        Sample {
            app_rss: mean(first.app_rss_kib, second.app_rss_kib),
            app_shmem: mean(first.app_shmem_kib, second.app_shmem_kib),
            web_rss: mean(first.web_rss_kib, second.web_rss_kib),
            total_pss: mean(first.total_pss_kib(), second.total_pss_kib()),
            load: load_average_1min(),
        },
        second,
    )
}

fn print_sample(what: &str, s: &Sample, reading: &TreeMemory, bare: Option<f64>) {
    let ratio = bare
        .map(|b| format!(" ({:.2}x bare)", s.total_rss() / b))
        .unwrap_or_default();
    println!(
        "{what:<20} RSS app {:>6.1} + WebKit {:>6.1} = {:>6.1} MiB{ratio}; PSS {:>6.1} MiB; load {:.2}; app anon {:.1} MiB, shmem {:.1} MiB; [{}]",
        s.app_rss,
        s.web_rss,
        s.total_rss(),
        s.total_pss,
        s.load,
        mib(reading.app_anon_kib),
        mib(reading.app_shmem_kib),
        reading.web_processes.join(", ")
    );
}

fn launch(
    binary: &std::path::Path,
    settings_json: Option<&str>,
    args: &[&str],
    env: &[(String, String)],
    display: Display,
) -> Launch {
    Launch {
        binary: Some(binary.to_owned()),
        settings_json: settings_json.map(str::to_owned),
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        env: env.to_vec(),
        display,
    }
}

/// A window's place and size: x, y, width, height.
type WindowRect = (u64, u64, u64, u64);

/// The bare window at rest, "Ready." at once; at its own size, or moved and
/// resized to `rect` (the kiosk's: pixels cost memory in both processes,
/// so a window covering the screen is compared with one of the same size).
/// Under cage it has the output, as the kiosk does.
async fn bare_window(
    binary: &std::path::Path,
    rect: Option<WindowRect>,
    display: Display,
) -> Sample {
    let app = App::launch_with(launch(binary, None, &[], &[], display)).await;
    wait_ready(&app).await;
    let what = match rect {
        None if display == Display::Cage => "bare window in cage".to_owned(),
        None => "bare window".to_owned(),
        Some(wanted) => {
            let [x, y, width, height] = [wanted.0, wanted.1, wanted.2, wanted.3].map(|n| n as u32);
            app.client()
                .set_window_rect(x, y, width, height)
                .await
                .expect("the bare window moved and resized");
            app.wait_for(
                "the bare window to take the kiosk's size",
                Duration::from_secs(5),
                || async { app.client().get_window_rect().await.ok() == Some(wanted) },
            )
            .await;
            format!("bare window at {width}x{height}")
        }
    };
    let (s, reading) = sample(&app, binary).await;
    print_sample(&what, &s, &reading, None);
    app.quit().await;
    s
}

/// Desk: `--enrollments` new customers, one after another in one session.
async fn desk(settings: &Settings, bare: Option<f64>) -> Vec<Sample> {
    let binary = settings.app.as_path();
    let app = App::launch_with(launch(binary, None, &[], &settings.app_env, Display::Xvfb)).await;
    wait_ready(&app).await;
    let (s, reading) = sample(&app, binary).await;
    print_sample("desk, start", &s, &reading, bare);
    let mut samples = vec![s];
    for n in 1..=settings.enrollments {
        let customer = Customer::numbered("Memory", "Desk", 1000 + n as u16);
        enroll_until_widget(&app, &customer).await;
        link_checking_account(&app, Bank::Aerobank).await;
        wait_linked(&app, Bank::Aerobank).await;
        app.click("#next-customer").await;
        app.wait_for_text("#screen-title", "New customer").await;
        let (s, reading) = sample(&app, binary).await;
        print_sample(&format!("desk, enrollment {n}"), &s, &reading, bare);
        samples.push(s);
    }
    simulator_state(&app);
    app.quit().await;
    samples
}

/// The simulator keeps every simulated customer in memory by design (and
/// saves them as one JSON snapshot): its size per customer, as saved.
fn simulator_state(app: &App) {
    let path = app
        .home()
        .join(".local/share/app.aeropay-onboarding.desktop/simulator.sqlite3");
    let read = || -> rusqlite::Result<String> {
        let db = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )?;
        db.query_row("SELECT json FROM simulator_state WHERE id = 1", [], |row| {
            row.get(0)
        })
    };
    match read() {
        Ok(json) => {
            let data: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
            let users = data["users"].as_object().map_or(0, |u| u.len());
            println!(
                "simulator state as saved: {} bytes of JSON for {users} customers ({} bytes per customer)",
                json.len(),
                json.len() / users.max(1)
            );
        }
        Err(err) => println!("simulator state not readable at {}: {err}", path.display()),
    }
}

/// Kiosk: `--resets` customers reach the widget and are reset with "Start
/// over" on the idle warning, in one session. Also returns the kiosk
/// window's place and size.
async fn kiosk(settings: &Settings, bare: Option<f64>) -> (Vec<Sample>, WindowRect) {
    let binary = settings.app.as_path();
    // The warning comes after two quiet seconds.
    let json = r#"{"kiosk": {"idleSeconds": 2, "warningSeconds": 20, "widgetIdleSeconds": 2}}"#;
    let app = App::launch_with(launch(
        binary,
        Some(json),
        &["--mode", "kiosk"],
        &settings.app_env,
        settings.kiosk_display,
    ))
    .await;
    wait_ready(&app).await;
    app.wait_for_text("#attract-start", "Tap to start").await;
    let rect = app.client().get_window_rect().await.expect("window rect");
    println!(
        "kiosk window: {}x{} at {},{}",
        rect.2, rect.3, rect.0, rect.1
    );
    let (s, reading) = sample(&app, binary).await;
    print_sample("kiosk, start", &s, &reading, bare);
    let mut samples = vec![s];
    for n in 1..=settings.resets {
        app.click("#attract-start").await;
        let customer = Customer::numbered("Memory", "Kiosk", 2000 + n as u16);
        kiosk_until_widget(&app, &customer).await;
        press_start_over_on_the_warning(&app).await;
        app.wait_for_text("#attract-start", "Tap to start").await;
        let (s, reading) = sample(&app, binary).await;
        print_sample(&format!("kiosk, reset {n}"), &s, &reading, bare);
        samples.push(s);
    }
    app.quit().await;
    (samples, rect)
}

/// Start, after the warm-up, last, maximum, growth and slope of a series
/// whose first sample is the start and the second the warm-up.
fn report(what: &str, per: &str, samples: &[Sample], bare: Option<Bare>) {
    let ratio = |mib: f64| {
        bare.map(|b| format!(" ({:.3}x)", mib / b.total))
            .unwrap_or_default()
    };
    let totals: Vec<f64> = samples.iter().map(Sample::total_rss).collect();
    let after_warmup = &samples[1.min(samples.len() - 1)..];
    let last = samples[samples.len() - 1];
    let max = totals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    println!("== {what} ==");
    let rows = [
        ("start".to_owned(), totals[0]),
        (format!("after 1 {per}"), after_warmup[0].total_rss()),
        (
            format!("after {} {per}s", samples.len() - 1),
            last.total_rss(),
        ),
        ("highest".to_owned(), max),
    ];
    for (when, mib) in rows {
        println!("RSS total, {when:<24}{mib:>7.1} MiB{}", ratio(mib));
    }
    println!(
        "last: app {:.1} MiB, WebKit {:.1} MiB; PSS total {:.1} MiB",
        last.app_rss, last.web_rss, last.total_pss
    );
    println!(
        "last without the app process's shared memory ({:.1} MiB): {:.1} MiB{}",
        last.app_shmem,
        last.total_rss_without_shmem(),
        bare.map(|b| format!(
            " ({:.3}x the bare window's {:.1} MiB without its own)",
            last.total_rss_without_shmem() / b.without_shmem,
            b.without_shmem
        ))
        .unwrap_or_default()
    );
    let xs: Vec<f64> = (1..=after_warmup.len()).map(|n| n as f64).collect();
    let part = |f: fn(&Sample) -> f64| -> (f64, f64) {
        let ys: Vec<f64> = after_warmup.iter().map(f).collect();
        (ys[ys.len() - 1] - ys[0], slope(&xs, &ys))
    };
    for (name, f) in [
        ("RSS total", Sample::total_rss as fn(&Sample) -> f64),
        ("RSS app process", |s: &Sample| s.app_rss),
        ("RSS WebKit", |s: &Sample| s.web_rss),
        ("PSS total", |s: &Sample| s.total_pss),
    ] {
        let (growth, per_step) = part(f);
        println!(
            "{name:<16} growth, last - after 1 {per}: {growth:+6.1} MiB; slope {:+6.2} MiB per {per} (n={})",
            per_step,
            after_warmup.len()
        );
    }
}

async fn run(settings: Settings) {
    println!(
        "Aeropay Onboarding: memory bench, {} enrollments (desk) and {} kiosk resets, one app session each",
        settings.enrollments, settings.resets
    );
    println!("  app: {}", settings.app.display());
    for (name, value) in &settings.app_env {
        println!("  app environment: {name}={value}");
    }
    if let Some(bare) = &settings.bare {
        println!("  bare window: {}", bare.display());
    }
    println!("load average at start: {}", load_average());

    let cage = settings.kiosk_display == Display::Cage;
    let mut bare_samples = Vec::new();
    let mut bare_kiosk_samples = Vec::new();
    if let Some(bare) = &settings.bare {
        bare_samples.push(bare_window(bare, None, Display::Xvfb).await);
        if cage {
            bare_kiosk_samples.push(bare_window(bare, None, Display::Cage).await);
        }
    }
    let bare_now = bare_samples.first().map(Sample::total_rss);
    let desk = desk(&settings, bare_now).await;
    let bare_for_kiosk = if cage {
        bare_kiosk_samples.first().map(Sample::total_rss)
    } else {
        bare_now
    };
    let (kiosk, kiosk_rect) = kiosk(&settings, bare_for_kiosk).await;
    if let Some(bare) = &settings.bare {
        if cage {
            bare_kiosk_samples.push(bare_window(bare, None, Display::Cage).await);
            bare_samples.push(bare_window(bare, None, Display::Xvfb).await);
        } else {
            bare_kiosk_samples.push(bare_window(bare, Some(kiosk_rect), Display::Xvfb).await);
            bare_samples.push(bare_window(bare, None, Display::Xvfb).await);
            bare_kiosk_samples.push(bare_window(bare, Some(kiosk_rect), Display::Xvfb).await);
        }
    }
    println!("load average at end: {}", load_average());

    println!();
    let bare = bare_summary("bare window at rest (before and after)", &bare_samples);
    println!();
    let bare_kiosk = if cage {
        bare_summary(
            "bare window at rest in cage (before and after the kiosk)",
            &bare_kiosk_samples,
        )
    } else {
        bare_summary(
            &format!(
                "bare window at rest at the kiosk window's size, {}x{} (twice, after)",
                kiosk_rect.2, kiosk_rect.3
            ),
            &bare_kiosk_samples,
        )
    };
    println!();
    report(
        "desk: new customers in one session",
        "enrollment",
        &desk,
        bare,
    );
    if !cage {
        println!();
        report("kiosk: resets in one session", "reset", &kiosk, bare);
    }
    if bare_kiosk.is_some() {
        println!();
        let what = if cage {
            "kiosk in cage: resets in one session, against the bare window in cage"
        } else {
            "kiosk, against the bare window of the same size"
        };
        report(what, "reset", &kiosk, bare_kiosk);
    }
    let loads: Vec<f64> = desk.iter().chain(&kiosk).map(|s| s.load).collect();
    println!();
    println!("1-min load average at each sample: {}", summary(&loads));
}

/// Prints a series of bare-window samples; their medians, if any.
fn bare_summary(what: &str, samples: &[Sample]) -> Option<Bare> {
    if samples.is_empty() {
        return None;
    }
    let totals: Vec<f64> = samples.iter().map(Sample::total_rss).collect();
    println!(
        "== {what} ==\nRSS total {}\nPSS total {}",
        summary(&totals),
        summary(&samples.iter().map(|s| s.total_pss).collect::<Vec<_>>())
    );
    Some(Bare {
        total: median(&totals),
        without_shmem: median(
            &samples
                .iter()
                .map(Sample::total_rss_without_shmem)
                .collect::<Vec<_>>(),
        ),
    })
}

fn main() {
    bench_args::run(run(Settings::from_args()));
}
