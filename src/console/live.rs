//! The live world coming in: time passing (countdowns, deadlines), probe observations, the
//! event log changing under the console, and the gate reports of pending promotions kept fresh.

use crate::console::effect::Effect;
use crate::console::model;
use crate::console::overlay::Overlay;
use crate::console::state::{
    HEALTH_CHANGES, HISTORY, HealthChange, Level, OUTPUT_LINES, OpId, OpKind, Retry, State,
    TargetKey, TargetState,
};
use crate::domain::event::Fact;
use crate::domain::gates::GateStatus;
use crate::domain::ledger::{DeploymentState, Ledger};

/// A probe failed and the next is scheduled: shown as a countdown that never starts above the
/// target's probe interval (a failing target is probed at least as often as a healthy one).
pub fn on_retrying(
    state: &mut State,
    service: &str,
    env: &str,
    attempt: u32,
    next_at: jiff::Timestamp,
) -> Vec<Effect> {
    let interval = crate::domain::probed::interval(&state.config, service, env);
    let cap = jiff::SignedDuration::try_from(interval)
        .ok()
        .and_then(|i| state.now.checked_add(i).ok())
        .unwrap_or(next_at);
    let target = state
        .targets
        .entry(TargetKey::new(service, env))
        .or_default();
    target.retrying = Some(Retry {
        attempt,
        at: next_at.min(cap),
    });
    state.dirty = true;
    Vec::new()
}

pub fn on_releases(
    state: &mut State,
    service: String,
    releases: Result<Vec<crate::domain::release::Release>, String>,
) -> Vec<Effect> {
    state.dirty = true;
    match releases {
        Ok(list) => {
            state.releases.insert(service, list);
            state.last_refresh = Some(state.now);
            let mut effects = refresh_plans(state);
            effects.extend(reopen(state));
            effects
        }
        Err(e) => {
            state.toast(Level::Error, format!("releases of {service}: {e}"));
            Vec::new()
        }
    }
}

/// The shared log was synced: the badge, and its warnings said once when it changes (not at
/// every background fetch).
pub fn on_synced(state: &mut State, badge: String, warnings: Vec<String>) -> Vec<Effect> {
    if badge != state.sync_badge {
        for warning in warnings {
            state.toast(Level::Error, warning);
        }
        state.sync_badge = badge;
        state.dirty = true;
    }
    Vec::new()
}

/// A line of a deployer's output.
pub fn on_output(state: &mut State, op: OpId, line: &str) -> Vec<Effect> {
    if let Some((_, lines)) = state.output.get_mut(&op) {
        lines.push_back(line.to_string());
        while lines.len() > OUTPUT_LINES {
            lines.pop_front();
        }
        state.dirty = true;
    }
    Vec::new()
}

pub fn on_tick(state: &mut State, now: jiff::Timestamp) -> Vec<Effect> {
    let before = state.now;
    state.now = now;
    state.frame = state.frame.wrapping_add(1);
    let toasts = state.toasts.len();
    state.toasts.retain(|t| t.until.is_none_or(|u| u > now));
    if toasts != state.toasts.len() || animating(state) || counting_down(state) {
        state.dirty = true;
    }
    let mut effects = Vec::new();
    // A countdown reaching zero may open a gate (soak, window, freeze): evaluate again.
    let crossed = state.plans.values().chain(confirm_plan(state)).any(|p| {
        p.report
            .gates
            .iter()
            .any(|g| g.until.is_some_and(|u| u > before && u <= now))
    });
    if crossed {
        effects.extend(refresh_plans(state));
    }
    // A deployment past its deadline is recorded as failed by whoever notices first.
    let overdue = state.ledger.deployments().iter().any(|d| {
        d.state == DeploymentState::InFlight
            && d.verify_deadline > before
            && d.verify_deadline <= now
    });
    if overdue {
        effects.push(settle(state));
    }
    effects
}

