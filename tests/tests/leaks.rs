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

use aeropay_onboarding_e2e::{App, Launch};
use common::{enroll_until_widget, link_checking_account, wait_linked, Bank, Customer};
use std::path::{Path, PathBuf};

/// What must not be found, by name (the name is what a failure prints).
struct Needle {
    what: &'static str,
    bytes: Vec<u8>,
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => files_under(&path, out),
            Ok(kind) if kind.is_file() => out.push(path),
            _ => {}
        }
    }
}

/// base64url characters, as in the three parts of a JWT.
fn is_b64(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_'
}

/// Whether `data` holds something shaped like a JWT: `eyJ…` (a JSON header
/// in base64url), a dot, a payload, a dot, a signature.
fn holds_a_jwt(data: &[u8]) -> bool {
    let mut start = 0;
    while let Some(at) = find(&data[start..], b"eyJ") {
        let mut i = start + at;
        let mut parts = 0;
        loop {
            let begin = i;
            while i < data.len() && is_b64(data[i]) {
                i += 1;
            }
            if i - begin < 10 {
                break;
            }
            parts += 1;
            if parts == 3 {
                return true;
            }
            if i < data.len() && data[i] == b'.' {
                i += 1;
            } else {
                break;
            }
        }
        start += at + 3;
    }
    false
}

/// For a text file: the line numbers of the hits and, for a log line, its
/// source (the words before the first `: `), so the leak can be traced
/// without printing the value.
fn where_in(data: &[u8], needle: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(data) else {
        return String::new();
    };
    let needle = String::from_utf8_lossy(needle);
    let lines: Vec<String> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.contains(needle.as_ref()))
        .take(5)
        .map(|(n, line)| {
            let source: String = line
                .split(": ")
                .next()
                .unwrap_or_default()
                .replace(needle.as_ref(), "…")
                .chars()
                .filter(|c| !c.is_control())
                .take(120)
                .collect();
            format!("line {} ({source})", n + 1)
        })
        .collect();
    if lines.is_empty() {
        String::new()
    } else {
        format!(" at {}", lines.join(", "))
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

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
            bytes: aeropay_onboarding::simulator::SimulatorConfig::default()
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
    let mut files = Vec::new();
    files_under(home.path(), &mut files);
    // The built-in simulator's own database stands in for Aeropay's, which
    // holds the customer's details by definition; it is not the app's, and
    // no such file exists outside the simulator.
    files.retain(|file| !file.ends_with("simulator.sqlite3"));
    assert!(
        files.iter().any(|f| f.ends_with("app.sqlite3")),
        "the app's database is among the files scanned"
    );
    let mut found = Vec::new();
    for file in &files {
        let Ok(data) = std::fs::read(file) else {
            continue;
        };
        let shown = file.strip_prefix(home.path()).unwrap_or(file).display();
        for needle in &needles {
            if find(&data, &needle.bytes).is_some() {
                found.push(format!(
                    "{shown}: {}{}",
                    needle.what,
                    where_in(&data, &needle.bytes)
                ));
            }
        }
        if holds_a_jwt(&data) {
            found.push(format!("{shown}: a token (JWT)"));
        }
    }
    assert!(
        found.is_empty(),
        "{} of {} files hold what they must not:\n{}",
        found.len(),
        files.len(),
        found.join("\n")
    );
}

#[test]
fn the_scan_finds_what_it_looks_for() {
    assert!(holds_a_jwt(
        b"x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX3ZhbHVl y"
    ));
    assert!(!holds_a_jwt(b"eyJhbGciOiJIUzI1NiJ9 and nothing after"));
    assert!(!holds_a_jwt(b"no token here"));
    assert_eq!(find(b"abc4155550177def", b"4155550177"), Some(3));
}
