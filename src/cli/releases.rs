//! `shipdeck releases SERVICE [--unreleased] [--json]`: a service's releases, newest first, or
//! the commits on HEAD that touch its paths since the newest one.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use crate::app::Failure;
use crate::app::actions::{self};
use crate::app::context::{Context, now};
use crate::domain::commit_id::{PINNED, short_n};

use super::output::{age, emit, json, warn_all};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// Print the releases as a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Instead: the commits on HEAD touching the service's paths since its newest release
    /// (what a new tag would ship).
    #[arg(long)]
    pub unreleased: bool,
}

pub fn run(config: Option<&Path>, read_only: bool, args: &Args) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let (service, as_json) = (args.service.as_str(), args.json);
    let list = actions::releases(&ctx, service)?;
    if args.unreleased {
        return unreleased(&actions::unreleased(&ctx, service, &list)?, as_json);
    }
    if as_json {
        let rows: Vec<_> = list
            .iter()
            .map(|r| {
                json!({"release": r.name, "version": r.version, "commit": r.commit,
                       "date": r.date.to_string()})
            })
            .collect();
        println!("{}", json(&rows));
    } else {
        let now = now();
        let mut text = String::with_capacity(list.len() * 64);
        for r in &list {
            let _ = writeln!(
                text,
                "{:<24} {:<12} {}  {} ago",
                r.name,
                r.version,
                short_n(&r.commit, PINNED),
                age(now, r.date)
            );
        }
        emit(&text)?;
    }
    Ok(0)
}

/// `--unreleased`: `{"service","since","head","commits":[…]}` (commits as `changelog` prints
/// them), or a count and one line a commit.
fn unreleased(u: &actions::Unreleased, as_json: bool) -> Result<u8, Failure> {
    if as_json {
        println!("{}", json(u));
        return Ok(0);
    }
    let now = now();
    let since = u
        .since
        .as_deref()
        .map_or("(no release yet)".to_string(), |r| format!("since {r}"));
    let mut text = format!(
        "{}: {} unreleased commit{} on HEAD {since}\n",
        u.service,
        u.commits.len(),
        if u.commits.len() == 1 { "" } else { "s" }
    );
    for c in &u.commits {
        let _ = writeln!(
            text,
            "{}  {}  {}  {} ago",
            short_n(&c.commit, PINNED),
            c.summary,
            c.author,
            age(now, c.date)
        );
    }
    emit(&text)?;
    Ok(0)
}
