//! Waits per gate kind: for each promotion (as in stage waits: a release's first request into an
//! environment after the first), how long each of the environment's gates (as configured now)
//! held it between the stage's start and the request, reconstructed from the log and the
//! configuration:
//!
//! - `soak`: from the stage's start until the soak had run (at most until the request);
//! - `approval`: until the approval that made the count (distinct people, for the deployed
//!   commit, never the promoter, from `from` when it is set);
//! - `checklist`: until every required `before` item was ticked (and stayed ticked);
//! - `freeze`: the time inside freezes of that environment;
//! - `window`: the time outside the window;
//! - an override of the gate ends its wait at the override.
//!
//! `check`, `healthy` and `ancestor` gates are not measured: their results are not in the log.
//! A promotion whose gate was not met by the request (the configuration changed since) is not
//! measured for that gate either.

use std::collections::HashMap;

use jiff::Timestamp;
use serde::Serialize;

use super::stage_waits::{Promotion, promotions};
use super::stats::Spread;
use super::{Scope, secs};
use crate::domain::config::{Config, Gate, GateRule, Stage, Window};
use crate::domain::event::{Event, Fact};
use crate::domain::gates::{closing_after, next_opening};
use crate::domain::ledger::Ledger;

/// The kinds in the order they are shown.
const KINDS: [&str; 8] = [
    "approval",
    "soak",
    "checklist",
    "freeze",
    "window",
    "check",
    "healthy",
    "ancestor",
];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GateWait {
    pub kind: String,
    /// Promotions in the period into an environment with a gate of this kind.
    pub promotions: usize,
    /// Time blocked over the promotions it was measured for, zeros included (`samples` is
    /// their number).
    pub spread: Spread,
    /// Of the measured ones, how many it blocked at all.
    pub blocked: usize,
    /// Promotions it could not be measured for: the kind is not recorded, the release never
    /// succeeded in the environment before, or the gate was not met by the request.
    pub unmeasured: usize,
    /// Promotions that passed a gate of this kind by override.
    pub overridden: usize,
    /// The median of each week's measured promotions, by the week of the request.
    pub weekly_median_secs: Vec<Option<f64>>,
}

/// One promotion's time blocked by one gate.
enum Held {
    Secs(f64),
    Unmeasured,
}

pub(super) fn of(scope: &Scope, envs: &[&str]) -> Vec<GateWait> {
    let config = scope.inputs.config;
    let ticks = TickIndex::new(scope.inputs.events);
    let mut by_kind: HashMap<&str, Tally> = HashMap::new();
    for pair in envs.windows(2) {
        let (from, to) = (pair[0], pair[1]);
        if scope.query.env.is_some_and(|e| e != to) {
            continue;
        }
        let Some(environment) = config.environment(to) else {
            continue;
        };
        if environment.gates.is_empty() {
            continue;
        }
        for p in promotions(scope, from, to) {
            let week = scope.week_of(p.deployment.requested_at);
            // Per kind, the longest-held gate of that kind (unmeasured if any is).
            let mut held: Vec<(&str, Option<f64>, bool)> = Vec::new();
            for gate in &environment.gates {
                let overridden = override_of(scope.inputs.ledger, &p, gate);
                let h = match p.stage_start {
                    Some(start) => hold(scope, config, &ticks, &p, start, gate, overridden),
                    None => Held::Unmeasured,
                };
                let kind = gate.rule.kind();
                let value = match h {
                    Held::Secs(s) => Some(s),
                    Held::Unmeasured => None,
                };
                match held.iter_mut().find(|(k, _, _)| *k == kind) {
                    Some(entry) => {
                        entry.1 = entry.1.zip(value).map(|(a, b)| a.max(b));
                        entry.2 |= overridden.is_some();
                    }
                    None => held.push((kind, value, overridden.is_some())),
                }
            }
            for (kind, value, overridden) in held {
                let tally = by_kind.entry(kind).or_default();
                tally.promotions += 1;
                tally.overridden += usize::from(overridden);
                match (value, week) {
                    (Some(s), Some(w)) => tally.samples.push((w, s)),
                    _ => tally.unmeasured += 1,
                }
            }
        }
    }
    KINDS
        .iter()
        .filter_map(|kind| {
            let tally = by_kind.remove(kind)?;
            Some(GateWait {
                kind: (*kind).to_string(),
                promotions: tally.promotions,
                blocked: tally.samples.iter().filter(|(_, s)| *s > 0.0).count(),
                unmeasured: tally.unmeasured,
                overridden: tally.overridden,
                weekly_median_secs: scope.weekly_medians(&tally.samples),
                spread: Spread::of(tally.samples.into_iter().map(|(_, s)| s).collect()),
            })
        })
        .collect()
}

#[derive(Default)]
struct Tally {
    promotions: usize,
    samples: Vec<(usize, f64)>,
    unmeasured: usize,
    overridden: usize,
}

/// When the gate was overridden for this promotion (the first override before the request).
fn override_of(ledger: &Ledger, p: &Promotion, gate: &Gate) -> Option<Timestamp> {
    let d = p.deployment;
    ledger
        .overrides(&d.service, &d.release, &d.env)
        .into_iter()
        .filter(|o| o.gate == gate.id && o.at <= d.requested_at)
        .map(|o| o.at)
        .min()
}

