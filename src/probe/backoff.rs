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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_target_is_retried_within_its_interval() {
        let i = Duration::from_secs(10);
        for _ in 0..200 {
            let d = retry_delay(i);
            assert!(d <= i && d >= i.mul_f64(0.8), "{d:?}");
        }
    }
}
