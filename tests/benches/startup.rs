//! Start-up to interactive, and memory, of the real app window: the app under
//! a private Xvfb display, driven through WebKitWebDriver by the end-to-end
//! harness, with a throwaway HOME. Run it through `scripts/bench-startup.sh`,
//! which also provides the private keyring session:
//!
//!     scripts/bench-startup.sh
//!     scripts/with-keyring.sh cargo bench -p aeropay-onboarding-e2e --bench startup -- --runs 5
//!
//! The app binaries are those given with `--app PATH` (several are launched
//! in turn, interleaved, so they share the machine's noise), by default
//! `target/debug/aeropay-onboarding` or the one named by `AEROPAY_ONBOARDING_BIN`.
//! `--bare PATH` adds the bare Tauri window (`tests/bare-window`, one static
//! page whose `#app-status` says "Ready." at once) to the rotation: the
//! yardstick every other binary's medians are divided by.
//! PSS depends on what else shares the WebKit libraries at that moment; RSS
//! does not, so RSS is the steadier number.
//!
//! For each launch it reports:
//! - app process start → the first screen is there (WebDriver's first answer
//!   with `#app-status`'s text, "Starting…" in the app) and → it says "Ready"
//!   (answered from inside the page as soon as it does, so each binary pays
//!   one WebDriver round trip after it; the process's start time from /proc,
//!   so the display and the WebDriver's own start are excluded);
//! - harness launch → the first screen and → "Ready": also the private
//!   display, the WebDriver and its session, which launches the app, but on
//!   a clock with 1 ms steps instead of the process start's 10 ms, so the
//!   difference between two binaries' medians is finer;
//! - memory two seconds after "Ready": VmRSS and PSS of the app process and of
//!   its descendants (the WebKit web and network processes), summed;
//! - the app's own start-up trace (`aeropay_onboarding::startup`: each step
//!   in ms since its process started, written to a file the bench names in
//!   `AEROPAY_ONBOARDING_STARTUP_TRACE`), as medians per step;
//! - the page's own timings on the same clock: when `index.html` arrived,
//!   DOMContentLoaded and load ended (Navigation Timing), its first
//!   contentful paint (Paint Timing: the first frame with text or an image),
//!   and the app
//!   page's marks (its boot command sent, "Ready." written, the first
//!   screen drawn), so WebDriver's
//!   lag can be told from the page's;
//! - when the harness had WebDriver's session (long before the page loads:
//!   the first screen's answer waits for the page, not for the session);
//! - the load average after each launch, to judge how noisy the run was.
//!
//! Beside the ratios of the medians it prints the differences on the 1 ms
//! clock and the ratio of the first contentful paints, the stricter reading
//! of "the first screen is drawn".

use aeropay_onboarding::startup::{parse_trace, Mark, TRACE_FILE_ENV};
use aeropay_onboarding_e2e::bench_args::{self, BenchArgs};
use aeropay_onboarding_e2e::procmem::{
    app_process, load_average, load_average_1min, median, mib, summary, tree_memory, uptime,
    CLOCK_TICKS, SETTLE,
};
use aeropay_onboarding_e2e::{App, Launch};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The status line's text, or null while the first screen is not there.
const STATUS_SCRIPT: &str =
    "const status = document.getElementById('app-status'); return status ? status.textContent : null;";

/// Answers (WebDriver's asynchronous script) once the status line says
/// Ready and the page has drawn a frame since (the next animation frame's
/// callback runs before that frame is drawn; a task queued from it runs
/// after), or with the status text after 5 s.
const WAIT_FOR_READY_SCRIPT: &str = "const answer = arguments[arguments.length - 1];
    const status = document.getElementById('app-status');
    if (!status) return answer(null);
    performance.mark('bench-wait');
    const drawn = () => requestAnimationFrame(() => { performance.mark('bench-frame'); setTimeout(() => { performance.mark('bench-answer'); answer(status.textContent); }, 0); });
    const observer = new MutationObserver(() => {
      if (status.textContent.includes('Ready')) { observer.disconnect(); drawn(); }
    });
    if (status.textContent.includes('Ready')) drawn();
    else observer.observe(status, { childList: true, characterData: true, subtree: true });
    setTimeout(() => { observer.disconnect(); answer(status.textContent); }, 5000);";

/// How often the page is asked whether it is ready.
const POLL: Duration = Duration::from_millis(10);

struct Settings {
    runs: usize,
    warmup: usize,
    /// App binaries to compare; empty: the harness's default.
    apps: Vec<PathBuf>,
    /// The bare Tauri window, if given: launched too, and the reference of
    /// the ratios.
    bare: Option<PathBuf>,
}

