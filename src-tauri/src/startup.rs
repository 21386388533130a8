//! The start-up trace: when each step of opening the window happened, in
//! milliseconds since the process started (exec), to see where the time to
//! "Ready" goes. No tauri here; `app.rs`, `backend.rs` and the commands call
//! [`mark`] at each step.
//!
//! Each mark is recorded once per process (the first time it is reached),
//! as one `info` event with the target `startup` (fields `mark` and `ms`;
//! nothing about a customer), and, when `AEROPAY_ONBOARDING_STARTUP_TRACE`
//! names a file, as one line `<mark> <ms>` appended to it. After the first
//! time a mark costs one atomic load.
//!
//! The clock: [`begin`], at the top of `main`, takes an [`Instant`] and the
//! time the process already ran before `main` (its start time in
//! `/proc/self/stat` against `/proc/uptime`, both in 10 ms steps on Linux).
//! Marks are that offset plus the monotonic time since `begin`.

use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::Instant;

/// The environment variable naming the file the marks are appended to.
pub const TRACE_FILE_ENV: &str = "AEROPAY_ONBOARDING_STARTUP_TRACE";

/// The steps of a start, in about the order they happen (with the
/// built-in simulator; with a real environment there is no simulator mark).
/// The window is built before the backend, which starts on the async
/// runtime while WebKit loads the page, so the backend's marks fall
/// between `webview_created` and `page_loaded`, in either order with the
/// latter on a slow machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// `main` runs (the time since exec).
    Main,
    /// The built-in simulator's port is bound (before the window, for the CSP).
    SimulatorBound,
    /// Tauri's setup hook begins (GTK is up, no window yet).
    SetupBegins,
    /// The main window and its webview are created.
    WebviewCreated,
    /// The database is open and its migrations done.
    StoreOpen,
    /// The built-in simulator serves (its saved state loaded).
    SimulatorStarted,
    /// The Aeropay client (its HTTP client) is built.
    ClientBuilt,
    /// The backend has started: commands waiting for it go on.
    BackendReady,
    /// The main page's load event (WebKit's "finished").
    PageLoaded,
    /// The page's boot command is answered (`app_boot`, after the backend
    /// started); the page shows "Ready." on that answer.
    Ready,
    /// The first enrollment state is handed to the page (in `app_boot`'s
    /// answer).
    FirstState,
    /// The phone-hash key is read from the keychain: not on the way to
    /// "Ready" (read once the page has booted, or at the first phone hashed).
    KeychainRead,
}

