//! The rollout engine: a promotion into a slotted target deploys to the idle slot, verifies it,
//! then shifts traffic step by step with analysis during each pause, and ends `deploy-succeeded`
//! at 100 % or `rollout-aborted` with all traffic back on the old slot. Every shift is read back
//! from the router before it is recorded; a router that does not answer pauses the rollout and
//! nothing is assumed. What to do next is `crate::domain::rollout::next`, pure.

mod abort;
mod drive;
mod start;
mod switch;
mod whole;

pub use abort::abort;
pub use drive::{Mode, drive, drive_steered};
pub use start::{Begin, RolloutPlan, begin, preview, rollout_plan};
pub use switch::{SwitchPlan, switch_plan};
pub use whole::{Carried, carry};

use std::time::Duration;

use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::deploy::DeployRequest;
use crate::domain::release::Release;
use crate::domain::rollout::{self, Outcome, Rollout};
use crate::domain::traffic::{TrafficSpec, Weights, live_slot};
use crate::traffic::{self as router, RouterError};

use crate::app::actions::plan::request;
use crate::app::actions::query::resolve_release;
use crate::app::actions::traffic::{probe_slot, runs_healthy, slotted, target};

/// How often a driver looks at the new slot (verification and analysis).
const POLL: Duration = Duration::from_secs(1);
/// How many times a router that does not answer is asked again before the driver gives up and
/// leaves the rollout paused where the log says it is.
const ROUTER_TRIES: u32 = 3;

fn router_failure(e: &RouterError, what: &str) -> Failure {
    Failure::failed(format!("{what}: {e}"))
}

fn running(ctx: &Context, service: &str, env: &str) -> Result<Option<Rollout>, Failure> {
    let (events, _) = ctx.ledger()?;
    Ok(rollout::latest(&events, service, env).filter(|r| r.outcome == Outcome::Running))
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
