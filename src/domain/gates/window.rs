//! The `window` gate: promotions only inside a weekly window, computed in the window's zone with
//! civil arithmetic so it stays right across daylight-saving switches.

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};

use super::text;
use super::{GateOutcome, GateStatus};
use crate::domain::config::Window;

/// The instant civil `date time` names in `tz`. In a fold (clocks back) the earlier one; in a gap
/// (clocks forward) the first valid instant after it, i.e. the moment of the switch.
fn instant(tz: &TimeZone, date: Date, time: Time) -> Option<Timestamp> {
    let dt = DateTime::from_parts(date, time);
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    match ambiguous.offset() {
        AmbiguousOffset::Gap { after, .. } => {
            // Read with the later offset, the civil time lands before the switch; the next
            // transition from there is the switch itself.
            let before_switch = after.to_timestamp(dt).ok()?;
            tz.following(before_switch).next().map(|t| t.timestamp())
        }
        _ => ambiguous.compatible().ok(),
    }
}

/// Every opening and closing of the window around `now` (from the day before to eight days after).
fn occurrences(w: &Window, now: Timestamp) -> Vec<(Timestamp, Timestamp)> {
    let today = now.to_zoned(w.tz.clone()).date();
    let mut out = Vec::new();
    for offset in -1..=8 {
        let Ok(day) = today.checked_add(jiff::Span::new().days(offset)) else {
            continue;
        };
        if !w.days.contains(&day.weekday()) {
            continue;
        }
        let end_day = if w.end <= w.start {
            day.tomorrow().ok()
        } else {
            Some(day)
        };
        let (Some(open), Some(close)) = (
            instant(&w.tz, day, w.start),
            end_day.and_then(|d| instant(&w.tz, d, w.end)),
        ) else {
            continue;
        };
        out.push((open, close));
    }
    out
}

fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Monday => "mon",
        Weekday::Tuesday => "tue",
        Weekday::Wednesday => "wed",
        Weekday::Thursday => "thu",
        Weekday::Friday => "fri",
        Weekday::Saturday => "sat",
        Weekday::Sunday => "sun",
    }
}

/// `mon-thu 09:00-16:00 Europe/Berlin`: runs of consecutive days written as ranges.
fn describe(w: &Window) -> String {
    let mut days: Vec<i8> = w.days.iter().map(|d| d.to_monday_zero_offset()).collect();
    days.sort_unstable();
    days.dedup();
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < days.len() {
        let mut j = i;
        while j + 1 < days.len() && days[j + 1] == days[j] + 1 {
            j += 1;
        }
        let name =
            |n: i8| weekday_name(Weekday::from_monday_zero_offset(n).unwrap_or(Weekday::Monday));
        parts.push(match j - i {
            0 => name(days[i]).to_string(),
            1 => format!("{},{}", name(days[i]), name(days[j])),
            _ => format!("{}-{}", name(days[i]), name(days[j])),
        });
        i = j + 1;
    }
    format!(
        "{} {}-{} {}",
        parts.join(","),
        w.start.strftime("%H:%M"),
        w.end.strftime("%H:%M"),
        w.tz_name
    )
}

/// When the window next opens after `now`, if it ever does.
pub fn next_opening(w: &Window, now: Timestamp) -> Option<Timestamp> {
    occurrences(w, now)
        .into_iter()
        .map(|(open, _)| open)
        .filter(|o| *o > now)
        .min()
}

/// When the window open at `at` closes; `None` when it is closed at `at`.
pub fn closing_after(w: &Window, at: Timestamp) -> Option<Timestamp> {
    occurrences(w, at)
        .into_iter()
        .filter(|(o, c)| *o <= at && at < *c)
        .map(|(_, c)| c)
        .max()
}

pub(super) fn evaluate(w: &Window, id: &str, now: Timestamp) -> GateOutcome {
    let window = describe(w);
    if let Some((_, close)) = occurrences(w, now)
        .into_iter()
        .find(|(o, c)| *o <= now && now < *c)
    {
        let closes = close
            .to_zoned(w.tz.clone())
            .strftime("%a %H:%M %Z")
            .to_string();
        return GateOutcome::new(
            id,
            "window",
            GateStatus::Pass,
            format!("inside {window} (closes {closes})"),
        );
    }
    match next_opening(w, now) {
        Some(open) => {
            let opens = open
                .to_zoned(w.tz.clone())
                .strftime("%a %Y-%m-%d %H:%M %Z")
                .to_string();
            GateOutcome::new(
                id,
                "window",
                GateStatus::Pending,
                format!(
                    "outside {window}; opens {opens} (in {})",
                    text::countdown(now, open)
                ),
            )
            .until(open)
        }
        None => GateOutcome::new(
            id,
            "window",
            GateStatus::Fail,
            format!("{window} never opens"),
        ),
    }
}