/// How long `gate` held the promotion between `start` and its request.
fn hold(
    scope: &Scope,
    config: &Config,
    ticks: &TickIndex,
    p: &Promotion,
    start: Timestamp,
    gate: &Gate,
    overridden: Option<Timestamp>,
) -> Held {
    let d = p.deployment;
    let request = d.requested_at;
    // The latest moment the gate could still hold it: the request, or an earlier override.
    let cap = overridden.map_or(request, |o| o.min(request));
    let until = |met: Option<Timestamp>| match met.map(|m| m.min(cap)).or(overridden) {
        Some(end) => Held::Secs(secs(start, end.max(start))),
        None => Held::Unmeasured,
    };
    match &gate.rule {
        GateRule::Soak { duration } => {
            let soaked = jiff::SignedDuration::try_from(*duration)
                .ok()
                .and_then(|d| start.checked_add(d).ok())
                .unwrap_or(Timestamp::MAX);
            Held::Secs(secs(start, soaked.min(cap).max(start)))
        }
        GateRule::Approval { count, from, .. } => {
            let needed = usize::try_from(*count).unwrap_or(usize::MAX);
            let mut people: Vec<&str> = Vec::new();
            let mut made = None;
            if needed == 0 {
                made = Some(start);
            }
            for a in scope
                .inputs
                .ledger
                .approvals(&d.service, &d.release, &d.env)
            {
                if made.is_some() || a.at > request {
                    break;
                }
                let counts = a.commit == d.commit
                    && a.actor != d.requested_by
                    && (from.is_empty() || from.contains(&a.actor));
                if counts && !people.contains(&a.actor.as_str()) {
                    people.push(&a.actor);
                    if people.len() >= needed {
                        made = Some(a.at);
                    }
                }
            }
            until(made)
        }
        GateRule::Checklist { name } => {
            let Some(template) = config.checklists.get(name) else {
                return Held::Unmeasured;
            };
            let required: Vec<&str> = template
                .items
                .iter()
                .filter(|i| i.stage == Stage::Before && i.required)
                .map(|i| i.id.as_str())
                .collect();
            until(ticks.complete_since(d, name, &required, request))
        }
        GateRule::Freeze => {
            let spans: Vec<(Timestamp, Timestamp)> = config
                .freezes
                .iter()
                .filter(|f| f.environments.contains(&d.env))
                .map(|f| (f.from, f.until))
                .collect();
            Held::Secs(covered(&spans, start, cap))
        }
        GateRule::Window(w) => Held::Secs(outside(w, start, cap)),
        GateRule::Check(_) | GateRule::Healthy | GateRule::Ancestor { .. } => Held::Unmeasured,
    }
}

/// Seconds of `[start, end)` inside the union of `spans`.
fn covered(spans: &[(Timestamp, Timestamp)], start: Timestamp, end: Timestamp) -> f64 {
    let mut clipped: Vec<(Timestamp, Timestamp)> = spans
        .iter()
        .map(|(f, u)| ((*f).max(start), (*u).min(end)))
        .filter(|(f, u)| f < u)
        .collect();
    clipped.sort();
    let mut total = 0.0;
    let mut reach = start;
    for (f, u) in clipped {
        let from = f.max(reach);
        if u > from {
            total += secs(from, u);
            reach = u;
        }
    }
    total
}

/// Seconds of `[start, end)` outside the weekly window.
fn outside(w: &Window, start: Timestamp, end: Timestamp) -> f64 {
    let mut total = 0.0;
    let mut at = start;
    while at < end {
        if let Some(close) = closing_after(w, at) {
            at = close;
        } else {
            let opens = next_opening(w, at).unwrap_or(end).min(end);
            total += secs(at, opens);
            at = opens;
        }
    }
    total
}

/// (service, release, env, checklist).
type ChecklistScope<'e> = (&'e str, &'e str, &'e str, String);

/// Checklist ticks and unticks by scope, oldest first: (when, item, ticked).
struct TickIndex<'e> {
    changes: HashMap<ChecklistScope<'e>, Vec<(Timestamp, String, bool)>>,
}

impl<'e> TickIndex<'e> {
    fn new(events: &'e [Event]) -> TickIndex<'e> {
        let mut changes: HashMap<_, Vec<_>> = HashMap::new();
        for e in events {
            if e.kind != "item-ticked" && e.kind != "item-unticked" {
                continue;
            }
            let (Some(s), Some(r), Some(env)) = (&e.service, &e.release, &e.env) else {
                continue;
            };
            let (checklist, item, ticked) = match e.fact() {
                Some(Fact::ItemTicked {
                    checklist, item, ..
                }) => (checklist, item, true),
                Some(Fact::ItemUnticked {
                    checklist, item, ..
                }) => (checklist, item, false),
                _ => continue,
            };
            changes
                .entry((s.as_str(), r.as_str(), env.as_str(), checklist))
                .or_default()
                .push((e.at, item, ticked));
        }
        for list in changes.values_mut() {
            list.sort_by_key(|(at, _, _)| *at);
        }
        TickIndex { changes }
    }

    /// Since when every `required` item was ticked, as of `by`; `None` when not all were then.
    fn complete_since(
        &self,
        d: &crate::domain::ledger::Deployment,
        checklist: &str,
        required: &[&str],
        by: Timestamp,
    ) -> Option<Timestamp> {
        let empty = Vec::new();
        let list = self
            .changes
            .get(&(
                d.service.as_str(),
                d.release.as_str(),
                d.env.as_str(),
                checklist.to_string(),
            ))
            .unwrap_or(&empty);
        let mut ticked: Vec<&str> = Vec::new();
        let mut since = required.is_empty().then_some(Timestamp::MIN);
        for (at, item, on) in list {
            if *at > by {
                break;
            }
            ticked.retain(|i| i != item);
            if *on {
                ticked.push(item);
            }
            let complete = required.iter().all(|r| ticked.contains(r));
            since = match (complete, since) {
                (true, Some(s)) => Some(s),
                (true, None) => Some(*at),
                (false, _) => None,
            };
        }
        since
    }
}
