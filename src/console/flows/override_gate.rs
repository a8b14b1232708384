//! `o` in the gates view: override a gate that blocks — the reason prompt, the confirmation
//! (typed environment name when protected), then the recorded event (`flows::recorded`).

use crate::console::effect::Effect;
use crate::console::model;
use crate::console::overlay::{Confirm, Confirmed, Input, InputPurpose, Overlay};
use crate::console::state::{Level, OpKind, State, TargetKey};
use crate::domain::gates::GateStatus;
use crate::domain::release::Release;

/// Asks for the reason, when the gate `gate` of (service, env)'s plan may be overridden.
pub fn start(
    state: &mut State,
    service: String,
    release: &str,
    env: String,
    gate: Option<usize>,
) -> Vec<Effect> {
    let key = TargetKey::new(&service, &env);
    let outcome = gate.and_then(|i| state.plans.get(&key).and_then(|p| p.report.gates.get(i)));
    let release = model::find_release(state, &service, release).cloned();
    let (Some(outcome), Some(release)) = (outcome.cloned(), release) else {
        state.toast(Level::Info, "gates are still being evaluated");
        return Vec::new();
    };
    if outcome.kind == "approval" {
        state.toast(
            Level::Error,
            "approval gates can never be overridden; ask an approver (a)",
        );
    } else if matches!(outcome.status, GateStatus::Pass | GateStatus::Overridden) {
        state.toast(Level::Info, format!("gate {} does not block", outcome.id));
    } else {
        state.overlay = Some(Overlay::Input(Input {
            prompt: format!(
                "reason to override {} for {} in {}",
                outcome.id, release.name, env
            ),
            purpose: InputPurpose::OverrideReason {
                service,
                release,
                env,
                gate: outcome.id,
            },
            text: String::new(),
        }));
    }
    Vec::new()
}

/// The reason was entered: the confirmation.
pub fn reason(
    state: &mut State,
    service: String,
    release: Release,
    env: String,
    gate: String,
    text: String,
) -> Vec<Effect> {
    if text.is_empty() {
        state.toast(
            Level::Error,
            "an override needs a reason; press o again and say why",
        );
        return Vec::new();
    }
    let lines = vec![
        format!("Gate {gate} stops counting for {} in {env}.", release.name),
        format!("Reason recorded with your name ({}): {text}", state.user),
        "Enter or y records the override; Esc cancels.".into(),
    ];
    let mut confirm = Confirm::new(
        Confirmed::Override {
            service,
            release,
            env: env.clone(),
            gate,
            reason: text,
        },
        "Override a gate",
        lines,
    );
    if state.config.environment(&env).is_some_and(|e| e.protected) {
        confirm.require = Some(env);
    }
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

pub fn confirmed(
    state: &mut State,
    service: String,
    release: Release,
    env: String,
    gate: String,
    reason: String,
) -> Vec<Effect> {
    let op = state.start_op(
        OpKind::Record(format!(
            "overrode gate {gate} for {} in {env}",
            release.name
        )),
        "overriding",
    );
    vec![Effect::Override {
        op,
        service,
        release,
        env,
        gate,
        reason,
    }]
}
