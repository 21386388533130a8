//! Wrong PINs in a row make the next attempt wait: after the n-th, the
//! next one is refused for min(2^(n-1), 300) seconds. An attempt refused
//! during the wait does not count.

/// Longest wait between two attempts, in seconds.
pub const MAX_WAIT_SECONDS: u64 = 300;

/// The wait after `failures` wrong PINs in a row, in seconds.
pub fn delay_after(failures: u32) -> u64 {
    match failures {
        0 => 0,
        // 2^9 = 512 is past the cap already; stop shifting there.
        n => (1u64 << (n - 1).min(9)).min(MAX_WAIT_SECONDS),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Throttle {
    failures: u32,
    /// When the last wrong PIN was typed (unix ms).
    last_failure_ms: Option<i64>,
}

impl Throttle {
    /// The state written down by the audit trail: `failures` wrong PINs
    /// since the last right one, the last of them at `last_failure_ms`.
    pub fn restored(failures: u32, last_failure_ms: Option<i64>) -> Self {
        Self {
            failures,
            last_failure_ms: last_failure_ms.filter(|_| failures > 0),
        }
    }

    pub fn failures(&self) -> u32 {
        self.failures
    }

    /// Whole seconds (rounded up) before the next attempt is taken; 0 when
    /// one may be made now.
    pub fn wait_seconds(&self, now_ms: i64) -> u64 {
        let Some(last) = self.last_failure_ms else {
            return 0;
        };
        let until = last + (delay_after(self.failures) as i64) * 1000;
        let left_ms = until - now_ms;
        if left_ms <= 0 {
            0
        } else {
            (left_ms as u64).div_ceil(1000)
        }
    }

    /// Counts a wrong PIN; returns the wait it starts, in seconds.
    pub fn record_failure(&mut self, now_ms: i64) -> u64 {
        self.failures = self.failures.saturating_add(1);
        self.last_failure_ms = Some(now_ms);
        delay_after(self.failures)
    }

    pub fn reset(&mut self) {
        *self = Self::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_then_stop_at_five_minutes() {
        let delays: Vec<u64> = (0..=12).map(delay_after).collect();
        assert_eq!(delays, [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(delay_after(u32::MAX), 300);
    }

    #[test]
    fn the_wait_counts_down_in_whole_seconds() {
        let mut throttle = Throttle::default();
        assert_eq!(throttle.wait_seconds(0), 0);
        for _ in 0..3 {
            throttle.record_failure(10_000);
        }
        // Third wrong PIN: 4 s from the moment it was typed.
        assert_eq!(throttle.wait_seconds(10_000), 4);
        assert_eq!(throttle.wait_seconds(10_001), 4);
        assert_eq!(throttle.wait_seconds(13_000), 1);
        assert_eq!(throttle.wait_seconds(13_999), 1);
        assert_eq!(throttle.wait_seconds(14_000), 0);
        throttle.reset();
        assert_eq!((throttle.failures(), throttle.wait_seconds(10_000)), (0, 0));
    }

    #[test]
    fn a_restored_count_keeps_its_wait() {
        let throttle = Throttle::restored(5, Some(100_000));
        assert_eq!(throttle.failures(), 5);
        assert_eq!(throttle.wait_seconds(100_000), 16);
        assert_eq!(throttle.wait_seconds(116_000), 0);
        assert_eq!(Throttle::restored(0, Some(1)), Throttle::default());
    }
}
