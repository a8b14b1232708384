//! Medians, the 90th percentile and rates, with the sample size each rests on and "not enough
//! data" below a stated minimum. The README's Insights section states these rules word for word.

use serde::Serialize;

/// A median needs at least this many samples.
pub const MIN_FOR_MEDIAN: usize = 1;
/// The 90th percentile needs at least this many: with fewer it is only the largest sample.
pub const MIN_FOR_P90: usize = 10;
/// A rate needs at least this many deployments under it.
pub const MIN_FOR_RATE: usize = 1;

/// A spread of durations in seconds: how many samples, their median and 90th percentile (each
/// `None` when there are too few samples for it), and their total.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub samples: usize,
    pub median_secs: Option<f64>,
    pub p90_secs: Option<f64>,
    pub total_secs: f64,
}

impl Spread {
    pub fn of(mut samples: Vec<f64>) -> Spread {
        samples.sort_by(f64::total_cmp);
        Spread {
            samples: samples.len(),
            median_secs: (samples.len() >= MIN_FOR_MEDIAN)
                .then(|| median(&samples))
                .flatten(),
            p90_secs: (samples.len() >= MIN_FOR_P90)
                .then(|| nearest_rank(&samples, 90))
                .flatten(),
            total_secs: samples.iter().sum(),
        }
    }

    /// Whether the median is there to show.
    pub fn enough(&self) -> bool {
        self.median_secs.is_some()
    }
}

/// The middle value of sorted samples; with an even count, the mean of the two middle ones.
pub fn median(sorted: &[f64]) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    if n % 2 == 1 {
        Some(sorted[n / 2])
    } else {
        Some(f64::midpoint(sorted[n / 2 - 1], sorted[n / 2]))
    }
}

/// The nearest-rank percentile of sorted samples: the value at rank ⌈p/100 × n⌉ (1-based).
pub fn nearest_rank(sorted: &[f64], p: usize) -> Option<f64> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = (p * n).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// `part` of `whole` as a fraction, `None` below [`MIN_FOR_RATE`] (and never for zero).
pub fn rate(part: usize, whole: usize) -> Option<f64> {
    (whole >= MIN_FOR_RATE.max(1)).then(|| count(part) / count(whole))
}

/// A count as a float (counts beyond `u32::MAX` are saturated; none come near).
pub fn count(n: usize) -> f64 {
    f64::from(u32::try_from(n).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[1.0, 2.0, 9.0]), Some(2.0));
        assert_eq!(median(&[1.0, 2.0, 4.0, 9.0]), Some(3.0));
        assert_eq!(median(&[]), None);
    }

    #[test]
    fn nearest_rank_p90() {
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        // ⌈0.9 × 10⌉ = 9: the ninth value.
        assert_eq!(nearest_rank(&ten, 90), Some(9.0));
        let eleven: Vec<f64> = (1..=11).map(f64::from).collect();
        // ⌈0.9 × 11⌉ = ⌈9.9⌉ = 10.
        assert_eq!(nearest_rank(&eleven, 90), Some(10.0));
    }

    #[test]
    fn too_few_samples_have_no_p90() {
        let s = Spread::of(vec![3.0, 1.0, 2.0]);
        assert_eq!((s.samples, s.median_secs, s.p90_secs), (3, Some(2.0), None));
        assert_eq!(Spread::of(Vec::new()).median_secs, None);
    }
}
