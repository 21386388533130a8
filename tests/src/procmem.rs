//! Processes and memory from /proc, and small statistics, for the
//! benchmarks (start-up, memory over many enrollments): which process is
//! the app of a launch, its WebKit descendants, their VmRSS and PSS, and the
//! machine's load average. Nothing here asserts: numbers are reported, never
//! tested.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux).
pub const CLOCK_TICKS: f64 = 100.0;

/// How long memory is left to settle before it is read (after "Ready", an
/// enrollment or a reset).
pub const SETTLE: Duration = Duration::from_secs(2);

#[derive(Clone, Debug)]
pub struct Stat {
    pub pid: u32,
    pub ppid: u32,
    pub comm: String,
    /// Clock ticks after boot.
    pub start_ticks: u64,
}

pub fn stat(pid: u32) -> Option<Stat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may contain spaces.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let comm = text[open + 1..close].to_owned();
    let fields: Vec<&str> = text[close + 2..].split_whitespace().collect();
    // Fields after the name start at field 3 (state): ppid is field 4,
    // starttime field 22.
    Some(Stat {
        pid,
        ppid: fields.get(1)?.parse().ok()?,
        comm,
        start_ticks: fields.get(19)?.parse().ok()?,
    })
}

fn pids() -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .collect()
}

pub fn all_processes() -> Vec<Stat> {
    pids().into_iter().filter_map(stat).collect()
}

fn has_home(pid: u32, home: &Path) -> bool {
    let Ok(environ) = std::fs::read(format!("/proc/{pid}/environ")) else {
        return false;
    };
    let wanted = format!("HOME={}", home.display());
    environ
        .split(|b| *b == 0)
        .any(|entry| entry == wanted.as_bytes())
}

fn exe(pid: u32) -> Option<PathBuf> {
    std::fs::read_link(format!("/proc/{pid}/exe")).ok()
}

/// The processes running `binary` with `home` as HOME: one launch's app.
pub fn pids_of(binary: &Path, home: &Path) -> Vec<u32> {
    let binary = std::fs::canonicalize(binary).unwrap_or_else(|_| binary.to_owned());
    pids()
        .into_iter()
        .filter(|pid| exe(*pid).as_deref() == Some(binary.as_path()) && has_home(*pid, home))
        .collect()
}

/// The app process of a launch: runs `binary` with the launch's HOME.
pub fn app_process(binary: &Path, home: &Path) -> Option<Stat> {
    pids_of(binary, home).into_iter().find_map(stat)
}

pub fn descendants(root: u32) -> Vec<Stat> {
    let processes = all_processes();
    let mut found = Vec::new();
    let mut frontier = vec![root];
    while let Some(parent) = frontier.pop() {
        for p in processes.iter().filter(|p| p.ppid == parent) {
            frontier.push(p.pid);
            found.push(p.clone());
        }
    }
    found
}

/// Seconds since boot, as /proc/<pid>/stat start times count them.
pub fn uptime() -> f64 {
    std::fs::read_to_string("/proc/uptime")
        .ok()
        .and_then(|t| t.split_whitespace().next()?.parse().ok())
        .expect("/proc/uptime")
}

/// A "Name:  value kB" line of a /proc file, in KiB; 0 if missing.
fn kib_field(path: String, name: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with(name))?
                .split_whitespace()
                .nth(1)?
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// (VmRSS, PSS) in KiB; 0 for a process that is gone.
pub fn memory_kib(pid: u32) -> (u64, u64) {
    (
        kib_field(format!("/proc/{pid}/status"), "VmRSS:"),
        kib_field(format!("/proc/{pid}/smaps_rollup"), "Pss:"),
    )
}

/// The anonymous part of a process's RSS (heap, stacks: not the mapped
/// binary and libraries), in KiB.
pub fn anonymous_rss_kib(pid: u32) -> u64 {
    kib_field(format!("/proc/{pid}/status"), "RssAnon:")
}

/// The shared-memory part of a process's RSS (System V segments, memfd and
/// tmpfs mappings: under X11 without compositing, the images GTK's cairo
/// uploads to the X server through MIT-SHM), in KiB.
pub fn shared_memory_rss_kib(pid: u32) -> u64 {
    kib_field(format!("/proc/{pid}/status"), "RssShmem:")
}

