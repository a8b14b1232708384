//! The live reading of flag services, like probes: one task per service on its interval,
//! backing off while it fails, every result on a channel. The screen never waits on it.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::domain::flag::{FlagReading, FlagService};
use crate::probe::backoff_delay;

/// What the observer reports.
#[derive(Debug, Clone, PartialEq)]
pub enum FlagObserverEvent {
    /// A read finished (its result may be a fault).
    Read(FlagReading),
    /// The last read failed; the next is in `next_in`. `attempt` counts the failures in a row.
    Retrying {
        provider: String,
        attempt: u32,
        next_in: Duration,
    },
}

/// The running reads. Dropping it stops every task.
pub struct FlagObserver {
    refresh: watch::Sender<u64>,
    _tasks: JoinSet<()>,
}

impl FlagObserver {
    /// Starts one task per flag service on the current tokio runtime.
    pub fn spawn(
        client: &reqwest::Client,
        services: Vec<FlagService>,
        tx: &UnboundedSender<FlagObserverEvent>,
    ) -> FlagObserver {
        let (refresh, _) = watch::channel(0u64);
        let mut tasks = JoinSet::new();
        for service in services {
            tasks.spawn(run(
                client.clone(),
                service,
                tx.clone(),
                refresh.subscribe(),
            ));
        }
        FlagObserver {
            refresh,
            _tasks: tasks,
        }
    }

    /// Reads every service now (after a change, or `R`).
    pub fn refresh_now(&self) {
        self.refresh.send_modify(|n| *n = n.wrapping_add(1));
    }
}

async fn run(
    client: reqwest::Client,
    service: FlagService,
    tx: UnboundedSender<FlagObserverEvent>,
    mut refresh: watch::Receiver<u64>,
) {
    let interval = service.interval.max(Duration::from_millis(10));
    let mut failures = 0u32;
    loop {
        let reading = super::read(&client, &service).await;
        let failed = reading.result.is_err();
        if tx.send(FlagObserverEvent::Read(reading)).is_err() {
            return;
        }
        failures = if failed {
            failures.saturating_add(1)
        } else {
            0
        };
        let next_in = if failed {
            backoff_delay(interval, failures)
        } else {
            interval
        };
        if failed {
            let retrying = FlagObserverEvent::Retrying {
                provider: service.name.clone(),
                attempt: failures,
                next_in,
            };
            if tx.send(retrying).is_err() {
                return;
            }
        }
        let deadline = Instant::now() + next_in;
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => {}
            changed = refresh.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}
