//! Trains from the board: `p` on a train row plans every member and asks (the dialog lists each
//! member's plan; a protected environment's name is typed once nothing blocks), then promotes
//! the members in order through the same engine as `shipdeck train promote`. A failure stops
//! the train and offers the backout of the members that moved, in reverse order, in one
//! confirmation. `C` cuts a train release from what runs in the cell's environment; Enter shows
//! the train.

use crate::app::actions::train::TrainPlan;
use crate::app::actions::train_promote::TrainRun;
use crate::console::effect::Effect;
use crate::console::overlay::{Confirm, Confirmed, Detail, Overlay};
use crate::console::state::{Level, OpId, OpKind, State};
use crate::console::trains;
use crate::domain::sanitize::sanitize;
use crate::domain::train::{MemberState, TrainRelease};

/// `p` on a train cell: the train release waiting for `env`, planned for the dialog.
pub fn promote(state: &mut State, train: &str, env: &str) -> Vec<Effect> {
    let Some(release) = trains::candidate(state, train, env).cloned() else {
        state.toast(
            Level::Info,
            format!(
                "{train} has no train release to promote into {env}: press C on a train cell to \
                 cut one from what runs there"
            ),
        );
        return Vec::new();
    };
    let protected = state.config.environment(env).is_some_and(|e| e.protected);
    let members = release
        .members
        .iter()
        .map(|m| format!("{} {}", m.service, m.release))
        .collect::<Vec<_>>()
        .join(" → ");
    let mut confirm = Confirm::new(
        Confirmed::TrainPromote {
            train: train.to_string(),
            release: release.name.clone(),
            env: env.to_string(),
        },
        format!("Promote train {train} {} to {env}", release.name),
        vec![format!("members, in order: {members}")],
    );
    if protected {
        confirm.require = Some(env.to_string());
    }
    state.supersede(&OpKind::TrainPlan);
    let op = state.start_op(
        OpKind::TrainPlan,
        format!("planning {} → {env}", release.name),
    );
    confirm.loading = Some(op);
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    vec![Effect::TrainPlan {
        op,
        train: train.to_string(),
        release: release.name,
        env: env.to_string(),
    }]
}

/// The open train dialog asks for a fresh plan (a probe's report, the log or a countdown
/// changed what the gates say): it stays live, showing the last plan meanwhile.
pub fn refresh(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = &state.overlay else {
        return Vec::new();
    };
    let Confirmed::TrainPromote {
        train,
        release,
        env,
    } = confirm.action.clone()
    else {
        return Vec::new();
    };
    if confirm.loading.is_some() || confirm.refreshing.is_some() {
        if let Some(Overlay::Confirm(confirm)) = &mut state.overlay {
            confirm.replan = true;
        }
        return Vec::new();
    }
    let op = state.start_op(OpKind::TrainPlan, format!("re-planning {release} → {env}"));
    if let Some(Overlay::Confirm(confirm)) = &mut state.overlay {
        confirm.refreshing = Some(op);
    }
    vec![Effect::TrainPlan {
        op,
        train,
        release,
        env,
    }]
}

/// The plan of every member arrived: the dialog lists them; a blocking gate keeps Enter shut.
pub fn planned(state: &mut State, op: OpId, plan: Result<TrainPlan, String>) -> Vec<Effect> {
    let Some(Overlay::Confirm(confirm)) = &mut state.overlay else {
        return Vec::new();
    };
    if confirm.refreshing == Some(op) {
        // A live refresh: a failed one keeps the plan shown; the next change asks again.
        confirm.refreshing = None;
        if let Ok(plan) = plan {
            show_plan(confirm, &plan);
        }
    } else if confirm.loading == Some(op) {
        match plan {
            Ok(plan) => {
                confirm.loading = None;
                show_plan(confirm, &plan);
            }
            Err(e) => {
                state.overlay = None;
                state.toast(Level::Error, e);
                return Vec::new();
            }
        }
    } else {
        return Vec::new();
    }
    // What changed while this plan was on its way is not in it: plan again.
    if std::mem::take(&mut confirm.replan) {
        return refresh(state);
    }
    Vec::new()
}

