//! Rollout actions of the console, through the same rollout engine `promote`, `rollout` and
//! `rollback` use (`app::actions::rollout`): the driver takes the driver's lock (a second driver,
//! here or in another process, is refused), each step comes back as an output line of the
//! operation, the end as `Msg::RolloutEnded`. A deploy call is made once and never retried.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::app::actions::rollout::{self as engine, Begin, Mode};
use crate::app::actions::traffic::take_driver;
use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::console::effect::RolloutAction;
use crate::console::msg::Msg;
use crate::console::state::{OpId, TargetKey};
use crate::domain::observation::Observation;
use crate::domain::traffic::Step;

/// The rollouts this console drives now: each one's "next step now" flag.
#[derive(Clone, Default)]
pub struct Drivers(Arc<Mutex<BTreeMap<TargetKey, Arc<AtomicBool>>>>);

impl Drivers {
    fn register(&self, key: &TargetKey) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        if let Ok(mut map) = self.0.lock() {
            map.insert(key.clone(), flag.clone());
        }
        flag
    }

    fn remove(&self, key: &TargetKey) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(key);
        }
    }

    /// Cuts the current pause of the rollout of `key` short, when this console drives it.
    pub fn next_now(&self, key: &TargetKey) {
        if let Ok(map) = self.0.lock()
            && let Some(flag) = map.get(key)
        {
            flag.store(true, Ordering::SeqCst);
        }
    }
}

/// Runs `action` on (service, env) as a task; every line it says goes to `op`'s output.
pub fn perform(
    ctx: Arc<Context>,
    drivers: Drivers,
    observations: Vec<Observation>,
    (op, service, env): (OpId, String, String),
    action: RolloutAction,
    tx: &UnboundedSender<Msg>,
) {
    let tx = tx.clone();
    // The engine's progress callback is not `Send`, so the driver runs on a thread of the
    // blocking pool, on this runtime; it may walk pauses for minutes without holding a worker.
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        handle.block_on(async move {
            let lines = tx.clone();
            // Lines quote routers and deployers: terminal-safe before they reach the state.
            let mut progress = move |line: &str| {
                let _ = lines.send(Msg::DeployOutput {
                    op,
                    line: crate::domain::sanitize::sanitize(line),
                });
            };
            let key = TargetKey::new(&service, &env);
            let result = match action {
                RolloutAction::Promote { release, rollback } => {
                    let flag = drivers.register(&key);
                    let r = promote(
                        &ctx,
                        &observations,
                        (&service, &env),
                        (&release, rollback),
                        &flag,
                        &mut progress,
                    )
                    .await;
                    drivers.remove(&key);
                    r
                }
                RolloutAction::Resume { next_now } => {
                    let flag = drivers.register(&key);
                    flag.store(next_now, Ordering::SeqCst);
                    let r = resume(&ctx, &service, &env, &flag, &mut progress).await;
                    drivers.remove(&key);
                    r
                }
                RolloutAction::Abort => abort(&ctx, &service, &env, &mut progress).await,
                RolloutAction::Switch => switch(&ctx, &service, &env, &mut progress).await,
            };
            let _ = tx.send(Msg::RolloutEnded {
                op,
                result: result.map_err(|f| f.to_string()),
            });
        });
    });
}

fn whole() -> Vec<Step> {
    vec![Step {
        weight: 100,
        pause: std::time::Duration::ZERO,
    }]
}

