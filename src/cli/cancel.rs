//! `shipdeck cancel SERVICE --env ENV --reason TEXT`: release a target a deployment is stuck on.

use std::path::Path;

use crate::app::actions;
use crate::app::{Context, Failure};

use super::output::warn_all;

/// `shipdeck cancel SERVICE --env ENV --reason TEXT`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The environment whose deployment is stuck.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Why it is cancelled (recorded in the log with your name).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

pub fn cancel(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    env: &str,
    reason: &str,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let d = actions::cancel(&ctx, service, env, reason)?;
    println!(
        "cancelled the deployment of {} to {} (requested by {} at {}); {} is free to promote \
         or roll back",
        d.release,
        d.env,
        d.requested_by,
        d.requested_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        d.env
    );
    Ok(0)
}