impl Mark {
    pub const ALL: [Mark; 12] = [
        Mark::Main,
        Mark::SimulatorBound,
        Mark::SetupBegins,
        Mark::WebviewCreated,
        Mark::StoreOpen,
        Mark::SimulatorStarted,
        Mark::ClientBuilt,
        Mark::BackendReady,
        Mark::PageLoaded,
        Mark::Ready,
        Mark::FirstState,
        Mark::KeychainRead,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mark::Main => "main",
            Mark::SetupBegins => "setup_begins",
            Mark::SimulatorBound => "simulator_bound",
            Mark::StoreOpen => "store_open",
            Mark::SimulatorStarted => "simulator_started",
            Mark::ClientBuilt => "client_built",
            Mark::KeychainRead => "keychain_read",
            Mark::BackendReady => "backend_ready",
            Mark::WebviewCreated => "webview_created",
            Mark::PageLoaded => "page_loaded",
            Mark::Ready => "ready",
            Mark::FirstState => "first_state",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

struct Clock {
    at_main: Instant,
    /// Milliseconds the process ran before `begin`.
    before_main_ms: f64,
    file: Option<std::path::PathBuf>,
}

static CLOCK: OnceLock<Clock> = OnceLock::new();
static SEEN: AtomicU32 = AtomicU32::new(0);

/// Starts the clock; call first thing in `main`, then [`mark`]`(Mark::Main)`
/// once logging is set up (it reports the time of this call). Later calls
/// do nothing.
pub fn begin() {
    CLOCK.get_or_init(|| Clock {
        at_main: Instant::now(),
        before_main_ms: ran_before_now_ms().unwrap_or(0.0),
        file: std::env::var_os(TRACE_FILE_ENV).map(Into::into),
    });
}

/// Records `step`, the first time only. Before [`begin`] (the mock-runtime
/// tests) nothing is recorded.
pub fn mark(step: Mark) {
    if SEEN.load(Ordering::Relaxed) & step.bit() != 0 {
        return;
    }
    let Some(clock) = CLOCK.get() else {
        return;
    };
    if SEEN.fetch_or(step.bit(), Ordering::Relaxed) & step.bit() != 0 {
        return;
    }
    let since_main = match step {
        Mark::Main => 0.0,
        _ => clock.at_main.elapsed().as_secs_f64() * 1e3,
    };
    let ms = clock.before_main_ms + since_main;
    tracing::info!(target: "startup", mark = step.name(), ms = format_args!("{ms:.1}"), "start-up");
    if let Some(path) = &clock.file {
        let line = format_line(step, ms);
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .and_then(|mut file| file.write_all(line.as_bytes()));
        if let Err(err) = written {
            tracing::warn!(target: "startup", "start-up trace not written: {err}");
        }
    }
}

fn format_line(step: Mark, ms: f64) -> String {
    format!("{} {ms:.1}\n", step.name())
}

/// Parses the lines [`mark`] writes: `(mark name, ms)`; other lines are
/// skipped.
pub fn parse_trace(text: &str) -> Vec<(String, f64)> {
    text.lines()
        .filter_map(|line| {
            let (name, ms) = line.split_once(' ')?;
            Some((name.to_owned(), ms.trim().parse().ok()?))
        })
        .collect()
}

/// How long this process has run, from its start time in `/proc/self/stat`
/// and the system's uptime (10 ms steps). `None` off Linux.
fn ran_before_now_ms() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let uptime = std::fs::read_to_string("/proc/uptime").ok()?;
    ran_for_ms(&stat, &uptime)
}

/// Clock ticks per second of /proc start times (USER_HZ, 100 on Linux).
const CLOCK_TICKS: f64 = 100.0;

fn ran_for_ms(stat: &str, uptime: &str) -> Option<f64> {
    // The command name is in parentheses and may hold spaces; starttime is
    // field 22, the 20th after the name.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let start_ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let now_s: f64 = uptime.split_whitespace().next()?.parse().ok()?;
    Some(((now_s - start_ticks / CLOCK_TICKS) * 1e3).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_before_main_comes_from_the_start_time_and_the_uptime() {
        let stat = "4242 (aeropay onboarding) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 12345 0 0";
        let ms = ran_for_ms(stat, "123.60 400.00\n").expect("parsed");
        assert!((ms - 150.0).abs() < 1e-6, "{ms}");
        // A clock that reads earlier than the start (rounding) gives 0.
        assert_eq!(ran_for_ms(stat, "123.40 400.00\n"), Some(0.0));
        assert_eq!(ran_for_ms("garbage", "1.0 1.0"), None);
    }

    #[test]
    fn this_process_has_run_for_some_time() {
        let ms = ran_before_now_ms().expect("/proc is readable");
        assert!(ms >= 0.0);
    }

    #[test]
    fn trace_lines_read_back() {
        let text: String = [
            format_line(Mark::Main, 12.0),
            "not a mark\n".into(),
            format_line(Mark::Ready, 830.26),
        ]
        .concat();
        assert_eq!(
            parse_trace(&text),
            vec![("main".to_owned(), 12.0), ("ready".to_owned(), 830.3)]
        );
    }

    #[test]
    fn every_mark_has_its_own_bit_and_name() {
        let mut bits = 0;
        let mut names = std::collections::HashSet::new();
        for mark in Mark::ALL {
            assert_eq!(bits & mark.bit(), 0);
            bits |= mark.bit();
            assert!(names.insert(mark.name()));
        }
    }
}
