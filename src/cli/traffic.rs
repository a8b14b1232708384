//! `traffic`, `switch`, `rollout`, and the rollout halves of `promote` and `rollback` on a
//! slotted target.

use std::path::Path;

use serde_json::json;

use crate::app::actions::rollout::{self as engine, Begin, Mode};
use crate::app::actions::traffic::{self as slots, TrafficView, take_driver};
use crate::app::actions::{self, Plan};
use crate::app::{Context, Failure};
use crate::domain::rollout::Next;
use crate::domain::traffic::{Step, describe_weights};

use super::confirm::confirm;
use super::output::warn_all;

/// `shipdeck traffic SERVICE --env ENV [--json]`.
#[derive(Debug, clap::Args)]
pub struct TrafficArgs {
    /// The service, as named in the configuration.
    pub service: String,
    /// The environment whose slots to show.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Print JSON (the shape is in the README).
    #[arg(long)]
    pub json: bool,
}

/// `shipdeck switch SERVICE --env ENV [--yes]`.
#[derive(Debug, clap::Args)]
pub struct SwitchArgs {
    /// The service, as named in the configuration.
    pub service: String,
    /// The environment to switch.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Confirm without asking (a protected environment still needs this flag in scripts).
    #[arg(long)]
    pub yes: bool,
}

/// `shipdeck rollout SERVICE --env ENV --resume | --full | --abort [--yes]`.
#[derive(Debug, clap::Args)]
pub struct RolloutArgs {
    /// The service, as named in the configuration.
    pub service: String,
    /// The environment of the rollout.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// Drive it on from where it stands: the pause left, then the next steps.
    #[arg(long, conflicts_with_all = ["full", "abort"], required_unless_present_any = ["full", "abort"])]
    pub resume: bool,
    /// Shift all traffic to the new slot now (once it verifies).
    #[arg(long, conflicts_with = "abort")]
    pub full: bool,
    /// Put all traffic back on the old slot (one confirmation; never gated).
    #[arg(long)]
    pub abort: bool,
    /// Confirm without asking.
    #[arg(long)]
    pub yes: bool,
}

impl RolloutArgs {
    /// What the flags ask for.
    pub fn action(&self) -> RolloutAction {
        if self.abort {
            RolloutAction::Abort
        } else if self.full {
            RolloutAction::Full
        } else {
            RolloutAction::Resume
        }
    }
}

fn print_line(line: &str) {
    println!("  {line}");
}

/// The `traffic --json` shape (README documents it).
pub fn view_json(v: &TrafficView) -> serde_json::Value {
    let rollout = v.rollout.as_ref().map(|r| {
        let next = v.next.as_ref().map(|n| match n {
            Next::Shift { index } => json!({"kind": "shift", "step": index, "weight": r.steps.get(*index).map(|s| s.weight)}),
            Next::Pause { step, until, next } => json!({
                "kind": "pause", "step": step, "until": until.to_string(),
                "weight": r.steps[*step].weight, "next_weight": r.steps.get(*next).map(|s| s.weight),
            }),
            Next::Finish => json!({"kind": "finish"}),
            Next::Ended => json!({"kind": "ended"}),
        });
        let reason = match &r.outcome {
            crate::domain::rollout::Outcome::Aborted { reason, .. }
            | crate::domain::rollout::Outcome::Failed { reason, .. } => Some(reason.clone()),
            _ => None,
        };
        json!({
            "deployment": r.deployment,
            "release": r.release,
            "from": r.from,
            "to": r.to,
            "state": v.state(),
            "outcome": r.outcome.as_str(),
            "driving": v.driving,
            "paused": r.outcome == crate::domain::rollout::Outcome::Running && !v.driving,
            "step": r.current_step(),
            "steps": r.steps,
            "recorded": r.recorded(),
            "next": next,
            "reason": reason,
            "started_by": r.started_by,
            "started_at": r.started_at.to_string(),
        })
    });
    json!({
        "service": v.service,
        "env": v.env,
        "router": crate::traffic::location(&v.spec),
        "kind": v.spec.router.kind(),
        "weights": v.weights.as_ref().ok(),
        "router_error": v.weights.as_ref().err(),
        "live": v.live,
        "recorded": v.recorded,
        "drift": v.drift,
        "slots": v.slots,
        "steps": v.spec.steps.iter().map(|s| json!({"weight": s.weight, "pause_secs": s.pause.as_secs()})).collect::<Vec<_>>(),
        "rollout": rollout,
    })
}