impl Settings {
    fn from_args() -> Settings {
        let args = BenchArgs::from_env();
        Settings {
            runs: args.number("runs").unwrap_or(5).max(1),
            warmup: args.number("warmup").unwrap_or(1),
            apps: args.paths("app"),
            bare: args.paths("bare").pop(),
        }
    }
}

// ---- the page's own clock ---------------------------------------------------

/// The page's timings, in ms since the app process started: its load
/// events (Navigation Timing), its first contentful paint, the app page's marks (`app-boot`: its first
/// command sent; `app-boot-answered`: the answer in the page; `app-ready`:
/// "Ready." written; …) and the bench's own "Ready" script's (when it
/// started in the page, saw a frame, answered), from
/// `performance.timeOrigin` (wall clock) and the process's start (uptime),
/// tied together by reading both clocks now. What WebDriver sees later than
/// these is the measurement's own lag.
async fn page_marks(app: &App, started_at_uptime: f64) -> Vec<(String, f64)> {
    let script = "const nav = performance.getEntriesByType('navigation')[0];
        const mark = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
        return [performance.timeOrigin, nav?.requestStart ?? null,
          mark('app-init-scripts'), nav?.responseEnd ?? null,
          nav?.domInteractive ?? null, nav?.domContentLoadedEventEnd ?? null, nav?.loadEventEnd ?? null,
          performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? null,
          mark('app-modules'), mark('app-boot'), mark('app-boot-answered'), mark('app-bundle-used'),
          mark('app-ready'), mark('app-screen-built'), mark('app-screen'),
          mark('bench-wait'), mark('bench-frame'), mark('bench-answer')];";
    let values = app.execute(script).await;
    let now_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64();
    let boot_epoch = now_epoch - uptime();
    let numbers: Vec<Option<f64>> = values
        .as_array()
        .map(|a| a.iter().map(serde_json::Value::as_f64).collect())
        .unwrap_or_default();
    let Some(Some(origin_ms)) = numbers.first().copied() else {
        return Vec::new();
    };
    PAGE_MARKS
        .iter()
        .zip(numbers.iter().skip(1))
        .filter_map(|(name, value)| {
            let at_epoch = (origin_ms + (*value)?) / 1e3;
            let ms = (at_epoch - boot_epoch - started_at_uptime) * 1e3;
            Some(((*name).to_owned(), ms))
        })
        .collect()
}

/// The page's first contentful paint (Paint Timing).
const FIRST_PAINT_MARK: &str = "page: first contentful paint";

/// When the harness had WebDriver's session (the app launched through it).
const SESSION_MARK: &str = "harness: WebDriver's session is up";

/// The page-side marks `page_marks` reports, in its script's order.
const PAGE_MARKS: [&str; 17] = [
    "page: index.html requested",
    "page: its initialization scripts run (Tauri's, then the app's)",
    "page: index.html received",
    "page: parsed (domInteractive)",
    "page: DOMContentLoaded done",
    "page: load done",
    FIRST_PAINT_MARK,
    "page: its modules fetched, first runs",
    "page: boot() asks app_boot",
    "page: app_boot's answer in the page",
    "page: the texts applied",
    "page: \"Ready.\" written",
    "page: the first screen is in the page (built, focused)",
    "page: the first screen is drawn (next frame)",
    "page: the bench's \"Ready\" script starts",
    "page: the bench's \"Ready\" script sees a frame",
    "page: the bench's \"Ready\" script answers",
];

// ---- one launch -------------------------------------------------------------

struct Launched {
    process_to_shown_ms: f64,
    process_to_ready_ms: f64,
    launch_to_shown_ms: f64,
    launch_to_ready_ms: f64,
    app_rss_kib: u64,
    app_pss_kib: u64,
    web_rss_kib: u64,
    web_pss_kib: u64,
    web_processes: Vec<String>,
    /// The app's start-up trace: (mark, ms since its process started).
    trace: Vec<(String, f64)>,
    /// 1-minute load average right after the launch.
    load: f64,
}

