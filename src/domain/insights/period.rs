//! The period figures are computed over, and its weeks: seven-day buckets counted back from the
//! period's end, the oldest one shorter when the period is not a whole number of weeks.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

const WEEK: SignedDuration = SignedDuration::from_hours(7 * 24);

/// `[since, until)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub since: Timestamp,
    pub until: Timestamp,
}

impl Period {
    pub fn new(since: Timestamp, until: Timestamp) -> Period {
        Period {
            since: since.min(until),
            until,
        }
    }

    /// The period ending at `until` that lasts `length`.
    pub fn last(length: SignedDuration, until: Timestamp) -> Period {
        Period::new(until.checked_sub(length).unwrap_or(Timestamp::MIN), until)
    }

    pub fn contains(&self, at: Timestamp) -> bool {
        self.since <= at && at < self.until
    }

    /// Its length in days (fractional).
    pub fn days(&self) -> f64 {
        self.until.duration_since(self.since).as_secs_f64() / 86_400.0
    }

    /// The weeks, oldest first: `[until - 7k days, until - 7(k-1) days)`, the oldest cut at
    /// `since`.
    pub fn weeks(&self) -> Vec<Period> {
        let mut out = Vec::new();
        let mut end = self.until;
        while end > self.since {
            let start = end.checked_sub(WEEK).unwrap_or(self.since).max(self.since);
            out.push(Period::new(start, end));
            end = start;
        }
        out.reverse();
        out
    }

    /// Which of `weeks` (this period's [`Period::weeks`]) holds `at`.
    pub fn week_of(&self, weeks: &[Period], at: Timestamp) -> Option<usize> {
        if !self.contains(at) {
            return None;
        }
        weeks.partition_point(|w| w.since <= at).checked_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().expect("a timestamp")
    }

    #[test]
    fn thirty_days_are_five_weeks_the_oldest_two_days_long() {
        let p = Period::new(at("2026-01-01T00:00:00Z"), at("2026-01-31T00:00:00Z"));
        let weeks = p.weeks();
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0].since, at("2026-01-01T00:00:00Z"));
        assert_eq!(weeks[0].until, at("2026-01-03T00:00:00Z"));
        assert_eq!(weeks[4].since, at("2026-01-24T00:00:00Z"));
        assert_eq!(p.week_of(&weeks, at("2026-01-24T00:00:00Z")), Some(4));
        assert_eq!(p.week_of(&weeks, at("2026-01-23T23:59:59Z")), Some(3));
        assert_eq!(p.week_of(&weeks, at("2026-01-01T00:00:00Z")), Some(0));
        assert_eq!(p.week_of(&weeks, at("2026-01-31T00:00:00Z")), None);
    }
}
