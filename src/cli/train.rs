//! `shipdeck train cut | show | plan | promote | rollback`; the `--train` forms of `approve`,
//! `checklist` and `notes` are in `train_forms`.

use std::path::Path;

use std::io::IsTerminal as _;

use clap::Subcommand;
use serde_json::json;

use crate::app::Failure;
use crate::app::actions::observe_and_settle;
use crate::app::actions::train::{self as trains, CutFrom, TrainPlan};
use crate::app::actions::train_promote::{self, TrainRun};
use crate::app::context::{Context, now};
use crate::domain::commit_id::{PINNED, short, short_n};
use crate::domain::train::TrainRelease;

use super::confirm::confirm;
use super::output::{age, json, warn_all};
use super::plan::plan_json;

/// `shipdeck train ACTION`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: TrainAction,
}

#[derive(Debug, Subcommand)]
pub enum TrainAction {
    /// Pin a train release: each member's release as it runs in ENV, or as named.
    Cut {
        /// The train, as named in `[[trains]]`.
        train: String,
        /// Take what runs in this environment now.
        #[arg(long, value_name = "ENV", required_unless_present = "releases")]
        from: Option<String>,
        /// Name every member's release: `api=api-v1.4.2,web=2.0.1,…`.
        #[arg(
            long,
            value_delimiter = ',',
            value_name = "S=R",
            conflicts_with = "from"
        )]
        releases: Vec<String>,
        /// One JSON document on stdout (progress goes to stderr).
        #[arg(long)]
        json: bool,
    },
    /// The train's releases (newest first) and its promotions, or one release.
    Show {
        /// The train, as named in `[[trains]]`.
        train: String,
        /// One train release (default: all of them).
        release: Option<String>,
        /// One JSON document on stdout (progress goes to stderr).
        #[arg(long)]
        json: bool,
    },
    /// Every member's plan for promoting the train release (exit 3 when a gate blocks).
    Plan {
        /// The train, as named in `[[trains]]`.
        train: String,
        /// The train release (`shop-2026.12.02-1`), or `latest` for the newest cut.
        release: String,
        /// The environment.
        #[arg(long, value_name = "ENV")]
        to: String,
        /// One JSON document on stdout (progress goes to stderr).
        #[arg(long)]
        json: bool,
    },
    /// Promote the members in order, each verified before the next; a failure stops the train.
    Promote {
        /// The train, as named in `[[trains]]`.
        train: String,
        /// The train release (`shop-2026.12.02-1`), or `latest` for the newest cut.
        release: String,
        /// The environment.
        #[arg(long, value_name = "ENV")]
        to: String,
        /// Confirm without asking (a protected environment still needs this flag in scripts).
        #[arg(long)]
        yes: bool,
        /// One JSON document on stdout (progress goes to stderr).
        #[arg(long)]
        json: bool,
    },
    /// Back out the latest promotion of the train release: the moved members, in reverse order.
    Rollback {
        /// The train, as named in `[[trains]]`.
        train: String,
        /// The train release (`shop-2026.12.02-1`), or `latest` for the newest cut.
        release: String,
        /// The environment.
        #[arg(long, value_name = "ENV")]
        to: String,
        /// Confirm without asking (a protected environment still needs this flag in scripts).
        #[arg(long)]
        yes: bool,
        /// One JSON document on stdout (progress goes to stderr).
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(
    config: Option<&Path>,
    read_only: bool,
    action: TrainAction,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    match action {
        TrainAction::Cut {
            train,
            from,
            releases,
            json: as_json,
        } => cut(&ctx, &train, from, &releases, as_json).await,
        TrainAction::Show {
            train,
            release,
            json: as_json,
        } => show(&ctx, &train, release.as_deref(), as_json),
        TrainAction::Plan {
            train,
            release,
            to,
            json: as_json,
        } => {
            let plan = plan(&ctx, &train, &release, &to).await?;
            if as_json {
                println!("{}", json(&train_plan_json(&plan)));
            } else {
                print_plan(&plan);
            }
            Ok(if plan.allowed() { 0 } else { 3 })
        }
        TrainAction::Promote {
            train,
            release,
            to,
            yes,
            json: as_json,
        } => promote(&ctx, &train, &release, &to, yes, as_json).await,
        TrainAction::Rollback {
            train,
            release,
            to,
            yes,
            json: as_json,
        } => rollback(&ctx, &train, &release, &to, yes, as_json).await,
    }
}

fn release_json(r: &TrainRelease) -> serde_json::Value {
    json!({
        "train": r.train,
        "release": r.name,
        "members": r.members,
        "from_env": r.from_env,
        "cut_by": r.cut_by,
        "cut_at": r.cut_at.to_string(),
        "digest": r.digest(),
    })
}

async fn cut(
    ctx: &Context,
    train: &str,
    from: Option<String>,
    releases: &[String],
    as_json: bool,
) -> Result<u8, Failure> {
    ctx.writable("train cut")?;
    let t = trains::train_of(ctx, train)?.clone();
    let source = match from {
        Some(env) => CutFrom::Env(env),
        None => CutFrom::Releases(
            releases
                .iter()
                .map(|pair| {
                    pair.split_once('=')
                        .map(|(s, r)| (s.trim().to_string(), r.trim().to_string()))
                        .ok_or_else(|| {
                            Failure::usage(format!(
                                "`{pair}` is not SERVICE=RELEASE (e.g. `api=api-v1.4.2`)"
                            ))
                        })
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    let observations = match &source {
        CutFrom::Env(_) => {
            let names: Vec<&str> = t.services.iter().map(String::as_str).collect();
            observe_and_settle(ctx, Some(&names)).await?
        }
        CutFrom::Releases(_) => Vec::new(),
    };
    let release = trains::cut(ctx, train, &source, &observations)?;
    if as_json {
        println!("{}", json(&release_json(&release)));
    } else {
        println!("cut {} of {}:", release.name, release.train);
        for m in &release.members {
            println!(
                "  {:<12} {:<20} {}",
                m.service,
                m.release,
                short_n(&m.commit, PINNED)
            );
        }
    }
    Ok(0)
}

fn show(ctx: &Context, train: &str, release: Option<&str>, as_json: bool) -> Result<u8, Failure> {
    trains::train_of(ctx, train)?;
    let (_, ledger, log) = trains::trains(ctx)?;
    let list: Vec<TrainRelease> = match release {
        Some(name) => vec![trains::train_release(ctx, train, name)?],
        None => log.releases_of(train).into_iter().cloned().collect(),
    };
    let promotions: Vec<serde_json::Value> = log
        .promotions()
        .iter()
        .filter(|p| p.train == train && list.iter().any(|r| r.name == p.release))
        .map(|p| {
            json!({
                "id": p.id, "release": p.release, "env": p.env, "backout": p.backout,
                "started_by": p.started_by, "started_at": p.started_at.to_string(),
                "outcome": p.outcome.as_ref().map(|o| json!({
                    "ok": o.ok, "reason": o.reason, "at": o.at.to_string(), "by": o.by,
                })),
                "members": p.member_states(&ledger).into_iter().map(|(m, s)| json!({
                    "service": m.service, "release": m.release, "state": s,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    if as_json {
        println!(
            "{}",
            json(&json!({
                "train": train,
                "releases": list.iter().map(release_json).collect::<Vec<_>>(),
                "promotions": promotions,
            }))
        );
        return Ok(0);
    }
    if list.is_empty() {
        println!("{train}: no train release yet (`shipdeck train cut {train} --from ENV`)");
    }
    let now = now();
    for r in &list {
        println!(
            "{}  cut by {} {} ago{}",
            r.name,
            r.cut_by,
            age(now, r.cut_at),
            r.from_env
                .as_deref()
                .map(|e| format!(" from {e}"))
                .unwrap_or_default()
        );
        for m in &r.members {
            println!(
                "    {:<12} {:<20} {}",
                m.service,
                m.release,
                short_n(&m.commit, PINNED)
            );
        }
        for p in log
            .promotions()
            .iter()
            .filter(|p| p.train == train && p.release == r.name)
        {
            let outcome = match &p.outcome {
                None => "running".to_string(),
                Some(o) if o.ok => "done".to_string(),
                Some(o) => format!("stopped: {}", o.reason),
            };
            println!(
                "  {} {} by {} {} ago: {outcome}",
                if p.backout { "backout in" } else { "→" },
                p.env,
                p.started_by,
                age(now, p.started_at)
            );
        }
    }
    Ok(0)
}

async fn plan(ctx: &Context, train: &str, release: &str, env: &str) -> Result<TrainPlan, Failure> {
    let t = trains::train_of(ctx, train)?.clone();
    ctx.environment(env)?;
    let release = trains::train_release(ctx, train, release)?;
    let names: Vec<&str> = t.services.iter().map(String::as_str).collect();
    let observations = observe_and_settle(ctx, Some(&names)).await?;
    trains::plan(ctx, &release, env, &observations).await
}

fn train_plan_json(plan: &TrainPlan) -> serde_json::Value {
    json!({
        "train": plan.train,
        "release": plan.release.name,
        "env": plan.env,
        "allowed": plan.allowed(),
        "protected": plan.protected,
        "approvals": plan.approvals.iter().map(|g| json!({
            "id": g.id, "kind": g.kind, "status": g.status.as_str(), "reason": g.reason,
            "who": g.who,
        })).collect::<Vec<_>>(),
        "members": plan.members.iter().map(|m| json!({
            "service": m.member.service,
            "release": m.member.release,
            "commit": m.member.commit,
            "already": m.already,
            "plan": plan_json(&m.plan),
        })).collect::<Vec<_>>(),
    })
}

fn print_plan(plan: &TrainPlan) {
    println!(
        "train {} {} → {}{}",
        plan.train,
        plan.release.name,
        plan.env,
        if plan.protected { " (protected)" } else { "" }
    );
    for g in &plan.approvals {
        println!("  {:<10} {:<12} {}", g.status.as_str(), g.id, g.reason);
    }
    for (i, m) in plan.members.iter().enumerate() {
        let p = &m.plan;
        println!(
            "  {}. {} {} (running now: {}){}",
            i + 1,
            m.member.service,
            m.member.release,
            p.running.label().unwrap_or_else(|| "unknown".into()),
            if m.already { " — already there" } else { "" }
        );
        if m.already {
            continue;
        }
        if !p.changes.is_empty() {
            println!("     changes ({} commits):", p.changes.len());
            for c in p.changes.iter().take(10) {
                println!("       {} {} — {}", short(&c.commit), c.summary, c.author);
            }
            if p.changes.len() > 10 {
                println!("       … {} more", p.changes.len() - 10);
            }
        }
        for g in &p.report.gates {
            println!("     {:<10} {:<12} {}", g.status.as_str(), g.id, g.reason);
        }
        match &p.call {
            Some(call) => println!("     will call: {call}"),
            None => println!("     will call: nothing (no deployer for {})", p.env),
        }
    }
    if plan.allowed() {
        println!("  allowed");
    } else {
        println!("  blocked:");
        for line in plan.blocking() {
            println!("    {line}");
        }
    }
}

fn run_json(run: &TrainRun) -> serde_json::Value {
    json!({
        "promotion": run.promotion,
        "ok": run.ok,
        "moved": run.moved,
        "failed": run.failed,
        "reason": run.reason,
    })
}

async fn promote(
    ctx: &Context,
    train: &str,
    release: &str,
    env: &str,
    yes: bool,
    as_json: bool,
) -> Result<u8, Failure> {
    ctx.writable("train promote")?;
    let plan = plan(ctx, train, release, env).await?;
    if !as_json {
        print_plan(&plan);
    }
    if !plan.allowed() {
        return Err(Failure::blocked(format!(
            "{} cannot enter {env} yet; blocking gates:\n  {}",
            plan.release.name,
            plan.blocking().join("\n  ")
        )));
    }
    let moving: Vec<String> = plan
        .moving()
        .map(|m| format!("{} {}", m.member.service, m.member.release))
        .collect();
    if moving.is_empty() {
        println!(
            "every member of {} already runs in {env}",
            plan.release.name
        );
        return Ok(0);
    }
    confirm(
        &format!(
            "promote {} to {env} ({})",
            plan.release.name,
            moving.join(", ")
        ),
        env,
        plan.protected,
        yes,
    )?;
    let mut say = |line: &str| {
        if as_json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let run = train_promote::promote_train(ctx, &plan, &mut say).await?;
    if as_json {
        println!("{}", json(&run_json(&run)));
    }
    if run.ok {
        if !as_json {
            println!(
                "{} is live in {env}: every member verified",
                plan.release.name
            );
        }
        return Ok(0);
    }
    offer_backout(ctx, train, &plan.release.name, env, &run, as_json).await
}

/// After a failed train: the backout of the moved members in reverse order, in one
/// confirmation when there is a terminal to ask on; otherwise the command that does it.
async fn offer_backout(
    ctx: &Context,
    train: &str,
    release: &str,
    env: &str,
    run: &TrainRun,
    as_json: bool,
) -> Result<u8, Failure> {
    let steps = train_promote::backout_steps(ctx, train, release, env)?;
    let listed: Vec<String> = steps
        .iter()
        .map(|s| {
            format!(
                "{} → {}",
                s.service,
                s.to.as_deref().unwrap_or("(nothing known)")
            )
        })
        .collect();
    let command = format!("shipdeck train rollback {train} {release} --to {env}");
    let stopped = format!("the train stopped: {}", run.reason);
    if steps.is_empty() || as_json || !std::io::stdin().is_terminal() {
        return Err(Failure::deploy(format!(
            "{stopped}\nmoved: {}\nback out (reverse order: {}) with: {command} --yes",
            if run.moved.is_empty() {
                "none".to_string()
            } else {
                run.moved.join(", ")
            },
            listed.join(", ")
        )));
    }
    eprintln!("{stopped}");
    let protected = ctx.config.environment(env).is_some_and(|e| e.protected);
    if confirm(
        &format!(
            "back out {} in reverse order ({})",
            release,
            listed.join(", ")
        ),
        env,
        protected,
        false,
    )
    .is_err()
    {
        return Err(Failure::deploy(format!(
            "{stopped}\nnot backed out; later: {command}"
        )));
    }
    let observations = observe_and_settle(ctx, None).await?;
    let back = train_promote::backout(ctx, train, release, env, &observations, &mut |l| {
        println!("{l}");
    })
    .await?;
    Err(Failure::deploy(if back.ok {
        format!("{stopped}\nbacked out: {}", back.moved.join(", "))
    } else {
        format!("{stopped}\nthe backout stopped too: {}", back.reason)
    }))
}

async fn rollback(
    ctx: &Context,
    train: &str,
    release: &str,
    env: &str,
    yes: bool,
    as_json: bool,
) -> Result<u8, Failure> {
    ctx.writable("train rollback")?;
    trains::train_of(ctx, train)?;
    let release = trains::train_release(ctx, train, release)?;
    let steps = train_promote::backout_steps(ctx, train, &release.name, env)?;
    let listed: Vec<String> = steps
        .iter()
        .map(|s| {
            format!(
                "{} → {}",
                s.service,
                s.to.as_deref().unwrap_or("(nothing known)")
            )
        })
        .collect();
    if !as_json {
        println!("back out {} in {env}, reverse order:", release.name);
        for l in &listed {
            println!("  {l}");
        }
    }
    let protected = ctx.config.environment(env).is_some_and(|e| e.protected);
    confirm(
        &format!("back out {} in {env} ({})", release.name, listed.join(", ")),
        env,
        protected,
        yes,
    )?;
    let observations = observe_and_settle(ctx, None).await?;
    let mut say = |line: &str| {
        if as_json {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    let run =
        train_promote::backout(ctx, train, &release.name, env, &observations, &mut say).await?;
    if as_json {
        println!("{}", json(&run_json(&run)));
    } else if run.ok {
        println!("backed out in {env}: {}", run.moved.join(", "));
    }
    if run.ok {
        Ok(0)
    } else {
        Err(Failure::deploy(format!(
            "the backout stopped: {}",
            run.reason
        )))
    }
}
