//! `shipdeck sync [--restore]`: one round with the shared log's remote.

use std::path::Path;

use crate::app::Failure;
use crate::app::context::Context;

use super::output::warn_all;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// After the remote's log was rewritten, put the events it lost back on top.
    #[arg(long)]
    pub restore: bool,
}

/// `shipdeck sync [--restore]`: one explicit round with the shared log's remote. Exits 0 when
/// this clone and the remote are in step, 1 when they are not (the warnings say why).
pub fn run(config: Option<&Path>, read_only: bool, restore: bool) -> Result<u8, Failure> {
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
