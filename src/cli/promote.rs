//! `shipdeck promote SERVICE RELEASE --to ENV [--yes] [--no-wait]`: deploy, then verify; also
//! how `rollback` runs its deployment.

use std::path::Path;

use crate::app::actions::{self, Plan, observe_and_settle, resolve_release, wait_for_outcome};
use crate::app::{Context, Failure};
use crate::domain::ledger::DeploymentState;

use super::confirm::confirm;
use super::output::warn_all;
use super::plan::print_plan;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
    pub release: String,
    /// The environment to deploy to.
    #[arg(long, value_name = "ENV")]
    pub to: String,
    /// Confirm without asking (a protected environment still needs this flag in scripts).
    #[arg(long)]
    pub yes: bool,
    /// Return once the deployer accepted the call; verification is finished by whoever
    /// looks next.
    #[arg(long)]
    pub no_wait: bool,
}

#[allow(clippy::fn_params_excessive_bools)]
pub async fn run(
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
    deploy(&ctx, &plan, no_wait).await
}

/// Asks the deployer, then (unless `no_wait`) waits for the verification's outcome.
pub async fn deploy(ctx: &Context, plan: &Plan, no_wait: bool) -> Result<u8, Failure> {
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
