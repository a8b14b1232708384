//! When a failing target is probed next.

use std::time::Duration;

use rand::Rng as _;

/// The wait before the next probe of a failing target: never longer than its `interval` — a
/// failing target is probed at least as often as a healthy one, so a recovery shows within one
/// interval — with up to 20 % taken off at random, so that many targets failing together (a
/// gateway outage) do not retry in lockstep.
pub fn retry_delay(interval: Duration) -> Duration {
    let jitter: f64 = rand::rng().random_range(0.8..=1.0);
    interval.mul_f64(jitter)
}

/// The longest [`backoff_delay`] waits.
pub const MAX_BACKOFF: Duration = Duration::from_mins(5);

/// Exponential backoff for readers other than health probes (the flag observer): retry number
/// `attempt` (1 after the first failure) waits `interval × 2^(attempt-1)` capped at
/// [`MAX_BACKOFF`], ±20 % jitter. Health probes use [`retry_delay`] instead: a failing target is
/// probed at least as often as a healthy one.
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
    fn backoff_doubles_from_the_interval_and_is_capped() {
        let i = Duration::from_secs(10);
        let d = backoff_delay(i, 3).as_secs_f64();
        assert!((32.0..=48.0).contains(&d), "{d}");
        let d = backoff_delay(i, u32::MAX);
        assert!(d <= MAX_BACKOFF.mul_f64(1.2) && d >= MAX_BACKOFF.mul_f64(0.8));
    }

    #[test]
    fn a_failing_target_is_retried_within_its_interval() {
        let i = Duration::from_secs(10);
        for _ in 0..200 {
            let d = retry_delay(i);
            assert!(d <= i && d >= i.mul_f64(0.8), "{d:?}");
        }
    }
}