async fn launch_once(binary: &Path) -> Launched {
    let scratch = tempfile::Builder::new()
        .prefix("aeropay-bench-trace")
        .tempdir()
        .expect("trace dir");
    let trace_file = scratch.path().join("startup-trace");
    let requested = Instant::now();
    let app = App::launch_with(Launch {
        env: vec![(
            TRACE_FILE_ENV.to_owned(),
            trace_file.to_string_lossy().into_owned(),
        )],
        binary: Some(binary.to_owned()),
        ..Launch::default()
    })
    .await;
    // WebDriver's session is up: no script can be answered before this.
    let session_at_uptime = uptime();
    // The first answer is the first screen (the page loaded, `#app-status`
    // there). "Ready" is answered from inside the page once the status line
    // says it and a frame has been drawn since: what a person sees, for the
    // bare window (whose page says it from the start) as for the app, each
    // paying one WebDriver round trip after it.
    let (shown_at_uptime, launch_to_shown) = loop {
        if let Ok(serde_json::Value::String(_)) = app.client().execute(STATUS_SCRIPT, vec![]).await
        {
            break (uptime(), requested.elapsed());
        }
        assert!(
            requested.elapsed() < Duration::from_secs(60),
            "the first screen never showed\n{}",
            app.log()
        );
        tokio::time::sleep(POLL).await;
    };
    let ready_at_uptime = loop {
        let status = app
            .client()
            .execute_async(WAIT_FOR_READY_SCRIPT, vec![])
            .await;
        if let Ok(serde_json::Value::String(text)) = status {
            if text.contains("Ready") {
                break uptime();
            }
        }
        assert!(
            requested.elapsed() < Duration::from_secs(60),
            "the first screen never said Ready\n{}",
            app.log()
        );
    };
    let launch_to_ready = requested.elapsed();
    let process = app_process(binary, app.home()).expect("the app process is running");
    let started_at_uptime = process.start_ticks as f64 / CLOCK_TICKS;
    let page_marks = page_marks(&app, started_at_uptime).await;
    let process_to_ready_ms = (ready_at_uptime - started_at_uptime) * 1e3;
    let process_to_shown_ms = (shown_at_uptime - started_at_uptime) * 1e3;

    tokio::time::sleep(SETTLE).await;
    let memory = tree_memory(process.pid);
    app.quit().await;
    let mut trace = parse_trace(&std::fs::read_to_string(&trace_file).unwrap_or_default());
    trace.extend(page_marks);
    trace.push((
        SESSION_MARK.to_owned(),
        (session_at_uptime - started_at_uptime) * 1e3,
    ));
    Launched {
        process_to_shown_ms,
        process_to_ready_ms,
        launch_to_shown_ms: launch_to_shown.as_secs_f64() * 1e3,
        launch_to_ready_ms: launch_to_ready.as_secs_f64() * 1e3,
        app_rss_kib: memory.app_rss_kib,
        app_pss_kib: memory.app_pss_kib,
        web_rss_kib: memory.web_rss_kib,
        web_pss_kib: memory.web_pss_kib,
        web_processes: memory.web_processes,
        trace,
        load: load_average_1min(),
    }
}

/// The measurements of one binary.
#[derive(Default)]
struct Series {
    shown_ms: Vec<f64>,
    process_ms: Vec<f64>,
    launch_shown_ms: Vec<f64>,
    launch_ms: Vec<f64>,
    app_rss: Vec<f64>,
    web_rss: Vec<f64>,
    total_rss: Vec<f64>,
    total_pss: Vec<f64>,
    /// Per trace mark, its times (ms since process start).
    marks: Vec<(String, Vec<f64>)>,
}

impl Series {
    /// The median of one trace mark's times, if this binary has the mark.
    fn mark_median(&self, name: &str) -> Option<f64> {
        self.marks
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, samples)| median(samples))
    }

    fn add_trace(&mut self, trace: &[(String, f64)]) {
        for (name, ms) in trace {
            match self.marks.iter_mut().find(|(n, _)| n == name) {
                Some((_, samples)) => samples.push(*ms),
                None => self.marks.push((name.clone(), vec![*ms])),
            }
        }
    }
}

