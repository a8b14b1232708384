//! Release communications: the notes as they stand (the latest hand edit, else the draft), a
//! hand edit recorded, and a publication through the configured channels that ticks the
//! checklist's `auto = "published"` items with the event that ticked them.

use crate::app::context::{Context, did_you_mean};
use crate::app::failure::Failure;
use crate::deploy;
use crate::domain::channel::Channel;
use crate::domain::config::{AutoTick, GateRule};
use crate::domain::event::{Delivery, Event, Fact};
use crate::domain::ledger::NotesEdit;
use crate::domain::observation::Observation;
use crate::domain::release::Release;
use crate::domain::sanitize::sanitize_multiline;
use crate::publish::{self, Message};

use super::query::notes as draft;

/// The notes of a release as they stand now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentNotes {
    pub markdown: String,
    /// Who edited them last and when; `None` for the draft drawn from git.
    pub edited: Option<NotesEdit>,
}

/// The latest hand edit of the release's notes, else the draft (the changes since the previous
/// release, or since what runs in `env`).
pub fn current(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: Option<&str>,
    observations: &[Observation],
) -> Result<CurrentNotes, Failure> {
    let (_, ledger) = ctx.ledger_shown()?;
    if let Some(edit) = ledger.notes_edit(service, &release.name) {
        return Ok(CurrentNotes {
            markdown: edit.markdown.clone(),
            edited: Some(edit.clone()),
        });
    }
    Ok(CurrentNotes {
        markdown: draft(ctx, service, release, env, observations)?,
        edited: None,
    })
}

/// Records `after` as the release's notes when it differs from `before` (trailing blank space
/// aside); an unchanged text records nothing and returns `None`.
pub fn record_edit(
    ctx: &Context,
    service: &str,
    release: &Release,
    before: &str,
    after: &str,
) -> Result<Option<Event>, Failure> {
    ctx.writable("editing the release notes")?;
    ctx.service(service)?;
    let after = sanitize_multiline(after);
    if after.trim_end() == before.trim_end() {
        return Ok(None);
    }
    if after.trim().is_empty() {
        return Err(Failure::usage(
            "the edited notes are empty; nothing recorded (the previous text stays)",
        ));
    }
    let (_, ledger) = ctx.ledger()?;
    let replaces = ledger
        .notes_edit(service, &release.name)
        .map(|e| e.event_id.clone());
    ctx.record(
        &Fact::NotesEdited {
            markdown: format!("{}\n", after.trim_end()),
            replaces,
        },
        Some(service),
        Some(&release.name),
        None,
    )
    .map(Some)
}

/// What a publication did.
#[derive(Debug, Clone)]
pub struct Publication {
    /// The `notes-published` event, with every channel's outcome.
    pub event: Event,
    pub deliveries: Vec<Delivery>,
    /// The checklist ticks it caused (none when a channel failed).
    pub ticked: Vec<Event>,
}

impl Publication {
    /// Whether every channel succeeded.
    pub fn ok(&self) -> bool {
        self.deliveries.iter().all(|d| d.ok)
    }
}

/// The configured channels, or those named in `only`.
fn channels<'a>(ctx: &'a Context, only: &[String]) -> Result<Vec<&'a Channel>, Failure> {
    let all = &ctx.config.channels;
    if all.is_empty() {
        return Err(Failure::usage(format!(
            "no channels are configured; add one to {}, e.g.\n\n[[channels]]\nname = \
             \"notes-file\"\nkind = \"file\"\npath = \"release-notes/{{{{service}}}}-{{{{release}}}}.md\"",
            ctx.config.path.display()
        )));
    }
    if only.is_empty() {
        return Ok(all.iter().collect());
    }
    let names: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
    only.iter()
        .map(|name| {
            all.iter().find(|c| &c.name == name).ok_or_else(|| {
                Failure::usage(format!(
                    "no channel `{name}`{}; channels: {}",
                    did_you_mean(name, &names),
                    names.join(", ")
                ))
            })
        })
        .collect()
}

