//! The `freeze` gate: no promotions into an environment while a freeze covers it. Freezes bind
//! their environments whether or not a `freeze` gate is listed (see `evaluate` in the parent).

use jiff::Timestamp;

use super::text;
use super::{GateOutcome, GateStatus};
use crate::domain::config::{Config, Freeze};

/// Whether any configured freeze names `env` (past, current or upcoming).
pub(super) fn applies_to(config: &Config, env: &str) -> bool {
    config.freezes.iter().any(|f| names(f, env))
}

fn names(freeze: &Freeze, env: &str) -> bool {
    freeze.environments.iter().any(|e| e == env)
}

/// `from` inclusive, `until` exclusive.
fn covers(freeze: &Freeze, env: &str, at: Timestamp) -> bool {
    names(freeze, env) && freeze.from <= at && at < freeze.until
}

pub(super) fn evaluate(config: &Config, env: &str, id: &str, now: Timestamp) -> GateOutcome {
    let active: Vec<&Freeze> = config
        .freezes
        .iter()
        .filter(|f| covers(f, env, now))
        .collect();
    if active.is_empty() {
        let next = config
            .freezes
            .iter()
            .filter(|f| names(f, env) && f.from > now)
            .min_by_key(|f| f.from);
        let reason = match next {
            Some(f) => format!(
                "not frozen; next freeze {} from {}",
                f.name,
                text::instant(f.from)
            ),
            None => "not frozen".to_string(),
        };
        return GateOutcome::new(id, "freeze", GateStatus::Pass, reason);
    }
    // Back-to-back or overlapping freezes make one longer freeze: it ends when none covers.
    let mut until = active.iter().map(|f| f.until).max().unwrap_or(now);
    let mut names_seen: Vec<&str> = active.iter().map(|f| f.name.as_str()).collect();
    while let Some(next) = config.freezes.iter().find(|f| covers(f, env, until)) {
        until = next.until;
        if !names_seen.contains(&next.name.as_str()) {
            names_seen.push(&next.name);
        }
    }
    GateOutcome::new(
        id,
        "freeze",
        GateStatus::Fail,
        format!(
            "frozen: {} until {}",
            names_seen.join(", "),
            text::instant(until)
        ),
    )
    .until(until)
}