/// Plans again (gates as they stand now), then begins and drives the rollout; a rollback
/// switches back when another slot runs the release healthy, else redeploys it and switches.
async fn promote(
    ctx: &Context,
    observations: &[Observation],
    (service, env): (&str, &str),
    (release, rollback): (&crate::domain::release::Release, bool),
    next_now: &AtomicBool,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let plan = super::effects::plan_for(ctx, service, release, env, rollback, observations).await?;
    if !plan.allowed() {
        return Err(crate::app::actions::blocked(&plan));
    }
    let _driver = take_driver(ctx, service, env)?;
    let (to, mode, steps) = if rollback {
        let to = engine::slot_running(ctx, service, env, release).await?;
        (to, Mode::Full, Some(whole()))
    } else {
        (None, Mode::Steps, None)
    };
    match &to {
        Some(slot) => progress(&format!(
            "backout is a switch: slot {slot} runs {} healthy (no deploy)",
            release.name
        )),
        None if rollback => progress(&format!(
            "no idle slot runs {} healthy: it is redeployed to the idle slot",
            release.name
        )),
        None => {}
    }
    let deploy = to.is_none();
    let (otx, mut orx) = unbounded_channel::<String>();
    let begun = engine::begin(ctx, &plan, &Begin { deploy, to, steps }, otx).await;
    while let Ok(line) = orx.try_recv() {
        progress(&format!("| {line}"));
    }
    let id = begun?;
    progress(&format!(
        "deployment {id} accepted: {} → idle slot of {env}",
        release.name
    ));
    let done = engine::drive_steered(ctx, service, env, mode, next_now, progress).await;
    driven(ctx, service, env, done)
}

/// How a driver's walk ended, as the console says it: an abort by someone (`x` here, or
/// `rollout --abort` elsewhere) stopped it, which is news rather than an error; an abort by
/// analysis, a failure or a router that stopped answering is an error.
fn driven(
    ctx: &Context,
    service: &str,
    env: &str,
    done: Result<crate::domain::rollout::Rollout, Failure>,
) -> Result<String, Failure> {
    match done {
        Ok(r) => Ok(format!("{} is live in {env} on slot {}", r.release, r.to)),
        Err(f) => {
            let (events, _) = ctx.ledger()?;
            match crate::domain::rollout::latest(&events, service, env).map(|r| r.outcome) {
                Some(crate::domain::rollout::Outcome::Aborted { reason, .. })
                    if !reason.starts_with("analysis failed") =>
                {
                    Ok(format!(
                        "the driver of {service} in {env} stopped: {reason}"
                    ))
                }
                _ => Err(f),
            }
        }
    }
}

async fn resume(
    ctx: &Context,
    service: &str,
    env: &str,
    next_now: &AtomicBool,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let _driver = take_driver(ctx, service, env)?;
    let r = engine::current(ctx, service, env)?;
    progress(&format!(
        "driving the rollout of {} in {env} from here ({} → {})",
        r.release, r.from, r.to
    ));
    let done = engine::drive_steered(ctx, service, env, Mode::Steps, next_now, progress).await;
    driven(ctx, service, env, done)
}

async fn abort(
    ctx: &Context,
    service: &str,
    env: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let r = engine::current(ctx, service, env)?;
    engine::abort(
        ctx,
        &r,
        &format!("aborted by {} in the console", ctx.actor),
        progress,
    )
    .await?;
    Ok(format!(
        "rollout of {} in {env} aborted: {} takes all traffic again",
        r.release, r.from
    ))
}

/// A switch to the idle slot, planned again now.
async fn switch(
    ctx: &Context,
    service: &str,
    env: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<String, Failure> {
    let sp = engine::switch_plan(ctx, service, env).await?;
    if !sp.plan.allowed() {
        return Err(crate::app::actions::blocked(&sp.plan));
    }
    progress(&format!(
        "switch {service} in {env}: {} → {} ({}){}",
        sp.from,
        sp.to,
        sp.plan.release.name,
        if sp.back {
            ", a switch back: gates do not block it"
        } else {
            ""
        }
    ));
    let _driver = take_driver(ctx, service, env)?;
    let (otx, _orx) = unbounded_channel::<String>();
    engine::begin(
        ctx,
        &sp.plan,
        &Begin {
            deploy: false,
            to: Some(sp.to.clone()),
            steps: Some(whole()),
        },
        otx,
    )
    .await?;
    let done = engine::drive(ctx, service, env, Mode::Full, progress).await?;
    Ok(format!(
        "{} takes all traffic of {service} in {env} ({})",
        done.to, done.release
    ))
}
