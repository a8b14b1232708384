//! When a failing target is probed next.

use std::time::Duration;

use rand::Rng as _;

/// The longest a failing target waits between probes.
pub const MAX_BACKOFF: Duration = Duration::from_mins(5);

/// The wait before retry number `attempt` (1 after the first failure): `interval × 2^(attempt-1)`
/// capped at [`MAX_BACKOFF`], then ±20 % jitter so many targets failing together (a gateway
/// outage) do not retry in lockstep. The first retry comes at the usual interval: a target that
/// just went down is what on-call wants to see come back.
pub fn backoff_delay(interval: Duration, attempt: u32) -> Duration {
    let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
    let base = interval.saturating_mul(factor).min(MAX_BACKOFF);
    let jitter: f64 = rand::rng().random_range(0.8..=1.2);
    base.mul_f64(jitter)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_interval_within_twenty_percent() {
        let i = Duration::from_secs(10);
        for (attempt, base) in [(1, 10.0), (2, 20.0), (3, 40.0), (4, 80.0)] {
            for _ in 0..50 {
                let d = backoff_delay(i, attempt).as_secs_f64();
                assert!(
                    d >= base * 0.8 - 1e-9 && d <= base * 1.2 + 1e-9,
                    "{attempt}: {d}"
                );
            }
        }
    }

    #[test]
    fn backoff_is_capped_at_five_minutes_even_for_huge_attempts() {
        for attempt in [6, 30, u32::MAX] {
            let d = backoff_delay(Duration::from_secs(10), attempt);
            assert!(d <= MAX_BACKOFF.mul_f64(1.2) && d >= MAX_BACKOFF.mul_f64(0.8));
        }
    }
}
