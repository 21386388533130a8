//! The vault contract, run against the in-memory store and the real OS
//! keychain. `make test` runs this inside a private D-Bus session with an
//! unlocked gnome-keyring (scripts/with-keyring.sh) and a throwaway HOME.

use aeropay_onboarding::vault::{
    MemoryVault, OsKeychain, Secret, SecretKey, StoredToken, TokenScope, Vault,
};
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::Mutex;

// The Secret Service races on concurrent writes: one keychain test at a time.
static KEYCHAIN: Mutex<()> = Mutex::new(());

fn credentials(secret: &str) -> Secret {
    Secret::MerchantCredentials {
        api_key: "key-123".into(),
        api_secret: secret.into(),
        merchant_id: 1234,
    }
}

fn token(user: &str) -> Secret {
    Secret::AeropayToken(StoredToken {
        token: "eyJhbGciOiJIUzI1NiJ9.e30.sig".into(),
        scope: TokenScope::UserForMerchant,
        user_id: Some(user.into()),
        expires_at: 1_900_000_000,
    })
}

fn contract(vault: &dyn Vault, environment: &str) {
    let merchant = SecretKey::MerchantCredentials {
        environment: environment.into(),
    };
    let alice = SecretKey::UserToken {
        environment: environment.into(),
        user_id: "alice".into(),
    };
    let bob = SecretKey::UserToken {
        environment: environment.into(),
        user_id: "bob".into(),
    };

    assert_eq!(vault.get(&merchant).unwrap(), None, "starts empty");
    vault.put(&merchant, &credentials("first")).unwrap();
    assert_eq!(vault.get(&merchant).unwrap(), Some(credentials("first")));

    vault.put(&merchant, &credentials("second")).unwrap();
    assert_eq!(
        vault.get(&merchant).unwrap(),
        Some(credentials("second")),
        "put replaces"
    );

    vault.put(&alice, &token("alice")).unwrap();
    assert_eq!(vault.get(&alice).unwrap(), Some(token("alice")));
    assert_eq!(vault.get(&bob).unwrap(), None, "keys are independent");

    let wrong = vault.put(&bob, &credentials("x")).unwrap_err();
    assert_eq!(wrong.code(), "VAULT_WRONG_KIND");

    assert!(vault.delete(&alice).unwrap());
    assert!(
        !vault.delete(&alice).unwrap(),
        "second delete finds nothing"
    );
    assert_eq!(vault.get(&alice).unwrap(), None);
    assert!(vault.delete(&merchant).unwrap());
    assert_eq!(vault.get(&merchant).unwrap(), None);
}

#[test]
fn memory_vault_keeps_the_contract() {
    contract(&MemoryVault::new(), "sandbox");
}

#[test]
fn os_keychain_keeps_the_contract() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let service = format!("app.aeropay-onboarding.test.{}", std::process::id());
    contract(&OsKeychain::with_service(service), "sandbox");
}

#[test]
fn a_second_process_reads_what_the_first_wrote() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    // Its own data directory (the audit trail): no other test shares it.
    let data = tempfile::tempdir().unwrap();
    // The first process: the app's own `configure`, writing to the keychain.
    let mut child = Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding"))
        .args([
            "configure",
            "--environment",
            "custom",
            "--base-url",
            "http://127.0.0.1:9",
            "--merchant-id",
            "4321",
        ])
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", data.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"proc-key\nproc-secret\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "configure failed: {stderr}");
    assert!(!stdout.contains("proc-secret") && !stderr.contains("proc-secret"));

    // This process reads it back through the real Secret Service.
    let key = SecretKey::MerchantCredentials {
        environment: "custom:127.0.0.1:9".into(),
    };
    let vault = OsKeychain::new();
    let stored = vault.get(&key).unwrap();
    assert_eq!(
        stored,
        Some(Secret::MerchantCredentials {
            api_key: "proc-key".into(),
            api_secret: "proc-secret".into(),
            merchant_id: 4321,
        })
    );
    assert!(vault.delete(&key).unwrap());
}

#[test]
fn no_secret_service_is_a_clear_error_and_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    // Its own data directory (the audit trail), out of what is checked below.
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_aeropay-onboarding"))
        .args([
            "configure",
            "--environment",
            "sandbox",
            "--merchant-id",
            "1",
        ])
        .env("XDG_CONFIG_HOME", home.path())
        .env("XDG_DATA_HOME", data.path())
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .env_remove("DISPLAY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"k\nnever-stored-secret\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success());
    assert!(
        stderr.contains("VAULT_NO_SECRET_SERVICE")
            && stderr.contains("start gnome-keyring or KWallet"),
        "{stderr}"
    );
    assert!(!stderr.contains("never-stored-secret"));
    // No plaintext fallback and no half-configured app.
    let files: Vec<_> = walk(home.path());
    assert!(files.is_empty(), "nothing may be written: {files:?}");
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else {
            found.push(path);
        }
    }
    found
}
