//! `shipdeck checklist SERVICE RELEASE --env ENV [show | tick ITEM | untick ITEM] [--note TEXT]`.

use std::fmt::Write as _;
use std::path::Path;

use crate::app::Failure;
use crate::app::actions::{self, Decision, resolve_release};
use crate::app::context::{Context, now};
use crate::domain::checklist::{ItemProgress, state as checklist_state};
use crate::domain::config::Stage;
use crate::domain::sanitize::sanitize_multiline;
use crate::domain::time::{local_zone, short_id, when};

use super::output::{emit, warn_all};
use clap::Subcommand;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The service, as named in the configuration.
    pub service: String,
    /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
    pub release: String,
    /// The environment whose checklist it is.
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// A note recorded with the tick or untick (ticking `backout` needs one: the plan).
    #[arg(long, value_name = "TEXT", global = true)]
    pub note: Option<String>,
    /// `show` (the default), `tick ITEM` or `untick ITEM`.
    #[command(subcommand)]
    pub action: Option<ChecklistAction>,
    /// SERVICE names a train and RELEASE one of its train releases (`train cut`).
    #[arg(long)]
    pub train: bool,
}

#[derive(Debug, Subcommand)]
pub enum ChecklistAction {
    /// Print each item: done or not, by whom or by which fact, and its notes.
    Show,
    /// Mark an item done (`after` items only once the release runs there).
    Tick {
        /// The item's id (`controls`, `backout`, …; `show` lists them).
        item: String,
    },
    /// Mark an item not done.
    Untick {
        /// The item's id (`show` lists them).
        item: String,
    },
}

pub async fn run(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    action: Option<ChecklistAction>,
    note: Option<&str>,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let release = resolve_release(&ctx, service, release)?;
    if actions::checklists_of(&ctx, env).is_empty() {
        ctx.environment(env)?;
        return Err(Failure::usage(format!("`{env}` has no checklist gate")));
    }
    // Reading writes nothing: the targets are probed, no outcome or tick is recorded.
    let observations = actions::observe(&ctx, Some(&[service])).await?;
    match &action {
        Some(ChecklistAction::Tick { item } | ChecklistAction::Untick { item }) => {
            let decision = Decision::Tick {
                service: service.to_string(),
                release: release.clone(),
                env: env.to_string(),
                item: item.clone(),
                on: matches!(action, Some(ChecklistAction::Tick { .. })),
                note: note.map(str::to_string),
            };
            actions::record(&ctx, &decision, &observations)?;
        }
        Some(ChecklistAction::Show) | None => {
            if let Some(note) = note {
                return Err(Failure::usage(format!(
                    "--note `{note}` needs `tick ITEM` or `untick ITEM`"
                )));
            }
        }
    }
    let (_, ledger) = ctx.ledger()?;
    let observation = observations
        .iter()
        .filter(|o| o.service == service && o.env == env)
        .max_by_key(|o| o.at);
    let now = now();
    let tz = local_zone();
    let mut text = String::new();
    for template in actions::checklists_of(&ctx, env) {
        let p = checklist_state(template, &ledger, service, &release, env, observation);
        let _ = writeln!(
            text,
            "{} — {} → {}: before {}/{} required, after {}/{}",
            template.name,
            release.name,
            env,
            p.before_done,
            p.before_required,
            p.after_done,
            p.after_required
        );
        for stage in [Stage::Before, Stage::After] {
            let _ = writeln!(
                text,
                "  {}:",
                if stage == Stage::Before {
                    "before"
                } else {
                    "after (once the release runs there)"
                }
            );
            for item in p.items.iter().filter(|i| i.item.stage == stage) {
                let mark = if item.is_ticked() { "[x]" } else { "[ ]" };
                let optional = if item.item.required {
                    ""
                } else {
                    " (optional)"
                };
                let _ = writeln!(
                    text,
                    "    {mark} {:<18} {}{optional}{}",
                    item.item.id,
                    item.item.title,
                    item_state(item, now, &tz)
                );
                // Every note on the item, the ones given with ticks included, oldest first.
                for (actor, at, note) in item.tick.iter().flat_map(|t| &t.notes) {
                    let _ = writeln!(text, "        ✎ {actor} ({}): {note}", when(*at, now, &tz));
                }
            }
        }
    }
    emit(&sanitize_multiline(&text))?;
    Ok(0)
}

/// " — ticked by lena@x at Dec 02 20:14 UTC, 3m ago", " — auto: tagged api-v1.5.0 at …", or
/// nothing for an item nobody ticked (a note alone is a note, not an untick).
fn item_state(item: &ItemProgress, now: jiff::Timestamp, tz: &jiff::tz::TimeZone) -> String {
    if item.is_auto()
        && let Some(fact) = &item.auto
    {
        let event = fact
            .event
            .as_deref()
            .map(|e| format!(" (event {})", short_id(e)))
            .unwrap_or_default();
        return format!(
            " — auto: {} at {}{event}",
            fact.what,
            when(fact.at, now, tz)
        );
    }
    match &item.tick {
        // Ticked by the action that caused it (a publication), naming that event.
        Some(t) if t.ticked && t.by_event.is_some() => format!(
            " — auto: by event {} ({}, {})",
            short_id(t.by_event.as_deref().unwrap_or_default()),
            t.actor,
            when(t.at, now, tz)
        ),
        Some(t) if t.ticked || t.unticked => format!(
            " — {} by {} at {}",
            if t.ticked { "ticked" } else { "unticked" },
            t.actor,
            when(t.at, now, tz)
        ),
        _ => String::new(),
    }
}
