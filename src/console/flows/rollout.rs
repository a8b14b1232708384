//! Rollouts of slotted targets from the console (DESIGN.md, "Exposure"): `p` on a slotted
//! target becomes a rollout this console drives through the rollout engine (the dialog shows its
//! steps and router calls), `]` cuts the pause short or takes over a rollout nobody drives, `x`
//! aborts it. The driver runs in the backend, holds the driver's lock (a second driver is
//! refused), and reports each step as output lines of its operation, then `Msg::RolloutEnded`.

use std::collections::VecDeque;

use crate::app::actions::rollout::RolloutPlan;
use crate::console::effect::{Effect, RolloutAction};
use crate::console::overlay::{Confirm, Confirmed, Overlay};
use crate::console::state::{Level, OpId, OpKind, State, TargetKey};
use crate::console::traffic::{self, Driver};
use crate::domain::release::Release;
use crate::domain::rollout::Next;

/// The promote dialog of a slotted target asks the router for the rollout's plan too (nothing
/// for other targets, or a rollback: its dialog says how a backout works).
pub fn preview(
    state: &mut State,
    confirm: &mut Confirm,
    service: &str,
    release: &Release,
    env: &str,
    rollback: bool,
) -> Vec<Effect> {
    if traffic::spec(state, service, env).is_none() {
        return Vec::new();
    }
    if rollback {
        confirm.lines.push(format!(
            "{env} is slotted: the backout is a switch (no deploy call) when another slot runs \
             {} healthy, else a redeploy of it to the idle slot and a switch",
            release.name
        ));
        return Vec::new();
    }
    let key = TargetKey::new(service, env);
    let kind = OpKind::RolloutPlan(key);
    state.supersede(&kind);
    let op = state.start_op(kind, format!("reading the router of {service} in {env}"));
    confirm.rollout_loading = Some(op);
    // As a plan names it: an unmatched version as reported (see `domain::running`).
    let running = crate::console::model::cell(state, service, env)
        .running
        .name()
        .map(str::to_string);
    vec![Effect::LoadRolloutPlan {
        op,
        service: service.to_string(),
        release: release.clone(),
        env: env.to_string(),
        running,
    }]
}

/// The rollout plan of the open dialog arrived.
pub fn preview_loaded(
    state: &mut State,
    op: OpId,
    plan: Result<RolloutPlan, String>,
) -> Vec<Effect> {
    if let Some(Overlay::Confirm(confirm)) = &mut state.overlay
        && confirm.rollout_loading == Some(op)
    {
        confirm.rollout_loading = None;
        confirm.rollout = Some(plan);
    }
    Vec::new()
}

fn start(
    state: &mut State,
    service: String,
    env: String,
    label: String,
    action: RolloutAction,
) -> Vec<Effect> {
    let op = state.start_op(
        OpKind::Rollout(TargetKey::new(&service, &env)),
        label.clone(),
    );
    state.output.insert(op, (label, VecDeque::default()));
    vec![Effect::Rollout {
        op,
        service,
        env,
        action,
    }]
}

/// A confirmed promotion (or rollback) of a slotted target: the rollout, driven here.
pub fn promote_confirmed(
    state: &mut State,
    service: String,
    release: Release,
    env: String,
    rollback: bool,
) -> Vec<Effect> {
    let label = if rollback {
        format!("rolling {service} in {env} back to {}", release.name)
    } else {
        format!("rolling out {} to {env}", release.name)
    };
    state.toast(Level::Info, format!("{label}: driving it here"));
    start(
        state,
        service,
        env,
        label,
        RolloutAction::Promote { release, rollback },
    )
}

/// Says why there is nothing to do, or returns the running rollout's (to, from, release).
fn running_or_say(state: &mut State, service: &str, env: &str) -> Option<(String, String, String)> {
    if traffic::spec(state, service, env).is_none() {
        state.toast(
            Level::Error,
            format!(
                "{service} in {env} has no slots: add a [services.env.{env}.traffic] table to \
                 roll out through a router"
            ),
        );
        return None;
    }
    let Some(r) = traffic::running(state, service, env) else {
        state.toast(
            Level::Info,
            format!("no rollout of {service} in {env} is in progress; p starts one"),
        );
        return None;
    };
    Some((r.to.clone(), r.from.clone(), r.release.clone()))
}

