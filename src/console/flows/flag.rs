//! Space, `+`, `-` and Enter in the Flags view. A change goes the command line's way (`shipdeck
//! flag`): planned against a fresh read (the exact call, before → after, a freeze that stops a
//! raise), confirmed (the environment's name typed when protected), then planned again, sent,
//! read back and recorded as `flag-changed` by the backend. Enter shows the flag's history from
//! the log and its strategies.

use crate::app::actions::{FlagOutcome, FlagPlan};
use crate::console::command::Command;
use crate::console::effect::Effect;
use crate::console::flags::{self, FlagLine};
use crate::console::flows::READ_ONLY;
use crate::console::keymap::Act;
use crate::console::overlay::{Confirm, Confirmed, Detail, Input, InputPurpose, Overlay};
use crate::console::state::{Level, OpId, OpKind, State};
use crate::domain::flag::DEFAULT_ROLLOUT_STEPS;
use crate::domain::flag_change::{Direction, FlagAction, step_down, step_up};

/// The change a key asks of the flag under the cursor; `None` (said why) when there is none.
pub fn command_for(state: &mut State, act: Act) -> Option<Command> {
    if state.read_only {
        state.toast(Level::Error, READ_ONLY);
        return None;
    }
    let Some((line, env)) = flags::selected(state) else {
        let why = if state.config.flags.is_empty() {
            "no flag service is configured ([[flags]])"
        } else if state.filter.is_empty() {
            "no flag here: nothing was read from a flag service yet"
        } else {
            "no flag matches the filter (Esc clears it)"
        };
        state.toast(Level::Info, why);
        return None;
    };
    let Some(row) = cell(&line, state, &env) else {
        state.toast(
            Level::Error,
            format!(
                "{} has no state in {env}: its flag service `{}` does not map {env}",
                line.flag, line.provider
            ),
        );
        return None;
    };
    let value = row.value;
    let steps = steps(state, &line.provider);
    let action = match act {
        Act::ToggleFlag if value.enabled => FlagAction::Off,
        Act::ToggleFlag => FlagAction::On,
        Act::FlagStepUp => {
            let Some(p) = step_up(steps, value.rollout) else {
                state.toast(
                    Level::Info,
                    format!(
                        "{} in {env} is at the last rollout step ({value})",
                        line.flag
                    ),
                );
                return None;
            };
            FlagAction::Rollout(p)
        }
        Act::FlagStepDown => {
            let Some(p) = step_down(steps, value.rollout) else {
                let why = if value.rollout.is_none() {
                    "has no rollout percentage to lower; + starts one at the first step"
                } else {
                    "is at the first rollout step; Space turns it off"
                };
                state.toast(Level::Info, format!("{} in {env} {why}", line.flag));
                return None;
            };
            FlagAction::Rollout(p)
        }
        _ => return None,
    };
    Some(Command::Flag {
        flag: line.flag,
        env,
        action,
    })
}

fn cell<'a>(
    line: &'a FlagLine,
    state: &State,
    env: &str,
) -> Option<&'a crate::app::actions::FlagRow> {
    let col = state
        .config
        .environments
        .iter()
        .position(|e| e.name == env)?;
    line.cells.get(col)?.as_ref()
}

fn steps<'a>(state: &'a State, provider: &str) -> &'a [u8] {
    state
        .config
        .flags
        .iter()
        .find(|s| s.name == provider)
        .map_or(&DEFAULT_ROLLOUT_STEPS[..], |s| s.rollout_steps.as_slice())
}

/// Opens the confirmation and asks for the plan (a fresh read of the flag service).
pub fn start(state: &mut State, flag: String, env: String, action: FlagAction) -> Vec<Effect> {
    let protected = state.config.environment(&env).is_some_and(|e| e.protected);
    let mut confirm = Confirm::new(
        Confirmed::Flag {
            flag: flag.clone(),
            env: env.clone(),
            action,
            reason: None,
        },
        format!("Flag {flag}: {} in {env}", action.describe()),
        Vec::new(),
    );
    if protected {
        confirm.require = Some(env.clone());
    }
    state.supersede(&OpKind::FlagPlan);
    let op = state.start_op(OpKind::FlagPlan, format!("planning {flag} in {env}"));
    confirm.loading = Some(op);
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    vec![Effect::PlanFlag {
        op,
        flag,
        env,
        action,
    }]
}