fn print_view(v: &TrafficView) {
    println!(
        "{} in {} — {}",
        v.service,
        v.env,
        crate::traffic::location(&v.spec)
    );
    match &v.weights {
        Ok(w) => println!(
            "  router: {}{}",
            describe_weights(&v.spec.slots, w),
            if v.drift {
                "  (drift: differs from the last recorded shift)"
            } else {
                ""
            }
        ),
        Err(e) => println!("  router: {e}"),
    }
    for s in &v.slots {
        let live = if v.live.as_deref() == Some(s.name.as_str()) {
            "live"
        } else {
            "idle"
        };
        println!(
            "  {:<8} {live:<5} {:>4} {:<24} {}",
            s.name,
            s.weight.map_or("?".to_string(), |w| format!("{w}%")),
            s.release
                .as_deref()
                .or(s.reported_version.as_deref())
                .unwrap_or("-"),
            s.health.as_str()
        );
    }
    if let Some(r) = &v.rollout {
        let step = r
            .current_step()
            .map_or("before its first step".to_string(), |k| {
                format!("step {}/{} ({}%)", k + 1, r.steps.len(), r.steps[k].weight)
            });
        println!(
            "  rollout of {} from {} to {}: {}, {step}",
            r.release,
            r.from,
            r.to,
            v.state()
        );
    }
}

pub async fn traffic(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    env: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let v = slots::view(&ctx, service, env).await?;
    if as_json {
        println!(
            "{}",
            serde_json::to_string_pretty(&view_json(&v)).unwrap_or_default()
        );
    } else {
        print_view(&v);
    }
    Ok(0)
}

/// Prints what the rollout will do: the slots, the deploy call and every step's router call.
pub async fn print_rollout_plan(
    ctx: &Context,
    plan: &Plan,
    to: Option<&str>,
    deploy: bool,
) -> Result<(), Failure> {
    let rp = engine::rollout_plan(ctx, plan, to).await?;
    let spec = slots::slotted(ctx, &plan.service, &plan.env)?;
    println!(
        "  rollout: {} → {} (router now: {})",
        rp.from,
        rp.to,
        describe_weights(&spec.slots, &rp.weights)
    );
    if deploy {
        println!(
            "    deploy to {}: {}",
            rp.to,
            rp.deploy_call.as_deref().unwrap_or("nothing (no deployer)")
        );
        println!(
            "    verify {}: its probe reports {} healthy",
            rp.to, plan.release.name
        );
    }
    for (i, (s, call)) in rp.steps.iter().enumerate() {
        let pause = if s.pause.is_zero() {
            String::new()
        } else {
            format!(", then {}s with analysis", s.pause.as_secs())
        };
        println!(
            "    step {}: {} {}%{pause} — {call}",
            i + 1,
            rp.to,
            s.weight
        );
    }
    Ok(())
}

/// Drives the rollout just begun (or resumed), as far as `mode` goes.
async fn walk(ctx: &Context, plan_service: &str, env: &str, mode: Mode) -> Result<u8, Failure> {
    let done = engine::drive(ctx, plan_service, env, mode, &mut print_line).await?;
    if mode == Mode::VerifyOnly {
        println!(
            "not waiting: slot {} runs {} healthy, no traffic moved; the rollout is paused \
             (nobody driving) until `shipdeck rollout {plan_service} --env {env} --resume`",
            done.to, done.release
        );
    } else {
        println!("{} is live in {env} on slot {}", done.release, done.to);
    }
    Ok(0)
}

/// `promote` into a slotted target: the rollout. The plan was printed and confirmed.
pub async fn promote(ctx: &Context, plan: &Plan, no_wait: bool) -> Result<u8, Failure> {
    let _driver = take_driver(ctx, &plan.service, &plan.env)?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let printer = tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            println!("  | {line}");
        }
    });
    let begun = engine::begin(
        ctx,
        plan,
        &Begin {
            deploy: true,
            to: None,
            steps: None,
        },
        tx,
    )
    .await;
    let _ = printer.await;
    let id = begun?;
    println!(
        "deployment {id} accepted: {} → idle slot of {}",
        plan.release.name, plan.env
    );
    walk(
        ctx,
        &plan.service,
        &plan.env,
        if no_wait {
            Mode::VerifyOnly
        } else {
            Mode::Steps
        },
    )
    .await
}

