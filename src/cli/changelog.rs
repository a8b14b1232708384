//! `shipdeck changelog SERVICE FROM TO [--json]`: commits in TO and not in FROM.

use std::fmt::Write as _;
use std::path::Path;

use crate::app::Failure;
use crate::app::actions::{self, observe_and_settle};
use crate::app::context::Context;
use crate::domain::commit_id::short;

use super::output::{emit, json, warn_all};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// Where to count from: a release, a commit, or an environment (what runs there).
    pub from: String,
    /// Where to count to: a release, a commit, or an environment (what runs there).
    pub to: String,
    /// Print the changelog as one JSON document.
    #[arg(long)]
    pub json: bool,
}

pub async fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    from: &str,
    to: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.service(service)?;
    let needs_live = ctx.config.environment(from).is_some() || ctx.config.environment(to).is_some();
    let observations = if needs_live {
        observe_and_settle(&ctx, Some(&[service])).await?
    } else {
        Vec::new()
    };
    let log = actions::changelog(&ctx, service, from, to, &observations)?;
    if as_json {
        emit(&(json(&log) + "\n"))?;
    } else {
        let mut text = String::with_capacity(64 + log.commits.len() * 80);
        let _ = writeln!(
            text,
            "{}..{}: {} commits",
            log.from,
            log.to,
            log.commits.len()
        );
        for c in &log.commits {
            let _ = writeln!(text, "{} {} — {}", short(&c.commit), c.summary, c.author);
        }
        emit(&text)?;
    }
    Ok(0)
}
