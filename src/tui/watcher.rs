//! Picks up events other processes append to the log (a colleague approving from another
//! terminal, a headless `promote` in CI, a background fetch of the shared log): polls a cheap
//! stamp every 250 ms — one `stat`, or two ref lookups — and re-reads the log only when it
//! changed.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::context::Context;
use crate::console::msg::Msg;

/// How often the log is looked at.
pub const POLL: Duration = Duration::from_millis(250);

/// Watches the context's log; sends [`Msg::LogChanged`] when its stamp changes. Ends when the
/// console's channel closes.
pub fn spawn(ctx: Arc<Context>, tx: UnboundedSender<Msg>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = ctx.log.stamp();
        let mut ticker = tokio::time::interval(POLL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if tx.is_closed() {
                return;
            }
            let now = ctx.log.stamp();
            if now == seen {
                continue;
            }
            seen = now;
            let ctx = ctx.clone();
            match tokio::task::spawn_blocking(move || ctx.log.events()).await {
                Ok(Ok(events)) => {
                    if tx.send(Msg::LogChanged(events)).is_err() {
                        return;
                    }
                }
                Ok(Err(e)) => tracing::warn!("reading the event log: {e}"),
                Err(e) => tracing::warn!("reading the event log: {e}"),
            }
        }
    })
}