fn whole() -> Vec<Step> {
    vec![Step {
        weight: 100,
        pause: std::time::Duration::ZERO,
    }]
}

/// `rollback` of a slotted target: a switch back when another slot runs the release healthy,
/// else a redeploy of it to the idle slot and a switch. Gates never block it.
pub async fn rollback(ctx: &Context, plan: &Plan, yes: bool, no_wait: bool) -> Result<u8, Failure> {
    let to = engine::slot_running(ctx, &plan.service, &plan.env, &plan.release).await?;
    let deploy = to.is_none();
    match &to {
        Some(slot) => println!(
            "  backout is a switch: slot {slot} runs {} healthy (no deploy)",
            plan.release.name
        ),
        None => println!(
            "  no idle slot runs {} healthy: it is redeployed to the idle slot",
            plan.release.name
        ),
    }
    print_rollout_plan(ctx, plan, to.as_deref(), deploy).await?;
    confirm(
        &format!(
            "roll {} in {} back to {}",
            plan.service, plan.env, plan.release.name
        ),
        &plan.env,
        plan.protected,
        yes,
    )?;
    let _driver = take_driver(ctx, &plan.service, &plan.env)?;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    engine::begin(
        ctx,
        plan,
        &Begin {
            deploy,
            to,
            steps: Some(whole()),
        },
        tx,
    )
    .await?;
    walk(
        ctx,
        &plan.service,
        &plan.env,
        if no_wait && deploy {
            Mode::VerifyOnly
        } else {
            Mode::Full
        },
    )
    .await
}

/// `switch`: all traffic to the idle slot, once it is verified (what it runs, healthy). A
/// switch back to a release that ran here before is not gated; any other needs the gates.
pub async fn switch(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    env: &str,
    yes: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("switch")?;
    let engine::SwitchPlan {
        from: live,
        to: idle,
        plan,
        back: ran_here,
    } = engine::switch_plan(&ctx, service, env).await?;
    let release = plan.release.clone();
    println!(
        "switch {service} in {env}: {} → {} ({}){}",
        live,
        idle,
        release.name,
        if ran_here {
            ", a switch back: gates do not block it"
        } else {
            ""
        }
    );
    if !plan.allowed() {
        return Err(actions::blocked(&plan));
    }
    print_rollout_plan(&ctx, &plan, Some(&idle), false).await?;
    confirm(
        &format!("switch {service} in {env} to slot {idle}"),
        env,
        plan.protected,
        yes,
    )?;
    let _driver = take_driver(&ctx, service, env)?;
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    engine::begin(
        &ctx,
        &plan,
        &Begin {
            deploy: false,
            to: Some(idle.clone()),
            steps: Some(whole()),
        },
        tx,
    )
    .await?;
    walk(&ctx, service, env, Mode::Full).await
}

/// What `rollout` does to the rollout in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutAction {
    Resume,
    Full,
    Abort,
}

pub async fn rollout(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    env: &str,
    action: RolloutAction,
    yes: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("rollout")?;
    let r = engine::current(&ctx, service, env)?;
    let protected = ctx.environment(env)?.protected;
    let step = r
        .current_step()
        .map_or("before its first step".to_string(), |k| {
            format!(
                "at step {}/{} ({}%)",
                k + 1,
                r.steps.len(),
                r.steps[k].weight
            )
        });
    println!(
        "rollout of {} in {env}: {} → {}, {step}, started by {}",
        r.release, r.from, r.to, r.started_by
    );
    match action {
        RolloutAction::Abort => {
            // An abort is always one confirmation, never the typed name, never gated.
            confirm(
                &format!("abort the rollout and put all traffic back on {}", r.from),
                env,
                false,
                yes,
            )?;
            engine::abort(
                &ctx,
                &r,
                &format!("aborted by {}", ctx.actor),
                &mut print_line,
            )
            .await?;
            Ok(0)
        }
        RolloutAction::Resume | RolloutAction::Full => {
            let what = if action == RolloutAction::Full {
                format!("shift all traffic of {service} in {env} to {}", r.to)
            } else {
                format!("continue the rollout of {} in {env}", r.release)
            };
            confirm(&what, env, protected, yes)?;
            let _driver = take_driver(&ctx, service, env)?;
            let mode = if action == RolloutAction::Full {
                Mode::Full
            } else {
                Mode::Steps
            };
            walk(&ctx, service, env, mode).await
        }
    }
}
