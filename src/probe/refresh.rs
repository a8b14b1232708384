//! One refresh of every target at once.

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::once::probe_once;
use super::target::Target;
use crate::domain::observation::{Health, Observation};

/// The most probes that run at once: a board of a thousand targets refreshes in one round (one
/// request's time), not in four; well under the usual open-file limits once raised.
pub const DEFAULT_CONCURRENCY: usize = 1024;

/// File descriptors left for everything but probes: the event log, git, the terminal, tokio.
const RESERVED_FILES: u64 = 64;

/// How many probes may run at once in this process: [`DEFAULT_CONCURRENCY`], or fewer when the
/// open-file limit (raised at start by `raise_open_file_limit`) leaves less room, counting two
/// sockets a probe (a `version_url` is fetched alongside the health URL).
pub fn probe_concurrency() -> usize {
    let soft = rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(1024, |(soft, _)| soft);
    let room = soft.saturating_sub(RESERVED_FILES) / 2;
    usize::try_from(room)
        .unwrap_or(usize::MAX)
        .clamp(1, DEFAULT_CONCURRENCY)
}

/// Probes every target concurrently, at most `concurrency` at a time (0 counts as 1), and
/// returns one observation per target in the order of `targets`. Each probe's timeout starts
/// when it gets its turn, so a hung target costs its own timeout and nobody else's.
pub async fn refresh_all(
    client: &reqwest::Client,
    targets: &[Target],
    trusted: bool,
    concurrency: usize,
) -> Vec<Observation> {
    let permits = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (i, target) in targets.iter().enumerate() {
        let client = client.clone();
        let target = target.clone();
        let permits = Arc::clone(&permits);
        // Spawned rather than joined in place, so answers are parsed on every core.
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await;
            (i, probe_once(&client, &target, trusted).await)
        });
    }
    let mut out: Vec<Option<Observation>> = vec![None; targets.len()];
    while let Some(done) = tasks.join_next().await {
        if let Ok((i, observation)) = done {
            out[i] = Some(observation);
        }
    }
    out.into_iter()
        .zip(targets)
        .map(|(o, t)| o.unwrap_or_else(|| lost(t)))
        .collect()
}

/// Stands in for a probe task that died (it never should): the board shows it as unknown.
fn lost(target: &Target) -> Observation {
    Observation {
        service: target.service.clone(),
        env: target.env.clone(),
        health: Health::Unknown,
        reported_version: None,
        release: None,
        commit: None,
        latency_ms: None,
        at: Timestamp::now(),
        detail: "the probe stopped unexpectedly".to_string(),
    }
}
