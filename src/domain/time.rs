//! One time format for people: local time with its zone, plus how long ago (or how soon):
//! "Dec 02 20:14 UTC, 3m ago". Event ids are shortened the same way everywhere.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// How many hex digits of an event id human output shows (the whole id is in `--json`).
pub const SHORT_ID: usize = 8;

/// The zone human output uses: `TZ` (or the system's), else UTC.
pub fn local_zone() -> TimeZone {
    TimeZone::try_system().unwrap_or(TimeZone::UTC)
}

/// "Dec 02 20:14 UTC, 3m ago" (or "…, in 4m" for a time still to come), `at` in `tz`.
pub fn when(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    format!("{}, {}", clock(at, tz), relative(at, now))
}

/// "Dec 02 20:14 UTC": `at` in `tz`, with the zone's abbreviation.
pub fn clock(at: Timestamp, tz: &TimeZone) -> String {
    at.to_zoned(tz.clone())
        .strftime("%b %d %H:%M %Z")
        .to_string()
}

/// "3m ago", "just now", "in 4m": the largest unit of the distance between `at` and `now`.
pub fn relative(at: Timestamp, now: Timestamp) -> String {
    let secs = now.as_second().saturating_sub(at.as_second());
    match secs {
        -1..=1 => "just now".to_string(),
        s if s > 0 => format!("{} ago", compact(s)),
        s => format!("in {}", compact(s.saturating_neg())),
    }
}

/// "12s", "4m", "3h", "2d".
pub fn compact(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// The first [`SHORT_ID`] characters of an event id (ids are hex, so this never splits a
/// character).
pub fn short_id(id: &str) -> &str {
    id.char_indices()
        .nth(SHORT_ID)
        .map_or(id, |(i, _)| &id[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("timestamp")
    }

    #[test]
    fn local_time_with_zone_and_relative() {
        let now = t("2026-12-02T20:17:00Z");
        assert_eq!(
            when(t("2026-12-02T20:14:00Z"), now, &TimeZone::UTC),
            "Dec 02 20:14 UTC, 3m ago"
        );
        assert_eq!(relative(t("2026-12-02T20:21:30Z"), now), "in 4m");
        assert_eq!(relative(now, now), "just now");
        assert_eq!(relative(t("2026-11-18T20:17:00Z"), now), "14d ago");
    }

    #[test]
    fn short_ids() {
        assert_eq!(short_id("0123456789abcdef"), "01234567");
        assert_eq!(short_id("abc"), "abc");
    }
}
