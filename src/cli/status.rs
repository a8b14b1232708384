//! `shipdeck status`: the board on the command line.

use std::fmt::Write as _;
use std::path::Path;

use crate::app::actions::observe_and_settle;
use crate::app::board::{Board, board};
use crate::app::context::now;
use crate::app::{Context, Failure};
use crate::domain::observation::Health;
use crate::domain::sanitize::truncate;

use super::output::{age, emit, json, pad, warn_all};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print the board as one JSON document (`services[].targets[]`).
    #[arg(long)]
    pub json: bool,
    /// Exit 1 when any target is not healthy, naming each on stderr (for scripts and
    /// monitors).
    #[arg(long)]
    pub check: bool,
}

pub async fn run(
    config: Option<&Path>,
    read_only: bool,
    as_json: bool,
    check: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let observations = observe_and_settle(&ctx, None).await?;
    let (_, ledger) = ctx.ledger_shown()?;
    let b = board(&ctx.config, &ledger, &observations);
    if as_json {
        let mut value = serde_json::to_value(&b).unwrap_or_default();
        if let (Some(report), Some(map)) = (ctx.log.last_sync(), value.as_object_mut()) {
            map.insert("shared_log".into(), shared_log(&report));
        }
        emit(&(json(&value) + "\n"))?;
    } else {
        emit(&table(&b))?;
    }
    if check {
        return Ok(check_health(&b));
    }
    Ok(0)
}

/// `status --check`: 1 when any target is not healthy, each named on stderr; else 0.
fn check_health(b: &Board) -> u8 {
    let unhealthy: Vec<String> = b
        .services
        .iter()
        .flat_map(|s| s.targets.iter().map(move |t| (s, t)))
        .filter(|(_, t)| t.health != Health::Pass)
        .map(|(s, t)| {
            let why = t
                .detail
                .as_deref()
                .map(|d| format!(": {}", truncate(d, 80)))
                .unwrap_or_default();
            format!("{} in {} is {}{why}", s.name, t.env, t.health.as_str())
        })
        .collect();
    for line in &unhealthy {
        eprintln!("not healthy: {line}");
    }
    u8::from(!unhealthy.is_empty())
}

/// The git backend's state for `status --json`: where, how far behind, what is unpushed.
fn shared_log(report: &crate::gitlog::SyncReport) -> serde_json::Value {
    serde_json::json!({
        "place": report.place,
        "reachable": report.unreachable.is_none(),
        "stale_since": report.stale_since,
        "unpushed": report.unpushed,
        "rewritten": report.rewritten.as_ref().map(|r| &r.missing),
    })
}

fn table(b: &Board) -> String {
    let now = now();
    let mut out = format!(
        "{} {} {} {} {} {} {}\n",
        pad("SERVICE", 12),
        pad("ENV", 10),
        pad("RELEASE", 20),
        pad("HEALTH", 12),
        pad("RUNNING SINCE", 24),
        pad("LATENCY", 8),
        "NOTE"
    );
    for svc in &b.services {
        for t in &svc.targets {
            let release = t
                .running_here
                .on_board(t.observed_at.is_some())
                .unwrap_or_else(|| "-".to_string());
            let mut notes = Vec::new();
            if t.drift {
                notes.push("DRIFT".to_string());
            }
            if let Some(d) = &t.deploying {
                notes.push(format!(
                    "{} {} by {} ({} ago)",
                    if d.rollback {
                        "rolling back to"
                    } else {
                        "deploying"
                    },
                    d.release,
                    d.by,
                    age(now, d.since)
                ));
            }
            if let Some(detail) = t.detail.as_ref().filter(|_| t.health != Health::Pass) {
                notes.push(truncate(detail, 60));
            }
            let _ = writeln!(
                out,
                "{} {} {} {} {} {} {}",
                pad(&svc.name, 12),
                pad(&t.env, 10),
                pad(&release, 20),
                pad(t.health.as_str(), 12),
                pad(&running_since(t, now), 24),
                pad(
                    &t.latency_ms.map_or("-".to_string(), |l| format!("{l}ms")),
                    8
                ),
                notes.join("; ")
            );
        }
    }
    out
}

/// "deployed 3m ago by dana" from the log, else "first seen 10s ago" (shipdeck did not deploy
/// what runs), else "-".
fn running_since(t: &crate::app::board::TargetCell, now: jiff::Timestamp) -> String {
    match (t.deployed_at, &t.deployed_by, t.first_seen) {
        (Some(at), Some(by), _) => {
            let who = by.split('@').next().unwrap_or(by);
            format!("deployed {} ago by {who}", age(now, at))
        }
        (_, _, Some(at)) => format!("first seen {} ago", age(now, at)),
        _ => "-".to_string(),
    }
}
