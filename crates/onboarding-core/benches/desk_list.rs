//! The desk list and CSV export on a machine with a year of enrollments,
//! SQLite on disk (plain Rust, no window).
//!
//!     cargo bench -p onboarding-core --bench desk_list
//!     cargo bench -p onboarding-core --bench desk_list -- --enrollments 50000 --runs 50
//!
//! Reports the median and p90 of: the default list (last 30 days, every
//! status, at most 500 rows), a status filter, a text search, and writing the
//! 30 days as CSV.

use onboarding_core::desk::{export_enrollments, DateRange, DeskFilter};
use onboarding_core::store::{EnrollmentRecord, EnrollmentStatus, Store};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const NAMES: [&str; 8] = [
    "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken",
];
const STATUSES: [EnrollmentStatus; 5] = [
    EnrollmentStatus::Linked,
    EnrollmentStatus::Linked,
    EnrollmentStatus::WaitingForCode,
    EnrollmentStatus::Failed,
    EnrollmentStatus::Cancelled,
];

fn summary(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize];
    println!(
        "{label:<44} median {:>8.2} ms   p90 {:>8.2} ms",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3
    );
}

fn main() {
    let count = arg("--enrollments", 20_000);
    let runs = arg("--runs", 30);
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(&dir.path().join("app.sqlite3")).expect("store");
    let now = OffsetDateTime::now_utc().unix_timestamp();
    let year = 365 * 86_400;
    for i in 0..count {
        let started = now - (i as i64 * year / count as i64);
        let status = STATUSES[i % STATUSES.len()];
        let linked = status == EnrollmentStatus::Linked;
        store
            .save_enrollment(&EnrollmentRecord {
                id: format!("enrollment-{i}"),
                environment: "simulator".into(),
                mode: "desk".into(),
                started_at: started,
                updated_at: started,
                first_name: NAMES[i % NAMES.len()].into(),
                last_initial: "L".into(),
                phone_masked: format!("•••-•••-••{:02}", i % 100),
                phone_hash: format!("hash-{i}"),
                user_id: Some(i.to_string()),
                status,
                error_code: (status == EnrollmentStatus::Failed).then(|| "AP411".into()),
                bank_name: linked.then(|| "Aerobank".into()),
                account_last4: linked.then(|| format!("{:04}", i % 10_000)),
                account_type: linked.then(|| "checking".into()),
            })
            .expect("record saved");
    }
    let today = OffsetDateTime::now_utc().date();
    let range = DateRange {
        from: (today - time::Duration::days(29)).to_string(),
        to: today.to_string(),
        utc_offset_minutes: 0,
    };
    let filter = |status: &str, text: &str| DeskFilter {
        range: range.clone(),
        status: status.into(),
        text: text.into(),
    };
    println!("{count} enrollments over a year in SQLite on disk, {runs} runs each");
    let cases = [
        ("list: last 30 days, all statuses", filter("all", "")),
        (
            "list: last 30 days, waiting for code",
            filter("waiting_for_code", ""),
        ),
        (
            "list: last 30 days, search \"grace\"",
            filter("all", "grace"),
        ),
    ];
    for (label, filter) in cases {
        let query = filter.query().expect("valid filter");
        let mut rows = 0;
        let samples = (0..runs)
            .map(|_| {
                let start = Instant::now();
                rows = store
                    .search_enrollments("simulator", &query)
                    .expect("list")
                    .len();
                start.elapsed()
            })
            .collect();
        summary(&format!("{label} ({rows} rows)"), samples);
    }
    let out = tempfile::tempdir().expect("export dir");
    let mut rows = 0;
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            rows = export_enrollments(&store, "simulator", &range, out.path())
                .expect("export")
                .rows;
            start.elapsed()
        })
        .collect();
    summary(&format!("export CSV: last 30 days ({rows} rows)"), samples);
}