/// What the confirmation says of a plan.
fn plan_lines(plan: &FlagPlan) -> Vec<String> {
    let mut lines = vec![
        format!(
            "{} in {}{}: {} → {}",
            plan.flag,
            plan.env,
            if plan.protected { " (protected)" } else { "" },
            plan.before,
            plan.after
        ),
        format!(
            "flag service: {}{}",
            plan.provider,
            plan.service
                .as_deref()
                .map(|s| format!(", a flag of {s}"))
                .unwrap_or_default()
        ),
        format!("will call: {}", plan.shown_call),
        "It is read back from the flag service before it counts, and recorded as flag-changed."
            .to_string(),
    ];
    if plan.direction == Direction::Lower {
        lines.push("Lowering exposure is the backout: no freeze blocks it.".to_string());
    }
    lines
}

/// The plan of the confirmation `op` arrived: shown, or the refusal said (nothing to do, a
/// freeze, a flag service that cannot be read).
pub fn planned(state: &mut State, op: OpId, plan: Result<Box<FlagPlan>, String>) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = &mut state.overlay else {
        return Vec::new();
    };
    if confirm.loading != Some(op) {
        return Vec::new();
    }
    match plan {
        Ok(plan) if plan.direction == Direction::Same => {
            state.overlay = None;
            state.toast(
                Level::Info,
                format!(
                    "{} in {} is already {}; nothing to do",
                    plan.flag, plan.env, plan.before
                ),
            );
        }
        Ok(plan) => {
            if let Some(freeze) = plan.freeze.clone().filter(|_| !has_reason(confirm)) {
                // As `--reason` for the command: the freeze is passed only for a reason typed,
                // then the change is confirmed as any other.
                state.overlay = Some(Overlay::Input(Input {
                    purpose: InputPurpose::FlagFreezeReason {
                        flag: plan.flag.clone(),
                        env: plan.env.clone(),
                        action: plan.action,
                    },
                    prompt: format!(
                        "{} is {freeze}: {} {} raises exposure — a reason passes the freeze \
                         (recorded); Esc changes nothing",
                        plan.env,
                        plan.flag,
                        plan.action.describe()
                    ),
                    text: String::new(),
                }));
            } else {
                confirm.loading = None;
                confirm.lines = plan_lines(&plan);
                if let Confirmed::Flag {
                    reason: Some(reason),
                    ..
                } = &confirm.action
                {
                    confirm.lines.push(format!(
                        "{} is {}: passed for the reason given (recorded): {reason}",
                        plan.env,
                        plan.freeze.as_deref().unwrap_or("frozen")
                    ));
                }
            }
        }
        Err(e) => {
            state.overlay = None;
            state.toast(Level::Error, e);
        }
    }
    Vec::new()
}

fn has_reason(confirm: &Confirm) -> bool {
    matches!(
        &confirm.action,
        Confirmed::Flag {
            reason: Some(_),
            ..
        }
    )
}

/// The reason for passing a freeze was typed: the confirmation again, with a fresh plan.
pub fn reason(
    state: &mut State,
    flag: String,
    env: String,
    action: FlagAction,
    text: &str,
) -> Vec<Effect> {
    let reason = crate::domain::sanitize::sanitize(text.trim());
    if reason.is_empty() {
        state.toast(
            Level::Error,
            format!("{flag} in {env}: nothing changed; passing a freeze needs a reason"),
        );
        return Vec::new();
    }
    let effects = start(state, flag, env, action);
    if let Some(Overlay::Confirm(c)) = &mut state.overlay
        && let Confirmed::Flag { reason: r, .. } = &mut c.action
    {
        *r = Some(reason);
    }
    effects
}

/// Confirmed: the backend plans again (a fresh read, the freeze checked now) and changes it.
pub fn confirmed(
    state: &mut State,
    flag: String,
    env: String,
    action: FlagAction,
    reason: Option<String>,
) -> Vec<Effect> {
    let op = state.start_op(
        OpKind::FlagChange {
            flag: flag.clone(),
            env: env.clone(),
        },
        format!("setting {flag} {} in {env}", action.describe()),
    );
    vec![Effect::ChangeFlag {
        op,
        flag,
        env,
        action,
        reason,
    }]
}

