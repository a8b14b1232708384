//! `p` (promote) and `r` (roll back): the confirmation with the plan behind it (gates, commits,
//! the exact call), the plan's answer, the deployment request once confirmed, and its
//! acceptance. Also the gate reports of every pending promotion the board and gates view show.

use std::collections::VecDeque;

use crate::app::actions::Plan;
use crate::console::effect::Effect;
use crate::console::flows::resolve;
use crate::console::model;
use crate::console::overlay::{Confirm, Confirmed, Overlay};
use crate::console::state::{Level, OpId, OpKind, State, TargetKey};
use crate::domain::ledger::Deployment;
use crate::domain::release::Release;

/// `p`: the confirmation of promoting `release` (the cell's candidate when `None`) into `env`.
pub fn start(state: &mut State, service: &str, release: Option<&str>, env: &str) -> Vec<Effect> {
    if let Some(refused) = in_flight_refusal(state, service, env) {
        state.toast(Level::Error, refused);
        return Vec::new();
    }
    let Some(release) = resolve(state, service, release, env).cloned() else {
        let unmatched = unmatched_before(state, service, env);
        let why = match (release, unmatched) {
            (Some(name), _) => {
                format!("{service} has no release {name}; see `shipdeck releases {service}`")
            }
            (None, Some((prev, version))) => format!(
                "nothing waits to enter {env}: {service} in {prev} reports {version}, which \
                 matches no release"
            ),
            (None, None) if checking_before(state, service, env) => format!(
                "what {service} runs before {env} is not known yet (still checking); try again in a moment"
            ),
            (None, None) => format!(
                "nothing waits to enter {env}: {service} runs there what the environment before runs"
            ),
        };
        state.toast(Level::Error, why);
        return Vec::new();
    };
    open_plan(state, service, release, env, false)
}

/// `r`: first finds the release a rollback goes back to ([`rollback_target`] then opens the
/// confirmation).
pub fn rollback(state: &mut State, service: String, env: String) -> Vec<Effect> {
    if let Some(refused) = in_flight_refusal(state, &service, &env) {
        state.toast(Level::Error, refused);
        return Vec::new();
    }
    let key = TargetKey::new(&service, &env);
    state.supersede(&OpKind::RollbackTarget(key.clone()));
    let op = state.start_op(
        OpKind::RollbackTarget(key),
        format!("finding what {service} in {env} rolls back to"),
    );
    vec![Effect::RollbackTarget { op, service, env }]
}

/// The release a rollback goes back to arrived.
pub fn rollback_target(
    state: &mut State,
    key: &TargetKey,
    release: Result<Release, String>,
) -> Vec<Effect> {
    match release {
        Ok(release) => open_plan(state, &key.service, release, &key.env, true),
        Err(e) => {
            state.toast(
                Level::Error,
                format!("no rollback for {} in {}: {e}", key.service, key.env),
            );
            Vec::new()
        }
    }
}

fn in_flight_refusal(state: &State, service: &str, env: &str) -> Option<String> {
    if let Some(r) = crate::console::traffic::running(state, service, env) {
        return Some(format!(
            "a rollout of {} is in progress in {env} (started by {}): ] for its next step, x to \
             abort it",
            r.release, r.started_by
        ));
    }
    let d = state.ledger.in_flight(service, env)?;
    Some(format!(
        "{} is already being deployed to {env} (started by {} at {}); wait for it to finish",
        d.release,
        d.requested_by,
        state.time(d.requested_at, "%H:%M:%S")
    ))
}

/// The environment before `env` and the version it reports, when that matches no release.
fn unmatched_before(state: &State, service: &str, env: &str) -> Option<(String, String)> {
    let prev = state.config.previous_environment(env)?;
    match model::cell(state, service, &prev.name).running {
        crate::domain::running::Running::Unmatched { version, .. } => {
            Some((prev.name.clone(), version))
        }
        _ => None,
    }
}

/// Whether the environment before `env` has not answered its probe yet.
fn checking_before(state: &State, service: &str, env: &str) -> bool {
    state
        .config
        .previous_environment(env)
        .is_some_and(|prev| model::cell(state, service, &prev.name).release.is_none())
}

/// Opens the confirmation of a promotion (or rollback) and asks for its plan.
pub fn open_plan(
    state: &mut State,
    service: &str,
    release: Release,
    env: &str,
    rollback: bool,
) -> Vec<Effect> {
    let verb = if rollback { "Roll back" } else { "Promote" };
    let protected = state.config.environment(env).is_some_and(|e| e.protected);
    let lines = if rollback {
        backout_plan(state, service, env)
    } else {
        Vec::new()
    };
    let mut confirm = Confirm::new(
        Confirmed::Promote {
            service: service.to_string(),
            release: release.clone(),
            env: env.to_string(),
            rollback,
        },
        format!("{verb} {service} to {} in {env}", release.name),
        lines,
    );
    if protected {
        confirm.require = Some(env.to_string());
    }
    let kind = OpKind::ConfirmPlan { rollback };
    state.supersede(&kind);
    let op = state.start_op(kind, format!("planning {} → {env}", release.name));
    confirm.loading = Some(op);
    // A slotted target: the rollout's steps and router calls, read from the router.
    let rollout = super::rollout::preview(state, &mut confirm, service, &release, env, rollback);
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    let mut effects = vec![Effect::LoadPlan {
        op,
        service: service.to_string(),
        release,
        env: env.to_string(),
        rollback,
    }];
    effects.extend(rollout);
    effects
}

