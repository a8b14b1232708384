//! Starting the console: the context, the terminal, the background sources, the loop, and the
//! restore whatever happens.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::mpsc::unbounded_channel;

use crate::app::context::Context;
use crate::console::msg::Msg;
use crate::console::state::State;
use crate::tui::backend::Live;
use crate::tui::{runner, terminal, watcher};

/// `shipdeck [--config PATH] [--read-only]`: the console, until the user quits.
#[allow(clippy::needless_pass_by_value)] // the CLI's contract: it hands over what it parsed
pub fn run(config: Option<PathBuf>, read_only: bool) -> anyhow::Result<()> {
    let (ctx, warnings) =
        Context::load(config.as_deref(), read_only).map_err(|f| anyhow::anyhow!("{f}"))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(run_with(ctx, warnings))
}

/// The console over an already loaded context (the demo uses this after starting its servers).
pub async fn run_with(mut ctx: Context, warnings: Vec<String>) -> anyhow::Result<()> {
    // The screen is the console's: the shared log's news goes on the board, not stderr.
    ctx.warn_on_stderr = false;
    crate::probe::raise_open_file_limit();
    let events = ctx.log.events().map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut state = State::new(
        ctx.config.clone(),
        &ctx.actor,
        ctx.read_only,
        events,
        Timestamp::now(),
    );
    state.tz = jiff::tz::TimeZone::system();
    let ctx = Arc::new(ctx);
    let (tx, mut rx) = unbounded_channel();
    for warning in warnings {
        let _ = tx.send(Msg::Problem(warning));
    }
    let backend = Live::new(ctx.clone());
    let mut term = terminal::enter()?;
    backend.start(&tx);
    if let Some(report) = ctx.log.last_sync() {
        let _ = tx.send(Msg::Synced {
            badge: report.badge(),
            warnings: Vec::new(),
        });
    }
    let watch = watcher::spawn(ctx.clone(), tx.clone());
    let fetcher = ctx.log.git().map(|git| {
        let every = git.settings().fetch_interval;
        let (ctx, tx) = (ctx.clone(), tx.clone());
        tokio::spawn(async move {
            let mut ticker = tokio::time::interval(every);
            ticker.tick().await;
            loop {
                ticker.tick().await;
                if tx.is_closed() {
                    return;
                }
                crate::tui::backend::sync_shared_log(&ctx, &tx);
            }
        })
    });
    let result = runner::run_loop(&mut term, state, &backend, &tx, &mut rx).await;
    terminal::restore();
    watch.abort();
    if let Some(fetcher) = fetcher {
        fetcher.abort();
    }
    result
}