async fn run(settings: Settings) {
    let mut binaries: Vec<PathBuf> = settings.bare.iter().cloned().collect();
    if settings.apps.is_empty() {
        binaries.push(aeropay_onboarding_e2e::app_binary());
    } else {
        binaries.extend(settings.apps.iter().cloned());
    }
    println!(
        "Aeropay Onboarding: start-up bench, {} warm-up + {} measured launches per binary, interleaved",
        settings.warmup, settings.runs
    );
    for binary in &binaries {
        let size = std::fs::metadata(binary)
            .unwrap_or_else(|e| panic!("{}: {e}", binary.display()))
            .len();
        println!(
            "  {} ({:.1} MiB)",
            binary.display(),
            size as f64 / 1048576.0
        );
    }
    println!("load average at start: {}", load_average());
    for _ in 0..settings.warmup {
        for binary in &binaries {
            launch_once(binary).await;
        }
    }
    let mut series: Vec<Series> = binaries.iter().map(|_| Series::default()).collect();
    let mut loads = Vec::new();
    for run in 1..=settings.runs {
        // Alternate the order so neither binary always follows the other.
        let mut order: Vec<usize> = (0..binaries.len()).collect();
        if run % 2 == 0 {
            order.reverse();
        }
        for index in order {
            let binary = &binaries[index];
            let l = launch_once(binary).await;
            println!(
                "run {run} {}: process start -> first screen {:.0} ms, -> Ready {:.0} ms; harness launch -> Ready {:.0} ms; RSS app {:.1} MiB + web {:.1} MiB = {:.1} MiB; PSS total {:.1} MiB; [{}]",
                binary.display(),
                l.process_to_shown_ms,
                l.process_to_ready_ms,
                l.launch_to_ready_ms,
                mib(l.app_rss_kib),
                mib(l.web_rss_kib),
                mib(l.app_rss_kib + l.web_rss_kib),
                mib(l.app_pss_kib + l.web_pss_kib),
                l.web_processes.join(", ")
            );
            loads.push(l.load);
            let s = &mut series[index];
            s.add_trace(&l.trace);
            s.shown_ms.push(l.process_to_shown_ms);
            s.process_ms.push(l.process_to_ready_ms);
            s.launch_shown_ms.push(l.launch_to_shown_ms);
            s.launch_ms.push(l.launch_to_ready_ms);
            s.app_rss.push(mib(l.app_rss_kib));
            s.web_rss.push(mib(l.web_rss_kib));
            s.total_rss.push(mib(l.app_rss_kib + l.web_rss_kib));
            s.total_pss.push(mib(l.app_pss_kib + l.web_pss_kib));
        }
    }
    println!("load average at end: {}", load_average());
    println!("1-min load average after each launch: {}", summary(&loads));
    for (binary, s) in binaries.iter().zip(&series) {
        println!();
        println!("== {} ==", binary.display());
        let rows: [(&str, &[f64]); 8] = [
            ("app process start -> first screen (ms)", &s.shown_ms),
            ("app process start -> \"Ready\" (ms)", &s.process_ms),
            ("harness launch -> first screen (ms)", &s.launch_shown_ms),
            ("harness launch -> \"Ready\" (ms)", &s.launch_ms),
            ("RSS, app process (MiB)", &s.app_rss),
            ("RSS, WebKit processes (MiB)", &s.web_rss),
            ("RSS, app + WebKit (MiB)", &s.total_rss),
            ("PSS, app + WebKit (MiB)", &s.total_pss),
        ];
        for (what, samples) in rows {
            println!("{what:<40}{}", summary(samples));
        }
        if !s.marks.is_empty() {
            println!("start-up trace, ms since the process started:");
            let names = Mark::ALL
                .iter()
                .map(|mark| mark.name())
                .chain(PAGE_MARKS)
                .chain([SESSION_MARK]);
            for wanted in names {
                if let Some((name, samples)) = s.marks.iter().find(|(n, _)| n == wanted) {
                    println!("  {name:<38}{}", summary(samples));
                }
            }
        }
    }
    if series.len() > 1 {
        println!();
        for (binary, s) in binaries.iter().zip(&series).skip(1) {
            println!(
                "ratio of medians, {} / {}: first screen {:.2}x, Ready {:.2}x, RSS app + WebKit {:.2}x",
                binary.display(),
                binaries[0].display(),
                median(&s.shown_ms) / median(&series[0].shown_ms),
                median(&s.process_ms) / median(&series[0].process_ms),
                median(&s.total_rss) / median(&series[0].total_rss)
            );
            // The same comparison on the harness's 1 ms clock: how much
            // later the medians are, in ms, and that as a share of the
            // reference's process start -> first screen / "Ready".
            let later = |mine: &[f64], reference: &[f64]| median(mine) - median(reference);
            let shown_later = later(&s.launch_shown_ms, &series[0].launch_shown_ms);
            let ready_later = later(&s.launch_ms, &series[0].launch_ms);
            println!(
                "  harness launch ->, difference of medians: first screen {shown_later:+.1} ms ({:.3}x), Ready {ready_later:+.1} ms ({:.3}x)",
                1.0 + shown_later / median(&series[0].shown_ms),
                1.0 + ready_later / median(&series[0].process_ms)
            );
            // The page's own clock: its first contentful paint, the first
            // frame with text, which WebDriver's answers above lag by a few
            // tens of ms (not the same for both windows).
            if let (Some(mine), Some(reference)) = (
                s.mark_median(FIRST_PAINT_MARK),
                series[0].mark_median(FIRST_PAINT_MARK),
            ) {
                println!(
                    "  process start -> first contentful paint (page clock): {mine:.1} vs {reference:.1} ms ({:.3}x)",
                    mine / reference
                );
            }
        }
    }
}

fn main() {
    bench_args::run(run(Settings::from_args()));
}