/// The dialog's lines and whether Enter is shut, from a plan.
fn show_plan(confirm: &mut Confirm, plan: &TrainPlan) {
    confirm.lines = plan_lines(plan);
    confirm.blocked_by = if !plan.allowed() {
        Some(format!(
            "blocked: {}",
            plan.blocking()
                .first()
                .cloned()
                .unwrap_or_else(|| "a member's gate".into())
        ))
    } else if plan.moving().next().is_none() {
        Some(format!(
            "every member already runs {} in {}",
            plan.release.name, plan.env
        ))
    } else {
        None
    };
}

/// What the dialog says: the train's approvals, then each member's plan in order.
pub fn plan_lines(plan: &TrainPlan) -> Vec<String> {
    let mut lines = vec![format!(
        "{} into {}{} — {} member{}, in order, each verified before the next:",
        plan.release.name,
        plan.env,
        if plan.protected { " (protected)" } else { "" },
        plan.members.len(),
        if plan.members.len() == 1 { "" } else { "s" }
    )];
    for a in &plan.approvals {
        lines.push(format!(
            "  train approval {} ({}): {}",
            a.id,
            a.status.as_str(),
            a.reason
        ));
    }
    for (i, m) in plan.members.iter().enumerate() {
        let running = m
            .plan
            .running
            .label()
            .unwrap_or_else(|| "nothing reported".into());
        let verdict = if m.already {
            "already runs it: skipped".to_string()
        } else if m.plan.report.allowed() {
            format!(
                "ready — calls {}",
                m.plan.call.as_deref().unwrap_or("no deployer")
            )
        } else {
            "blocked".to_string()
        };
        lines.push(format!(
            "{}. {} {} (running: {running}) — {verdict}",
            i + 1,
            m.member.service,
            m.member.release
        ));
        if !m.already {
            for g in m.plan.report.blocking() {
                lines.push(format!(
                    "     ✖ {} ({}): {}",
                    g.id,
                    g.status.as_str(),
                    g.reason
                ));
            }
        }
    }
    lines
}

/// The dialog was confirmed: the promotion (or backout) runs in the backend.
pub fn confirmed(
    state: &mut State,
    train: String,
    release: String,
    env: String,
    backout: bool,
) -> Vec<Effect> {
    let kind = OpKind::TrainRun(train.clone(), release.clone(), env.clone());
    let verb = if backout { "backing out" } else { "promoting" };
    let op = state.start_op(kind, format!("{verb} train {release} in {env}"));
    state.toast(Level::Info, format!("{verb} train {release} in {env}…"));
    if backout {
        vec![Effect::TrainBackout {
            op,
            train,
            release,
            env,
        }]
    } else {
        vec![Effect::TrainPromote {
            op,
            train,
            release,
            env,
        }]
    }
}

/// A train run ended: said; a failed promotion that moved members offers their backout.
pub fn ran(
    state: &mut State,
    train: String,
    release: &str,
    env: String,
    run: Result<TrainRun, String>,
) -> Vec<Effect> {
    match run {
        Err(e) => state.toast(Level::Error, e),
        Ok(run) if run.ok => state.toast(
            Level::Info,
            if run.moved.is_empty() {
                format!("{release} in {env}: {}", run.reason)
            } else {
                format!("{release} is in {env}: {} moved", run.moved.join(", "))
            },
        ),
        Ok(run) => {
            let failed = run.failed.clone().unwrap_or_default();
            state.toast(
                Level::Error,
                format!("train {release} stopped at {failed}: {}", run.reason),
            );
            if !run.moved.is_empty() && !state.read_only {
                let back: Vec<String> = run.moved.iter().rev().cloned().collect();
                let mut confirm = Confirm::new(
                    Confirmed::TrainBackout {
                        train,
                        release: release.to_string(),
                        env: env.clone(),
                    },
                    format!("Back out train {release} in {env}?"),
                    vec![
                        format!("{failed} failed: {}", run.reason),
                        format!(
                            "Back out what moved, in reverse order, each to what ran before and \
                             verified: {}",
                            back.join(" → ")
                        ),
                        "Esc leaves them as they are (`shipdeck train rollback` does it later)."
                            .to_string(),
                    ],
                );
                if state.config.environment(&env).is_some_and(|e| e.protected) {
                    confirm.require = Some(env);
                }
                state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
            }
        }
    }
    state.dirty = true;
    Vec::new()
}

