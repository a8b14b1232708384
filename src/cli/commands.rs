//! The commands that read or record without deploying.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::json;

use crate::app::actions::{self, observe_and_settle, resolve_release};
use crate::app::context::{Context, now};
use crate::app::{Failure, OrFail};
use crate::domain::checklist::{ItemProgress, state as checklist_state};
use crate::domain::config::Stage;
use crate::domain::sanitize::sanitize_multiline;
use crate::domain::time::{local_zone, short_id, when};
use crate::store;

use super::args::{ChecklistAction, DemoAction};
use super::output::{age, emit, json, warn_all};

/// `shipdeck` with no command: the console.
pub fn console(config: Option<&Path>, read_only: bool) -> Result<u8, Failure> {
    // No configuration (or a broken one) is bad usage, exit 2, with the message every other
    // command gives, before the terminal is touched.
    let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
    let path = crate::config::discover(config, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
    crate::config::load(&path).map_err(|e| Failure::usage(e.to_string()))?;
    crate::tui::run(config.map(Path::to_path_buf), read_only)
        .map_err(|e| Failure::failed(format!("{e:#}")))?;
    Ok(0)
}

/// `shipdeck demo` and `shipdeck demo serve --dir DIR`.
pub fn demo(action: Option<DemoAction>, read_only: bool) -> Result<u8, Failure> {
    match action {
        Some(DemoAction::Serve { dir }) => {
            crate::demo::serve_blocking_with(&dir, Some(seeder()))
                .map_err(|e| Failure::failed(format!("{e:#}")))?;
            Ok(0)
        }
        None => {
            let config = start_demo_in_background()?;
            crate::tui::run(Some(config), read_only)
                .map_err(|e| Failure::failed(format!("{e:#}")))?;
            Ok(0)
        }
    }
}

/// Records the demo's seeded events (a colleague's approval, ticked items) in its event log,
/// through the same store every action uses.
fn seeder() -> crate::demo::Seeder {
    Box::new(|state_dir, bodies| {
        let (log, _) = crate::store::EventLog::open(state_dir)?;
        for body in bodies {
            log.append(body, now())?;
        }
        Ok(())
    })
}

/// Starts the demo's environments on a thread of their own (they live until the process ends)
/// in a fresh `<data dir>/demo`, and returns its configuration once it is ready.
fn start_demo_in_background() -> Result<std::path::PathBuf, Failure> {
    let dir = crate::config::data_dir().join("demo");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).or_fail(&format!(
            "could not clear the previous demo at {}",
            dir.display()
        ))?;
    }
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let thread_dir = dir.clone();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => {
                let _ = ready_tx.send(Err(format!("could not start the demo runtime: {e}")));
                return;
            }
        };
        runtime.block_on(async move {
            match crate::demo::start_with(&thread_dir, Some(seeder())).await {
                Ok(demo) => {
                    let _ = ready_tx.send(Ok(demo.config_path.clone()));
                    // Keep the environments serving until the process ends.
                    std::future::pending::<()>().await;
                    drop(demo);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(format!("{e:#}")));
                }
            }
        });
    });
    match ready_rx.recv() {
        Ok(Ok(path)) => Ok(path),
        Ok(Err(e)) => Err(Failure::failed(format!("the demo could not start: {e}"))),
        Err(_) => Err(Failure::failed("the demo could not start")),
    }
}

