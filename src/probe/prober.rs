//! The live engine: one task per target, probing on its interval (a failing one within it),
//! reporting every result (and every scheduled retry) on a channel. The screen never waits on it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use rand::Rng as _;
use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::backoff::retry_delay;
use super::once::probe_once;
use super::refresh::probe_concurrency;
use super::target::Target;
use crate::domain::observation::{Health, Observation};

/// The interval of a target whose spec names none.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(10);
/// The interval while a deployment of the target is being verified.
pub const FAST_INTERVAL: Duration = Duration::from_secs(1);
/// Never probe one target more often than this, whatever the configuration says.
const MIN_INTERVAL: Duration = Duration::from_millis(10);
/// The start of each target is spread over up to this much (or a tenth of its interval), so a
/// thousand targets do not all connect in the same millisecond.
const MAX_PHASE: Duration = Duration::from_secs(1);

/// What the engine reports.
#[derive(Debug, Clone, PartialEq)]
pub enum ProbeEvent {
    /// A probe finished.
    Observed(Observation),
    /// The last probe failed (fail or unreachable); the next one is in `next_in` (never more
    /// than the target's interval), at `next_at` on the wall clock, for a countdown that counts
    /// down. `attempt` counts the failures in a row.
    Retrying {
        service: String,
        env: String,
        attempt: u32,
        next_in: Duration,
        next_at: jiff::Timestamp,
    },
}

/// The running probes. Dropping it (or [`Prober::shutdown`]) stops every task.
pub struct Prober {
    refresh: watch::Sender<u64>,
    fast: BTreeMap<(String, String), watch::Sender<bool>>,
    // A JoinSet aborts its tasks when dropped, which is what ends the engine with the Prober.
    _tasks: JoinSet<()>,
}

impl Prober {
    /// Starts one task per target on the current tokio runtime, sharing `client` and a
    /// semaphore of [`probe_concurrency`] permits. Events go to `tx`; tasks also end when its
    /// receiver is gone.
    // Taken by value so the caller hands them over; each task gets its own clone.
    #[allow(clippy::needless_pass_by_value)]
    pub fn spawn(
        client: reqwest::Client,
        targets: Vec<Target>,
        trusted: bool,
        tx: UnboundedSender<ProbeEvent>,
    ) -> Prober {
        let permits = Arc::new(Semaphore::new(probe_concurrency()));
        let (refresh, _) = watch::channel(0u64);
        let mut fast = BTreeMap::new();
        let mut tasks = JoinSet::new();
        for target in targets {
            let (fast_tx, fast_rx) = watch::channel(false);
            fast.insert((target.service.clone(), target.env.clone()), fast_tx);
            let job = Job {
                client: client.clone(),
                target,
                trusted,
                permits: Arc::clone(&permits),
                tx: tx.clone(),
                refresh: refresh.subscribe(),
                fast: fast_rx,
            };
            tasks.spawn(job.run());
        }
        Prober {
            refresh,
            fast,
            _tasks: tasks,
        }
    }

    /// Probes every target now (each still bounded by the shared semaphore and its timeout).
    pub fn refresh_now(&self) {
        self.refresh.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Switches the target to [`FAST_INTERVAL`] (`on`) or back to its own interval. While fast,
    /// a failing target is retried every second rather than backed off: a deployment being
    /// verified is expected to be down for a moment.
    pub fn fast(&self, service: &str, env: &str, on: bool) {
        if let Some(tx) = self.fast.get(&(service.to_string(), env.to_string())) {
            tx.send_if_modified(|v| std::mem::replace(v, on) != on);
        }
    }

    /// Stops every task now.
    pub fn shutdown(self) {
        drop(self);
    }
}

/// One target's loop and what it needs.
struct Job {
    client: reqwest::Client,
    target: Target,
    trusted: bool,
    permits: Arc<Semaphore>,
    tx: UnboundedSender<ProbeEvent>,
    refresh: watch::Receiver<u64>,
    fast: watch::Receiver<bool>,
}

impl Job {
    async fn run(mut self) {
        let interval = self
            .target
            .spec
            .interval
            .unwrap_or(DEFAULT_INTERVAL)
            .max(MIN_INTERVAL);
        let mut last = Instant::now();
        let mut deadline = last + phase(interval);
        let mut failures = 0u32;
        loop {
            if !self.wait(&mut deadline, last).await {
                return;
            }
            let observation = {
                let Ok(_permit) = self.permits.acquire().await else {
                    return;
                };
                probe_once(&self.client, &self.target, self.trusted).await
            };
            last = Instant::now();
            let failing = matches!(observation.health, Health::Fail | Health::Unreachable);
            if self.tx.send(ProbeEvent::Observed(observation)).is_err() {
                return;
            }
            let fast = *self.fast.borrow();
            failures = if failing {
                failures.saturating_add(1)
            } else {
                0
            };
            let next_in = match (fast, failing) {
                (true, _) => FAST_INTERVAL,
                (false, true) => retry_delay(interval),
                (false, false) => interval,
            };
            if failing {
                let retrying = ProbeEvent::Retrying {
                    service: self.target.service.clone(),
                    env: self.target.env.clone(),
                    attempt: failures,
                    next_in,
                    next_at: jiff::Timestamp::now()
                        .checked_add(next_in)
                        .unwrap_or(jiff::Timestamp::MAX),
                };
                if self.tx.send(retrying).is_err() {
                    return;
                }
            }
            deadline = last + next_in;
        }
    }

    /// Waits until `deadline`, a refresh, or fast mode pulling the deadline in. False when the
    /// Prober is gone.
    async fn wait(&mut self, deadline: &mut Instant, last: Instant) -> bool {
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(*deadline) => return true,
                changed = self.refresh.changed() => return changed.is_ok(),
                changed = self.fast.changed() => {
                    if changed.is_err() {
                        return false;
                    }
                    if *self.fast.borrow_and_update() {
                        *deadline = (*deadline).min(last + FAST_INTERVAL);
                    }
                }
            }
        }
    }
}

/// A random start offset within a tenth of the interval, at most [`MAX_PHASE`].
fn phase(interval: Duration) -> Duration {
    let max = (interval / 10).min(MAX_PHASE);
    max.mul_f64(rand::rng().random_range(0.0..=1.0))
}
