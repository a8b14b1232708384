//! Beginning a rollout: the plan of its slots, deploy call and router calls, and its start
//! (records, the one deploy call to the idle slot).

use tokio::sync::mpsc::UnboundedSender;

use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::deploy::{self};
use crate::domain::event::{Fact, RolloutStep, outcome_id};
use crate::domain::release::Release;
use crate::domain::traffic::{
    Step, TrafficSpec, Weights, as_percent, deployer_for_slot, idle_slot, live_slot, step_weights,
};
use crate::store;
use crate::traffic::{self as router};

use crate::app::actions::plan::{Plan, request};
use crate::app::actions::traffic::slotted;

use super::router_failure;

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
/// Reads the router and says which slots a rollout would use.
pub async fn rollout_plan(
    ctx: &Context,
    plan: &Plan,
    to: Option<&str>,
) -> Result<RolloutPlan, Failure> {
    preview(
        ctx,
        &plan.service,
        &plan.release,
        &plan.env,
        plan.running.name(),
        to,
    )
    .await
}

/// [`rollout_plan`] of `release` into (service, env) where `running` runs now, without a gate
/// plan (the console's promote dialog asks for both at once).
pub async fn preview(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    running: Option<&str>,
    to: Option<&str>,
) -> Result<RolloutPlan, Failure> {
    let spec = slotted(ctx, service, env)?;
    let weights = router::read(spec, ctx.trusted)
        .await
        .map_err(|e| router_failure(&e, "cannot plan the rollout"))?;
    let (from, to) = slots_for(spec, &weights, to)?;
    let (events, ledger) = ctx.ledger()?;
    let req = request(
        ctx,
        (&events, &ledger),
        service,
        release,
        env,
        running,
        "<idempotency-key>",
    );
    let deploy_call = ctx.service(service)?.deployer_for(env).map(|d| {
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
        return Err(crate::app::actions::deploy::blocked(plan));
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
        plan.running.name(),
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
            previous_release: plan.running.name().map(str::to_string),
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
