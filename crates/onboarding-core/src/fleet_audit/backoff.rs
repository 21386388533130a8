use std::time::Duration;

/// Exponential back-off with jitter: the n-th wait in a row is a random 50
/// to 100 % of `first · 2ⁿ`, at most `max`. Reset on success.
#[derive(Debug, Clone)]
pub struct Backoff {
    first: Duration,
    max: Duration,
    failures: u32,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max: max.max(first),
            failures: 0,
        }
    }

    /// The next wait; `jitter` in `[0, 1)` picks where in its range.
    pub fn next_wait(&mut self, jitter: f64) -> Duration {
        let full = self
            .first
            .saturating_mul(2u32.saturating_pow(self.failures.min(31)))
            .min(self.max);
        self.failures = self.failures.saturating_add(1);
        full / 2 + full.mul_f64(jitter.clamp(0.0, 1.0) / 2.0)
    }

    pub fn reset(&mut self) {
        self.failures = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_and_start_again_after_a_reset() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        let longest: Vec<u64> = (0..12).map(|_| backoff.next_wait(1.0).as_secs()).collect();
        assert_eq!(longest, [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]);
        assert_eq!(backoff.next_wait(0.0), Duration::from_secs(150));
        backoff.reset();
        assert_eq!(backoff.next_wait(0.0), Duration::from_millis(500));
        assert_eq!(backoff.next_wait(0.5), Duration::from_millis(1500));
    }

    #[test]
    fn many_failures_do_not_overflow() {
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(300));
        for _ in 0..1000 {
            assert!(backoff.next_wait(0.99) <= Duration::from_secs(300));
        }
    }
}