/// The plan of the confirmation `op` arrived (the confirmation may be gone, or be another's).
pub fn confirm_plan(state: &mut State, op: OpId, plan: Result<Plan, String>) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = &mut state.overlay else {
        return Vec::new();
    };
    if confirm.refreshing == Some(op) {
        // A live refresh: a failed one keeps the plan shown; the next change asks again.
        confirm.refreshing = None;
        if let Ok(plan) = plan {
            confirm.plan = Some(plan);
        }
        return Vec::new();
    }
    if confirm.loading != Some(op) {
        return Vec::new();
    }
    match plan {
        Ok(plan) => {
            confirm.loading = None;
            confirm.plan = Some(plan);
        }
        Err(e) => {
            state.overlay = None;
            state.toast(Level::Error, e);
        }
    }
    Vec::new()
}

/// A gate report for the board and the gates view arrived.
pub fn gate_plan(state: &mut State, key: TargetKey, plan: Result<Plan, String>) -> Vec<Effect> {
    match plan {
        Ok(plan) => {
            state.plans.insert(key, plan);
        }
        Err(e) => {
            state.plans.remove(&key);
            state.toast(
                Level::Error,
                format!("gates for {} in {}: {e}", key.service, key.env),
            );
        }
    }
    Vec::new()
}

/// Confirmed: plans again (gates re-checked now) and asks the deployer.
pub fn confirmed(
    state: &mut State,
    service: String,
    release: Release,
    env: String,
    rollback: bool,
) -> Vec<Effect> {
    if crate::console::traffic::spec(state, &service, &env).is_some() {
        return super::rollout::promote_confirmed(state, service, release, env, rollback);
    }
    let key = TargetKey::new(&service, &env);
    let label = format!("deploying {} to {env}", release.name);
    let op = state.start_op(OpKind::Promote(key), label.clone());
    state.output.insert(op, (label, VecDeque::default()));
    vec![Effect::Promote {
        op,
        service,
        release,
        env,
        rollback,
    }]
}

/// The deployer accepted (or refused): verify it with fast probes.
pub fn accepted(
    state: &mut State,
    key: TargetKey,
    deployment: Result<Deployment, String>,
) -> Vec<Effect> {
    match deployment {
        Ok(d) => {
            state.toast(
                Level::Info,
                format!(
                    "{} accepted by {}'s deployer; verifying…",
                    d.release, key.env
                ),
            );
            vec![Effect::FastProbe {
                service: key.service,
                env: key.env,
                on: true,
            }]
        }
        Err(e) => {
            state.toast(Level::Error, e);
            Vec::new()
        }
    }
}

/// Asks for a fresh plan of the open promotion (or rollback) dialog, so its gates and
/// countdowns stay true while it is open; nothing while its first plan is still loading or a
/// refresh is on its way.
pub fn refresh_confirm(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = &state.overlay else {
        return Vec::new();
    };
    if let Confirmed::TrainPromote { .. } = &confirm.action {
        return super::train::refresh(state);
    }
    let Confirmed::Promote {
        service,
        release,
        env,
        rollback,
    } = confirm.action.clone()
    else {
        return Vec::new();
    };
    if confirm.loading.is_some() || confirm.refreshing.is_some() {
        return Vec::new();
    }
    let op = state.start_op(
        OpKind::ConfirmPlan { rollback },
        format!("re-planning {} → {env}", release.name),
    );
    if let Some(Overlay::Confirm(confirm)) = &mut state.overlay {
        confirm.refreshing = Some(op);
    }
    vec![Effect::LoadPlan {
        op,
        service,
        release,
        env,
        rollback,
    }]
}

/// What the rollback dialog says first: the backout plan written for the release running in
/// `env` (the notes on its checklist's items that need one, as `backout` does), or that none
/// was written.
fn backout_plan(state: &State, service: &str, env: &str) -> Vec<String> {
    let Some(running) = model::cell(state, service, env).release else {
        return Vec::new();
    };
    let Some(template) =
        model::checklist_name(state, env).and_then(|n| state.config.checklists.get(n))
    else {
        return Vec::new();
    };
    let ticks = state.ledger.ticks(service, &running, env, &template.name);
    let mut lines = Vec::new();
    for item in template.items.iter().filter(|i| i.needs_note) {
        let notes = ticks
            .get(&item.id)
            .map(|t| t.notes.clone())
            .unwrap_or_default();
        if notes.is_empty() {
            lines.push(format!(
                "backout plan: none was written for {running} in {env} ({} on its {} checklist)",
                item.id, template.name
            ));
            continue;
        }
        lines.push(format!(
            "backout plan for {running} in {env} ({}):",
            item.title
        ));
        for (actor, at, note) in notes {
            lines.push(crate::domain::sanitize::sanitize(&format!(
                "  ✎ {actor} ({}): {note}",
                crate::domain::time::when(at, state.now, &state.tz)
            )));
        }
    }
    lines
}
