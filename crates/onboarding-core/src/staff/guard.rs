//! The staff rules put together: whether a PIN is set, the wait after wrong
//! PINs, the staff session, and what each leaves in the audit trail.
//! Blocking (keychain, argon2): call it off the UI thread.

use super::clock::Clock;
use super::pin::{verify_pin, Pin};
use super::session::Session;
use super::stored::{read_pin_hash, store_pin};
use super::throttle::Throttle;
use super::StaffError;
use crate::config::Mode;
use crate::store::{AuditAction, AuditEntry, AuditMode, Store};
use crate::vault::Vault;
use serde::Serialize;
use std::sync::{Arc, Mutex, MutexGuard};

/// What the `staff` column of the audit trail says while staff are unlocked.
pub const STAFF_ACTOR: &str = "staff";

/// On a kiosk, this many wrong PINs in a row lock staff out until a PIN is
/// set again from the command line (the count is read back from the audit
/// trail, so a restart keeps the lock).
pub const KIOSK_LOCKOUT_FAILURES: u32 = 10;

/// What the page shows of the staff lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StaffStatus {
    pub pin_set: bool,
    pub unlocked: bool,
    /// Seconds before the session ends without staff activity; 0 when locked.
    pub seconds_until_lock: u64,
    /// Seconds before the next PIN attempt is taken; 0 when one may be made.
    pub wait_seconds: u64,
    /// Kiosk: too many wrong PINs in a row; only a PIN set from the command
    /// line opens staff access again.
    pub locked_out: bool,
}

struct State {
    /// The stored hash; `None` until the keychain has been read.
    pin: Option<Option<String>>,
    throttle: Throttle,
    session: Session,
}

