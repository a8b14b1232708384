//! The rules of changing a flag, pure: what an action asks for, whether it raises or lowers
//! exposure (freezes stop only raising: turning a flag off is the backout and is never blocked),
//! the rollout steps, and drift against the last recorded change.

use jiff::Timestamp;

use super::config::Freeze;
use super::event::{Event, Fact};
use super::flag::FlagValue;
use super::sanitize::sanitize;

/// What a person asks of a flag in one environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagAction {
    On,
    Off,
    /// Set the rollout percentage (0–100); on or off stays as it is.
    Rollout(u8),
}

impl FlagAction {
    /// The value after the action.
    pub fn apply(self, before: FlagValue) -> FlagValue {
        match self {
            FlagAction::On => FlagValue {
                enabled: true,
                ..before
            },
            FlagAction::Off => FlagValue {
                enabled: false,
                ..before
            },
            FlagAction::Rollout(p) => FlagValue {
                rollout: Some(p),
                ..before
            },
        }
    }

    /// Whether `value` (read back after the change) is what the action asked: only the part
    /// it changes counts (Unleash adds a 100 % strategy when a flag without one is turned on).
    pub fn holds(self, value: FlagValue) -> bool {
        match self {
            FlagAction::On => value.enabled,
            FlagAction::Off => !value.enabled,
            FlagAction::Rollout(p) => value.rollout == Some(p),
        }
    }

    /// `on`, `off`, `rollout 10`.
    pub fn describe(self) -> String {
        match self {
            FlagAction::On => "on".to_string(),
            FlagAction::Off => "off".to_string(),
            FlagAction::Rollout(p) => format!("rollout {p}"),
        }
    }
}

/// Whether a change exposes the flag to more users, fewer, or changes nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Raise,
    Lower,
    Same,
}

/// The percentage a value serves when on (no rollout strategy: everyone).
fn served(v: FlagValue) -> u8 {
    v.rollout.unwrap_or(100)
}

/// Turning on, or a higher percentage, raises; turning off or a lower percentage lowers.
pub fn direction(before: FlagValue, after: FlagValue) -> Direction {
    if before == after {
        return Direction::Same;
    }
    let switched_on = !before.enabled && after.enabled;
    if switched_on || served(after) > served(before) {
        Direction::Raise
    } else {
        Direction::Lower
    }
}

/// The freezes covering `env` at `now`, by name, with the time the last of them ends; `None`
/// when not frozen. Back-to-back freezes make one longer freeze, as for promotions.
pub fn active_freeze(
    freezes: &[Freeze],
    env: &str,
    now: Timestamp,
) -> Option<(Vec<String>, Timestamp)> {
    let covers = |f: &Freeze, at: Timestamp| {
        f.environments.iter().any(|e| e == env) && f.from <= at && at < f.until
    };
    let mut names: Vec<String> = Vec::new();
    let mut until = now;
    let mut at = now;
    while let Some(f) = freezes
        .iter()
        .filter(|f| covers(f, at))
        .max_by_key(|f| f.until)
    {
        for g in freezes.iter().filter(|g| covers(g, at)) {
            if !names.contains(&g.name) {
                names.push(g.name.clone());
            }
        }
        if f.until <= until {
            break;
        }
        until = f.until;
        at = f.until;
    }
    if names.is_empty() {
        None
    } else {
        Some((names, until))
    }
}

/// The next step above `current` (no percentage counts as 0), if any.
pub fn step_up(steps: &[u8], current: Option<u8>) -> Option<u8> {
    let c = current.unwrap_or(0);
    steps.iter().copied().find(|s| *s > c)
}

/// The step below `current`, if any.
pub fn step_down(steps: &[u8], current: Option<u8>) -> Option<u8> {
    let c = current?;
    steps.iter().rev().copied().find(|s| *s < c)
}

/// One recorded `flag-changed` event, as the history of a flag shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagChange {
    pub event_id: String,
    pub at: Timestamp,
    pub actor: String,
    pub provider: String,
    pub flag: String,
    pub env: String,
    pub before: FlagValue,
    pub after: FlagValue,
    /// What the flag service said after the write; `None` when it could not be read back.
    pub read_back: Option<FlagValue>,
    pub ok: bool,
    pub note: Option<String>,
}

