//! `plan`, `promote` and `rollback` on the command line.

use std::path::Path;

use serde_json::json;

use crate::app::actions::{
    self, Plan, observe_and_settle, resolve_release, rollback_plan, rollback_target,
    wait_for_outcome,
};
use crate::app::{Context, Failure};
use crate::domain::ledger::DeploymentState;

use super::confirm::confirm;
use super::output::warn_all;

pub(super) fn plan_json(plan: &Plan) -> serde_json::Value {
    json!({
        "service": plan.service,
        "release": plan.release.name,
        "env": plan.env,
        "allowed": plan.allowed(),
        "rollback": plan.rollback,
        "protected": plan.protected,
        "running": plan.running,
        "call": plan.call,
        "gates": plan.report.gates.iter().map(|g| json!({
            "id": g.id,
            "kind": g.kind,
            "status": g.status.as_str(),
            "reason": g.reason,
            "until": g.until.map(|t| t.to_string()),
            "who": g.who,
        })).collect::<Vec<_>>(),
        "changes": plan.changes,
        "readiness": plan.readiness().label(&crate::domain::time::local_zone()),
        "downgrade": plan.downgrade,
        "failed_here": plan.failed_here.as_ref().map(|(at, reason)| json!({
            "at": at.to_string(), "reason": reason,
        })),
    })
}

fn print_plan(plan: &Plan) {
    let arrow = if plan.rollback { "rollback to" } else { "→" };
    println!(
        "{} {} {arrow} {}{}",
        plan.service,
        plan.release.name,
        plan.env,
        if plan.protected { " (protected)" } else { "" }
    );
    println!(
        "  running now: {}",
        plan.running.as_deref().unwrap_or("unknown")
    );
    if plan.downgrade {
        println!(
            "  ⇣ downgrade: {} is older than {}, which runs in {} now",
            plan.release.name,
            plan.running.as_deref().unwrap_or("what runs"),
            plan.env
        );
    }
    if let Some((at, reason)) = &plan.failed_here {
        let tz = crate::domain::time::local_zone();
        println!(
            "  ✖ failed here {}: {reason}",
            crate::domain::time::when(*at, crate::app::context::now(), &tz)
        );
    }
    if !plan.changes.is_empty() {
        println!("  changes ({} commits):", plan.changes.len());
        for c in plan.changes.iter().take(20) {
            println!(
                "    {} {} — {}",
                &c.commit[..7.min(c.commit.len())],
                c.summary,
                c.author
            );
        }
        if plan.changes.len() > 20 {
            println!("    … {} more", plan.changes.len() - 20);
        }
    }
    println!("  gates:");
    if plan.report.gates.is_empty() {
        println!("    (none: {} accepts any release)", plan.env);
    }
    for g in &plan.report.gates {
        let who = g
            .who
            .as_ref()
            .map(|w| format!(" [waiting on: {w}]"))
            .unwrap_or_default();
        println!(
            "    {:<10} {:<12} {}{who}",
            g.status.as_str(),
            g.id,
            g.reason
        );
    }
    match &plan.call {
        Some(call) => println!("  will call: {call}"),
        None => println!(
            "  will call: nothing (no deployer configured for {})",
            plan.env
        ),
    }
    if plan.rollback {
        println!("  gates do not block a rollback");
    } else if plan.report.allowed() {
        println!("  allowed");
    } else {
        println!(
            "  {}",
            plan.readiness().label(&crate::domain::time::local_zone())
        );
        let ids: Vec<&str> = plan
            .report
            .blocking()
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        println!("  blocked by: {}", ids.join(", "));
    }
}

pub async fn plan(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.environment(env)?;
    let release = resolve_release(&ctx, service, release)?;
    let observations = observe_and_settle(&ctx, Some(&[service])).await?;
    let plan = actions::plan(&ctx, service, &release, env, &observations).await?;
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan_json(&plan)).unwrap_or_default()
        );
    } else {
        print_plan(&plan);
    }
    Ok(if plan.allowed() { 0 } else { 3 })
}

#[allow(clippy::fn_params_excessive_bools)]
pub async fn promote(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    yes: bool,
    no_wait: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("promote")?;
    ctx.environment(env)?;
    let release = resolve_release(&ctx, service, release)?;
    let observations = observe_and_settle(&ctx, Some(&[service])).await?;
    let plan = actions::plan(&ctx, service, &release, env, &observations).await?;
    print_plan(&plan);
    if !plan.allowed() {
        return Err(actions::blocked(&plan));
    }
    let slotted = ctx.config.exposure.traffic(service, env).is_some();
    if slotted {
        super::traffic::print_rollout_plan(&ctx, &plan, None, true).await?;
    }
    confirm(
        &format!("promote {} to {}", release.name, env),
        env,
        plan.protected,
        yes,
    )?;
    if slotted {
        return super::traffic::promote(&ctx, &plan, no_wait).await;
    }
    run(&ctx, &plan, no_wait).await
}

#[allow(clippy::fn_params_excessive_bools)]
pub async fn rollback(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    env: &str,
    to: Option<&str>,
    yes: bool,
    no_wait: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("rollback")?;
    let observations = observe_and_settle(&ctx, Some(&[service])).await?;
    let release = rollback_target(&ctx, service, env, to, &observations)?;
    let plan = rollback_plan(&ctx, service, &release, env, &observations).await?;
    print_plan(&plan);
    if ctx.config.exposure.traffic(service, env).is_some() {
        return super::traffic::rollback(&ctx, &plan, yes, no_wait).await;
    }
    confirm(
        &format!("roll {service} in {env} back to {}", release.name),
        env,
        plan.protected,
        yes,
    )?;
    run(&ctx, &plan, no_wait).await
}

async fn run(ctx: &Context, plan: &Plan, no_wait: bool) -> Result<u8, Failure> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let printer = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            println!("  | {line}");
        }
    });
    let result = actions::promote(ctx, plan, tx).await;
    let _ = printer.await;
    let deployment = result?;
    println!(
        "deployment {} accepted: {} → {}",
        deployment.id, plan.release.name, plan.env
    );
    if no_wait {
        println!(
            "not waiting: `shipdeck status` (or the console) finishes the verification; it has \
             until {}",
            deployment.verify_deadline.strftime("%H:%M:%S UTC")
        );
        return Ok(0);
    }
    println!(
        "verifying: waiting for {} to report {} healthy (until {})",
        plan.env,
        plan.release.name,
        deployment.verify_deadline.strftime("%H:%M:%S UTC")
    );
    let done = wait_for_outcome(ctx, &deployment.id, &mut |line| println!("  {line}")).await?;
    match done.state {
        DeploymentState::Succeeded { .. } => {
            println!("{} is live in {} and healthy", plan.release.name, plan.env);
            Ok(0)
        }
        DeploymentState::Failed { reason, .. } => Err(Failure::deploy(format!(
            "deployment of {} to {} failed: {reason}\nback out with: shipdeck rollback {} --env {}",
            plan.release.name, plan.env, plan.service, plan.env
        ))),
        DeploymentState::InFlight => Err(Failure::deploy("verification ended without an outcome")),
    }
}