/// Whether a spinner is on screen: the runner ticks fast only then.
pub fn animating(state: &State) -> bool {
    state.ops.keys().any(|op| !in_background(state, *op))
        || state
            .ledger
            .deployments()
            .iter()
            .any(|d| d.state == DeploymentState::InFlight)
        || matches!(&state.overlay, Some(Overlay::Confirm(c)) if c.loading.is_some())
}

/// Whether an operation runs out of sight: gate reports, and the refresh of an open dialog's
/// plan (its last plan stays shown). No spinner, no "busy" in the status bar.
pub fn in_background(state: &State, op: OpId) -> bool {
    let refreshing = match &state.overlay {
        Some(Overlay::Confirm(c)) => c.refreshing,
        _ => None,
    };
    refreshing == Some(op)
        || state
            .ops
            .get(&op)
            .is_some_and(|o| matches!(o.kind, OpKind::GatePlan(_)))
}

/// Whether a countdown is on screen (soak, window, freeze, a probe's retry): the runner ticks
/// every second.
pub fn counting_down(state: &State) -> bool {
    state.toasts.iter().any(|t| t.until.is_some())
        || state
            .targets
            .values()
            .any(|t| t.retrying.is_some_and(|r| r.at > state.now))
        || state.plans.values().chain(confirm_plan(state)).any(|p| {
            p.report
                .gates
                .iter()
                .any(|g| g.status == GateStatus::Pending && g.until.is_some_and(|u| u > state.now))
        })
        || crate::console::traffic::counting(state)
}

/// The plan shown in an open promotion dialog.
fn confirm_plan(state: &State) -> Option<&crate::app::actions::Plan> {
    match &state.overlay {
        Some(Overlay::Confirm(c)) => c.plan.as_ref(),
        _ => None,
    }
}

pub fn on_observed(
    state: &mut State,
    observation: crate::domain::observation::Observation,
) -> Vec<Effect> {
    let key = TargetKey::new(&observation.service, &observation.env);
    let target: &mut TargetState = state.targets.entry(key.clone()).or_default();
    let changed = target.latest.as_ref().is_none_or(|o| {
        o.health != observation.health
            || o.release != observation.release
            || o.reported_version != observation.reported_version
    });
    target.retrying = None;
    if let Some(before) = target
        .latest
        .as_ref()
        .filter(|o| o.health != observation.health)
    {
        state.health_changes.push_back(HealthChange {
            service: key.service.clone(),
            env: key.env.clone(),
            from: before.health,
            to: observation.health,
            at: observation.at,
            detail: observation.detail.clone(),
            release: crate::domain::running::running_here(Some(&observation), &[], None).label(),
        });
        while state.health_changes.len() > HEALTH_CHANGES {
            state.health_changes.pop_front();
        }
    }
    target.history.push_back(observation.clone());
    while target.history.len() > HISTORY {
        target.history.pop_front();
    }
    target.latest = Some(observation);
    state.last_refresh = Some(state.now);
    state.dirty = true;
    let mut effects = Vec::new();
    let in_flight = state.ledger.in_flight(&key.service, &key.env).is_some();
    if changed || in_flight {
        effects.push(settle(state));
    }
    if changed {
        effects.extend(refresh_plans(state));
        effects.extend(reopen(state));
    }
    effects
}

/// The open view may show what just arrived (the changes of a cell whose release was unknown
/// when the view opened): it asks again for what it still lacks.
fn reopen(state: &mut State) -> Vec<Effect> {
    (state.view.spec().on_open)(state)
}

/// Records outcomes of deployments in flight and automatic checklist ticks, from what the
/// probes see now.
fn settle(state: &State) -> Effect {
    Effect::Settle {
        observations: state
            .targets
            .values()
            .filter_map(|t| t.latest.clone())
            .collect(),
    }
}

