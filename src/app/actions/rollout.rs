//! The rollout engine: a promotion into a slotted target deploys to the idle slot, verifies it,
//! then shifts traffic step by step with analysis during each pause, and ends `deploy-succeeded`
//! at 100 % or `rollout-aborted` with all traffic back on the old slot. Every shift is read back
//! from the router before it is recorded; a router that does not answer pauses the rollout and
//! nothing is assumed. What to do next is `crate::domain::rollout::next`, pure.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::context::{Context, now};
use crate::app::failure::Failure;
use crate::deploy::{self, DeployRequest};
use crate::domain::event::{Fact, RolloutStep, outcome_id};
use crate::domain::gates::External;
use crate::domain::release::Release;
use crate::domain::rollout::{self, Next, Outcome, Rollout};
use crate::domain::traffic::{
    Step, TrafficSpec, Weights, as_percent, deployer_for_slot, idle_slot, live_slot, same_split,
    step_weights,
};
use crate::probe::Target;
use crate::store;
use crate::traffic::{self as router, RouterError};

use super::checks;
use super::plan::{Plan, request};
use super::query::resolve_release;
use super::traffic::{probe_slot, runs_healthy, slotted, target};

/// How often a driver looks at the new slot (verification and analysis).
const POLL: Duration = Duration::from_secs(1);
/// How many times a router that does not answer is asked again before the driver gives up and
/// leaves the rollout paused where the log says it is.
const ROUTER_TRIES: u32 = 3;

/// How a rollout begins.
#[derive(Debug, Clone)]
pub struct Begin {
    /// Call the deployer for the slot (a switch moves traffic to what the slot runs already).
    pub deploy: bool,
    /// The slot to go to; default: the idle one.
    pub to: Option<String>,
    /// The steps; default: the configuration's.
    pub steps: Option<Vec<Step>>,
}

/// What a rollout of `plan` will do: from which slot to which, the deploy call and each step's
/// router call, exactly.
#[derive(Debug, Clone)]
pub struct RolloutPlan {
    pub from: String,
    pub to: String,
    pub weights: Weights,
    pub deploy_call: Option<String>,
    /// (step, the router call that makes it).
    pub steps: Vec<(Step, String)>,
}

fn router_failure(e: &RouterError, what: &str) -> Failure {
    Failure::failed(format!("{what}: {e}"))
}

/// Reads the router and says which slots a rollout would use.
pub async fn rollout_plan(
    ctx: &Context,
    plan: &Plan,
    to: Option<&str>,
) -> Result<RolloutPlan, Failure> {
    let spec = slotted(ctx, &plan.service, &plan.env)?;
    let weights = router::read(spec, ctx.trusted)
        .await
        .map_err(|e| router_failure(&e, "cannot plan the rollout"))?;
    let (from, to) = slots_for(spec, &weights, to)?;
    let (events, ledger) = ctx.ledger()?;
    let req = request(
        ctx,
        (&events, &ledger),
        &plan.service,
        &plan.release,
        &plan.env,
        plan.running.as_deref(),
        "<idempotency-key>",
    );
    let deploy_call = ctx
        .service(&plan.service)?
        .deployer_for(&plan.env)
        .map(|d| {
            deploy::describe(&deployer_for_slot(d, &to), &req)
                .unwrap_or_else(|e| format!("cannot call: {e}"))
        });
    let steps = spec
        .steps
        .iter()
        .map(|s| {
            let w = step_weights(&spec.slots, &from, &to, s.weight);
            (*s, router::describe(spec, &w, &to, &req))
        })
        .collect();
    Ok(RolloutPlan {
        from,
        to,
        weights: as_percent(&spec.slots, &weights),
        deploy_call,
        steps,
    })
}

