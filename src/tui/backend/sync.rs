//! The shared log (git backend) synced in the background.

use std::sync::Arc;

use tokio::sync::mpsc::UnboundedSender;

use crate::app::context::Context;
use crate::console::msg::Msg;

/// Fetches (and pushes) the shared log in the background when it is the git backend; the
/// watcher then sees the new events, and the board's badge is updated.
pub fn sync_shared_log(ctx: &Arc<Context>, tx: &UnboundedSender<Msg>) {
    if ctx.log.git().is_none() {
        return;
    }
    let ctx = ctx.clone();
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let mode = if ctx.read_only {
            crate::gitlog::Mode::Look
        } else {
            crate::gitlog::Mode::Full
        };
        if let Some(report) = ctx.log.sync(mode) {
            let _ = tx.send(Msg::Synced {
                badge: report.badge(),
                warnings: report.warnings(),
            });
        }
    });
}
