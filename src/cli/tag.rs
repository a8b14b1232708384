//! `shipdeck tag SERVICE COMMIT VERSION [--message TEXT] [--push]`.

use std::path::Path;

use crate::app::Failure;
use crate::app::actions::{self, Decision};
use crate::app::context::Context;

use super::output::warn_all;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration (its tag pattern names the tag).
    pub service: String,
    /// The commit to tag: a hash, a branch or any git revision.
    pub commit: String,
    /// The version (`1.6.1`); the tag is the pattern's prefix plus it.
    pub version: String,
    /// The tag's message (default: "Release <tag>").
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Push the tag to `origin` too.
    #[arg(long)]
    pub push: bool,
}

pub fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    commit: &str,
    version: &str,
    message: Option<&str>,
    push: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("tag")?;
    let decision = Decision::Tag {
        service: service.to_string(),
        commit: commit.to_string(),
        version: version.to_string(),
        message: message.map(str::to_string),
        push,
    };
    let event = actions::record(&ctx, &decision, &[])?;
    println!(
        "tagged {} at {}{}",
        event.release.as_deref().unwrap_or_default(),
        commit,
        if push { " and pushed it to origin" } else { "" }
    );
    Ok(0)
}
