//! `shipdeck plan SERVICE RELEASE --to ENV [--json]`: the gates for a promotion (exit 3 when one
//! blocks); also how `promote` and `rollback` print a plan.

use std::path::Path;

use serde_json::json;

use crate::app::actions::{self, Plan, observe_and_settle, resolve_release};
use crate::app::{Context, Failure};
use crate::domain::commit_id::short;

use super::output::warn_all;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
    pub release: String,
    /// The environment it would enter.
    #[arg(long, value_name = "ENV")]
    pub to: String,
    /// Print the plan as one JSON document (gates, changes, the call).
    #[arg(long)]
    pub json: bool,
}

pub fn plan_json(plan: &Plan) -> serde_json::Value {
    json!({
        "service": plan.service,
        "release": plan.release.name,
        "env": plan.env,
        "allowed": plan.allowed(),
        "rollback": plan.rollback,
        "protected": plan.protected,
        "running": plan.running.name(),
        "running_here": plan.running,
        "call": plan.call,
        "gates": plan.report.gates.iter().map(|g| json!({
            "id": g.id,
            "kind": g.kind,
            "status": g.status.as_str(),
            "reason": g.reason,
            "until": g.until.map(|t| t.to_string()),
            "who": g.who,
        })).collect::<Vec<_>>(),
        "changes": plan.changes,
        "readiness": plan.readiness().label(&crate::domain::time::local_zone()),
        "downgrade": plan.downgrade,
        "failed_here": plan.failed_here.as_ref().map(|(at, reason)| json!({
            "at": at.to_string(), "reason": reason,
        })),
    })
}

pub fn print_plan(plan: &Plan) {
    let arrow = if plan.rollback { "rollback to" } else { "→" };
    println!(
        "{} {} {arrow} {}{}",
        plan.service,
        plan.release.name,
        plan.env,
        if plan.protected { " (protected)" } else { "" }
    );
    println!(
        "  running now: {}",
        plan.running
            .label()
            .unwrap_or_else(|| "unknown".to_string())
    );
    if plan.downgrade {
        println!(
            "  ⇣ downgrade: {} is older than {}, which runs in {} now",
            plan.release.name,
            plan.running.name().unwrap_or("what runs"),
            plan.env
        );
    }
    if let Some((at, reason)) = &plan.failed_here {
        let tz = crate::domain::time::local_zone();
        println!(
            "  ✖ failed here {}: {reason}",
            crate::domain::time::when(*at, crate::app::context::now(), &tz)
        );
    }
    if !plan.changes.is_empty() {
        println!("  changes ({} commits):", plan.changes.len());
        for c in plan.changes.iter().take(20) {
            println!("    {} {} — {}", short(&c.commit), c.summary, c.author);
        }
        if plan.changes.len() > 20 {
            println!("    … {} more", plan.changes.len() - 20);
        }
    }
    println!("  gates:");
    if plan.report.gates.is_empty() {
        println!("    (none: {} accepts any release)", plan.env);
    }
    for g in &plan.report.gates {
        let who = g
            .who
            .as_ref()
            .map(|w| format!(" [waiting on: {w}]"))
            .unwrap_or_default();
        println!(
            "    {:<10} {:<12} {}{who}",
            g.status.as_str(),
            g.id,
            g.reason
        );
    }
    match &plan.call {
        Some(call) => println!("  will call: {call}"),
        None => println!(
            "  will call: nothing (no deployer configured for {})",
            plan.env
        ),
    }
    if plan.rollback {
        println!("  gates do not block a rollback");
    } else if plan.report.allowed() {
        println!("  allowed");
    } else {
        println!(
            "  {}",
            plan.readiness().label(&crate::domain::time::local_zone())
        );
        let ids: Vec<&str> = plan
            .report
            .blocking()
            .iter()
            .map(|g| g.id.as_str())
            .collect();
        println!("  blocked by: {}", ids.join(", "));
    }
}

pub async fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.environment(env)?;
    let release = resolve_release(&ctx, service, release)?;
    let observations = observe_and_settle(&ctx, Some(&[service])).await?;
    let plan = actions::plan(&ctx, service, &release, env, &observations).await?;
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&plan_json(&plan)).unwrap_or_default()
        );
    } else {
        print_plan(&plan);
    }
    Ok(if plan.allowed() { 0 } else { 3 })
}
