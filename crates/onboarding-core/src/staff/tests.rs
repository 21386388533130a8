//! The staff rules with a clock the tests move: delays, the session's
//! 15 minutes, the restore from the audit trail, and what is audited.

use super::*;
use crate::config::Mode;
use crate::store::{AuditAction, Store};
use crate::vault::{MemoryVault, Vault};
use std::sync::Arc;

const START: i64 = 1_800_000_000;
const PIN: &str = "482913";

struct Rig {
    vault: Arc<MemoryVault>,
    store: Arc<Store>,
    clock: Arc<ManualClock>,
}

impl Rig {
    fn new() -> Self {
        Self {
            vault: Arc::new(MemoryVault::new()),
            store: Arc::new(Store::in_memory().unwrap()),
            clock: Arc::new(ManualClock::at_unix_seconds(START)),
        }
    }

    fn with_pin() -> Self {
        let rig = Self::new();
        store_pin(rig.vault.as_ref(), &Pin::parse(PIN).unwrap()).unwrap();
        rig
    }

    fn guard(&self, mode: Mode) -> StaffGuard {
        let vault: Arc<dyn Vault> = self.vault.clone();
        StaffGuard::new(vault, self.store.clone(), mode, self.clock.clone())
    }

    fn actions(&self) -> Vec<AuditAction> {
        self.audit().into_iter().map(|e| e.action).collect()
    }

    fn audit(&self) -> Vec<crate::store::AuditEntry> {
        self.store.audit_entries(0, i64::MAX).unwrap()
    }
}

fn wait_of(err: &StaffError) -> u64 {
    match err {
        StaffError::PinWrong { wait_seconds } | StaffError::PinWait { wait_seconds } => {
            *wait_seconds
        }
        other => panic!("expected a wait, got {other:?}"),
    }
}

#[test]
fn the_right_pin_unlocks_and_is_audited_without_the_pin() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Kiosk);
    let locked = guard.status().unwrap();
    assert_eq!(
        (
            locked.pin_set,
            locked.unlocked,
            locked.seconds_until_lock,
            locked.wait_seconds
        ),
        (true, false, 0, 0)
    );
    assert_eq!(guard.require().unwrap_err().code(), "STAFF_LOCKED");
    let status = guard.unlock(PIN).unwrap();
    assert!(status.unlocked);
    assert_eq!(status.seconds_until_lock, 900);
    assert_eq!(guard.require().unwrap(), Some(STAFF_ACTOR));
    let audit = rig.audit();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, AuditAction::PinSucceeded);
    assert_eq!(audit[0].staff.as_deref(), Some("staff"));
    assert!(!format!("{audit:?}").contains(PIN));
}

#[test]
fn wrong_pins_wait_longer_each_time_up_to_five_minutes() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Desk);
    let mut waits = Vec::new();
    for _ in 0..11 {
        let wait = wait_of(&guard.unlock("573921").unwrap_err());
        assert_eq!(guard.status().unwrap().wait_seconds, wait);
        waits.push(wait);
        rig.clock.advance_secs(wait as i64);
    }
    assert_eq!(waits, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
    assert!(!format!("{:?}", rig.audit()).contains("573921"));
    assert_eq!(rig.actions().len(), 11);
    // The right PIN after the wait unlocks and clears the count.
    guard.unlock(PIN).unwrap();
    guard.lock().unwrap();
    assert_eq!(wait_of(&guard.unlock("111111").unwrap_err()), 1);
}

#[test]
fn an_attempt_during_the_wait_is_refused_and_does_not_count() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Kiosk);
    assert_eq!(wait_of(&guard.unlock("111100").unwrap_err()), 1);
    rig.clock.advance_secs(1);
    let err = guard.unlock("222200").unwrap_err();
    assert_eq!(err.code(), "STAFF_PIN_WRONG");
    assert_eq!(wait_of(&err), 2);
    rig.clock.advance_ms(500);
    // Even the right PIN waits; nothing is checked, nothing counted.
    for typed in ["333300", PIN] {
        let err = guard.unlock(typed).unwrap_err();
        assert_eq!(err.code(), "STAFF_PIN_WAIT");
        assert_eq!(wait_of(&err), 2, "1.5 s left, shown as 2");
        assert!(err.to_string().contains("Wait 2 seconds"), "{err}");
    }
    rig.clock.advance_ms(1_000);
    assert_eq!(guard.unlock(PIN).unwrap_err().code(), "STAFF_PIN_WAIT");
    assert_eq!(guard.status().unwrap().wait_seconds, 1);
    rig.clock.advance_ms(500);
    assert_eq!(
        wait_of(&guard.unlock("444400").unwrap_err()),
        4,
        "the third counted"
    );
    assert_eq!(
        rig.actions(),
        [
            AuditAction::PinFailed,
            AuditAction::PinFailed,
            AuditAction::PinFailed
        ]
    );
}