/// The change's answer: the read-back shown at once, and said.
pub fn changed(
    state: &mut State,
    result: Result<Box<(FlagPlan, Option<FlagOutcome>)>, String>,
) -> Vec<Effect> {
    match result.map(|b| *b) {
        Err(e) => state.toast(Level::Error, e),
        Ok((plan, None)) => state.toast(
            Level::Info,
            format!(
                "{} in {} is already {}; nothing to do",
                plan.flag, plan.env, plan.before
            ),
        ),
        Ok((plan, Some(outcome))) => {
            flags::on_read(state, outcome.reading.clone());
            if outcome.ok {
                state.toast(
                    Level::Info,
                    format!(
                        "{} in {} is {} (read back); recorded flag-changed",
                        plan.flag,
                        plan.env,
                        outcome.read_back.unwrap_or(plan.after)
                    ),
                );
            } else {
                state.toast(
                    Level::Error,
                    format!(
                        "{} {} in {} did not take: {}; recorded as failed (flag-changed {})",
                        plan.flag,
                        plan.action.describe(),
                        plan.env,
                        outcome.detail,
                        outcome.event.id
                    ),
                );
            }
        }
    }
    Vec::new()
}

/// Enter: the flag under the cursor, whole — its value and strategies in every environment,
/// then its history from the log, newest first.
pub fn show(state: &mut State) {
    let Some((line, env)) = flags::selected(state) else {
        return;
    };
    let mut lines = Vec::new();
    lines.push(format!(
        "flag service: {}{}",
        line.provider,
        line.service.as_deref().map_or_else(
            || ", a flag of no service".to_string(),
            |s| format!(", a flag of {s}")
        )
    ));
    if line.stale {
        lines.push(
            "the flag service cannot be read now: these are the values of its last good read"
                .to_string(),
        );
    }
    for (e, row) in state.config.environments.iter().zip(&line.cells) {
        let Some(row) = row else {
            lines.push(format!("{}: not mapped by the flag service", e.name));
            continue;
        };
        let mark = if e.name == env { "▸" } else { " " };
        let drift = match (row.drift, row.recorded) {
            (true, Some(r)) => format!(" · ≠ drift: shipdeck last set it {r}"),
            _ => String::new(),
        };
        lines.push(format!("{mark} {}: {}{drift}", e.name, row.value));
        if row.strategies.is_empty() {
            lines.push("    strategies: none".to_string());
        }
        for s in &row.strategies {
            lines.push(format!("    strategy: {s}"));
        }
    }
    lines.push(String::new());
    let changes = flags::recorded(state);
    let history: Vec<_> = changes
        .iter()
        .rev()
        .filter(|c| c.provider == line.provider && c.flag == line.flag)
        .collect();
    if history.is_empty() {
        lines.push("history: never changed through shipdeck".to_string());
    } else {
        lines.push(format!(
            "history ({} changes, newest first):",
            history.len()
        ));
    }
    for c in history {
        let read_back = match (c.ok, c.read_back) {
            (true, _) => String::new(),
            (false, Some(v)) => format!(" ✖ read back {v}"),
            (false, None) => " ✖ not read back".to_string(),
        };
        let note = c
            .note
            .as_deref()
            .map(|n| format!(" — {n}"))
            .unwrap_or_default();
        lines.push(format!(
            "  {} {}: {} → {} by {}{read_back}{note}",
            state.time(c.at, "%Y-%m-%d %H:%M:%S"),
            c.env,
            c.before,
            c.after,
            c.actor,
        ));
    }
    state.overlay = Some(Overlay::Detail(Detail {
        title: format!("{} — history and strategies", line.flag),
        lines,
        scroll: 0,
    }));
}

/// The palette's flag changes: for every flag read, in every environment, the switch to the
/// other state and the neighbouring rollout steps (`flag search-v2 prod rollout 25`).
pub fn palette_items(state: &State) -> Vec<(String, Command)> {
    let mut out = Vec::new();
    for line in flags::lines(state) {
        for (e, row) in state.config.environments.iter().zip(&line.cells) {
            let Some(row) = row else { continue };
            let steps = steps(state, &line.provider);
            let mut actions = vec![if row.value.enabled {
                FlagAction::Off
            } else {
                FlagAction::On
            }];
            actions.extend(step_up(steps, row.value.rollout).map(FlagAction::Rollout));
            actions.extend(step_down(steps, row.value.rollout).map(FlagAction::Rollout));
            for action in actions {
                out.push((
                    format!("flag {} {} {}", line.flag, e.name, action.describe()),
                    Command::Flag {
                        flag: line.flag.clone(),
                        env: e.name.clone(),
                        action,
                    },
                ));
            }
        }
    }
    out
}
