//! `flags` and `flag` on the command line.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use crate::app::actions::{
    FlagPlan, FlagRow, change_flag, flag_changes, flag_rows, freeze_blocks, plan_flag, read_flags,
};
use crate::app::{Context, Failure};
use crate::domain::flag::{FlagReading, FlagValue};
use crate::domain::flag_change::{Direction, FlagAction};
use crate::flags;

use super::args::FlagCommand;
use super::confirm::confirm;
use super::output::{emit, pad, warn_all};

fn value_json(v: FlagValue) -> serde_json::Value {
    json!({"enabled": v.enabled, "rollout": v.rollout})
}

fn row_json(r: &FlagRow) -> serde_json::Value {
    json!({
        "flag_service": r.provider,
        "flag": r.flag,
        "service": r.service,
        "env": r.env,
        "enabled": r.value.enabled,
        "rollout": r.value.rollout,
        "strategies": r.strategies,
        "recorded": r.recorded.map(value_json),
        "drift": r.drift,
    })
}

fn reading_json(ctx: &Context, r: &FlagReading) -> serde_json::Value {
    let kind = ctx
        .config
        .flags
        .iter()
        .find(|f| f.name == r.provider)
        .map(|f| f.kind.name());
    let (status, detail) = match &r.result {
        Ok(states) => ("ok", format!("{} flag states", states.len())),
        Err(fault) => (fault.status(), fault.to_string()),
    };
    json!({
        "name": r.provider,
        "kind": kind,
        "status": status,
        "detail": detail,
        "read_at": r.at.to_string(),
    })
}

/// `shipdeck flags [--env ENV] [--service S] [--json]`.
pub async fn list(
    config: Option<&Path>,
    read_only: bool,
    env: Option<&str>,
    service: Option<&str>,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    if let Some(env) = env {
        ctx.environment(env)?;
    }
    if let Some(service) = service {
        ctx.service(service)?;
    }
    let client = flags::client();
    let readings = read_flags(&ctx, &client).await;
    let changes = flag_changes(&ctx)?;
    let rows = flag_rows(&ctx.config, &readings, &changes, env, service);
    let mut out = String::new();
    if as_json {
        let doc = json!({
            "flag_services": readings.iter().map(|r| reading_json(&ctx, r)).collect::<Vec<_>>(),
            "flags": rows.iter().map(row_json).collect::<Vec<_>>(),
        });
        out = serde_json::to_string_pretty(&doc).unwrap_or_default();
        out.push('\n');
        return emit(&out).map(|()| 0);
    }
    if ctx.config.flags.is_empty() {
        out.push_str("no flag service is configured (`[[flags]]` in the configuration)\n");
    }
    for r in &readings {
        if let Err(fault) = &r.result {
            let _ = writeln!(out, "{}: {fault}", r.provider);
        }
    }
    if !rows.is_empty() {
        let width = rows
            .iter()
            .map(|r| r.flag.chars().count())
            .max()
            .unwrap_or(4)
            .max(4);
        let _ = writeln!(
            out,
            "{} {} {} STATE",
            pad("FLAG", width),
            pad("SERVICE", 10),
            pad("ENV", 10),
        );
        for r in &rows {
            let drift = match (r.drift, r.recorded) {
                (true, Some(rec)) => format!("   drift: shipdeck last set it {rec}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{} {} {} {}{drift}",
                pad(&r.flag, width),
                pad(r.service.as_deref().unwrap_or("(none)"), 10),
                pad(&r.env, 10),
                r.value,
            );
        }
    }
    emit(&out).map(|()| 0)
}

/// The arguments of `shipdeck flag`.
pub struct ChangeArgs {
    pub name: String,
    pub env: Option<String>,
    pub note: Option<String>,
    pub yes: bool,
    pub reason: Option<String>,
    pub action: FlagCommand,
}

fn print_plan(plan: &FlagPlan) {
    println!(
        "{} in {}{}: {} → {}",
        plan.flag,
        plan.env,
        if plan.protected { " (protected)" } else { "" },
        plan.before,
        plan.after
    );
    println!(
        "  flag service: {}{}",
        plan.provider,
        plan.service
            .as_deref()
            .map(|s| format!(", a flag of {s}"))
            .unwrap_or_default()
    );
    println!("  will call: {}", plan.shown_call);
    if let Some(freeze) = &plan.freeze {
        println!("  {}: {freeze}", plan.env);
    }
}

/// `shipdeck flag NAME --env ENV (on | off | rollout PERCENT) [--note TEXT] [--yes]`.
pub async fn change(
    config: Option<&Path>,
    read_only: bool,
    args: &ChangeArgs,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("changing a flag")?;
    let Some(env) = args.env.as_deref() else {
        return Err(Failure::usage("which environment? pass --env ENV"));
    };
    let action = match args.action {
        FlagCommand::On => FlagAction::On,
        FlagCommand::Off => FlagAction::Off,
        FlagCommand::Rollout { percent } => FlagAction::Rollout(percent),
    };
    let client = flags::client();
    let plan = plan_flag(&ctx, &client, &args.name, env, action).await?;
    if plan.direction == Direction::Same {
        println!(
            "{} in {} is already {}; nothing to do",
            plan.flag, plan.env, plan.before
        );
        return Ok(0);
    }
    print_plan(&plan);
    let freeze_override = freeze_blocks(&plan, args.reason.as_deref())?;
    if freeze_override.is_some() {
        println!("  the freeze is passed, for the reason given");
    }
    confirm(
        &format!("set {} {} in {}", plan.flag, action.describe(), plan.env),
        env,
        plan.protected,
        args.yes,
    )?;
    let outcome = change_flag(&ctx, &client, &plan, args.note.as_deref(), freeze_override).await?;
    if outcome.ok {
        println!(
            "{} in {} is {} (read back); recorded flag-changed {}",
            plan.flag,
            plan.env,
            outcome.read_back.unwrap_or(plan.after),
            outcome.event.id
        );
        Ok(0)
    } else {
        Err(Failure::failed(format!(
            "{} {} in {} did not take: {}; recorded as failed (flag-changed {})",
            plan.flag,
            action.describe(),
            plan.env,
            outcome.detail,
            outcome.event.id
        )))
    }
}
