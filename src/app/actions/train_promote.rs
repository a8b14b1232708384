//! Promoting a train: the members in order, each verified before the next; a failure stops the
//! train (later members are not called). The backout rolls the moved members back in reverse
//! order. A promotion whose promoter went away is finished (or reported interrupted) by whoever
//! settles next, as a deployment is.

use std::time::Duration;

use jiff::Timestamp;
use serde::Serialize;

use crate::app::context::{Context, now};
use crate::app::failure::Failure;
use crate::domain::event::{Event, Fact, outcome_id};
use crate::domain::ledger::DeploymentState;
use crate::domain::observation::Observation;
use crate::domain::train::{MemberState, TrainMember, TrainPromotion, Verdict, verdict};

use super::deploy::{promote, rollback_plan, wait_for_outcome};
use super::query::resolve_release;
use super::rollout::{Carried, carry};
use super::train::{TrainPlan, trains};

/// Time a promoter may spend between members (planning, calling) beyond their verify timeouts.
const SLACK: Duration = Duration::from_mins(2);

/// How a train promotion (or backout) ended.
#[derive(Debug, Clone, Serialize)]
pub struct TrainRun {
    pub promotion: String,
    pub ok: bool,
    /// The members whose deployer was called, in the order they were called.
    pub moved: Vec<String>,
    /// The member that failed, if one did.
    pub failed: Option<String>,
    pub reason: String,
}

/// Records the outcome of every unfinished train promotion whose members' deployments decide
/// it (all succeeded, one failed, or interrupted: nothing in flight past its deadline). Returns
/// the outcomes recorded. Nothing is recorded under `--read-only`.
pub fn settle_trains(ctx: &Context, at: Timestamp) -> Result<Vec<Event>, Failure> {
    if ctx.read_only || ctx.config.trains.is_empty() {
        return Ok(Vec::new());
    }
    let (_, ledger, trains) = trains(ctx)?;
    let mut recorded = Vec::new();
    for p in trains.unfinished() {
        let states = p.member_states(&ledger);
        if let Verdict::Finished { ok, reason } = verdict(&states, p.deadline, at) {
            recorded.push(finish(ctx, p, ok, &reason)?);
        }
    }
    Ok(recorded)
}

fn finish(ctx: &Context, p: &TrainPromotion, ok: bool, reason: &str) -> Result<Event, Failure> {
    ctx.record_with_id(
        outcome_id(&p.id),
        &Fact::TrainPromotionFinished {
            promotion: p.id.clone(),
            ok,
            reason: reason.to_string(),
        },
        Some(&p.train),
        Some(&p.release),
        Some(&p.env),
    )
}

/// Refuses while another promotion of the train into `env` has no outcome.
fn none_running(ctx: &Context, train: &str, env: &str) -> Result<(), Failure> {
    settle_trains(ctx, now())?;
    let (_, _, trains) = trains(ctx)?;
    if let Some(p) = trains
        .unfinished()
        .find(|p| p.train == train && p.env == env)
    {
        return Err(Failure::blocked(format!(
            "{} of {} into {env} is still running (started by {} at {}); wait for it",
            if p.backout {
                "a backout"
            } else {
                "a promotion"
            },
            p.release,
            p.started_by,
            p.started_at.strftime("%H:%M:%S UTC")
        )));
    }
    Ok(())
}

fn start(
    ctx: &Context,
    plan_train: &str,
    release: &str,
    env: &str,
    members: &[TrainMember],
    backout: bool,
) -> Result<TrainPromotion, Failure> {
    let budget: Duration = members
        .iter()
        .filter_map(|m| ctx.config.service(&m.service))
        .map(|s| ctx.config.verify_timeout(s))
        .sum::<Duration>()
        + SLACK;
    let event = ctx.record(
        &Fact::TrainPromotionStarted {
            members: members.to_vec(),
            backout,
            deadline_secs: budget.as_secs(),
        },
        Some(plan_train),
        Some(release),
        Some(env),
    )?;
    let (_, _, trains) = trains(ctx)?;
    trains
        .promotions()
        .iter()
        .find(|p| p.id == event.id)
        .cloned()
        .ok_or_else(|| Failure::failed("the train promotion just recorded is missing from the log"))
}