/// `shipdeck check`: structure and references; warnings never fail it.
pub fn check(config: Option<&Path>) -> Result<u8, Failure> {
    let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
    let path = crate::config::discover(config, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
    let (cfg, bytes) = crate::config::read(&path).map_err(|e| Failure::usage(e.to_string()))?;
    warn_all(&crate::config::warnings(&cfg));
    let gates: usize = cfg.environments.iter().map(|e| e.gates.len()).sum();
    println!(
        "{}: ok — project `{}`, {} environments ({}), {} services, {} gates, {} freezes, \
         checklists: {}",
        path.display(),
        cfg.project.name,
        cfg.environments.len(),
        cfg.environments
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(" → "),
        cfg.services.len(),
        gates,
        cfg.freezes.len(),
        cfg.checklists
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if crate::trust::needs_trust(&cfg)
        && !crate::trust::is_trusted_content(&cfg.path, &bytes).unwrap_or(false)
    {
        println!(
            "note: this configuration runs commands; none will run until you review it and run \
             `shipdeck trust`"
        );
    }
    Ok(0)
}

/// `shipdeck trust`.
pub fn trust(config: Option<&Path>) -> Result<u8, Failure> {
    let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
    let path = crate::config::discover(config, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
    let (cfg, bytes) = crate::config::read(&path).map_err(|e| Failure::usage(e.to_string()))?;
    crate::trust::trust_content(&cfg.path, &bytes).or_fail("could not record the trust")?;
    println!(
        "trusted {} as it is now; editing it withdraws the trust",
        cfg.path.display()
    );
    Ok(0)
}

pub fn releases(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    let list = actions::releases(&ctx, service)?;
    if as_json {
        let rows: Vec<_> = list
            .iter()
            .map(|r| {
                json!({"release": r.name, "version": r.version, "commit": r.commit,
                       "date": r.date.to_string()})
            })
            .collect();
        println!("{}", json(&rows));
    } else {
        let now = now();
        let mut text = String::with_capacity(list.len() * 64);
        for r in &list {
            let _ = writeln!(
                text,
                "{:<24} {:<12} {}  {} ago",
                r.name,
                r.version,
                &r.commit[..12.min(r.commit.len())],
                age(now, r.date)
            );
        }
        emit(&text)?;
    }
    Ok(0)
}

pub async fn changelog(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    from: &str,
    to: &str,
    as_json: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.service(service)?;
    let needs_live = ctx.config.environment(from).is_some() || ctx.config.environment(to).is_some();
    let observations = if needs_live {
        observe_and_settle(&ctx, Some(&[service])).await?
    } else {
        Vec::new()
    };
    let log = actions::changelog(&ctx, service, from, to, &observations)?;
    if as_json {
        emit(&(json(&log) + "\n"))?;
    } else {
        let mut text = String::with_capacity(64 + log.commits.len() * 80);
        let _ = writeln!(
            text,
            "{}..{}: {} commits",
            log.from,
            log.to,
            log.commits.len()
        );
        for c in &log.commits {
            let _ = writeln!(
                text,
                "{} {} — {}",
                &c.commit[..7.min(c.commit.len())],
                c.summary,
                c.author
            );
        }
        emit(&text)?;
    }
    Ok(0)
}

pub fn approve(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    note: Option<&str>,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("approve")?;
    let release = resolve_release(&ctx, service, release)?;
    let event = actions::approve(&ctx, service, &release, env, note)?;
    println!(
        "approved by {}: {} ({}) for {} — event {} at {}",
        event.actor,
        release.name,
        &release.commit[..12.min(release.commit.len())],
        env,
        event.seq,
        event.at
    );
    Ok(0)
}

pub fn override_gate(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    release: &str,
    env: &str,
    gate: &str,
    reason: &str,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("override")?;
    let release = resolve_release(&ctx, service, release)?;
    let event = actions::override_gate(&ctx, service, &release, env, gate, reason)?;
    println!(
        "gate `{gate}` of {} → {env} overridden by {}: {reason} — event {}",
        release.name, event.actor, event.seq
    );
    Ok(0)
}

pub async fn checklist(
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
        Some(ChecklistAction::Tick { item }) => {
            actions::tick_seen(
                &ctx,
                service,
                &release,
                env,
                item,
                true,
                note,
                &observations,
            )?;
        }
        Some(ChecklistAction::Untick { item }) => {
            actions::tick_seen(
                &ctx,
                service,
                &release,
                env,
                item,
                false,
                note,
                &observations,
            )?;
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

pub fn tag(
    config: Option<&Path>,
    read_only: bool,
    service: &str,
    commit: &str,
    version: &str,
    message: Option<&str>,
    push: bool,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    ctx.writable("tag")?;
    let event = actions::tag(&ctx, service, commit, version, message, push)?;
    println!(
        "tagged {} at {}{}",
        event.release.as_deref().unwrap_or_default(),
        commit,
        if push { " and pushed it to origin" } else { "" }
    );
    Ok(0)
}

/// `log --service/--env/--since`: which events `log` lists.
#[derive(Debug, Default)]
pub struct LogFilter {
    pub service: Option<String>,
    pub env: Option<String>,
    pub since: Option<String>,
}

impl LogFilter {
    /// The earliest time `--since` lets through: a duration back from `now`, or a timestamp.
    fn since(&self, now: jiff::Timestamp) -> Result<Option<jiff::Timestamp>, Failure> {
        let Some(text) = self.since.as_deref().map(str::trim) else {
            return Ok(None);
        };
        if let Ok(at) = text.parse::<jiff::Timestamp>() {
            return Ok(Some(at));
        }
        let span = crate::domain::duration::parse_duration(text).map_err(|e| {
            Failure::usage(format!(
                "--since `{text}`: {e}; give a duration (`30m`, `2h`, `7d`) or a time \
                 (`2026-12-02T20:00:00Z`)"
            ))
        })?;
        let back = jiff::SignedDuration::try_from(span).unwrap_or(jiff::SignedDuration::MAX);
        Ok(Some(now.checked_sub(back).unwrap_or(jiff::Timestamp::MIN)))
    }
}

pub fn log(
    config: Option<&Path>,
    read_only: bool,
    as_json: bool,
    verify: bool,
    filter: &LogFilter,
) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    warn_all(&warnings);
    if verify {
        if let Some(git) = ctx.log.git() {
            if let Some(rewrite) = ctx.log.last_sync().and_then(|r| r.rewritten) {
                return Err(Failure::log(format!(
                    "{}: the shared log was rewritten since this clone last saw it ({} events \
                     gone, {} changed); see the warning above",
                    git.place(),
                    rewrite.missing.len(),
                    rewrite.changed.len()
                )));
            }
            verify_shared(git)?;
            return super::verify_log::signatures(&ctx);
        }
        let path = ctx.log.file().unwrap_or_else(|| std::path::Path::new(""));
        let report = store::verify(path);
        if report.first_bad.is_none()
            && let Ok((events, _)) = ctx.log.checked()
            && let Some(rewritten) = crate::app::anchor::check(path, &events, true)
        {
            return Err(Failure::log(rewritten));
        }
        return match report.first_bad {
            None => {
                println!(
                    "{}: {} events, hash chain intact",
                    path.display(),
                    report.events
                );
                super::verify_log::signatures(&ctx)
            }
            Some(bad) => Err(Failure::log(format!(
                "{}:{}: the event log failed verification: {}",
                path.display(),
                bad.line,
                bad.reason
            ))),
        };
    }
    if let Some(service) = &filter.service {
        ctx.service(service)?;
    }
    if let Some(env) = &filter.env {
        ctx.environment(env)?;
    }
    let now = now();
    let since = filter.since(now)?;
    let tz = local_zone();
    let (events, _) = ctx.ledger_shown()?;
    let mut text = String::new();
    for e in events.iter().filter(|e| {
        filter
            .service
            .as_ref()
            .is_none_or(|s| e.service.as_ref() == Some(s))
            && filter
                .env
                .as_ref()
                .is_none_or(|v| e.env.as_ref() == Some(v))
            && since.is_none_or(|t| e.at >= t)
    }) {
        if as_json {
            // In JSON, controls, bidi and invisible characters travel as `\u` escapes.
            text.push_str(&crate::domain::sanitize::json_escape_invisible(
                &serde_json::to_string(e).unwrap_or_default(),
            ));
            text.push('\n');
        } else {
            // Events may come from anyone with push access to a shared log: every field is
            // untrusted text, sanitized on its own before it is padded and joined, so one
            // field's unterminated escape cannot swallow the rest of the line.
            let clean = crate::domain::sanitize::sanitize;
            let line = format!(
                "{:>5} {} {} {:<24} {:<17} {} {} {} {}",
                e.seq,
                short_id(&e.id),
                when(e.at, now, &tz),
                clean(&e.actor),
                clean(&e.kind),
                clean(e.service.as_deref().unwrap_or("-")),
                clean(e.release.as_deref().unwrap_or("-")),
                clean(e.env.as_deref().unwrap_or("-")),
                clean(&summary(e))
            );
            text.push_str(&line);
            text.push('\n');
        }
    }
    emit(&text)?;
    Ok(0)
}

/// `log --verify` on the git backend: git chains the commits; every commit on the ref must be
/// one event on a single line of history.
fn verify_shared(git: &crate::gitlog::GitLog) -> Result<u8, Failure> {
    let events = git
        .events()
        .map_err(|e| Failure::failed(format!("could not read the shared log: {e}")))?;
    let foreign = git
        .foreign()
        .map_err(|e| Failure::failed(format!("could not read the shared log: {e}")))?;
    if let Some(damage) = crate::store::integrity::first_bad(&events, false) {
        return Err(Failure::log(format!(
            "{}: event {} on the ref failed verification: {}",
            git.place(),
            damage.line,
            damage.reason
        )));
    }
    if let Some(bad) = foreign.first() {
        return Err(Failure::log(format!(
            "{}: commit {} failed verification: {}{}",
            git.place(),
            bad.commit,
            bad.reason,
            if foreign.len() > 1 {
                format!(" ({} more such commits)", foreign.len() - 1)
            } else {
                String::new()
            }
        )));
    }
    println!(
        "{}: {} events, each a commit on one line of history",
        git.place(),
        events.len()
    );
    Ok(0)
}

fn summary(e: &crate::domain::event::Event) -> String {
    let d = &e.data;
    let field = |k: &str| d.get(k).and_then(|v| v.as_str()).map(str::to_string);
    match e.kind.as_str() {
        "overridden" => format!(
            "gate {}: {}",
            field("gate").unwrap_or_default(),
            field("reason").unwrap_or_default()
        ),
        "item-ticked" | "item-unticked" | "item-noted" => format!(
            "{}/{}{}",
            field("checklist").unwrap_or_default(),
            field("item").unwrap_or_default(),
            field("note").map(|n| format!(": {n}")).unwrap_or_default()
        ),
        "deploy-requested" => field("call").unwrap_or_default(),
        "deploy-failed" => field("reason").unwrap_or_default(),
        "tagged" => field("tag").unwrap_or_default(),
        "notes-published" => crate::domain::sanitize::sanitize(&format!(
            "{}: {}",
            field("channel").unwrap_or_default(),
            field("detail").unwrap_or_default()
        )),
        "notes-edited" => "edited the release notes".to_string(),
        _ => String::new(),
    }
}

/// `shipdeck sync [--restore]`: one explicit round with the shared log's remote. Exits 0 when
/// this clone and the remote are in step, 1 when they are not (the warnings say why).
pub fn sync(config: Option<&Path>, read_only: bool, restore: bool) -> Result<u8, Failure> {
    let (ctx, warnings) = Context::load(config, read_only)?;
    let Some(git) = ctx.log.git() else {
        return Err(Failure::usage(format!(
            "the event log is the local file {}; `sync` needs `[project] state = {{ backend = \"git\" }}`",
            ctx.log.describe()
        )));
    };
    let report = if restore {
        ctx.writable("sync --restore")?;
        git.sync(crate::gitlog::Mode::Restore)
    } else {
        ctx.log.last_sync().unwrap_or_default()
    };
    let warnings = if restore { report.warnings() } else { warnings };
    warn_all(&warnings);
    let events = git
        .events()
        .map_err(|e| Failure::failed(format!("could not read the shared log: {e}")))?;
    println!(
        "{}: {} events; {} pulled, {} replayed on top, {}",
        git.place(),
        events.len(),
        report.pulled,
        report.replayed,
        if report.pushed {
            "pushed"
        } else {
            "nothing pushed"
        }
    );
    let in_step = report.fetched
        && report.unpushed == 0
        && report.rewritten.is_none()
        && report.refused.is_none()
        && report.gave_up.is_none();
    Ok(u8::from(!in_step))
}