#[test]
fn a_pin_of_the_wrong_shape_is_named_and_not_counted() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Kiosk);
    for typed in ["12", "abcd", "1234567890123", ""] {
        assert_eq!(guard.unlock(typed).unwrap_err().code(), "STAFF_PIN_FORMAT");
    }
    assert_eq!(guard.status().unwrap().wait_seconds, 0);
    assert!(rig.actions().is_empty());
}

#[test]
fn a_restart_keeps_the_count_and_the_wait() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Kiosk);
    for _ in 0..4 {
        let wait = wait_of(&guard.unlock("999900").unwrap_err());
        rig.clock.advance_secs(wait as i64);
    }
    // Fourth wrong PIN just now: 8 s to wait. The app restarts 3 s later.
    rig.clock.advance_secs(-8 + 3);
    drop(guard);
    let guard = rig.guard(Mode::Kiosk);
    let status = guard.status().unwrap();
    assert!((5..=6).contains(&status.wait_seconds), "{status:?}");
    assert!(!status.unlocked, "a restart locks");
    rig.clock.advance_secs(6);
    assert_eq!(
        wait_of(&guard.unlock("999900").unwrap_err()),
        16,
        "the fifth in a row"
    );

    // A right PIN resets the count, also across the next restart.
    rig.clock.advance_secs(16);
    guard.unlock(PIN).unwrap();
    let guard = rig.guard(Mode::Kiosk);
    assert_eq!(guard.status().unwrap().wait_seconds, 0);
    assert_eq!(wait_of(&guard.unlock("999900").unwrap_err()), 1);
}

#[test]
fn the_session_ends_after_fifteen_quiet_minutes_and_activity_extends_it() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Desk);
    guard.unlock(PIN).unwrap();
    rig.clock.advance_secs(14 * 60);
    assert_eq!(guard.status().unwrap().seconds_until_lock, 60);
    // A staff action 14 minutes in starts the 15 minutes again.
    assert_eq!(guard.require().unwrap(), Some("staff"));
    rig.clock.advance_secs(14 * 60);
    assert!(guard.status().unwrap().unlocked);
    assert_eq!(guard.actor(), Some("staff"));
    rig.clock.advance_secs(60);
    let status = guard.status().unwrap();
    assert_eq!((status.unlocked, status.seconds_until_lock), (false, 0));
    assert_eq!(guard.actor(), None);
    assert_eq!(guard.require().unwrap_err().code(), "STAFF_LOCKED");
    // Locking by hand ends it at once.
    guard.unlock(PIN).unwrap();
    guard.lock().unwrap();
    assert_eq!(guard.require().unwrap_err().code(), "STAFF_LOCKED");
}

#[test]
fn without_a_pin_a_desk_is_open_and_a_kiosk_closed() {
    let rig = Rig::new();
    let desk = rig.guard(Mode::Desk);
    assert_eq!(desk.require().unwrap(), None);
    assert!(!desk.status().unwrap().pin_set);
    assert_eq!(desk.unlock("1234").unwrap_err().code(), "STAFF_NO_PIN");
    let kiosk = rig.guard(Mode::Kiosk);
    let err = kiosk.require().unwrap_err();
    assert_eq!(err.code(), "STAFF_NO_PIN");
    assert!(
        err.to_string()
            .contains("aeropay-onboarding configure --staff-pin"),
        "{err}"
    );
    assert_eq!(
        kiosk.set_pin("1234", None).unwrap_err().code(),
        "STAFF_NO_PIN"
    );
}

#[test]
fn a_desk_sets_the_first_pin_and_changing_it_takes_a_session() {
    let rig = Rig::new();
    let guard = rig.guard(Mode::Desk);
    assert_eq!(
        guard.set_pin("12a4", None).unwrap_err().code(),
        "STAFF_PIN_FORMAT"
    );
    assert_eq!(
        guard.set_pin("1234", Some("1235")).unwrap_err().code(),
        "STAFF_PIN_MISMATCH"
    );
    let status = guard.set_pin("1234", Some("1234")).unwrap();
    assert!(
        status.pin_set && status.unlocked,
        "whoever set it is unlocked"
    );
    guard.lock().unwrap();
    assert_eq!(
        guard.set_pin("5678", None).unwrap_err().code(),
        "STAFF_LOCKED"
    );
    guard.unlock("1234").unwrap();
    guard.set_pin("5678", Some("5678")).unwrap();
    guard.lock().unwrap();
    assert_eq!(guard.unlock("1234").unwrap_err().code(), "STAFF_PIN_WRONG");
    rig.clock.advance_secs(1);
    assert!(guard.unlock("5678").unwrap().unlocked);
    let audit = format!("{:?}", rig.audit());
    assert!(audit.contains("staff PIN set") && audit.contains("staff PIN changed"));
    for pin in ["1234", "5678"] {
        assert!(!audit.contains(pin), "{audit}");
    }
    // Another guard on the same keychain sees the new PIN.
    assert!(rig.guard(Mode::Kiosk).status().unwrap().pin_set);
}

