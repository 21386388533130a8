//! Scans what the app left on disk for secrets and personal data. A hit
//! names the file (and, in a text file, the line and the log line's
//! source), never the value.

use std::path::{Path, PathBuf};

/// What must not be found, by name (the name is what a failure prints).
pub struct Needle {
    pub what: &'static str,
    pub bytes: Vec<u8>,
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
pub fn holds_a_jwt(data: &[u8]) -> bool {
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

pub fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// Every file under `home` that holds a needle or a JWT, as lines naming
/// the file and what was found. The built-in simulator's own database
/// (the stand-in for Aeropay's, which holds customers' details by
/// definition) is left out.
pub fn scan(home: &Path, needles: &[Needle]) -> (usize, Vec<String>) {
    let mut files = Vec::new();
    files_under(home, &mut files);
    files.retain(|file| !file.ends_with("simulator.sqlite3"));
    let mut found = Vec::new();
    for file in &files {
        let Ok(data) = std::fs::read(file) else {
            continue;
        };
        let shown = file.strip_prefix(home).unwrap_or(file).display();
        for needle in needles {
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
    (files.len(), found)
}

/// What no end-to-end test may leave anywhere: the simulator's API secret,
/// and the test customers' phone numbers (all `(415) 555-01NN`) and e-mail
/// addresses (all at `example.com`), besides any JWT.
pub fn never_left_behind() -> Vec<Needle> {
    vec![
        Needle {
            what: "the simulator's API secret",
            bytes: aeropay_simulator::SimulatorConfig::default()
                .credentials
                .api_secret
                .into_bytes(),
        },
        Needle {
            what: "a test customer's phone number (digits)",
            bytes: b"41555501".to_vec(),
        },
        Needle {
            what: "a test customer's phone number (as typed)",
            bytes: b"(415) 555-01".to_vec(),
        },
        Needle {
            what: "a test customer's e-mail address",
            bytes: b"@example.com".to_vec(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scan_finds_what_it_looks_for() {
        assert!(holds_a_jwt(
            b"x eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlX3ZhbHVl y"
        ));
        assert!(!holds_a_jwt(b"eyJhbGciOiJIUzI1NiJ9 and nothing after"));
        assert!(!holds_a_jwt(b"no token here"));
        assert_eq!(find(b"abc4155550177def", b"4155550177"), Some(3));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("log.txt"), "INFO app: phone 4155550177\n").unwrap();
        std::fs::write(dir.path().join("simulator.sqlite3"), "4155550177").unwrap();
        let (files, found) = scan(dir.path(), &never_left_behind());
        assert_eq!(files, 1, "the simulator's database is left out");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("log.txt: a test customer's phone number (digits) at line 1"));
        assert!(!found[0].contains("4155550177"), "the value is never shown");
    }
}
