//! Durations as people write them in `shipdeck.toml` and read them on screen: `45s`, `30m`,
//! `1h30m`, `500ms`, `1d`.

use std::time::Duration;

/// Units from largest to smallest: suffix and length in milliseconds.
const UNITS: &[(&str, u64)] = &[
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

/// Parses `45s`, `30m`, `2h`, `1d`, `500ms` and sums like `1h30m` (no spaces, no fractions).
///
/// The error says what was expected, for the configuration loader to place in its message.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let expected = || {
        format!(
            "expected a duration like `45s`, `30m`, `2h`, `1d`, `500ms` or `1h30m`, found `{s}`"
        )
    };
    if s.is_empty() {
        return Err(expected());
    }
    let mut total: u64 = 0;
    let mut rest = s;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(expected());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| expected())?;
        rest = &rest[digits..];
        let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
        let unit = &rest[..unit_len];
        let &(_, millis) = UNITS
            .iter()
            .find(|(suffix, _)| *suffix == unit)
            .ok_or_else(expected)?;
        rest = &rest[unit_len..];
        total = number
            .checked_mul(millis)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| format!("the duration `{s}` is too long"))?;
    }
    Ok(Duration::from_millis(total))
}

/// Formats compactly with the largest two units: `1h30m`, `45s`, `3d4h`, `500ms`, `0s`.
pub fn format_duration(d: Duration) -> String {
    let mut millis = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
    if millis == 0 {
        return "0s".to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for &(suffix, size) in UNITS {
        if used == 2 {
            break;
        }
        let count = millis / size;
        if count > 0 {
            out.push_str(&count.to_string());
            out.push_str(suffix);
            millis -= count * size;
            used += 1;
        } else if used > 0 {
            // The two units shown are adjacent: `1h0m5s` reads as `1h`, not `1h5s`.
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_single_units() {
        assert_eq!(parse_duration("45s"), Ok(Duration::from_secs(45)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_mins(30)));
        assert_eq!(parse_duration("2h"), Ok(Duration::from_hours(2)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_hours(24)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn parses_sums_of_units() {
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_mins(90)));
        assert_eq!(parse_duration("1m500ms"), Ok(Duration::from_millis(60_500)));
    }

    #[test]
    fn rejects_what_is_not_a_duration() {
        for bad in [
            "", "5", "m", "5x", "1.5h", "-1s", "5 s", "h1", "30M", "1h30",
        ] {
            let err = parse_duration(bad).expect_err(bad);
            assert!(err.contains("expected a duration"), "{bad}: {err}");
        }
    }

    #[test]
    fn rejects_an_overflowing_duration() {
        let err = parse_duration("99999999999999999d").expect_err("overflow");
        assert!(err.contains("too long"), "{err}");
    }

    #[test]
    fn formats_with_the_largest_two_units() {
        assert_eq!(format_duration(Duration::from_mins(90)), "1h30m");
        assert_eq!(format_duration(Duration::from_secs(45)), "45s");
        assert_eq!(
            format_duration(Duration::from_secs(3 * 86_400 + 4 * 3600 + 59)),
            "3d4h"
        );
        assert_eq!(format_duration(Duration::from_millis(500)), "500ms");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1s500ms");
        assert_eq!(format_duration(Duration::from_secs(3605)), "1h");
        assert_eq!(format_duration(Duration::ZERO), "0s");
    }

    #[test]
    fn formatting_then_parsing_keeps_whole_two_unit_values() {
        for secs in [1, 59, 60, 61, 3599, 3600, 5400, 86_400, 90_000] {
            let d = Duration::from_secs(secs);
            let text = format_duration(d);
            let back = parse_duration(&text).expect("formatted durations parse");
            assert!(back <= d, "{secs}: {text}");
        }
    }
}
