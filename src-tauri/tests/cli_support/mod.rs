//! The app binary run as a provisioning script runs it: settings under
//! `home/config`, data under `home/data`, no display, secrets on standard
//! input. The keyring session (scripts/with-keyring.sh) is inherited.

#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

/// `aeropay-onboarding ARGS` with its settings and data in `home`.
pub fn app(home: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding"));
    command
        .args(args)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"));
    command
}

/// `configure --environment custom --base-url URL --merchant-id ID EXTRA…`,
/// its key and secret (and whatever else `extra` asks for) in `input`.
pub fn configure_custom(
    home: &Path,
    base_url: &str,
    merchant_id: u64,
    extra: &[&str],
    input: &str,
) -> Output {
    let merchant_id = merchant_id.to_string();
    let mut args = vec![
        "configure",
        "--environment",
        "custom",
        "--base-url",
        base_url,
        "--merchant-id",
        &merchant_id,
    ];
    args.extend_from_slice(extra);
    run_with_input(app(home, &args), input)
}

/// Runs `command` with `input` on its standard input, to the end.
pub fn run_with_input(mut command: Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// What it printed, standard output then standard error.
pub fn printed(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every file below `dir` (none when it does not exist).
pub fn files_below(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_below(&path));
        } else {
            found.push(path);
        }
    }
    found
}
