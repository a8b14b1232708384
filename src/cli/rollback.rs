//! `shipdeck rollback SERVICE --env ENV [--to RELEASE] [--yes] [--no-wait]`.

use std::path::Path;

use crate::app::actions::{observe_and_settle, rollback_plan, rollback_target};
use crate::app::{Context, Failure};

use super::confirm::confirm;
use super::output::warn_all;
use super::plan::print_plan;
use super::promote::deploy;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The environment to roll back.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// The release to go back to (default: the previous one that deployed successfully).
    #[arg(long, value_name = "RELEASE")]
    pub to: Option<String>,
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
    deploy(&ctx, &plan, no_wait).await
}
