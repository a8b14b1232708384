//! `shipdeck log [--json] [--service S] [--env E] [--since WHEN] [--verify]`: the event log.

use std::path::Path;

use crate::app::Failure;
use crate::app::context::{Context, now};
use crate::domain::time::{local_zone, short_id, when};
use crate::store;

use super::output::{emit, warn_all};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// One JSON object per line (JSON Lines), the events as stored.
    #[arg(long)]
    pub json: bool,
    /// Only events about this service.
    #[arg(long, value_name = "SERVICE")]
    pub service: Option<String>,
    /// Only events about this environment.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Only events from the last DURATION (`30m`, `2h`, `7d`) or since a time
    /// (`2026-12-02T20:00:00Z`).
    #[arg(long, value_name = "WHEN")]
    pub since: Option<String>,
    /// Check the hash chain and, where the project signs events, every signature; exit 5
    /// naming the first bad line and every event whose signature fails.
    #[arg(long)]
    pub verify: bool,
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

pub fn run(
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

/// What the event recorded beyond its kind and scope (`Fact::summary`); empty for a body this
/// build does not know.
fn summary(e: &crate::domain::event::Event) -> String {
    e.fact().map(|f| f.summary()).unwrap_or_default()
}
