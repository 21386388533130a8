//! `aeropay-onboarding simulate`: the simulator run alone from the command
//! line.

/// The value after `label` on the line of `simulate`'s banner that has it.
fn banner_value(banner: &[String], label: &str) -> String {
    let line = banner
        .iter()
        .find(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no {label} line in the banner"));
    line.trim_start()[label.len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Stops the process it holds when dropped, a failed test included.
struct Stopped(std::process::Child);

impl Drop for Stopped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn simulate_prints_the_admin_token_that_opens_its_admin_api() {
    use std::io::BufRead;
    let home = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding"))
        .args(["simulate", "--port", "0"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the app binary starts");
    let stdout = child.stdout.take().unwrap();
    let child = Stopped(child);
    let banner = tokio::task::spawn_blocking(move || {
        std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .take_while(|line| !line.starts_with("Press Ctrl-C"))
            .collect::<Vec<_>>()
    })
    .await
    .unwrap();
    let base = banner_value(&banner, "API base (v1):");
    let token = banner_value(&banner, "Admin token:");
    let demo = banner_value(&banner, "Demo:");

    let http = reqwest::Client::new();
    let faults = format!("{base}/__admin/faults");
    let without = http.get(&faults).send().await.unwrap().status();
    let with = http
        .get(&faults)
        .header(aeropay_simulator::ADMIN_TOKEN_HEADER, &token)
        .send()
        .await
        .unwrap()
        .status();
    drop(child);
    assert_eq!(without, 401);
    assert_eq!(with, 200);
    assert_eq!(token.len(), 64, "a 32-byte hex token");
    assert!(
        demo.ends_with(&format!("/demo#admin-token={token}")),
        "the demo address carries the token in its fragment"
    );
}
