//! A staff session: opened by the right PIN, kept alive by staff activity,
//! over after 15 minutes without any.

/// Quiet time after which a staff session ends.
pub const SESSION_IDLE_MS: i64 = 15 * 60 * 1000;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Session {
    /// Last staff activity (unix ms); `None` when locked.
    last_activity_ms: Option<i64>,
}

impl Session {
    pub fn open(&mut self, now_ms: i64) {
        self.last_activity_ms = Some(now_ms);
    }

    pub fn close(&mut self) {
        self.last_activity_ms = None;
    }

    pub fn is_open(&self, now_ms: i64) -> bool {
        self.ms_left(now_ms) > 0
    }

    /// Staff did something: an open session starts its 15 minutes again.
    /// Returns whether the session was (and so still is) open.
    pub fn touch(&mut self, now_ms: i64) -> bool {
        if self.is_open(now_ms) {
            self.last_activity_ms = Some(now_ms);
            true
        } else {
            self.close();
            false
        }
    }

    /// Whole seconds (rounded up) before the session ends; 0 when locked.
    pub fn seconds_left(&self, now_ms: i64) -> u64 {
        (self.ms_left(now_ms).max(0) as u64).div_ceil(1000)
    }

    fn ms_left(&self, now_ms: i64) -> i64 {
        match self.last_activity_ms {
            Some(last) => last + SESSION_IDLE_MS - now_ms,
            None => 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_quiet_minutes_end_the_session() {
        let mut session = Session::default();
        assert!(!session.is_open(0));
        session.open(1_000);
        assert_eq!(session.seconds_left(1_000), 900);
        assert!(session.is_open(1_000 + SESSION_IDLE_MS - 1));
        assert!(!session.is_open(1_000 + SESSION_IDLE_MS));
        assert_eq!(session.seconds_left(1_000 + SESSION_IDLE_MS), 0);
    }

    #[test]
    fn activity_restarts_the_fifteen_minutes_but_cannot_revive_a_session() {
        let mut session = Session::default();
        session.open(0);
        assert!(session.touch(14 * 60 * 1000));
        assert!(session.is_open(28 * 60 * 1000));
        assert!(!session.touch(14 * 60 * 1000 + SESSION_IDLE_MS));
        assert!(!session.is_open(14 * 60 * 1000 + SESSION_IDLE_MS + 1));
        session.open(0);
        session.close();
        assert!(!session.is_open(0));
    }
}
