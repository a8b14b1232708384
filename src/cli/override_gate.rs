//! `shipdeck override SERVICE RELEASE --env ENV --gate ID --reason TEXT`.

use std::path::Path;

use crate::app::Failure;
use crate::app::actions::{self, Decision, resolve_release};
use crate::app::context::Context;

use super::output::warn_all;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
    pub release: String,
    /// The environment whose gate is passed.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// The gate's id (`plan` lists them), or `freeze`.
    #[arg(long, value_name = "ID")]
    pub gate: String,
    /// Why, recorded with the override (required).
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
}

pub fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    gate: &str,
    reason: &str,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("override")?;
    let release = resolve_release(&ctx, service, release)?;
    let decision = Decision::Override {
        service: service.to_string(),
        release: release.clone(),
        env: env.to_string(),
        gate: gate.to_string(),
        reason: reason.to_string(),
    };
    let event = actions::record(&ctx, &decision, &[])?;
    println!(
        "gate `{gate}` of {} → {env} overridden by {}: {reason} — event {}",
        release.name, event.actor, event.seq
    );
    Ok(0)
}