/// `]`: the next step now. This console's own driver cuts its pause short; a rollout nobody
/// drives is taken over (a confirmation; the typed name in a protected environment); one that
/// another process drives is left to it.
pub fn next_step(state: &mut State, service: &str, env: &str) -> Vec<Effect> {
    let Some((to, _, release)) = running_or_say(state, service, env) else {
        return Vec::new();
    };
    let next = traffic::next(state, service, env);
    let pausing = matches!(next, Some(Next::Pause { .. }));
    match traffic::driver(state, service, env) {
        Driver::Here if pausing => {
            // A shift like any other: confirmed, with the typed name in a protected environment.
            let (weight, left) = match (traffic::running(state, service, env), next) {
                (Some(r), Some(Next::Pause { next, until, .. })) => (
                    r.steps.get(next).map_or(100, |s| s.weight),
                    crate::console::model::countdown(state.now, until),
                ),
                _ => (100, String::new()),
            };
            let mut confirm = Confirm::new(
                Confirmed::RolloutNextNow {
                    service: service.to_string(),
                    env: env.to_string(),
                },
                format!("Next step of {release} in {env} now"),
                vec![format!(
                    "{to} goes to {weight}% now instead of in {left}; the router is read back \
                     before the shift counts, then the next pause and its analysis run."
                )],
            );
            if state.config.environment(env).is_some_and(|e| e.protected) {
                confirm.require = Some(env.to_string());
            }
            state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
            Vec::new()
        }
        Driver::Here => {
            state.toast(
                Level::Info,
                "no pause to cut short: the driver is shifting or verifying",
            );
            Vec::new()
        }
        Driver::Elsewhere => {
            state.toast(
                Level::Error,
                format!(
                    "another process drives the rollout of {service} in {env}; x aborts it, or \
                     leave it to that driver"
                ),
            );
            Vec::new()
        }
        Driver::Nobody | Driver::Unknown => {
            let what = match next {
                Some(Next::Pause { next, .. }) => {
                    let w = traffic::running(state, service, env)
                        .and_then(|r| r.steps.get(next))
                        .map_or(100, |s| s.weight);
                    format!("shift {to} to {w}% now, then walk the steps left")
                }
                _ => "walk the steps left from where the log says it stands".to_string(),
            };
            let mut lines = vec![
                format!("The rollout of {release} in {env} is paused: nobody drives it."),
                format!("This console takes the driver's lock and will {what}."),
            ];
            if let Some(router) = traffic::router_text(state, service, env) {
                lines.push(format!("router now: {router}"));
            }
            lines.push(
                "Every shift is read back from the router before it counts; analysis runs in \
                 every pause."
                    .into(),
            );
            let mut confirm = Confirm::new(
                Confirmed::RolloutResume {
                    service: service.to_string(),
                    env: env.to_string(),
                    next_now: pausing,
                },
                format!("Drive the rollout of {release} in {env}"),
                lines,
            );
            if state.config.environment(env).is_some_and(|e| e.protected) {
                confirm.require = Some(env.to_string());
            }
            state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
            Vec::new()
        }
    }
}

pub fn resume_confirmed(
    state: &mut State,
    service: String,
    env: String,
    next_now: bool,
) -> Vec<Effect> {
    let label = format!("driving the rollout of {service} in {env}");
    start(
        state,
        service,
        env,
        label,
        RolloutAction::Resume { next_now },
    )
}

/// `]` confirmed while this console drives: its driver shifts the next step at once.
pub fn next_now_confirmed(state: &mut State, service: String, env: String) -> Vec<Effect> {
    if !traffic::driven_here(state, &service, &env) {
        state.toast(
            Level::Error,
            "this console no longer drives that rollout; ] again to take it over",
        );
        return Vec::new();
    }
    state.toast(Level::Info, format!("{service} in {env}: next step now"));
    vec![Effect::NextStepNow { service, env }]
}

