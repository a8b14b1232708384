//! Driving a rollout: verify the new slot, then each step's shift, pause and analysis, until
//! 100 % or an abort.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::app::context::{Context, now};
use crate::app::failure::Failure;
use crate::domain::event::{Fact, outcome_id};
use crate::domain::gates::External;
use crate::domain::release::Release;
use crate::domain::rollout::{self, Next, Outcome, Rollout};
use crate::domain::traffic::{TrafficSpec, as_percent, same_split, step_weights};
use crate::probe::Target;
use crate::traffic::{self as router};

use crate::app::actions::checks;
use crate::app::actions::query::resolve_release;
use crate::app::actions::traffic::{probe_slot, runs_healthy, slotted, target};

use super::{POLL, abort, deploy_request, paused, read_patiently, running};

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
    drive_steered(ctx, service, env, mode, &AtomicBool::new(false), progress).await
}

/// [`drive`], with `next_now`: set by the one steering the driver (the console's `]`), it cuts
/// the current pause short — the next step is shifted at once (read back, recorded) — and is
/// cleared when that shift begins. It never skips a step or the new slot's verification.
pub async fn drive_steered(
    ctx: &Context,
    service: &str,
    env: &str,
    mode: Mode,
    next_now: &AtomicBool,
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
                if next_now.swap(false, Ordering::SeqCst) {
                    progress(&format!(
                        "pause cut short by {}: step {} now",
                        ctx.actor,
                        next + 1
                    ));
                    shift(ctx, &spec, &r, next, progress).await?;
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
