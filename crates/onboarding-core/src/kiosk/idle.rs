//! The kiosk's idle rule, decided in Rust rather than by the page's timers:
//! a page that hangs, is reloaded or has its timers stopped cannot keep the
//! last customer's session on screen.
//!
//! - A customer is *present* from their first input after the attract
//!   screen (the page reports input) until the session is reset.
//! - After `idleSeconds` without input (`widgetIdleSeconds` while the bank
//!   widget is open: the page cannot see input inside it) a warning counts
//!   down `warningSeconds`; input does not end it, only "I need more time"
//!   ([`IdleWatch::more_time`]) does.
//! - At the end of the countdown the session is reset.
//! - A kiosk set to "More time" counts every limit double.

use crate::config::KioskTimers;

/// What the kiosk shows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleState {
    /// Nobody there, or the customer is active.
    Quiet,
    /// "Are you still there?", with whole seconds left (rounded up).
    Warning { seconds_left: u64 },
    /// The countdown is over: reset the session now. Reported once; the
    /// watch is then back to nobody there.
    ResetNow,
}

#[derive(Debug, Clone)]
pub struct IdleWatch {
    timers: KioskTimers,
    present: bool,
    last_input_ms: i64,
    warning_since_ms: Option<i64>,
}

impl IdleWatch {
    pub fn new(timers: KioskTimers) -> Self {
        Self {
            timers: timers.effective(),
            present: false,
            last_input_ms: 0,
            warning_since_ms: None,
        }
    }

    /// The customer did something. Ignored while the warning is up: only
    /// "I need more time" ends it.
    pub fn input(&mut self, now_ms: i64) {
        if self.warning_since_ms.is_none() {
            self.present = true;
            self.last_input_ms = now_ms;
        }
    }

    /// "I need more time": the warning closes and the quiet time starts again.
    pub fn more_time(&mut self, now_ms: i64) {
        if self.warning_since_ms.take().is_some() {
            self.present = true;
            self.last_input_ms = now_ms;
        }
    }

    /// The session was reset (by the customer, staff, or the countdown).
    pub fn reset(&mut self) {
        self.present = false;
        self.warning_since_ms = None;
    }

    /// A customer touched the screen since the last reset.
    pub fn customer_present(&self) -> bool {
        self.present
    }

    pub fn warning_shown(&self) -> bool {
        self.warning_since_ms.is_some()
    }

