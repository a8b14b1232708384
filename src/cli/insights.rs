//! `shipdeck insights [--since 30d] [--service S] [--env ENV] [--json]`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use jiff::SignedDuration;
use serde_json::json;

use crate::app::context::{Context, now};
use crate::app::insights::{Request, gather};
use crate::app::{Failure, insights::measured_env};
use crate::domain::duration::{format_duration, parse_duration};
use crate::domain::insights::{Insights, MIN_FOR_P90, Spread};

use super::output::{emit, json, pad, warn_all};

/// The JSON shape's version: fields may be added, never renamed.
const SHAPE: u32 = 1;

pub fn run(
    config: Option<&Path>,
    read_only: bool,
    since: &str,
    service: Option<String>,
    env: Option<String>,
    as_json: bool,
) -> Result<u8, Failure> {
    let length = parse_duration(since)
        .map_err(|e| Failure::usage(format!("--since: {e}")))
        .and_then(|d| {
            SignedDuration::try_from(d).map_err(|_| Failure::usage("--since: too long"))
        })?;
    if length.is_zero() {
        return Err(Failure::usage("--since: the period must be longer than 0s"));
    }
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let request = Request {
        since: length,
        until: now(),
        service,
        env,
    };
    let insights = gather(&ctx, &request)?;
    if as_json {
        let mut value = serde_json::to_value(&insights).unwrap_or(serde_json::Value::Null);
        if let Some(map) = value.as_object_mut() {
            map.insert("shape".into(), json!(SHAPE));
            map.insert("project".into(), json!(ctx.config.project.name));
        }
        println!("{}", json(&value));
    } else {
        let measured = measured_env(&ctx.config, request.env.as_deref());
        emit(&text(&ctx.config.project.name, since, &measured, &insights))?;
    }
    Ok(0)
}

/// A duration in seconds as people read it (`3d4h`, `12m`).
pub fn human(secs: f64) -> String {
    format_duration(Duration::from_secs_f64(secs.max(0.0).round()))
}

const NOT_ENOUGH: &str = "not enough data";

fn median_text(s: &Spread) -> String {
    s.median_secs.map_or(NOT_ENOUGH.to_string(), human)
}

fn p90_text(s: &Spread) -> String {
    s.p90_secs
        .map_or_else(|| format!("{NOT_ENOUGH} (needs {MIN_FOR_P90})"), human)
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The plain-text report.
pub fn text(project: &str, since: &str, env: &str, i: &Insights) -> String {
    let mut out = String::new();
    let scope = i.service.as_deref().unwrap_or("every service");
    let _ = writeln!(
        out,
        "Insights for {project}: the last {since} ({} → {}), {scope}; the four keys measured in {env}\n",
        i.period.since.strftime("%Y-%m-%d %H:%M"),
        i.period.until.strftime("%Y-%m-%d %H:%M UTC"),
    );
    out.push_str("Deployment frequency (successful deployments)\n");
    for f in &i.frequency {
        let rate = match (f.per_week, f.per_day) {
            (Some(w), Some(d)) => format!("{w:.1}/week  {d:.2}/day"),
            _ => NOT_ENOUGH.to_string(),
        };
        let rollbacks = if f.rollbacks > 0 {
            format!(
                " ({} among them)",
                plural(f.rollbacks, "rollback", "rollbacks")
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} {}  {}{rollbacks}",
            pad(&f.env, 10),
            pad(&rate, 22),
            plural(f.deployments, "deployment", "deployments"),
        );
    }
    let lt = &i.lead_time;
    let _ = writeln!(
        out,
        "\nLead time for changes (commit → first success in {env})\n  median {}  p90 {}  over {} in {}",
        median_text(&lt.spread),
        p90_text(&lt.spread),
        plural(lt.spread.samples, "commit", "commits"),
        plural(lt.deployments, "deployment", "deployments"),
    );
    if lt.unknown_releases > 0 {
        let _ = writeln!(
            out,
            "  ({} whose commits git could not read are left out)",
            plural(lt.unknown_releases, "deployment", "deployments")
        );
    }
    let cf = &i.change_failure;
    let rate = cf
        .rate
        .map_or(NOT_ENOUGH.to_string(), |r| format!("{:.0}%", r * 100.0));
    let _ = writeln!(
        out,
        "\nChange failure rate (deployments to {env} that failed or were rolled back)\n  {rate}  {} of {} ({} failed, {} rolled back)",
        cf.failed + cf.rolled_back,
        plural(cf.deployments, "deployment", "deployments"),
        cf.failed,
        cf.rolled_back,
    );
    let r = &i.restore;
    let _ = writeln!(
        out,
        "\nTime to restore (failed or rolled-back deployment in {env} → next healthy one)\n  median {}  over {} ({} still open)",
        median_text(&r.spread),
        plural(r.spread.samples, "restored incident", "restored incidents"),
        r.open,
    );
    out.push_str("\nWaits per stage (succeeded in one environment → requested in the next)\n");
    for s in &i.stages {
        let skipped = if s.skipped > 0 {
            format!(", {} not through {} first", s.skipped, s.from)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {} median {}  p90 {}  over {}{skipped}",
            pad(&format!("{} → {}", s.from, s.to), 20),
            pad(&median_text(&s.spread), 16),
            p90_text(&s.spread),
            plural(s.spread.samples, "promotion", "promotions"),
        );
    }
    if i.stages.is_empty() {
        out.push_str("  (one environment: no stages)\n");
    }
    out.push_str("\nWaits per gate kind (how long promotions were held)\n");
    for g in &i.gates {
        let measured = if g.spread.samples == 0 {
            "not measured".to_string()
        } else {
            format!(
                "median {}  total {}  held {} of {}",
                median_text(&g.spread),
                human(g.spread.total_secs),
                g.blocked,
                plural(g.spread.samples, "promotion", "promotions")
            )
        };
        let mut notes = Vec::new();
        if g.unmeasured > 0 {
            let why = match g.kind.as_str() {
                "check" | "healthy" | "ancestor" => "its results are not in the log",
                _ => "no stage start, or not met by the request",
            };
            notes.push(format!("{} not measured: {why}", g.unmeasured));
        }
        if g.overridden > 0 {
            notes.push(format!("{} overridden", g.overridden));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("  ({})", notes.join("; "))
        };
        let _ = writeln!(out, "  {} {measured}{notes}", pad(&g.kind, 10));
    }
    if i.gates.is_empty() {
        out.push_str("  (no promotion into an environment with gates in the period)\n");
    }
    out
}
