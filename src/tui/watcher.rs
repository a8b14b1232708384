//! Picks up events other processes append to the log (a colleague approving from another
//! terminal, a headless `promote` in CI): polls the file's length every 250 ms — one `stat`,
//! cheap — and re-reads the log only when it changed.

use std::path::PathBuf;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinHandle;

use crate::app::msg::Msg;
use crate::domain::event::Event;

/// How often the log file is looked at.
pub const POLL: Duration = Duration::from_millis(250);

/// Reads the whole log (blocking; run on the blocking pool).
pub type ReadLog = dyn Fn() -> Result<Vec<Event>, String> + Send + Sync;

/// Watches `path`; sends [`Msg::LogChanged`] when its length or mtime changes. Ends when the
/// console's channel closes.
pub fn spawn(
    path: PathBuf,
    read: std::sync::Arc<ReadLog>,
    tx: UnboundedSender<Msg>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut seen = stamp(&path);
        let mut ticker = tokio::time::interval(POLL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if tx.is_closed() {
                return;
            }
            let now = stamp(&path);
            if now == seen {
                continue;
            }
            seen = now;
            let read = read.clone();
            match tokio::task::spawn_blocking(move || read()).await {
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

fn stamp(path: &std::path::Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}
