//! Slotted targets as the console knows them: the router's latest reading (from the backend,
//! `Msg::TrafficRead`), a short history of its weights for the target view's chart, and from the
//! log the latest rollout and the split last recorded — so drift (router ≠ recorded) and the
//! next step's countdown are computed here, live with every tick, never recorded.

use std::collections::VecDeque;

use jiff::Timestamp;

use crate::console::effect::Effect;
use crate::console::state::{OpKind, State, TargetKey};
use crate::domain::rollout::{self, Next, Outcome, Rollout};
use crate::domain::traffic::{TrafficSpec, Weights, describe_weights, same_split};
use crate::domain::traffic_reading::TrafficReading;

/// How many readings the weights chart keeps.
pub const WEIGHT_HISTORY: usize = 120;

/// What the console knows about one slotted target.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Slotted {
    /// The router's latest reading; `None` until the first one arrives.
    pub reading: Option<TrafficReading>,
    /// The weights of the readings that could be read, oldest first.
    pub history: VecDeque<(Timestamp, Weights)>,
    /// The latest rollout in the log, ended or not.
    pub rollout: Option<Rollout>,
    /// The split the log last recorded the router holding.
    pub recorded: Option<Weights>,
}

/// The traffic settings of (service, env) when it is slotted.
pub fn spec<'a>(state: &'a State, service: &str, env: &str) -> Option<&'a TrafficSpec> {
    state.config.exposure.traffic(service, env)
}

pub fn slotted<'a>(state: &'a State, service: &str, env: &str) -> Option<&'a Slotted> {
    // Most cells are not slotted: asked first, without building a key (the board asks per cell
    // per frame).
    spec(state, service, env)?;
    state.traffic.get(&TargetKey::new(service, env))
}

/// Folds the log into every slotted target's rollout and recorded split (at start and whenever
/// the log changes).
pub fn fold(state: &mut State) {
    let keys: Vec<TargetKey> = state
        .config
        .exposure
        .targets
        .iter()
        .map(|t| TargetKey::new(&t.service, &t.env))
        .collect();
    for key in keys {
        let rollout = rollout::latest(&state.events, &key.service, &key.env);
        let recorded = rollout::recorded_weights(&state.events, &key.service, &key.env);
        let entry = state.traffic.entry(key).or_default();
        entry.rollout = rollout;
        entry.recorded = recorded;
    }
}

/// A reading arrived.
pub fn on_read(state: &mut State, reading: TrafficReading) -> Vec<Effect> {
    let key = TargetKey::new(&reading.service, &reading.env);
    if spec(state, &key.service, &key.env).is_none() {
        return Vec::new();
    }
    let entry = state.traffic.entry(key).or_default();
    if let Ok(w) = &reading.weights {
        entry.history.push_back((reading.at, w.clone()));
        while entry.history.len() > WEIGHT_HISTORY {
            entry.history.pop_front();
        }
    }
    entry.reading = Some(reading);
    state.dirty = true;
    Vec::new()
}

/// The rollout of (service, env) in progress.
pub fn running<'a>(state: &'a State, service: &str, env: &str) -> Option<&'a Rollout> {
    slotted(state, service, env)?
        .rollout
        .as_ref()
        .filter(|r| r.outcome == Outcome::Running)
}

/// Whether this console drives (or is starting, or aborting) a rollout of (service, env) now.
pub fn driven_here(state: &State, service: &str, env: &str) -> bool {
    state
        .ops
        .values()
        .any(|o| matches!(&o.kind, OpKind::Rollout(k) if k.service == service && k.env == env))
}

/// Who drives the running rollout, as the cell and the target view say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// This console.
    Here,
    /// Another process holds the driver's lock.
    Elsewhere,
    /// Nobody: the rollout stays where it is until someone resumes or aborts it.
    Nobody,
    /// Not known yet (no reading since the console started).
    Unknown,
}

pub fn driver(state: &State, service: &str, env: &str) -> Driver {
    if driven_here(state, service, env) {
        return Driver::Here;
    }
    match slotted(state, service, env).and_then(|s| s.reading.as_ref()) {
        Some(r) if r.driving => Driver::Elsewhere,
        Some(_) => Driver::Nobody,
        None => Driver::Unknown,
    }
}

/// Where the running rollout stands now (the step machine at the console's `now`).
pub fn next(state: &State, service: &str, env: &str) -> Option<Next> {
    running(state, service, env).map(|r| rollout::next(r, state.now))
}

/// The router's split when it differs from the last recorded one: (router, recorded).
pub fn drift<'a>(state: &'a State, service: &str, env: &str) -> Option<(&'a Weights, &'a Weights)> {
    let spec = spec(state, service, env)?;
    let s = slotted(state, service, env)?;
    let router = s.reading.as_ref()?.weights.as_ref().ok()?;
    let recorded = s.recorded.as_ref()?;
    (!same_split(&spec.slots, recorded, router)).then_some((router, recorded))
}

/// `green 10% → 50% in 8s` for a rollout pausing, `green → 10% now` when a shift is due,
/// `green 100%: finishing` at the end; `None` when no rollout runs.
pub fn step_text(state: &State, service: &str, env: &str) -> Option<String> {
    let r = running(state, service, env)?;
    Some(match rollout::next(r, state.now) {
        Next::Pause { step, until, next } => format!(
            "{} {}% → {}% in {}",
            r.to,
            r.steps[step].weight,
            r.steps[next].weight,
            crate::console::model::countdown(state.now, until)
        ),
        Next::Shift { index } if r.current_step().is_none() => format!(
            "{} → {}%: deploying and verifying {}",
            r.to,
            r.steps.get(index).map_or(100, |s| s.weight),
            r.release
        ),
        Next::Shift { index } => format!(
            "{} → {}% now",
            r.to,
            r.steps.get(index).map_or(100, |s| s.weight)
        ),
        Next::Finish => format!("{} 100%: finishing", r.to),
        Next::Ended => return None,
    })
}

/// `blue 90% · green 10%` of what the router holds, or why it could not be read.
pub fn router_text(state: &State, service: &str, env: &str) -> Option<String> {
    let spec = spec(state, service, env)?;
    let reading = slotted(state, service, env)?.reading.as_ref()?;
    Some(match &reading.weights {
        Ok(w) => describe_weights(&spec.slots, w),
        Err(e) => e.clone(),
    })
}

/// Whether a rollout's pause is counting down on screen (the runner ticks every second).
pub fn counting(state: &State) -> bool {
    state.traffic.keys().any(|k| {
        matches!(next(state, &k.service, &k.env), Some(Next::Pause { until, .. }) if until > state.now)
    })
}