/// Where each channel (all, or those in `only`) would send the notes: (name, kind, where),
/// secrets and literal webhook paths masked. Sends nothing.
pub fn destinations(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: Option<&str>,
    only: &[String],
) -> Result<Vec<(String, String, String)>, Failure> {
    if ctx.config.channels.is_empty() && only.is_empty() {
        return Ok(Vec::new());
    }
    let message = message(ctx, service, release, env, "");
    Ok(channels(ctx, only)?
        .into_iter()
        .map(|c| {
            (
                c.name.clone(),
                c.kind.name().to_string(),
                publish::destination(c, &message),
            )
        })
        .collect())
}

fn message(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: Option<&str>,
    markdown: &str,
) -> Message {
    Message {
        service: service.to_string(),
        release: release.name.clone(),
        version: release.version.clone(),
        env: env.unwrap_or_default().to_string(),
        actor: ctx.actor.clone(),
        title: format!("{service} {}", release.name),
        markdown: markdown.to_string(),
        workdir: ctx.config.dir.clone(),
        known_secrets: deploy::secret_names(&ctx.config),
    }
}

/// Sends `markdown` through the channels (all, or those in `only`), records `notes-published`
/// with what went where and how each ended, and — when every channel succeeded — ticks the
/// `auto = "published"` items of the checklists of `env` (or of every environment) with that
/// event as `by_event`.
pub async fn publish(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: Option<&str>,
    markdown: &str,
    only: &[String],
) -> Result<Publication, Failure> {
    ctx.writable("publishing the release notes")?;
    ctx.service(service)?;
    if let Some(env) = env {
        ctx.environment(env)?;
    }
    let chosen = channels(ctx, only)?;
    let message = message(ctx, service, release, env, markdown);
    let deliveries = publish::publish(&chosen, &message, ctx.trusted).await;
    let ok = deliveries.iter().all(|d| d.ok);
    let failed: Vec<&str> = deliveries
        .iter()
        .filter(|d| !d.ok)
        .map(|d| d.channel.as_str())
        .collect();
    let detail = if ok {
        format!("delivered to {}", deliveries.len())
    } else {
        format!("failed: {}", failed.join(", "))
    };
    let event = ctx.record(
        &Fact::NotesPublished {
            channel: chosen
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(","),
            detail,
            ok,
            deliveries: deliveries.clone(),
            markdown: markdown.to_string(),
        },
        Some(service),
        Some(&release.name),
        env,
    )?;
    let ticked = if ok {
        tick_published(ctx, service, release, env, &event.id)?
    } else {
        Vec::new()
    };
    Ok(Publication {
        event,
        deliveries,
        ticked,
    })
}

/// Ticks every `auto = "published"` item nobody has ticked or unticked yet.
fn tick_published(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: Option<&str>,
    by: &str,
) -> Result<Vec<Event>, Failure> {
    let (_, ledger) = ctx.ledger()?;
    let mut out = Vec::new();
    for environment in &ctx.config.environments {
        if env.is_some_and(|e| e != environment.name) {
            continue;
        }
        for gate in &environment.gates {
            let GateRule::Checklist { name } = &gate.rule else {
                continue;
            };
            let Some(template) = ctx.config.checklists.get(name) else {
                continue;
            };
            let ticks = ledger.ticks(service, &release.name, &environment.name, name);
            for item in &template.items {
                let done = ticks.get(&item.id).is_some_and(|t| t.ticked || t.unticked);
                if item.auto != Some(AutoTick::Published) || done {
                    continue;
                }
                out.push(ctx.record(
                    &Fact::ItemTicked {
                        checklist: name.clone(),
                        item: item.id.clone(),
                        note: Some("ticked automatically: the notes were published".to_string()),
                        by_event: Some(by.to_string()),
                    },
                    Some(service),
                    Some(&release.name),
                    Some(&environment.name),
                )?);
            }
        }
    }
    Ok(out)
}