#[test]
fn errors_and_statuses_never_carry_the_pin() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Kiosk);
    let wrong = guard.unlock("135790").unwrap_err();
    let status = guard.status().unwrap();
    let printed = format!(
        "{wrong:?} {wrong} {status:?} {}",
        serde_json::to_string(&status).unwrap()
    );
    assert!(
        !printed.contains("135790") && !printed.contains(PIN),
        "{printed}"
    );
}

#[test]
fn a_pin_set_from_the_command_line_counts_in_a_running_app() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Kiosk);
    for typed in ["111100", "222200", "333300"] {
        wait_of(&guard.unlock(typed).unwrap_err());
        rig.clock.advance_secs(4);
    }
    assert_eq!(wait_of(&guard.unlock("444400").unwrap_err()), 8);
    // Staff who forgot the PIN set a new one at a terminal (`set-staff-pin`
    // writes the keychain, as here) while the kiosk runs.
    store_pin(rig.vault.as_ref(), &Pin::parse("975310").unwrap()).unwrap();
    assert_eq!(
        guard.unlock(PIN).unwrap_err().code(),
        "STAFF_PIN_WRONG",
        "the old PIN no longer opens, and the old wait is over"
    );
    rig.clock.advance_secs(1);
    assert!(guard.unlock("975310").unwrap().unlocked);
}

#[test]
fn a_kiosk_without_a_pin_sees_one_set_from_the_command_line() {
    let rig = Rig::new();
    let guard = rig.guard(Mode::Kiosk);
    assert!(!guard.status().unwrap().pin_set);
    assert_eq!(guard.unlock(PIN).unwrap_err().code(), "STAFF_NO_PIN");
    store_pin(rig.vault.as_ref(), &Pin::parse(PIN).unwrap()).unwrap();
    assert!(guard.status().unwrap().pin_set);
    assert!(guard.unlock(PIN).unwrap().unlocked);
}

#[test]
fn a_kiosk_refuses_a_pin_shorter_than_six_digits_and_a_desk_takes_it() {
    let rig = Rig::new();
    let desk = rig.guard(Mode::Desk);
    assert!(desk.set_pin("2468", Some("2468")).unwrap().unlocked);
    desk.lock().unwrap();

    // The same machine as a kiosk: the short PIN no longer opens it, and
    // the message says how to set a longer one; nothing is counted.
    let kiosk = rig.guard(Mode::Kiosk);
    let err = kiosk.unlock("2468").unwrap_err();
    assert_eq!(err.code(), "STAFF_PIN_KIOSK_SHORT");
    assert!(
        err.to_string().contains("6 to 12 digits") && err.to_string().contains("set-staff-pin"),
        "{err}"
    );
    assert_eq!(kiosk.status().unwrap().wait_seconds, 0);
    store_pin(rig.vault.as_ref(), &Pin::parse(PIN).unwrap()).unwrap();
    kiosk.unlock(PIN).unwrap();
    // Changing it in the kiosk's settings takes 6 digits too.
    assert_eq!(
        kiosk.set_pin("13579", Some("13579")).unwrap_err().code(),
        "STAFF_PIN_KIOSK_SHORT"
    );
    assert!(kiosk.set_pin("135790", Some("135790")).unwrap().unlocked);
}

/// Types `count` wrong PINs, waiting out each wait. Returns the last error.
fn wrong_pins(rig: &Rig, guard: &StaffGuard, count: u32) -> StaffError {
    let mut last = None;
    for _ in 0..count {
        let err = guard.unlock("000000").unwrap_err();
        if let StaffError::PinWrong { wait_seconds } = &err {
            rig.clock.advance_secs(*wait_seconds as i64);
        }
        last = Some(err);
    }
    last.expect("at least one attempt")
}

#[test]
fn a_desk_is_never_locked_out_only_kept_waiting() {
    let rig = Rig::with_pin();
    let guard = rig.guard(Mode::Desk);
    assert_eq!(wrong_pins(&rig, &guard, 12).code(), "STAFF_PIN_WRONG");
    assert!(!guard.status().unwrap().locked_out);
    rig.clock.advance_secs(300);
    assert!(guard.unlock(PIN).unwrap().unlocked);
}
