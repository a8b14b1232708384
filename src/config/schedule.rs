//! Calendar values as written in the file: window `days` and `hours`, time zones, and the
//! RFC 3339 instants of freezes.

use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;

use super::error::suggestion;

const DAYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Monday),
    ("tue", Weekday::Tuesday),
    ("wed", Weekday::Wednesday),
    ("thu", Weekday::Thursday),
    ("fri", Weekday::Friday),
    ("sat", Weekday::Saturday),
    ("sun", Weekday::Sunday),
];

const DAYS_EXPECTED: &str =
    "expected days like `mon-thu`, `mon,wed,fri` or `mon-fri,sun` (mon tue wed thu fri sat sun)";

/// `mon-thu`, `mon,wed,fri`, `mon-fri,sun`; a range may wrap (`fri-mon`). Monday-first order,
/// no repeats.
pub fn parse_days(text: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let (first, last) = if let Some((a, b)) = part.split_once('-') {
            (day(a.trim(), text)?, day(b.trim(), text)?)
        } else {
            let d = day(part, text)?;
            (d, d)
        };
        let mut d = first;
        loop {
            if !days.contains(&d) {
                days.push(d);
            }
            if d == last {
                break;
            }
            d = d.next();
        }
    }
    days.sort_by_key(|d| d.to_monday_zero_offset());
    Ok(days)
}

fn day(name: &str, whole: &str) -> Result<Weekday, String> {
    let lower = name.to_lowercase();
    DAYS.iter()
        .find(|(short, _)| lower == *short || (lower.len() > 3 && full_name(short) == lower))
        .map(|&(_, d)| d)
        .ok_or_else(|| {
            let hint = suggestion(&lower, DAYS.iter().map(|(s, _)| *s));
            format!("`{name}` in `{whole}` is not a day; {DAYS_EXPECTED}{hint}")
        })
}

fn full_name(short: &str) -> &'static str {
    match short {
        "mon" => "monday",
        "tue" => "tuesday",
        "wed" => "wednesday",
        "thu" => "thursday",
        "fri" => "friday",
        "sat" => "saturday",
        _ => "sunday",
    }
}

/// `09:00-16:00`: start inclusive, end exclusive; `24:00` ends at midnight and an end before
/// the start runs past midnight (`22:00-02:00`).
pub fn parse_hours(text: &str) -> Result<(Time, Time), String> {
    let expected =
        || format!("expected hours like `09:00-16:00` (24-hour HH:MM-HH:MM), found `{text}`");
    let (a, b) = text.split_once('-').ok_or_else(expected)?;
    let start = clock(a.trim(), false).ok_or_else(expected)?;
    let end = clock(b.trim(), true).ok_or_else(expected)?;
    if start == end && text.trim() != "00:00-24:00" {
        return Err(format!(
            "`{text}` starts and ends at the same time; for the whole day write `00:00-24:00`"
        ));
    }
    Ok((start, end))
}

fn clock(text: &str, is_end: bool) -> Option<Time> {
    let (h, m) = text.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    if is_end && h == 24 && m == 0 {
        return Some(Time::midnight());
    }
    Time::new(h, m, 0, 0).ok()
}

/// An IANA time zone by name (`Europe/Berlin`, `UTC`).
pub fn parse_tz(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name).map_err(|_| {
        let names: Vec<String> = jiff::tz::db()
            .available()
            .map(|n| n.as_str().to_string())
            .collect();
        let hint = suggestion(name, names.iter().map(String::as_str));
        format!("`{name}` is not an IANA time zone (like `Europe/Berlin` or `UTC`){hint}")
    })
}

/// An RFC 3339 instant with an offset: `2026-12-20T00:00:00+01:00` or `…Z`.
pub fn parse_instant(text: &str) -> Result<Timestamp, String> {
    text.parse::<Timestamp>().map_err(|_| {
        format!(
            "expected an RFC 3339 time with an offset, like `2026-12-20T00:00:00+01:00`, found `{text}`"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use Weekday::{Friday, Monday, Saturday, Sunday, Thursday, Tuesday, Wednesday};

    #[test]
    fn days_take_ranges_lists_and_both() {
        assert_eq!(
            parse_days("mon-thu"),
            Ok(vec![Monday, Tuesday, Wednesday, Thursday])
        );
        assert_eq!(
            parse_days("mon,wed,fri"),
            Ok(vec![Monday, Wednesday, Friday])
        );
        assert_eq!(
            parse_days("mon-fri,sun"),
            Ok(vec![Monday, Tuesday, Wednesday, Thursday, Friday, Sunday])
        );
        assert_eq!(
            parse_days("fri-mon"),
            Ok(vec![Monday, Friday, Saturday, Sunday])
        );
        assert_eq!(parse_days("Monday"), Ok(vec![Monday]));
    }

    #[test]
    fn a_misspelt_day_is_named_with_a_suggestion() {
        let err = parse_days("mon-thr").expect_err("thr is no day");
        assert!(
            err.contains("`thr` in `mon-thu`") || err.contains("`thr` in `mon-thr`"),
            "{err}"
        );
        assert!(err.contains("did you mean `thu`?"), "{err}");
        assert!(parse_days("").is_err());
        assert!(parse_days("mon-").is_err());
    }

    #[test]
    fn hours_are_a_24_hour_span() {
        let t = |h, m| Time::new(h, m, 0, 0).expect("valid time");
        assert_eq!(parse_hours("09:00-16:00"), Ok((t(9, 0), t(16, 0))));
        assert_eq!(parse_hours("22:00-02:00"), Ok((t(22, 0), t(2, 0))));
        assert_eq!(parse_hours("18:00-24:00"), Ok((t(18, 0), t(0, 0))));
        assert_eq!(parse_hours("00:00-24:00"), Ok((t(0, 0), t(0, 0))));
        for bad in [
            "9-16",
            "09:00",
            "25:00-26:00",
            "09:00-09:00",
            "9:00-16:00",
            "09:60-10:00",
        ] {
            assert!(parse_hours(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn time_zones_are_iana_names() {
        assert!(parse_tz("Europe/Berlin").is_ok());
        assert!(parse_tz("UTC").is_ok());
        let err = parse_tz("Europe/Berln").expect_err("typo");
        assert!(err.contains("did you mean `Europe/Berlin`?"), "{err}");
    }

    #[test]
    fn instants_need_an_offset() {
        assert!(parse_instant("2026-12-20T00:00:00+01:00").is_ok());
        assert!(parse_instant("2026-12-20T00:00:00Z").is_ok());
        assert!(parse_instant("2026-12-20T00:00:00").is_err());
        assert!(parse_instant("2026-12-20").is_err());
    }
}
