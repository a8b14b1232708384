//! `shipdeck approve SERVICE RELEASE --env ENV [--note TEXT]`.

use std::path::Path;

use crate::app::Failure;
use crate::app::actions::{self, Decision, resolve_release};
use crate::app::context::Context;
use crate::domain::commit_id::{PINNED, short_n};

use super::output::warn_all;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
    pub release: String,
    /// The environment the approval is for.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Why you approve (shown to everyone with the approval).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// SERVICE names a train and RELEASE one of its train releases (`train cut`).
    #[arg(long)]
    pub train: bool,
}

pub fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    note: Option<&str>,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("approve")?;
    let release = resolve_release(&ctx, service, release)?;
    let decision = Decision::Approve {
        service: service.to_string(),
        release: release.clone(),
        env: env.to_string(),
        note: note.map(str::to_string),
    };
    let event = actions::record(&ctx, &decision, &[])?;
    println!(
        "approved by {}: {} ({}) for {} — event {} at {}",
        event.actor,
        release.name,
        short_n(&release.commit, PINNED),
        env,
        event.seq,
        event.at
    );
    Ok(0)
}