/// `C` on a train cell: cut a train release from what runs in `env`.
pub fn cut(state: &mut State, train: String, env: String) -> Vec<Effect> {
    let op = state.start_op(
        OpKind::TrainCut(train.clone()),
        format!("cutting {train} from {env}"),
    );
    vec![Effect::TrainCut { op, train, env }]
}

pub fn cut_done(state: &mut State, cut: Result<TrainRelease, String>) -> Vec<Effect> {
    match cut {
        Ok(r) => {
            let members: Vec<String> = r.members.iter().map(|m| m.release.clone()).collect();
            state.toast(
                Level::Info,
                format!(
                    "cut {}: {} — p on the next environment promotes it",
                    r.name,
                    members.join(", ")
                ),
            );
        }
        Err(e) => state.toast(Level::Error, e),
    }
    Vec::new()
}

/// Enter on a train row: its newest releases with their members, and its promotions, whole.
pub fn show(state: &mut State, train: &str) -> Vec<Effect> {
    let mut lines = Vec::new();
    if let Some(t) = state.config.trains.iter().find(|t| t.name == train) {
        lines.push(format!(
            "members, in promotion order: {}",
            t.services.join(" → ")
        ));
    }
    for env in &state.config.environments {
        let running = trains::running(state, train, &env.name)
            .map_or("members differ".to_string(), |r| r.name.clone());
        lines.push(format!("{:<12} runs {running}", env.name));
    }
    lines.push(String::new());
    let releases = state.trains.releases_of(train);
    if releases.is_empty() {
        lines.push("no train release cut yet: C on a train cell cuts one".into());
    }
    for r in releases.iter().take(10) {
        lines.push(format!(
            "{} — cut {} by {}{}",
            r.name,
            state.time(r.cut_at, "%b %d %H:%M"),
            r.cut_by,
            r.from_env
                .as_deref()
                .map(|e| format!(" from {e}"))
                .unwrap_or_default()
        ));
        for m in &r.members {
            lines.push(format!("    {} {}", m.service, m.release));
        }
    }
    let promotions: Vec<_> = state
        .trains
        .promotions()
        .iter()
        .rev()
        .filter(|p| p.train == train)
        .take(10)
        .collect();
    if !promotions.is_empty() {
        lines.push(String::new());
        lines.push("promotions, newest first:".into());
    }
    for p in promotions {
        let outcome = match &p.outcome {
            None => "running".to_string(),
            Some(o) if o.ok => format!("done {}", state.time(o.at, "%b %d %H:%M")),
            Some(o) => format!("stopped: {}", o.reason),
        };
        lines.push(format!(
            "{}{} into {} by {} {} — {outcome}",
            if p.backout { "backout of " } else { "" },
            p.release,
            p.env,
            p.started_by,
            state.time(p.started_at, "%b %d %H:%M"),
        ));
        for (m, s) in p.member_states(&state.ledger) {
            let s = match s {
                MemberState::Waiting => "not called".to_string(),
                MemberState::InFlight { .. } => "in flight".to_string(),
                MemberState::Succeeded { .. } => "verified".to_string(),
                MemberState::Failed { reason, .. } => format!("failed: {reason}"),
            };
            lines.push(format!("    {} {}: {s}", m.service, m.release));
        }
    }
    state.overlay = Some(Overlay::Detail(Detail {
        title: format!("train {train}"),
        // Release names come from the log: shown as text, never as terminal controls.
        lines: lines.iter().map(|l| sanitize(l)).collect(),
        scroll: 0,
    }));
    state.dirty = true;
    Vec::new()
}
