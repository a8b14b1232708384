//! The `window` gate, computed in the window's zone: edges, DST switches, windows over midnight.

use crate::domain_support;

use domain_support::*;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use shipdeck::domain::config::{GateRule, Window};
use shipdeck::domain::gates::{GateInputs, GateOutcome, GateStatus, evaluate};

fn berlin(days: &[Weekday], start: (i8, i8), end: (i8, i8)) -> Window {
    Window {
        days: days.to_vec(),
        start: Time::new(start.0, start.1, 0, 0).expect("valid time"),
        end: Time::new(end.0, end.1, 0, 0).expect("valid time"),
        tz: TimeZone::get("Europe/Berlin").expect("zone in the bundled tzdb"),
        tz_name: "Europe/Berlin".into(),
    }
}

fn mon_thu() -> Window {
    use Weekday::*;
    berlin(&[Monday, Tuesday, Wednesday, Thursday], (9, 0), (16, 0))
}

fn at(window: &Window, now: &str) -> GateOutcome {
    let config = config(vec![gate(GateRule::Window(window.clone()))], vec![]);
    let ledger = Log::default().ledger();
    let release = release("api-v1.4.2", COMMIT);
    let external = std::collections::BTreeMap::new();
    let signatures = std::collections::BTreeMap::new();
    let inputs = GateInputs {
        config: &config,
        service: &config.services[0],
        env: config.environment("prod").expect("prod"),
        release: &release,
        actor: "alice",
        ledger: &ledger,
        observations: &[],
        external: &external,
        signatures: &signatures,
    };
    evaluate(&inputs, ts(now)).gates.remove(0)
}

#[test]
fn inside_the_window_passes_and_its_start_is_inclusive() {
    let g = at(&mon_thu(), "2026-03-02T08:00:00Z"); // Mon 09:00 CET
    assert_eq!(g.status, GateStatus::Pass);
    assert_eq!(
        g.reason,
        "inside mon-thu 09:00-16:00 Europe/Berlin (closes Mon 16:00 CET)"
    );
}

#[test]
fn the_window_end_is_exclusive() {
    assert_eq!(
        at(&mon_thu(), "2026-03-05T14:59:59Z").status,
        GateStatus::Pass
    ); // Thu 15:59:59
    let g = at(&mon_thu(), "2026-03-05T15:00:00Z"); // Thu 16:00 CET
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(g.until, Some(ts("2026-03-09T08:00:00Z"))); // next Mon 09:00 CET
}

#[test]
fn on_friday_a_mon_thu_window_waits_for_monday_across_the_spring_switch() {
    // Fri 2026-03-27 10:00 CET; clocks go forward on Sun 2026-03-29, so Monday 09:00 is CEST.
    let g = at(&mon_thu(), "2026-03-27T09:00:00Z");
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(g.until, Some(ts("2026-03-30T07:00:00Z")));
    assert_eq!(
        g.reason,
        "outside mon-thu 09:00-16:00 Europe/Berlin; opens Mon 2026-03-30 09:00 CEST (in 2d 22h)"
    );
}

#[test]
fn on_friday_a_mon_thu_window_waits_for_monday_across_the_autumn_switch() {
    // Fri 2026-10-23 17:00 CEST; clocks go back on Sun 2026-10-25, so Monday 09:00 is CET.
    let g = at(&mon_thu(), "2026-10-23T15:00:00Z");
    assert_eq!(g.until, Some(ts("2026-10-26T08:00:00Z")));
}

#[test]
fn a_window_starting_in_the_spring_gap_opens_at_the_switch() {
    // 02:30 does not exist on 2026-03-29 in Berlin: the window opens at 03:00 CEST (01:00Z).
    let w = berlin(&[Weekday::Sunday], (2, 30), (5, 0));
    let g = at(&w, "2026-03-29T00:30:00Z"); // 01:30 CET
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(g.until, Some(ts("2026-03-29T01:00:00Z")));
    assert_eq!(at(&w, "2026-03-29T01:00:00Z").status, GateStatus::Pass);
    assert_eq!(at(&w, "2026-03-29T02:59:59Z").status, GateStatus::Pass); // 04:59:59 CEST
    assert_eq!(at(&w, "2026-03-29T03:00:00Z").status, GateStatus::Pending); // 05:00 CEST
}

#[test]
fn a_window_starting_in_the_autumn_fold_opens_at_the_first_occurrence() {
    // 02:30 happens twice on 2026-10-25 in Berlin: first at 00:30Z (CEST), then 01:30Z (CET).
    let w = berlin(&[Weekday::Sunday], (2, 30), (4, 0));
    let g = at(&w, "2026-10-25T00:29:00Z");
    assert_eq!(g.until, Some(ts("2026-10-25T00:30:00Z")));
    assert_eq!(at(&w, "2026-10-25T00:30:00Z").status, GateStatus::Pass);
    // The window spans 2h30 of real time that day: 04:00 CET is 03:00Z.
    assert_eq!(at(&w, "2026-10-25T02:59:59Z").status, GateStatus::Pass);
    assert_eq!(at(&w, "2026-10-25T03:00:00Z").status, GateStatus::Pending);
}

#[test]
fn a_window_over_midnight_belongs_to_the_day_it_opens() {
    let w = berlin(&[Weekday::Friday], (22, 0), (2, 0));
    assert_eq!(at(&w, "2026-03-06T21:00:00Z").status, GateStatus::Pass); // Fri 22:00 CET
    assert_eq!(at(&w, "2026-03-07T00:59:59Z").status, GateStatus::Pass); // Sat 01:59:59 CET
    let g = at(&w, "2026-03-07T01:00:00Z"); // Sat 02:00 CET
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(g.until, Some(ts("2026-03-13T21:00:00Z")));
    assert!(
        g.reason
            .starts_with("outside fri 22:00-02:00 Europe/Berlin"),
        "{}",
        g.reason
    );
}

#[test]
fn a_window_over_midnight_does_not_open_on_the_following_day() {
    let w = berlin(&[Weekday::Friday], (22, 0), (2, 0));
    // Thu 23:00 CET: Thursday is not a window day, so this is outside.
    assert_eq!(at(&w, "2026-03-05T22:00:00Z").status, GateStatus::Pending);
}

#[test]
fn scattered_days_are_listed_and_runs_become_ranges() {
    use Weekday::*;
    let w = berlin(
        &[Friday, Monday, Wednesday, Saturday, Sunday],
        (9, 0),
        (10, 0),
    );
    let g = at(&w, "2026-03-03T12:00:00Z"); // Tue
    assert!(
        g.reason.starts_with("outside mon,wed,fri-sun 09:00-10:00"),
        "{}",
        g.reason
    );
}