/// `x`: abort the rollout — one confirmation, never the typed name, never gated.
pub fn abort(state: &mut State, service: &str, env: &str) -> Vec<Effect> {
    let Some((to, from, release)) = running_or_say(state, service, env) else {
        return Vec::new();
    };
    let mut lines = vec![format!(
        "All traffic goes back on {from}, which still runs the release before; {to} keeps {release} \
         but takes none. Recorded as rollout-aborted."
    )];
    if let Some(router) = traffic::router_text(state, service, env) {
        lines.push(format!("router now: {router}"));
    }
    if traffic::driver(state, service, env) != Driver::Nobody {
        lines.push("The driver stops at its next look at the log.".into());
    }
    let confirm = Confirm::new(
        Confirmed::RolloutAbort {
            service: service.to_string(),
            env: env.to_string(),
        },
        format!("Abort the rollout of {release} in {env}"),
        lines,
    );
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

pub fn abort_confirmed(state: &mut State, service: String, env: String) -> Vec<Effect> {
    let label = format!("aborting the rollout of {service} in {env}");
    start(state, service, env, label, RolloutAction::Abort)
}

/// `S`: all traffic to the idle slot of a target at rest (blue-green). The typed name in a
/// protected environment; the backend plans it again (a switch back is never gated, any other
/// switch needs the gates) and verifies the slot before it moves anything.
pub fn switch(state: &mut State, service: &str, env: &str) -> Vec<Effect> {
    if traffic::spec(state, service, env).is_none() {
        state.toast(
            Level::Error,
            format!("{service} in {env} has no slots to switch between"),
        );
        return Vec::new();
    }
    if let Some(r) = traffic::running(state, service, env) {
        let text = format!(
            "a rollout of {} is in progress in {env}: ] for its next step, x to abort it",
            r.release
        );
        state.toast(Level::Error, text);
        return Vec::new();
    }
    let reading = traffic::slotted(state, service, env).and_then(|s| s.reading.as_ref());
    let (Some(live), Some(idle)) = (
        reading.and_then(|r| r.live()),
        reading.and_then(|r| r.idle()),
    ) else {
        let why = match reading.map(|r| &r.weights) {
            Some(Err(e)) => format!("cannot switch {service} in {env}: {e}"),
            _ => format!(
                "the router of {service} in {env} has not been read yet; try again in a moment"
            ),
        };
        state.toast(Level::Error, why);
        return Vec::new();
    };
    let lines = vec![
        format!(
            "All traffic from {} (runs {}) to {} (runs {}, {}).",
            live.name,
            live.runs(),
            idle.name,
            idle.runs(),
            idle.health.as_str()
        ),
        format!(
            "No deploy call: {} is verified first (its probe reports its release, healthy), then \
             the router is set, read back and the shift recorded.",
            idle.name
        ),
        "A switch back to a release that ran here before is not gated; any other switch needs \
         the gates."
            .into(),
    ];
    let mut confirm = Confirm::new(
        Confirmed::RolloutSwitch {
            service: service.to_string(),
            env: env.to_string(),
        },
        format!("Switch {service} in {env} to {}", idle.name),
        lines,
    );
    if state.config.environment(env).is_some_and(|e| e.protected) {
        confirm.require = Some(env.to_string());
    }
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

pub fn switch_confirmed(state: &mut State, service: String, env: String) -> Vec<Effect> {
    let label = format!("switching {service} in {env}");
    start(state, service, env, label, RolloutAction::Switch)
}

/// A rollout action ended: say how, and read the router again.
pub fn ended(state: &mut State, op: OpId, result: Result<String, String>) -> Vec<Effect> {
    if state.ops.remove(&op).is_none() {
        return Vec::new();
    }
    state.dirty = true;
    match result {
        Ok(text) => state.toast(Level::Info, text),
        Err(e) => state.toast(Level::Error, e),
    }
    vec![Effect::ReadTraffic]
}
