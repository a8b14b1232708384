//! Aborting a rollout: all traffic back on the old slot, read back, recorded.

use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::domain::event::{Fact, outcome_id};
use crate::domain::rollout::Rollout;
use crate::domain::traffic::{as_percent, same_split, step_weights};
use crate::traffic::{self as router};

use crate::app::actions::traffic::slotted;

use super::{deploy_request, read_patiently};

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