/// Memory of an app process and of its descendants (the WebKit web and
/// network processes), in KiB.
#[derive(Clone, Debug, Default)]
pub struct TreeMemory {
    pub app_rss_kib: u64,
    /// The app process's anonymous RSS (the rest is mapped files).
    pub app_anon_kib: u64,
    /// The app process's shared-memory RSS (see [`shared_memory_rss_kib`]).
    pub app_shmem_kib: u64,
    pub app_pss_kib: u64,
    pub web_rss_kib: u64,
    pub web_pss_kib: u64,
    /// "name RSS (anonymous RSS)" of each descendant, for the log.
    pub web_processes: Vec<String>,
}

impl TreeMemory {
    pub fn total_rss_kib(&self) -> u64 {
        self.app_rss_kib + self.web_rss_kib
    }

    pub fn total_pss_kib(&self) -> u64 {
        self.app_pss_kib + self.web_pss_kib
    }
}

/// Reads the memory of `pid` and its descendants now.
pub fn tree_memory(pid: u32) -> TreeMemory {
    let (app_rss_kib, app_pss_kib) = memory_kib(pid);
    let mut memory = TreeMemory {
        app_rss_kib,
        app_anon_kib: anonymous_rss_kib(pid),
        app_shmem_kib: shared_memory_rss_kib(pid),
        app_pss_kib,
        ..TreeMemory::default()
    };
    for child in descendants(pid) {
        let (rss, pss) = memory_kib(child.pid);
        memory.web_rss_kib += rss;
        memory.web_pss_kib += pss;
        memory.web_processes.push(format!(
            "{} {:.1} MiB (anon {:.1})",
            child.comm,
            mib(rss),
            mib(anonymous_rss_kib(child.pid))
        ));
    }
    memory
}

pub fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

// ---- statistics -------------------------------------------------------------

pub fn median(samples: &[f64]) -> f64 {
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0
    }
}

/// "median … min … max … (n=…)" of non-empty `samples`.
pub fn summary(samples: &[f64]) -> String {
    let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
    let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!(
        "median {:>8.1}  min {min:>8.1}  max {max:>8.1}  (n={})",
        median(samples),
        samples.len()
    )
}

/// Least-squares slope of `ys` against `xs` (0 with fewer than two points).
pub fn slope(xs: &[f64], ys: &[f64]) -> f64 {
    let n = xs.len().min(ys.len());
    if n < 2 {
        return 0.0;
    }
    let mean_x = xs[..n].iter().sum::<f64>() / n as f64;
    let mean_y = ys[..n].iter().sum::<f64>() / n as f64;
    let (mut covariance, mut variance) = (0.0, 0.0);
    for (x, y) in xs[..n].iter().zip(&ys[..n]) {
        covariance += (x - mean_x) * (y - mean_y);
        variance += (x - mean_x) * (x - mean_x);
    }
    if variance == 0.0 {
        0.0
    } else {
        covariance / variance
    }
}

// ---- the machine ------------------------------------------------------------

/// The machine's 1-minute load average.
pub fn load_average_1min() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// The machine's load average (1, 5, 15 min), to judge how noisy a run was.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn slope_of_a_line_and_of_a_flat_series() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        assert!((slope(&xs, &[3.0, 5.0, 7.0, 9.0]) - 2.0).abs() < 1e-9);
        assert_eq!(slope(&xs, &[5.0, 5.0, 5.0, 5.0]), 0.0);
        assert_eq!(slope(&[1.0], &[5.0]), 0.0);
    }

    #[test]
    fn this_process_and_its_child_are_found_and_measured() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .expect("sleep starts");
        let me = std::process::id();
        let found = descendants(me);
        let child_seen = found
            .iter()
            .any(|p| p.pid == child.id() && p.comm == "sleep");
        let memory = tree_memory(me);
        let _ = child.kill();
        let _ = child.wait();
        assert!(child_seen, "the child is a descendant: {found:?}");
        assert!(memory.app_rss_kib > 0 && memory.app_pss_kib > 0);
        assert!(memory.web_rss_kib > 0, "the child's memory is counted");
        assert_eq!(stat(me).expect("own stat").pid, me);
    }
}