/// Promotes every moving member of `plan` in order, each verified before the next. Refuses
/// (exit 3) when a gate of any member blocks. On a member's failure the train stops there and
/// the run says which members moved (offer their backout: [`backout`]).
pub async fn promote_train(
    ctx: &Context,
    plan: &TrainPlan,
    progress: &mut dyn FnMut(&str),
) -> Result<TrainRun, Failure> {
    ctx.writable("train promote")?;
    if !plan.allowed() {
        return Err(Failure::blocked(format!(
            "{} cannot enter {} yet; blocking gates:\n  {}",
            plan.release.name,
            plan.env,
            plan.blocking().join("\n  ")
        )));
    }
    none_running(ctx, &plan.train, &plan.env)?;
    let members: Vec<TrainMember> = plan.moving().map(|m| m.member.clone()).collect();
    let promotion = start(
        ctx,
        &plan.train,
        &plan.release.name,
        &plan.env,
        &members,
        false,
    )?;
    for m in plan.members.iter().filter(|m| m.already) {
        progress(&format!(
            "{}: already runs {} in {}",
            m.member.service, m.member.release, plan.env
        ));
    }
    let steps: Vec<(String, crate::app::actions::Plan)> = plan
        .moving()
        .map(|m| (m.member.service.clone(), m.plan.clone()))
        .collect();
    run_steps(ctx, &promotion, &steps, progress).await
}

/// Runs each step's deployment and waits for its verification; stops at the first failure.
async fn run_steps(
    ctx: &Context,
    promotion: &TrainPromotion,
    steps: &[(String, crate::app::actions::Plan)],
    progress: &mut dyn FnMut(&str),
) -> Result<TrainRun, Failure> {
    let mut moved: Vec<String> = Vec::new();
    for (service, step) in steps {
        progress(&format!(
            "{service}: {} {} → {}",
            if step.rollback {
                "rolling back to"
            } else {
                "promoting"
            },
            step.release.name,
            step.env
        ));
        if ctx.config.exposure.traffic(service, &step.env).is_some() {
            // A slotted member moves by a rollout, driven to its end before the next member.
            let carried = carry(ctx, step, &mut |line| {
                progress(&format!("{service}:   {line}"));
            })
            .await;
            let failure = match carried {
                Ok(Carried { outcome: Ok(_), .. }) => {
                    moved.push(service.clone());
                    progress(&format!(
                        "{service}: {} live in {}",
                        step.release.name, step.env
                    ));
                    continue;
                }
                Ok(Carried {
                    outcome: Err(f), ..
                }) => {
                    moved.push(service.clone());
                    f.message
                }
                Err(f) => {
                    if called(ctx, promotion, service)? {
                        moved.push(service.clone());
                    }
                    f.message
                }
            };
            return stopped(ctx, promotion, service, step, moved, &failure);
        }
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let started = promote(ctx, step, tx).await;
        while let Ok(line) = rx.try_recv() {
            progress(&format!("{service}:   | {line}"));
        }
        let outcome = match started {
            Ok(d) => {
                moved.push(service.clone());
                wait_for_outcome(ctx, &d.id, &mut |line| {
                    progress(&format!("{service}:   {line}"));
                })
                .await
                .map(|d| d.state)
            }
            Err(f) => Err(f),
        };
        let failure = match outcome {
            Ok(DeploymentState::Succeeded { .. }) => {
                progress(&format!(
                    "{service}: {} verified in {}",
                    step.release.name, step.env
                ));
                continue;
            }
            Ok(DeploymentState::Failed { reason, .. }) => reason,
            Ok(DeploymentState::InFlight) => "verification ended without an outcome".to_string(),
            Err(f) => {
                // A refused call was still made: the member may have moved.
                if called(ctx, promotion, service)? && !moved.contains(service) {
                    moved.push(service.clone());
                }
                f.message
            }
        };
        return stopped(ctx, promotion, service, step, moved, &failure);
    }
    finish(ctx, promotion, true, "")?;
    Ok(TrainRun {
        promotion: promotion.id.clone(),
        ok: true,
        moved,
        failed: None,
        reason: String::new(),
    })
}