fn slots_for(
    spec: &TrafficSpec,
    weights: &Weights,
    to: Option<&str>,
) -> Result<(String, String), Failure> {
    let Some(live) = live_slot(&spec.slots, weights) else {
        return Err(Failure::failed(
            "the router sends no traffic to any slot; route one by hand first",
        ));
    };
    let to = match to {
        Some(t) if t == live => {
            return Err(Failure::usage(format!("`{t}` is the live slot already")));
        }
        Some(t) => t.to_string(),
        None => idle_slot(&spec.slots, weights, live)
            .ok_or_else(|| Failure::failed("no idle slot"))?
            .to_string(),
    };
    Ok((live.to_string(), to))
}

/// Starts a rollout of `plan`: records `rollout-started` and `deploy-requested`, calls the
/// slot's deployer once (unless `begin.deploy` is false), records `deploy-accepted` (or
/// `deploy-failed`, exit 4). Returns the deployment id; [`drive`] walks it from there.
pub async fn begin(
    ctx: &Context,
    plan: &Plan,
    begin: &Begin,
    output: UnboundedSender<String>,
) -> Result<String, Failure> {
    let what = if plan.rollback { "rollback" } else { "promote" };
    ctx.writable(what)?;
    if !plan.allowed() {
        return Err(super::deploy::blocked(plan));
    }
    let spec = slotted(ctx, &plan.service, &plan.env)?;
    let svc = ctx.service(&plan.service)?;
    let (events, ledger) = ctx.ledger()?;
    if let Some(d) = ledger.in_flight(&plan.service, &plan.env) {
        return Err(Failure::blocked(format!(
            "{} in {} is being rolled out already: {} requested by {}; continue it with \
             `shipdeck rollout {} --env {} --resume`, or `--abort` it",
            d.service, d.env, d.release, d.requested_by, d.service, d.env
        )));
    }
    let weights = router::read(spec, ctx.trusted)
        .await
        .map_err(|e| router_failure(&e, "cannot start the rollout"))?;
    let (from, to) = slots_for(spec, &weights, begin.to.as_deref())?;
    let steps: Vec<RolloutStep> = begin
        .steps
        .as_ref()
        .unwrap_or(&spec.steps)
        .iter()
        .map(|s| RolloutStep {
            weight: s.weight,
            pause_secs: s.pause.as_secs(),
        })
        .collect();
    let id = store::new_event_id();
    let req = request(
        ctx,
        (&events, &ledger),
        &plan.service,
        &plan.release,
        &plan.env,
        plan.running.as_deref(),
        &id,
    );
    let deployer = if begin.deploy {
        let Some(d) = svc.deployer_for(&plan.env) else {
            return Err(Failure::usage(format!(
                "`{}` has no deployer for `{}`",
                plan.service, plan.env
            )));
        };
        Some(deployer_for_slot(d, &to))
    } else {
        None
    };
    let call = match &deployer {
        Some(d) => deploy::describe(d, &req).map_err(|e| Failure::usage(e.to_string()))?,
        None => router::describe(spec, &step_weights(&spec.slots, &from, &to, 100), &to, &req),
    };
    let scope = (
        Some(plan.service.as_str()),
        Some(plan.release.name.as_str()),
        Some(plan.env.as_str()),
    );
    ctx.record(
        &Fact::RolloutStarted {
            deployment: id.clone(),
            from: from.clone(),
            to: to.clone(),
            steps,
            weights: as_percent(&spec.slots, &weights),
        },
        scope.0,
        scope.1,
        scope.2,
    )?;
    ctx.record_with_id(
        id.clone(),
        &Fact::DeployRequested {
            commit: plan.release.commit.clone(),
            previous_release: plan.running.clone(),
            rollback: plan.rollback,
            call,
            verify_timeout_secs: ctx.config.verify_timeout(svc).as_secs(),
        },
        scope.0,
        scope.1,
        scope.2,
    )?;
    let detail = match &deployer {
        None => Ok(format!(
            "no deploy: slot {to} runs {} already",
            plan.release.name
        )),
        Some(d) => deploy::call(d, &req, ctx.trusted, output)
            .await
            .map(|a| a.detail)
            .map_err(|e| e.to_string()),
    };
    match detail {
        Ok(detail) => {
            ctx.record(
                &Fact::DeployAccepted {
                    deployment: id.clone(),
                    detail,
                },
                scope.0,
                scope.1,
                scope.2,
            )?;
            Ok(id)
        }
        Err(e) => {
            let reason = format!("the deployer refused: {e}");
            ctx.record_with_id(
                outcome_id(&id),
                &Fact::DeployFailed {
                    deployment: id.clone(),
                    reason: reason.clone(),
                },
                scope.0,
                scope.1,
                scope.2,
            )?;
            Err(Failure::deploy(format!(
                "{what} of {} to slot {to} of {} failed: {reason} (not retried; no traffic moved)",
                plan.release.name, plan.env
            )))
        }
    }
}