    /// What the kiosk must show or do at `now_ms`; `widget_open` picks the
    /// longer quiet time.
    pub fn tick(&mut self, now_ms: i64, widget_open: bool) -> IdleState {
        if !self.present {
            return IdleState::Quiet;
        }
        let warning_ms = i64::from(self.timers.warning_seconds) * 1000;
        if let Some(since) = self.warning_since_ms {
            let left_ms = since + warning_ms - now_ms;
            if left_ms <= 0 {
                self.reset();
                return IdleState::ResetNow;
            }
            return IdleState::Warning {
                seconds_left: (left_ms as u64).div_ceil(1000),
            };
        }
        let limit = if widget_open {
            self.timers.widget_idle_seconds
        } else {
            self.timers.idle_seconds
        };
        if now_ms - self.last_input_ms >= i64::from(limit) * 1000 {
            self.warning_since_ms = Some(now_ms);
            return IdleState::Warning {
                seconds_left: u64::from(self.timers.warning_seconds),
            };
        }
        IdleState::Quiet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn watch() -> IdleWatch {
        IdleWatch::new(KioskTimers {
            idle_seconds: 90,
            warning_seconds: 30,
            widget_idle_seconds: 300,
            more_time: false,
        })
    }

    #[test]
    fn nobody_there_is_never_warned() {
        let mut idle = watch();
        assert_eq!(idle.tick(1_000_000_000, false), IdleState::Quiet);
    }

    #[test]
    fn a_quiet_customer_is_warned_then_reset() {
        let mut idle = watch();
        idle.input(0);
        assert_eq!(idle.tick(89_999, false), IdleState::Quiet);
        assert_eq!(
            idle.tick(90_000, false),
            IdleState::Warning { seconds_left: 30 }
        );
        // Input does not end the warning: only "more time" does.
        idle.input(95_000);
        assert_eq!(
            idle.tick(100_500, false),
            IdleState::Warning { seconds_left: 20 }
        );
        assert_eq!(
            idle.tick(119_001, false),
            IdleState::Warning { seconds_left: 1 }
        );
        assert_eq!(idle.tick(120_000, false), IdleState::ResetNow);
        assert_eq!(idle.tick(500_000, false), IdleState::Quiet, "once");
        assert!(!idle.warning_shown());
    }

    #[test]
    fn more_time_starts_the_quiet_time_again() {
        let mut idle = watch();
        idle.input(0);
        idle.tick(90_000, false);
        idle.more_time(100_000);
        assert!(!idle.warning_shown());
        assert_eq!(idle.tick(189_999, false), IdleState::Quiet);
        assert!(matches!(
            idle.tick(190_000, false),
            IdleState::Warning { .. }
        ));
        // "More time" without a warning changes nothing.
        let mut calm = watch();
        calm.more_time(5);
        assert_eq!(calm.tick(1_000_000, false), IdleState::Quiet);
    }

    #[test]
    fn the_widget_gets_the_longer_quiet_time() {
        let mut idle = watch();
        idle.input(0);
        assert_eq!(idle.tick(299_999, true), IdleState::Quiet);
        assert!(matches!(
            idle.tick(300_000, true),
            IdleState::Warning { .. }
        ));
    }

    #[test]
    fn a_reset_means_nobody_is_there() {
        let mut idle = watch();
        idle.input(0);
        idle.tick(90_000, false);
        idle.reset();
        assert_eq!(idle.tick(1_000_000, false), IdleState::Quiet);
        idle.input(2_000_000);
        assert_eq!(idle.tick(2_000_001, false), IdleState::Quiet);
    }

    #[test]
    fn the_countdown_is_never_shorter_than_twenty_seconds() {
        let mut idle = IdleWatch::new(KioskTimers {
            idle_seconds: 1,
            warning_seconds: 3,
            widget_idle_seconds: 1,
            more_time: false,
        });
        idle.input(0);
        assert_eq!(
            idle.tick(1_000, false),
            IdleState::Warning { seconds_left: 20 }
        );
    }

    #[test]
    fn more_time_doubles_every_limit() {
        let mut idle = IdleWatch::new(KioskTimers {
            idle_seconds: 90,
            warning_seconds: 30,
            widget_idle_seconds: 300,
            more_time: true,
        });
        idle.input(0);
        assert_eq!(idle.tick(179_999, false), IdleState::Quiet);
        assert_eq!(
            idle.tick(180_000, false),
            IdleState::Warning { seconds_left: 60 }
        );
        assert_eq!(
            idle.tick(239_999, false),
            IdleState::Warning { seconds_left: 1 }
        );
        assert_eq!(idle.tick(240_000, false), IdleState::ResetNow);

        let mut widget = IdleWatch::new(KioskTimers {
            idle_seconds: 90,
            warning_seconds: 30,
            widget_idle_seconds: 300,
            more_time: true,
        });
        widget.input(0);
        assert_eq!(widget.tick(599_999, true), IdleState::Quiet);
        assert!(matches!(
            widget.tick(600_000, true),
            IdleState::Warning { seconds_left: 60 }
        ));
        // The 20 s floor applies before doubling.
        let mut short = IdleWatch::new(KioskTimers {
            idle_seconds: 1,
            warning_seconds: 3,
            widget_idle_seconds: 1,
            more_time: true,
        });
        short.input(0);
        assert_eq!(
            short.tick(2_000, false),
            IdleState::Warning { seconds_left: 40 }
        );
    }
}