pub struct StaffGuard {
    vault: Arc<dyn Vault>,
    store: Arc<Store>,
    mode: Mode,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

impl StaffGuard {
    /// Picks up the wrong PINs typed since the last right one from the audit
    /// trail, so a restart does not end a wait. The keychain is read on
    /// first use.
    pub fn new(
        vault: Arc<dyn Vault>,
        store: Arc<Store>,
        mode: Mode,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let throttle = match store.pin_failures_since_last_success() {
            // Audit times are whole seconds: round the last one up, so a
            // restart never shortens a wait.
            Ok((failures, last_at)) => {
                Throttle::restored(failures, last_at.map(|at| at * 1000 + 999))
            }
            Err(err) => {
                tracing::error!(code = err.code(), "wrong staff PINs not restored: {err}");
                Throttle::default()
            }
        };
        Self {
            vault,
            store,
            mode,
            clock,
            state: Mutex::new(State {
                pin: None,
                throttle,
                session: Session::default(),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn pin_hash(&self, state: &mut State) -> Result<Option<String>, StaffError> {
        if state.pin.is_none() {
            state.pin = Some(read_pin_hash(self.vault.as_ref())?);
        }
        Ok(state.pin.clone().flatten())
    }

    /// Reads the hash again: the PIN may have been set or replaced from the
    /// command line while the app runs. A replaced PIN ends the wait the old
    /// one's wrong attempts started, as it does after a restart.
    fn reread_pin_hash(&self, state: &mut State) -> Result<Option<String>, StaffError> {
        let stored = read_pin_hash(self.vault.as_ref())?;
        if matches!(&state.pin, Some(cached) if *cached != stored) {
            state.throttle.reset();
        }
        state.pin = Some(stored.clone());
        Ok(stored)
    }

    fn status_of(&self, state: &mut State) -> Result<StaffStatus, StaffError> {
        let now = self.clock.now_ms();
        let pin_set = self.pin_hash(state)?.is_some();
        let unlocked = pin_set && state.session.is_open(now);
        let locked_out = self.locked_out(state);
        Ok(StaffStatus {
            locked_out,
            pin_set,
            unlocked,
            seconds_until_lock: if unlocked {
                state.session.seconds_left(now)
            } else {
                0
            },
            wait_seconds: if locked_out {
                0
            } else {
                state.throttle.wait_seconds(now)
            },
        })
    }

    fn locked_out(&self, state: &State) -> bool {
        self.mode == Mode::Kiosk && state.throttle.failures() >= KIOSK_LOCKOUT_FAILURES
    }

    pub fn status(&self) -> Result<StaffStatus, StaffError> {
        let mut state = self.state();
        // Without a PIN, or locked out, the page polls until one is set
        // (from the command line): look again rather than trust the cache.
        if state.pin == Some(None) || self.locked_out(&state) {
            self.reread_pin_hash(&mut state)?;
        }
        self.status_of(&mut state)
    }

    /// Checks a typed PIN. A right one opens a staff session; a wrong one
    /// starts a wait; during a wait nothing is checked or counted.
    pub fn unlock(&self, typed: &str) -> Result<StaffStatus, StaffError> {
        let mut state = self.state();
        let now = self.clock.now_ms();
        // A PIN set from the command line since ends a lock-out.
        let phc = self.reread_pin_hash(&mut state)?;
        if self.locked_out(&state) {
            return Err(StaffError::LockedOut);
        }
        let wait_seconds = state.throttle.wait_seconds(now);
        if wait_seconds > 0 {
            return Err(StaffError::PinWait { wait_seconds });
        }
        let phc = phc.ok_or(StaffError::NoPin)?;
        // A PIN of the wrong shape cannot be the right one: say so, uncounted.
        let pin = Pin::parse_for(typed, self.mode)?;
        if verify_pin(&pin, &phc)? {
            state.throttle.reset();
            state.session.open(now);
            self.audit(
                AuditAction::PinSucceeded,
                Some(STAFF_ACTOR),
                "staff unlocked",
            );
            self.status_of(&mut state)
        } else {
            let wait_seconds = state.throttle.record_failure(now);
            let failures = state.throttle.failures();
            let locked_out = self.locked_out(&state);
            let detail = if locked_out {
                format!("wrong staff PIN ({failures} in a row); staff access locked until a PIN is set from the command line")
            } else {
                format!("wrong staff PIN ({failures} in a row; next attempt in {wait_seconds} s)")
            };
            self.audit(AuditAction::PinFailed, None, &detail);
            tracing::warn!(failures, wait_seconds, locked_out, "wrong staff PIN");
            if locked_out {
                return Err(StaffError::LockedOut);
            }
            Err(StaffError::PinWrong { wait_seconds })
        }
    }

    /// Ends the staff session now.
    pub fn lock(&self) -> Result<StaffStatus, StaffError> {
        let mut state = self.state();
        state.session.close();
        self.status_of(&mut state)
    }

    /// For staff-only actions: with a PIN set, an unlocked session is needed
    /// and this counts as staff activity. Without a PIN, a desk is open to
    /// whoever sits at it and a kiosk is closed. Returns who acts, for the
    /// audit trail.
    pub fn require(&self) -> Result<Option<&'static str>, StaffError> {
        let mut state = self.state();
        let now = self.clock.now_ms();
        match self.pin_hash(&mut state)? {
            Some(_) if state.session.touch(now) => Ok(Some(STAFF_ACTOR)),
            Some(_) => Err(StaffError::Locked),
            None if self.mode == Mode::Kiosk => Err(StaffError::NoPin),
            None => Ok(None),
        }
    }

    /// Who acts now, for the audit trail: staff while a session is open.
    pub fn actor(&self) -> Option<&'static str> {
        let state = self.state();
        state
            .session
            .is_open(self.clock.now_ms())
            .then_some(STAFF_ACTOR)
    }

    /// Sets or changes the PIN. Changing it takes an unlocked session; the
    /// first one may be set at a desk (a kiosk gets it from the command line),
    /// and whoever sets it is then unlocked.
    pub fn set_pin(&self, new_pin: &str, confirm: Option<&str>) -> Result<StaffStatus, StaffError> {
        let mut state = self.state();
        let now = self.clock.now_ms();
        let first = match self.pin_hash(&mut state)? {
            Some(_) if state.session.touch(now) => false,
            Some(_) => return Err(StaffError::Locked),
            None if self.mode == Mode::Kiosk => return Err(StaffError::NoPin),
            None => true,
        };
        let pin = Pin::parse_for(new_pin, self.mode)?;
        if let Some(confirm) = confirm {
            if Pin::parse(confirm).ok().as_ref() != Some(&pin) {
                return Err(StaffError::PinMismatch);
            }
        }
        let phc = store_pin(self.vault.as_ref(), &pin)?;
        state.pin = Some(Some(phc));
        state.session.open(now);
        let detail = if first {
            "staff PIN set"
        } else {
            "staff PIN changed"
        };
        self.audit(AuditAction::PinSet, Some(STAFF_ACTOR), detail);
        self.status_of(&mut state)
    }

    fn audit(&self, action: AuditAction, staff: Option<&str>, detail: &str) {
        let entry = AuditEntry {
            at: self.clock.now_ms().div_euclid(1000),
            mode: AuditMode::from(self.mode),
            staff: staff.map(str::to_owned),
            action,
            detail: detail.into(),
            error_code: None,
            correlation_id: None,
        };
        if let Err(err) = self.store.audit(&entry) {
            tracing::error!(code = err.code(), "audit entry not written: {err}");
        }
    }
}
