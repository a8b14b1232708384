//! `shipdeck releases SERVICE [--json]`: a service's releases, newest first.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use crate::app::Failure;
use crate::app::actions::{self};
use crate::app::context::{Context, now};

use super::output::{age, emit, json, warn_all};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// Print the releases as a JSON array.
    #[arg(long)]
    pub json: bool,
}

pub fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let list = actions::releases(&ctx, service)?;
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
                &r.commit[..12.min(r.commit.len())],
                age(now, r.date)
            );
        }
        emit(&text)?;
    }
    Ok(0)
}
