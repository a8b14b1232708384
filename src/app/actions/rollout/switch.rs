//! A switch: all traffic of a slotted target to its idle slot, once that slot is verified (it
//! reports a release, healthy). A switch back — to a release that ran here before — is not
//! gated; any other switch needs the gates. `shipdeck switch` and the console's `S` share it.

use crate::app::actions::deploy::{observe_and_settle, rollback_plan};
use crate::app::actions::plan::{Plan, plan};
use crate::app::actions::query::resolve_release;
use crate::app::actions::traffic::view;
use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::domain::ledger::DeploymentState;
use crate::domain::observation::Health;

/// What a switch of (service, env) would do, planned now.
#[derive(Debug, Clone)]
pub struct SwitchPlan {
    /// The live slot, and the idle one traffic goes to.
    pub from: String,
    pub to: String,
    /// The plan of the release the idle slot runs (a rollback plan for a switch back).
    pub plan: Plan,
    /// The release ran here before: a switch back, never gated.
    pub back: bool,
}

/// Reads the router and the slots, and plans the switch; fails saying why when there is no
/// idle slot, it is not verified, or the router cannot be read.
pub async fn switch_plan(ctx: &Context, service: &str, env: &str) -> Result<SwitchPlan, Failure> {
    let v = view(ctx, service, env).await?;
    if let Err(e) = &v.weights {
        return Err(Failure::failed(format!("cannot switch: {e}")));
    }
    let live = v.live.clone().unwrap_or_default();
    let Some(idle) = v
        .slots
        .iter()
        .filter(|s| s.name != live)
        .min_by_key(|s| s.weight.unwrap_or(0))
    else {
        return Err(Failure::failed("no idle slot to switch to"));
    };
    let Some(release_name) = idle.release.clone().filter(|_| idle.health == Health::Pass) else {
        return Err(Failure::failed(format!(
            "slot {} is not verified: it reports {} ({}{}); nothing switched",
            idle.name,
            idle.release
                .as_deref()
                .or(idle.reported_version.as_deref())
                .unwrap_or("no release"),
            idle.health.as_str(),
            if idle.detail.is_empty() {
                String::new()
            } else {
                format!(": {}", idle.detail)
            }
        )));
    };
    let release = resolve_release(ctx, service, &release_name)?;
    let observations = observe_and_settle(ctx, Some(&[service])).await?;
    let (_, ledger) = ctx.ledger()?;
    // A release that ran here before (deployed, or what a deployment replaced) is a switch back.
    let back = ledger.deployments().iter().any(|d| {
        d.service == service
            && d.env == env
            && ((d.release == release.name && matches!(d.state, DeploymentState::Succeeded { .. }))
                || d.previous_release.as_deref() == Some(release.name.as_str()))
    });
    let plan = if back {
        rollback_plan(ctx, service, &release, env, &observations).await?
    } else {
        plan(ctx, service, &release, env, &observations).await?
    };
    Ok(SwitchPlan {
        from: live,
        to: idle.name.clone(),
        plan,
        back,
    })
}
