//! Small wording helpers for gate reasons. (Durations are formatted here, privately, so gates do
//! not depend on how configuration durations are parsed.)

use jiff::Timestamp;

use crate::domain::sanitize::sanitize;

/// Makes a reason safe for a terminal and keeps it on one line: escape sequences go, line breaks
/// become spaces (reasons carry text from adapters, the log and endpoints).
pub(super) fn one_line(s: &str) -> String {
    sanitize(s).trim().to_string()
}

/// `1 override`, `2 overrides`.
pub(super) fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A countdown in at most two units: `45s`, `12m 5s`, `2h 30m`, `3d 4h`.
pub(super) fn countdown(from: Timestamp, to: Timestamp) -> String {
    let secs = to.duration_since(from).as_secs().max(0);
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) if m == 0 => format!("{h}h"),
        (0, _, _) => format!("{h}h {m}m"),
        _ if h == 0 => format!("{d}d"),
        _ => format!("{d}d {h}h"),
    }
}

/// A std duration as written in configuration style: `30m`, `1h 30m`, `45s`.
pub(super) fn duration(d: std::time::Duration) -> String {
    let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
    countdown(
        Timestamp::UNIX_EPOCH,
        Timestamp::from_second(secs).unwrap_or(Timestamp::MAX),
    )
}

/// An instant for a reason, in UTC to the minute: `2027-01-03 23:00 UTC`.
pub(super) fn instant(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countdowns_use_two_units_at_most() {
        let t0 = Timestamp::UNIX_EPOCH;
        let at = |s: i64| Timestamp::from_second(s).unwrap();
        assert_eq!(countdown(t0, at(45)), "45s");
        assert_eq!(countdown(t0, at(725)), "12m 5s");
        assert_eq!(countdown(t0, at(1800)), "30m");
        assert_eq!(countdown(t0, at(9000)), "2h 30m");
        assert_eq!(countdown(t0, at(7200)), "2h");
        assert_eq!(countdown(t0, at(3 * 86_400 + 4 * 3600 + 7)), "3d 4h");
        assert_eq!(countdown(at(10), t0), "0s");
    }

    #[test]
    fn one_line_collapses_breaks() {
        assert_eq!(one_line("a\nb\r\nc"), "a b c");
    }
}