/// Whether the log says `service`'s deployer was called in `promotion` (a refused call was
/// still made: the member may have moved).
fn called(ctx: &Context, promotion: &TrainPromotion, service: &str) -> Result<bool, Failure> {
    let (_, ledger, _) = trains(ctx)?;
    Ok(promotion
        .member_states(&ledger)
        .iter()
        .any(|(m, s)| m.service == service && s.moved()))
}

/// The train stops at `service`: the promotion's outcome recorded, the moved members named.
fn stopped(
    ctx: &Context,
    promotion: &TrainPromotion,
    service: &str,
    step: &crate::app::actions::Plan,
    moved: Vec<String>,
    failure: &str,
) -> Result<TrainRun, Failure> {
    let reason = format!("{service} ({}) failed: {failure}", step.release.name);
    finish(ctx, promotion, false, &reason)?;
    Ok(TrainRun {
        promotion: promotion.id.clone(),
        ok: false,
        moved,
        failed: Some(service.to_string()),
        reason,
    })
}

/// One member's step back: the release it goes back to, and why none when it has none.
#[derive(Debug, Clone, Serialize)]
pub struct BackoutStep {
    pub service: String,
    /// What the member went to in the promotion.
    pub from: String,
    /// What it goes back to (what ran before), `None` when nothing earlier is known.
    pub to: Option<String>,
}

/// The backout of the latest promotion of the train release into `env`: the members whose
/// deployer was called, in reverse order, each back to what ran before it.
pub fn backout_steps(
    ctx: &Context,
    train: &str,
    release: &str,
    env: &str,
) -> Result<Vec<BackoutStep>, Failure> {
    settle_trains(ctx, now())?;
    let (_, ledger, trains) = trains(ctx)?;
    let Some(p) = trains.latest_promotion(train, release, env) else {
        return Err(Failure::failed(format!(
            "{release} was never promoted into {env}: nothing to back out"
        )));
    };
    if p.outcome.is_none() {
        return Err(Failure::blocked(format!(
            "the promotion of {release} into {env} is still running; wait for it to finish"
        )));
    }
    let mut steps = Vec::new();
    for (m, state) in p.member_states(&ledger).into_iter().rev() {
        let id = match &state {
            MemberState::Waiting => continue,
            MemberState::InFlight { deployment }
            | MemberState::Succeeded { deployment }
            | MemberState::Failed { deployment, .. } => deployment.clone(),
        };
        let to = ledger
            .deployment(&id)
            .and_then(|d| d.previous_release.clone());
        steps.push(BackoutStep {
            service: m.service.clone(),
            from: m.release.clone(),
            to,
        });
    }
    Ok(steps)
}

/// Rolls the moved members back in reverse order, each verified before the next; a member
/// with nothing earlier known is skipped and said so.
pub async fn backout(
    ctx: &Context,
    train: &str,
    release: &str,
    env: &str,
    observations: &[Observation],
    progress: &mut dyn FnMut(&str),
) -> Result<TrainRun, Failure> {
    ctx.writable("train rollback")?;
    let steps = backout_steps(ctx, train, release, env)?;
    none_running(ctx, train, env)?;
    let mut plans = Vec::new();
    let mut members = Vec::new();
    for step in &steps {
        let Some(to) = &step.to else {
            progress(&format!(
                "{}: nothing ran before {} in {env} that shipdeck knows of; not rolled back",
                step.service, step.from
            ));
            continue;
        };
        let r = resolve_release(ctx, &step.service, to)?;
        let plan = rollback_plan(ctx, &step.service, &r, env, observations).await?;
        if plan.running.name() == Some(r.name.as_str()) {
            progress(&format!("{}: already back on {to}", step.service));
            continue;
        }
        members.push(TrainMember {
            service: step.service.clone(),
            release: r.name.clone(),
            commit: r.commit.clone(),
        });
        plans.push((step.service.clone(), plan));
    }
    if plans.is_empty() {
        return Ok(TrainRun {
            promotion: String::new(),
            ok: true,
            moved: Vec::new(),
            failed: None,
            reason: "nothing to roll back".to_string(),
        });
    }
    let promotion = start(ctx, train, release, env, &members, true)?;
    run_steps(ctx, &promotion, &plans, progress).await
}
