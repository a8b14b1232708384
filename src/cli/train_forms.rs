//! The `--train` forms of `approve`, `checklist` and `notes`: the same commands, on a train
//! release (approvals bound to every member's commit, the train's own checklist, one set of
//! notes).

use std::path::Path;

use serde_json::json;

use crate::app::Failure;
use crate::app::actions::observe_and_settle;
use crate::app::actions::train as trains;
use crate::app::context::{Context, now};
use crate::domain::checklist::progress;
use crate::domain::config::Stage;

use super::checklist::ChecklistAction;
use super::notes::NotesFormat;
use super::output::{age, json, warn_all};
use crate::domain::commit_id::{PINNED, short_n};

/// `approve --train TRAIN RELEASE --env ENV`.
pub fn approve(
    config: Option<&Path>,
    read_only: bool,
    train: &str,
    release: &str,
    env: &str,
    note: Option<&str>,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("approve")?;
    let release = trains::train_release(&ctx, train, release)?;
    let event = trains::approve(&ctx, &release, env, note)?;
    println!(
        "approved by {}: train {} ({}) for {} — event {} at {}",
        event.actor,
        release.name,
        release
            .members
            .iter()
            .map(|m| format!("{} {}", m.release, short_n(&m.commit, PINNED)))
            .collect::<Vec<_>>()
            .join(", "),
        env,
        event.seq,
        event.at
    );
    Ok(0)
}

/// `checklist --train TRAIN RELEASE --env ENV [show | tick ITEM | untick ITEM]`.
pub fn checklist(
    config: Option<&Path>,
    read_only: bool,
    train: &str,
    release: &str,
    env: &str,
    action: Option<&ChecklistAction>,
    note: Option<&str>,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let release = trains::train_release(&ctx, train, release)?;
    match action {
        Some(ChecklistAction::Tick { item }) => {
            trains::tick(&ctx, &release, env, item, true, note)?;
        }
        Some(ChecklistAction::Untick { item }) => {
            trains::tick(&ctx, &release, env, item, false, note)?;
        }
        Some(ChecklistAction::Show) | None => {
            if let Some(note) = note {
                return Err(Failure::usage(format!(
                    "--note `{note}` needs `tick ITEM` or `untick ITEM`"
                )));
            }
        }
    }
    let lists = trains::checklists(&ctx, env);
    if lists.is_empty() {
        return Err(Failure::usage(format!("`{env}` has no checklist gate")));
    }
    let (_, ledger) = ctx.ledger()?;
    let now = now();
    for template in lists {
        let p = progress(template, &ledger, train, &release.name, env);
        println!(
            "{} — train {} → {}: before {}/{} required, after {}/{}",
            template.name,
            release.name,
            env,
            p.before_done,
            p.before_required,
            p.after_done,
            p.after_required
        );
        for stage in [Stage::Before, Stage::After] {
            println!(
                "  {}:",
                if stage == Stage::Before {
                    "before"
                } else {
                    "after"
                }
            );
            for item in p.items.iter().filter(|i| i.item.stage == stage) {
                let mark = if item.is_ticked() { "[x]" } else { "[ ]" };
                let who = item
                    .tick
                    .as_ref()
                    .filter(|t| t.ticked)
                    .map(|t| format!(" — {} {} ago", t.actor, age(now, t.at)))
                    .unwrap_or_default();
                println!("    {mark} {:<18} {}{who}", item.item.id, item.item.title);
            }
        }
    }
    Ok(0)
}

/// `notes --train TRAIN RELEASE [--env ENV] [--format md|json]`.
pub async fn notes(
    config: Option<&Path>,
    read_only: bool,
    train: &str,
    release: &str,
    env: Option<&str>,
    format: NotesFormat,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let t = trains::train_of(&ctx, train)?.clone();
    let release = trains::train_release(&ctx, train, release)?;
    if let Some(env) = env {
        ctx.environment(env)?;
    }
    let names: Vec<&str> = t.services.iter().map(String::as_str).collect();
    let observations = observe_and_settle(&ctx, Some(&names)).await?;
    let markdown = trains::notes(&ctx, &release, env, &observations)?;
    match format {
        NotesFormat::Md => print!("{markdown}"),
        NotesFormat::Json => println!(
            "{}",
            json(&json!({
                "train": train,
                "release": release.name,
                "env": env,
                "members": release.members,
                "markdown": markdown,
            }))
        ),
    }
    Ok(0)
}
