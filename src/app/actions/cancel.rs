//! Releasing a stuck target: `shipdeck cancel SERVICE --env ENV --reason TEXT` records the
//! in-flight deployment as failed ("cancelled by …: reason"), under the outcome id every
//! observer would use, so nobody records another outcome for it afterwards.

use crate::domain::event::{Fact, outcome_id};
use crate::domain::ledger::Deployment;
use crate::domain::sanitize::sanitize;

use super::super::context::Context;
use super::super::failure::Failure;

/// Cancels the deployment of (service, env) in flight, with `reason` recorded.
pub fn cancel(
    ctx: &Context,
    service: &str,
    env: &str,
    reason: &str,
) -> Result<Deployment, Failure> {
    ctx.writable("cancelling a deployment")?;
    ctx.service(service)?;
    ctx.environment(env)?;
    if reason.trim().is_empty() {
        return Err(Failure::usage("say why: --reason TEXT"));
    }
    let (_, ledger) = ctx.ledger()?;
    let Some(d) = ledger.in_flight(service, env).cloned() else {
        return Err(Failure::failed(format!(
            "no deployment of {service} in {env} is in flight; nothing to cancel"
        )));
    };
    record(
        ctx,
        &d,
        &format!("cancelled by {}: {}", ctx.actor, sanitize(reason)),
    )?;
    Ok(d)
}

/// Records `d` as ended with `reason` (the outcome every observer would record).
pub(super) fn record(ctx: &Context, d: &Deployment, reason: &str) -> Result<(), Failure> {
    ctx.record_with_id(
        outcome_id(&d.id),
        &Fact::DeployFailed {
            deployment: d.id.clone(),
            reason: reason.to_string(),
        },
        Some(&d.service),
        Some(&d.release),
        Some(&d.env),
    )
    .map(|_| ())
}