/// Every `flag-changed` event of `events`, oldest first, texts sanitized.
pub fn changes(events: &[Event]) -> Vec<FlagChange> {
    events
        .iter()
        .filter(|e| e.kind == "flag-changed")
        .filter_map(|e| match e.fact()? {
            Fact::FlagChanged {
                flag,
                provider,
                before,
                after,
                read_back,
                ok,
                note,
                ..
            } => Some(FlagChange {
                event_id: e.id.clone(),
                at: e.at,
                actor: sanitize(&e.actor),
                provider: sanitize(&provider),
                flag: sanitize(&flag),
                env: sanitize(e.env.as_deref().unwrap_or_default()),
                before,
                after,
                read_back,
                ok,
                note: note.as_deref().map(sanitize),
            }),
            _ => None,
        })
        .collect()
}

/// The history of one flag in one environment of one flag service, newest first.
pub fn history<'a>(
    changes: &'a [FlagChange],
    provider: &str,
    flag: &str,
    env: &str,
) -> Vec<&'a FlagChange> {
    changes
        .iter()
        .rev()
        .filter(|c| c.provider == provider && c.flag == flag && c.env == env)
        .collect()
}

/// What the last recorded change left the flag at: its read-back value (the service's word),
/// else — a change that could not be read back — nothing known.
pub fn last_recorded(
    changes: &[FlagChange],
    provider: &str,
    flag: &str,
    env: &str,
) -> Option<FlagValue> {
    history(changes, provider, flag, env)
        .first()
        .and_then(|c| c.read_back)
}

/// Drift: the flag service shows a value other than the one shipdeck's last recorded change
/// left. Computed from the reading every time; never recorded. A flag never changed through
/// shipdeck has nothing to drift from.
pub fn drifted(observed: FlagValue, recorded: Option<FlagValue>) -> bool {
    recorded.is_some_and(|r| r != observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFF: FlagValue = FlagValue {
        enabled: false,
        rollout: None,
    };

    fn on(p: Option<u8>) -> FlagValue {
        FlagValue {
            enabled: true,
            rollout: p,
        }
    }

    #[test]
    fn on_and_higher_percentages_raise_off_and_lower_ones_lower() {
        assert_eq!(direction(OFF, FlagAction::On.apply(OFF)), Direction::Raise);
        assert_eq!(
            direction(on(None), FlagAction::Off.apply(on(None))),
            Direction::Lower
        );
        assert_eq!(direction(on(Some(10)), on(Some(50))), Direction::Raise);
        assert_eq!(direction(on(Some(50)), on(Some(10))), Direction::Lower);
        assert_eq!(direction(on(None), on(Some(10))), Direction::Lower);
        assert_eq!(direction(on(Some(10)), on(Some(10))), Direction::Same);
        // A percentage raised while off still raises: it is served the moment it is turned on.
        let off10 = FlagValue {
            enabled: false,
            rollout: Some(10),
        };
        assert_eq!(
            direction(off10, FlagAction::Rollout(50).apply(off10)),
            Direction::Raise
        );
    }

    #[test]
    fn steps_move_to_the_neighbouring_step() {
        let steps = [1, 5, 10, 25, 50, 100];
        assert_eq!(step_up(&steps, Some(10)), Some(25));
        assert_eq!(step_up(&steps, Some(12)), Some(25));
        assert_eq!(step_up(&steps, None), Some(1));
        assert_eq!(step_up(&steps, Some(100)), None);
        assert_eq!(step_down(&steps, Some(10)), Some(5));
        assert_eq!(step_down(&steps, Some(1)), None);
        assert_eq!(step_down(&steps, None), None);
    }

    #[test]
    fn freezes_cover_their_environments_between_from_and_until() {
        let t = |s: &str| s.parse::<Timestamp>().expect("time");
        let f = |name: &str, from: &str, until: &str| Freeze {
            name: name.into(),
            from: t(from),
            until: t(until),
            environments: vec!["prod".into()],
        };
        let freezes = [
            f("xmas", "2026-12-20T00:00:00Z", "2026-12-27T00:00:00Z"),
            f("newyear", "2026-12-27T00:00:00Z", "2027-01-02T00:00:00Z"),
        ];
        let (names, until) =
            active_freeze(&freezes, "prod", t("2026-12-24T00:00:00Z")).expect("frozen");
        assert_eq!(names, ["xmas", "newyear"]);
        assert_eq!(until, t("2027-01-02T00:00:00Z"));
        assert!(active_freeze(&freezes, "staging", t("2026-12-24T00:00:00Z")).is_none());
        assert!(active_freeze(&freezes, "prod", t("2027-01-02T00:00:00Z")).is_none());
    }

    #[test]
    fn drift_is_a_difference_from_the_last_recorded_read_back() {
        assert!(!drifted(on(Some(10)), None));
        assert!(!drifted(on(Some(10)), Some(on(Some(10)))));
        assert!(drifted(on(Some(25)), Some(on(Some(10)))));
    }
}