/// How far a driver goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every step, with its pause and analysis.
    Steps,
    /// Straight to 100 % once the slot is verified.
    Full,
    /// Deploy and verify only, then leave the rollout paused before its first step.
    VerifyOnly,
}

fn running(ctx: &Context, service: &str, env: &str) -> Result<Option<Rollout>, Failure> {
    let (events, _) = ctx.ledger()?;
    Ok(rollout::latest(&events, service, env).filter(|r| r.outcome == Outcome::Running))
}

fn ended(r: Option<Rollout>, ctx: &Context, service: &str, env: &str) -> Result<Rollout, Failure> {
    let (events, _) = ctx.ledger()?;
    let latest = rollout::latest(&events, service, env);
    let Some(done) = latest.or(r) else {
        return Err(Failure::failed(format!(
            "{service} in {env} has no rollout"
        )));
    };
    match &done.outcome {
        Outcome::Succeeded { .. } | Outcome::Running => Ok(done),
        Outcome::Aborted { reason, .. } => Err(Failure::deploy(format!(
            "the rollout of {} to {} was aborted: {reason}; all traffic is back on {}",
            done.release, env, done.from
        ))),
        Outcome::Failed { reason, .. } => Err(Failure::deploy(format!(
            "the rollout of {} to {} failed: {reason}",
            done.release, env
        ))),
    }
}

/// Walks the running rollout of (service, env) as far as `mode` says, printing each step on
/// `progress`. The caller holds the driver's lock.
pub async fn drive(
    ctx: &Context,
    service: &str,
    env: &str,
    mode: Mode,
    progress: &mut dyn FnMut(&str),
) -> Result<Rollout, Failure> {
    ctx.writable("drive a rollout")?;
    let spec = slotted(ctx, service, env)?.clone();
    let probe = target(ctx, service, env)?;
    let mut verified = false;
    let mut announced = None;
    loop {
        let Some(r) = running(ctx, service, env)? else {
            return ended(None, ctx, service, env);
        };
        let release = resolve_release(ctx, service, &r.release)?;
        if !verified && r.current_step().is_none() {
            verify(ctx, &probe, &r, &release, progress).await?;
            verified = true;
            if mode == Mode::VerifyOnly {
                return Ok(r);
            }
            continue;
        }
        match rollout::next(&r, now()) {
            Next::Shift { index } => {
                let index = if mode == Mode::Full {
                    r.last_step()
                } else {
                    index
                };
                shift(ctx, &spec, &r, index, progress).await?;
            }
            Next::Pause { step, until, next } => {
                if mode == Mode::Full {
                    shift(ctx, &spec, &r, r.last_step(), progress).await?;
                    continue;
                }
                if announced != Some(step) {
                    let left = until.duration_since(now()).as_secs().max(0);
                    progress(&format!(
                        "pause: {} {}% → {}% in {left}s (analysis every {}s)",
                        r.to,
                        r.steps[step].weight,
                        r.steps[next].weight,
                        POLL.as_secs()
                    ));
                    announced = Some(step);
                }
                if let Err(reason) = analysis(ctx, &probe, &r, &release).await {
                    progress(&format!("analysis failed: {reason}; aborting"));
                    abort(ctx, &r, &format!("analysis failed: {reason}"), progress).await?;
                    return ended(Some(r), ctx, service, env);
                }
                let left = until.duration_since(now());
                let wait = Duration::try_from(left).unwrap_or_default().min(POLL);
                tokio::time::sleep(wait.max(Duration::from_millis(20))).await;
            }
            Next::Finish => {
                ctx.record_with_id(
                    outcome_id(&r.deployment),
                    &Fact::DeploySucceeded {
                        deployment: r.deployment.clone(),
                    },
                    Some(service),
                    Some(&r.release),
                    Some(env),
                )?;
                progress(&format!("{} takes all traffic in {env}: done", r.to));
                return ended(Some(r), ctx, service, env);
            }
            Next::Ended => return ended(Some(r), ctx, service, env),
        }
    }
}

