//! Setting the staff PIN from the command line, into the real Secret Service
//! (`make test` runs this inside scripts/with-keyring.sh): the PIN comes in
//! on standard input, only its argon2id hash reaches the keychain.

use aeropay_onboarding::config::Mode;
use aeropay_onboarding::staff::{read_pin_hash, verify_pin, Pin, StaffGuard, SystemClock};
use aeropay_onboarding::store::{AuditAction, AuditEntry, AuditMode, Store};
use aeropay_onboarding::vault::{OsKeychain, SecretKey, Vault};
use cli_support::{app, configure_custom, printed, run_with_input};
use std::process::Output;
use std::sync::{Arc, Mutex};

mod cli_support;

// One keychain entry for the machine, and the Secret Service races on
// concurrent writes: one test at a time.
static KEYCHAIN: Mutex<()> = Mutex::new(());

fn run(args: &[&str], stdin: &str, home: &std::path::Path) -> Output {
    run_with_input(app(home, args), stdin)
}

fn stored_pin_is(pin: &str) -> bool {
    let phc = read_pin_hash(&OsKeychain::new())
        .unwrap()
        .expect("a staff PIN in the keychain");
    assert!(phc.starts_with("$argon2id$") && !phc.contains(pin), "{phc}");
    verify_pin(&Pin::parse(pin).unwrap(), &phc).unwrap()
}

#[test]
fn configure_and_set_staff_pin_store_only_the_hash() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    let configure = configure_custom(
        home.path(),
        "http://127.0.0.1:9",
        4321,
        &["--staff-pin-stdin"],
        "pin-key\npin-secret\n482913\n",
    );
    let text = printed(&configure);
    assert!(configure.status.success(), "{text}");
    assert!(
        text.contains("Staff PIN set") && !text.contains("482913"),
        "{text}"
    );
    assert!(stored_pin_is("482913"));
    let settings = std::fs::read_to_string(
        home.path()
            .join("config/app.aeropay-onboarding.desktop/settings.json"),
    )
    .unwrap();
    assert!(!settings.contains("482913") && !settings.contains("argon2"));

    // On a configured machine: only the PIN changes.
    let set = run(&["set-staff-pin"], "7531\n", home.path());
    assert!(set.status.success(), "{}", printed(&set));
    assert!(stored_pin_is("7531") && !stored_pin_is("482913"));

    // A PIN of the wrong shape changes nothing, and is not repeated.
    let bad = run(&["set-staff-pin"], "75x1\n", home.path());
    let text = printed(&bad);
    assert!(!bad.status.success());
    assert!(
        text.contains("STAFF_PIN_FORMAT") && !text.contains("75x1"),
        "{text}"
    );
    assert!(stored_pin_is("7531"));

    // The audit trail names the changes and the terminal, never the PIN.
    let store = Store::open_in(&home.path().join("data/app.aeropay-onboarding.desktop")).unwrap();
    let audit = store.audit_entries(0, i64::MAX).unwrap();
    let written: Vec<_> = audit
        .iter()
        .map(|e| (e.action.as_str(), e.staff.as_deref()))
        .collect();
    assert_eq!(
        written,
        [
            ("credentials_changed", Some("command line")),
            ("pin_set", Some("command line")),
            ("pin_set", Some("command line"))
        ]
    );
    let text = format!("{audit:?}");
    for secret in ["482913", "7531", "pin-secret", "pin-key"] {
        assert!(!text.contains(secret), "{text}");
    }

    let vault = OsKeychain::new();
    assert!(vault.delete(&SecretKey::StaffPin).unwrap());
    assert!(vault
        .delete(&SecretKey::MerchantCredentials {
            environment: "custom:127.0.0.1:9".into()
        })
        .unwrap());
}

#[test]
fn set_staff_pin_on_a_kiosk_takes_six_digits_and_ends_a_lock_out() {
    let _one_at_a_time = KEYCHAIN.lock().unwrap_or_else(|e| e.into_inner());
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config/app.aeropay-onboarding.desktop");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("settings.json"), r#"{"mode":"kiosk"}"#).unwrap();

    // Ten wrong PINs in a row have locked staff out of this kiosk.
    let store = Store::open_in(&home.path().join("data/app.aeropay-onboarding.desktop")).unwrap();
    for _ in 0..10 {
        store
            .audit(&AuditEntry {
                at: 1_800_000_000,
                mode: AuditMode::Kiosk,
                staff: None,
                action: AuditAction::PinFailed,
                detail: "wrong staff PIN".into(),
                error_code: None,
                correlation_id: None,
            })
            .unwrap();
    }
    let guard = || {
        StaffGuard::new(
            Arc::new(OsKeychain::new()),
            Arc::new(
                Store::open_in(&home.path().join("data/app.aeropay-onboarding.desktop")).unwrap(),
            ),
            Mode::Kiosk,
            Arc::new(SystemClock),
        )
    };
    assert!(guard().status().unwrap().locked_out);

    // Too short for a kiosk: refused, nothing changes, the lock stays.
    let short = run(&["set-staff-pin"], "24680\n", home.path());
    let text = printed(&short);
    assert!(!short.status.success());
    assert!(
        text.contains("STAFF_PIN_KIOSK_SHORT")
            && text.contains("6 to 12 digits")
            && !text.contains("24680"),
        "{text}"
    );
    assert!(read_pin_hash(&OsKeychain::new()).unwrap().is_none());
    assert!(guard().status().unwrap().locked_out);

    let set = run(&["set-staff-pin"], "246801\n", home.path());
    assert!(set.status.success(), "{}", printed(&set));
    assert!(stored_pin_is("246801"));
    let guard = guard();
    assert!(!guard.status().unwrap().locked_out);
    assert!(guard.unlock("246801").unwrap().unlocked);

    assert!(OsKeychain::new().delete(&SecretKey::StaffPin).unwrap());
}