pub fn on_log(state: &mut State, events: Vec<crate::domain::event::Event>) -> Vec<Effect> {
    let known = state.events.len();
    let was_in_flight: Vec<TargetKey> = in_flight_targets(&state.ledger);
    state.ledger = Ledger::from_events(&events);
    state.trains = crate::domain::train::Trains::from_events(&events);
    let mut effects = Vec::new();
    for event in events.iter().skip(known) {
        announce(state, event);
    }
    // A shift recorded (here or by another process): the board shows the router at once.
    if events
        .iter()
        .skip(known)
        .any(|e| matches!(e.fact(), Some(Fact::TrafficShifted { .. })))
    {
        effects.push(Effect::ReadTraffic);
    }
    state.events = events;
    crate::console::traffic::fold(state);
    let now_in_flight = in_flight_targets(&state.ledger);
    for key in &now_in_flight {
        if !was_in_flight.contains(key) {
            effects.push(Effect::FastProbe {
                service: key.service.clone(),
                env: key.env.clone(),
                on: true,
            });
        }
    }
    for key in was_in_flight {
        if !now_in_flight.contains(&key) {
            effects.push(Effect::FastProbe {
                service: key.service,
                env: key.env,
                on: false,
            });
        }
    }
    state.dirty = true;
    effects.extend(refresh_plans(state));
    effects.extend(crate::console::insights::ask_if_open(state));
    effects
}

fn in_flight_targets(ledger: &Ledger) -> Vec<TargetKey> {
    ledger
        .deployments()
        .iter()
        .filter(|d| d.state == DeploymentState::InFlight)
        .map(|d| TargetKey::new(&d.service, &d.env))
        .collect()
}

/// Says what a new event means when it is news (deployment outcomes, others' approvals).
fn announce(state: &mut State, event: &crate::domain::event::Event) {
    let service = event.service.as_deref().unwrap_or("?");
    let env = event.env.as_deref().unwrap_or("?");
    let release = event.release.as_deref().unwrap_or("?");
    match event.fact() {
        Some(Fact::DeploySucceeded { .. }) => {
            state.toast(
                Level::Info,
                format!("{release} is live in {env} ({service})"),
            );
        }
        // An aborted rollout put all traffic back already: nothing to roll back.
        Some(Fact::DeployFailed { reason, .. }) if reason.starts_with("rollout aborted") => {
            state.toast(
                Level::Info,
                format!("{release} in {env}: {reason}; all traffic is back on the old slot"),
            );
        }
        Some(Fact::DeployFailed { reason, .. }) => state.toast(
            Level::Error,
            format!("{release} failed in {env}: {reason} — press r on the cell to roll back"),
        ),
        Some(Fact::Approved { .. }) if event.actor != state.user => state.toast(
            Level::Info,
            format!("{} approved {release} for {env}", event.actor),
        ),
        _ => {}
    }
}

pub fn plans_in_flight(state: &State) -> bool {
    state
        .ops
        .values()
        .any(|o| matches!(o.kind, OpKind::GatePlan(_)))
}

/// Asks for fresh gate reports of every pending promotion, and of the open promotion dialog;
/// coalesces while some are in flight.
pub fn refresh_plans(state: &mut State) -> Vec<Effect> {
    let mut effects = crate::console::flows::promote::refresh_confirm(state);
    effects.extend(refresh_gate_plans(state));
    effects
}

fn refresh_gate_plans(state: &mut State) -> Vec<Effect> {
    if plans_in_flight(state) {
        state.plans_stale = true;
        return Vec::new();
    }
    state.plans_stale = false;
    let pending: Vec<(TargetKey, crate::domain::release::Release)> = model::promotions(state)
        .into_iter()
        .map(|(k, r)| (k, r.clone()))
        .collect();
    state
        .plans
        .retain(|k, _| pending.iter().any(|(p, _)| p == k));
    let mut effects = Vec::new();
    for (key, release) in pending {
        let op = state.start_op(
            OpKind::GatePlan(key.clone()),
            format!("gates for {} → {}", release.name, key.env),
        );
        effects.push(Effect::LoadPlan {
            op,
            service: key.service,
            release,
            env: key.env,
            rollback: false,
        });
    }
    effects
}
