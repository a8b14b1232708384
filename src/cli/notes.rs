//! `shipdeck notes SERVICE RELEASE [--env ENV] [--format md|json] [--edit] [--publish
//! [--channel NAME]…]`.

use std::path::Path;

use serde_json::json;

use crate::app::Failure;
use crate::app::actions::{self, CurrentNotes, observe_and_settle, resolve_release};
use crate::app::context::Context;
use crate::tui::editor;

use super::args::NotesFormat;
use super::output::{json, warn_all};

/// What `notes` was asked to do.
#[derive(Debug, Clone)]
pub struct NotesArgs {
    pub service: String,
    pub release: String,
    pub env: Option<String>,
    pub format: NotesFormat,
    pub edit: bool,
    pub publish: bool,
    pub channels: Vec<String>,
    /// Publish without asking.
    pub yes: bool,
}

fn edited_line(current: &CurrentNotes) -> Option<String> {
    current.edited.as_ref().map(|e| {
        format!(
            "notes edited by {} at {} (event {})",
            e.actor,
            e.at.strftime("%Y-%m-%d %H:%M UTC"),
            e.event_id
        )
    })
}

/// Prints the notes as they stand; with `--edit` records an edit first, with `--publish` sends
/// them (exit 1 when a channel failed).
pub async fn notes(
    config: Option<&Path>,
    read_only: bool,
    args: &NotesArgs,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    // Refused before an editor opens or a channel is called.
    if args.edit {
        ctx.writable("editing the release notes")?;
    }
    if args.publish {
        ctx.writable("publishing the release notes")?;
    }
    let service = args.service.as_str();
    let env = args.env.as_deref();
    let release = resolve_release(&ctx, service, &args.release)?;
    let observations = observe_and_settle(&ctx, Some(&[service])).await?;
    let mut current = actions::current_notes(&ctx, service, &release, env, &observations)?;

    if args.edit {
        let after = editor::edit(&current.markdown)?;
        match actions::record_edit(&ctx, service, &release, &current.markdown, &after)? {
            Some(event) => eprintln!("recorded your edit of the notes (event {})", event.id),
            None => eprintln!("the notes are unchanged; nothing recorded"),
        }
        current = actions::current_notes(&ctx, service, &release, env, &observations)?;
    }

    if args.publish {
        // The text comes from the log (anyone who can append edits it) and goes out in the
        // project's name, files included: say what goes where and who wrote it, then ask.
        let author = current.edited.as_ref().map_or_else(
            || "a draft from the changelog".to_string(),
            |e| {
                format!(
                    "last edited by {}",
                    crate::domain::sanitize::sanitize(&e.actor)
                )
            },
        );
        let targets: Vec<String> =
            actions::notes_destinations(&ctx, service, &release, env, &args.channels)?
                .into_iter()
                .map(|(name, kind, to)| format!("{name} ({kind} → {to})"))
                .collect();
        eprintln!(
            "publishing the notes of {service} {} ({author}, {} bytes) to: {}",
            release.name,
            current.markdown.len(),
            targets.join(", ")
        );
        super::confirm::confirm("publish the release notes", "", false, args.yes)?;
        let publication = actions::publish(
            &ctx,
            service,
            &release,
            env,
            &current.markdown,
            &args.channels,
        )
        .await?;
        if args.format == NotesFormat::Json {
            println!(
                "{}",
                json(&json!({
                    "service": service,
                    "release": release.name,
                    "event": publication.event.id,
                    "ok": publication.ok(),
                    "deliveries": publication.deliveries,
                    "ticked": publication.ticked.iter().map(|e| json!({
                        "event": e.id,
                        "env": e.env,
                        "item": e.data.get("item"),
                    })).collect::<Vec<_>>(),
                }))
            );
        } else {
            for d in &publication.deliveries {
                let mark = if d.ok { "✓" } else { "✗" };
                println!("{mark} {} ({}) → {}: {}", d.channel, d.kind, d.to, d.detail);
            }
            println!("recorded as event {}", publication.event.id);
            for t in &publication.ticked {
                println!(
                    "ticked {} for {} (by event {})",
                    t.data
                        .get("item")
                        .and_then(|i| i.as_str())
                        .unwrap_or_default(),
                    t.env.as_deref().unwrap_or_default(),
                    publication.event.id
                );
            }
        }
        if !publication.ok() {
            return Err(Failure::failed(
                "a channel failed (see above); the checklist was not ticked — fix it and publish \
                 again (`--channel NAME` for only that one)",
            ));
        }
        return Ok(0);
    }
    if args.edit {
        return Ok(0);
    }

    match args.format {
        NotesFormat::Md => {
            if let Some(line) = edited_line(&current) {
                eprintln!("{line}");
            }
            print!("{}", current.markdown);
        }
        NotesFormat::Json => println!(
            "{}",
            json(&json!({
                "service": service,
                "release": release.name,
                "markdown": current.markdown,
                "edited_by": current.edited.as_ref().map(|e| &e.actor),
                "edited_at": current.edited.as_ref().map(|e| e.at.to_string()),
                "edit_event": current.edited.as_ref().map(|e| &e.event_id),
                // Where `--publish` would send them (secrets and webhook paths masked).
                "channels": actions::notes_destinations(&ctx, service, &release, env, &[])?
                    .into_iter()
                    .map(|(name, kind, to)| json!({"name": name, "kind": kind, "to": to}))
                    .collect::<Vec<_>>(),
            }))
        ),
    }
    Ok(0)
}