/// Waits for the new slot to report the release healthy, until the deployment's verify
/// deadline; then records the failure (nothing was shifted yet) and exits 4.
async fn verify(
    ctx: &Context,
    probe: &Target,
    r: &Rollout,
    release: &Release,
    progress: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    let (_, ledger) = ctx.ledger()?;
    let deadline = ledger
        .deployment(&r.deployment)
        .map_or_else(now, |d| d.verify_deadline);
    let mut last = String::new();
    loop {
        let o = probe_slot(ctx, probe, &r.to).await;
        if let Some(o) = &o {
            let line = format!(
                "slot {} reports {} ({})",
                r.to,
                o.release
                    .as_deref()
                    .or(o.reported_version.as_deref())
                    .unwrap_or("no version"),
                o.health.as_str()
            );
            if line != last {
                progress(&line);
                last = line;
            }
            if runs_healthy(o, release) {
                return Ok(());
            }
        }
        if running(ctx, &r.service, &r.env)?.is_none() {
            return ended(Some(r.clone()), ctx, &r.service, &r.env).map(|_| ());
        }
        if now() >= deadline {
            let reason = format!("slot {} was not verified in time: {last}", r.to);
            ctx.record_with_id(
                outcome_id(&r.deployment),
                &Fact::DeployFailed {
                    deployment: r.deployment.clone(),
                    reason: reason.clone(),
                },
                Some(&r.service),
                Some(&r.release),
                Some(&r.env),
            )?;
            return Err(Failure::deploy(format!(
                "{reason}; no traffic was moved, {} still takes it",
                r.from
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The new slot's health and the environment's `analysis = true` checks, once.
async fn analysis(
    ctx: &Context,
    probe: &Target,
    r: &Rollout,
    release: &Release,
) -> Result<(), String> {
    match probe_slot(ctx, probe, &r.to).await {
        Some(o) if runs_healthy(&o, release) => {}
        Some(o) => {
            return Err(format!(
                "slot {} reports {} ({}{})",
                r.to,
                o.release
                    .as_deref()
                    .or(o.reported_version.as_deref())
                    .unwrap_or("no version"),
                o.health.as_str(),
                if o.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", o.detail)
                }
            ));
        }
        None => return Err(format!("slot {} has no probe", r.to)),
    }
    let Some(ids) = ctx
        .config
        .exposure
        .analysis
        .get(&r.env)
        .filter(|i| !i.is_empty())
    else {
        return Ok(());
    };
    let (Ok(svc), Ok(environment)) = (ctx.service(&r.service), ctx.environment(&r.env)) else {
        return Ok(());
    };
    let previous = {
        let (_, ledger) = ctx.ledger().map_err(|f| f.message)?;
        ledger
            .deployment(&r.deployment)
            .and_then(|d| d.previous_release.clone())
    };
    let results = checks::external(ctx, svc, environment, release, previous.as_deref()).await;
    for id in ids {
        if let Some(External::Fail(why)) = results.get(id) {
            return Err(format!("analysis check `{id}`: {why}"));
        }
    }
    Ok(())
}

/// The router's weights, asked again a few times when it does not answer (saying so each time).
async fn read_patiently(
    ctx: &Context,
    spec: &TrafficSpec,
    progress: &mut dyn FnMut(&str),
) -> Result<Weights, RouterError> {
    let mut tries = 0;
    loop {
        match router::read(spec, ctx.trusted).await {
            Ok(w) => return Ok(w),
            Err(e) => {
                tries += 1;
                if tries >= ROUTER_TRIES {
                    return Err(e);
                }
                progress(&format!("paused: {e}; asking again"));
                tokio::time::sleep(POLL).await;
            }
        }
    }
}

fn deploy_request(ctx: &Context, r: &Rollout) -> Result<DeployRequest, Failure> {
    let (events, ledger) = ctx.ledger()?;
    let release = resolve_release(ctx, &r.service, &r.release)?;
    let previous = ledger
        .deployment(&r.deployment)
        .and_then(|d| d.previous_release.clone());
    Ok(request(
        ctx,
        (&events, &ledger),
        &r.service,
        &release,
        &r.env,
        previous.as_deref(),
        &r.deployment,
    ))
}

fn paused(r: &Rollout, e: &RouterError) -> Failure {
    Failure::failed(format!(
        "{e}. The rollout of {} in {} is paused where the log says it is ({}), nothing assumed; \
         `shipdeck traffic {} --env {}` shows the router, `shipdeck rollout {} --env {} --resume` \
         continues",
        r.release,
        r.env,
        crate::domain::traffic::describe_weights(&slots_of(r), r.recorded()),
        r.service,
        r.env,
        r.service,
        r.env
    ))
}

fn slots_of(r: &Rollout) -> Vec<String> {
    r.initial.keys().cloned().collect()
}

/// Moves the router to step `index` of `r`, reads it back, and records the shift when the
/// router holds it. A write that fails is read back too: it may have been applied.
async fn shift(
    ctx: &Context,
    spec: &TrafficSpec,
    r: &Rollout,
    index: usize,
    progress: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    let step = r.steps[index];
    let wanted = step_weights(&spec.slots, &r.from, &r.to, step.weight);
    let req = deploy_request(ctx, r)?;
    let before = read_patiently(ctx, spec, progress)
        .await
        .map_err(|e| paused(r, &e))?;
    let call = match router::write(spec, &wanted, &r.to, &req, ctx.trusted).await {
        Ok(call) => call,
        Err(e) => {
            progress(&format!(
                "the router write did not answer cleanly ({e}); reading back"
            ));
            router::describe(spec, &wanted, &r.to, &req)
        }
    };
    let after = read_patiently(ctx, spec, progress)
        .await
        .map_err(|e| paused(r, &e))?;
    if !same_split(&spec.slots, &after, &wanted) {
        return Err(Failure::failed(format!(
            "the router holds {} after the shift, not {}: step {} of the rollout of {} in {} is \
             not counted and the rollout stops here; `shipdeck traffic {} --env {}` shows it",
            router::shown(spec, &as_percent(&spec.slots, &after)),
            router::shown(spec, &wanted),
            index + 1,
            r.release,
            r.env,
            r.service,
            r.env
        )));
    }
    ctx.record(
        &Fact::TrafficShifted {
            deployment: Some(r.deployment.clone()),
            slot: r.to.clone(),
            before: as_percent(&spec.slots, &before),
            after: as_percent(&spec.slots, &after),
            step: Some(index),
            call,
        },
        Some(&r.service),
        Some(&r.release),
        Some(&r.env),
    )?;
    progress(&format!(
        "step {}/{}: {} (read back from the router)",
        index + 1,
        r.steps.len(),
        router::shown(spec, &as_percent(&spec.slots, &after))
    ));
    Ok(())
}

/// Puts all traffic back on the old slot of `r`, reads it back, and records the shift (when
/// one was needed), `rollout-aborted` and the deployment's failure. Never blocked by gates.
pub async fn abort(
    ctx: &Context,
    r: &Rollout,
    reason: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<(), Failure> {
    ctx.writable("abort a rollout")?;
    let spec = slotted(ctx, &r.service, &r.env)?.clone();
    let back = step_weights(&spec.slots, &r.to, &r.from, 100);
    let req = deploy_request(ctx, r)?;
    let before = read_patiently(ctx, &spec, progress).await.map_err(|e| {
        Failure::failed(format!(
            "could not move traffic back: {e}; nothing recorded, abort again once the router answers"
        ))
    })?;
    if !same_split(&spec.slots, &before, &back) {
        let call = match router::write(&spec, &back, &r.from, &req, ctx.trusted).await {
            Ok(call) => call,
            Err(e) => {
                progress(&format!(
                    "the router write did not answer cleanly ({e}); reading back"
                ));
                router::describe(&spec, &back, &r.from, &req)
            }
        };
        let after = read_patiently(ctx, &spec, progress).await.map_err(|e| {
            Failure::failed(format!(
                "could not read the router back after moving traffic to {}: {e}; nothing \
                 recorded, abort again",
                r.from
            ))
        })?;
        if !same_split(&spec.slots, &after, &back) {
            return Err(Failure::failed(format!(
                "the router holds {} after the move back, not {}; nothing recorded, abort again",
                router::shown(&spec, &as_percent(&spec.slots, &after)),
                router::shown(&spec, &back)
            )));
        }
        ctx.record(
            &Fact::TrafficShifted {
                deployment: Some(r.deployment.clone()),
                slot: r.from.clone(),
                before: as_percent(&spec.slots, &before),
                after: as_percent(&spec.slots, &after),
                step: None,
                call,
            },
            Some(&r.service),
            Some(&r.release),
            Some(&r.env),
        )?;
    }
    ctx.record(
        &Fact::RolloutAborted {
            deployment: r.deployment.clone(),
            reason: reason.to_string(),
        },
        Some(&r.service),
        Some(&r.release),
        Some(&r.env),
    )?;
    ctx.record_with_id(
        outcome_id(&r.deployment),
        &Fact::DeployFailed {
            deployment: r.deployment.clone(),
            reason: format!("rollout aborted: {reason}"),
        },
        Some(&r.service),
        Some(&r.release),
        Some(&r.env),
    )?;
    progress(&format!(
        "aborted: {} takes all traffic again ({})",
        r.from,
        router::shown(&spec, &back)
    ));
    Ok(())
}

/// The running rollout of (service, env), or a failure saying there is none.
pub fn current(ctx: &Context, service: &str, env: &str) -> Result<Rollout, Failure> {
    slotted(ctx, service, env)?;
    running(ctx, service, env)?
        .ok_or_else(|| Failure::usage(format!("no rollout of {service} in {env} is in progress")))
}

/// The slot other than the live one that runs `release` healthy now: where a backout switches.
pub async fn slot_running(
    ctx: &Context,
    service: &str,
    env: &str,
    release: &Release,
) -> Result<Option<String>, Failure> {
    let spec = slotted(ctx, service, env)?;
    let weights = router::read(spec, ctx.trusted)
        .await
        .map_err(|e| router_failure(&e, "cannot read the router"))?;
    let live = live_slot(&spec.slots, &weights)
        .unwrap_or_default()
        .to_string();
    let probe = target(ctx, service, env)?;
    for slot in spec.slots.iter().filter(|s| **s != live) {
        if let Some(o) = probe_slot(ctx, &probe, slot).await
            && runs_healthy(&o, release)
        {
            return Ok(Some(slot.clone()));
        }
    }
    Ok(None)
}
