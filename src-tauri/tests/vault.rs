//! The vault contract, run against the in-memory store and the real OS
//! keychain. `make test` runs this inside a private D-Bus session with an
//! unlocked gnome-keyring (scripts/with-keyring.sh) and a throwaway HOME.

use aeropay_onboarding::vault::{
    MemoryVault, OsKeychain, Secret, SecretKey, StoredToken, TokenScope, Vault,
};
use cli_support::{app, configure_custom, files_below, printed, run_with_input};
use std::sync::Mutex;

mod cli_support;

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
    // The first process: the app's own `configure`, writing to the keychain.
    let output = configure_custom(
        home.path(),
        "http://127.0.0.1:9",
        4321,
        &[],
        "proc-key\nproc-secret\n",
    );
    let text = printed(&output);
    assert!(output.status.success(), "configure failed: {text}");
    assert!(
        !text.contains("proc-secret"),
        "configure printed the secret"
    );

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
    let mut configure = app(
        home.path(),
        &[
            "configure",
            "--environment",
            "sandbox",
            "--merchant-id",
            "1",
        ],
    );
    configure.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let output = run_with_input(configure, "k\nnever-stored-secret\n");
    let text = printed(&output);
    assert!(!output.status.success());
    assert!(
        text.contains("VAULT_NO_SECRET_SERVICE") && text.contains("start gnome-keyring or KWallet"),
        "{text}"
    );
    assert!(!text.contains("never-stored-secret"));
    // No plaintext fallback and no half-configured app.
    let files = files_below(&home.path().join("config"));
    assert!(files.is_empty(), "nothing may be written: {files:?}");
}
