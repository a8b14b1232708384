//! Starting the live world: every service's releases, then the probes; their results come
//! back as messages.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use crate::app::actions;
use crate::app::context::Context;
use crate::console::msg::Msg;
use crate::console::state::TargetKey;
use crate::domain::observation::Observation;
use crate::domain::release::Release;
use crate::flags::{FlagObserver, FlagObserverEvent};
use crate::probe::{ProbeEvent, Prober};

/// The effects' world: the context (config, event log, identity), the prober once releases are
/// known, and the latest observation per target (the plans and settling need them).
pub struct Live {
    pub(super) ctx: Arc<Context>,
    pub(super) prober: Arc<Mutex<Option<Prober>>>,
    pub(super) observations: Arc<Mutex<BTreeMap<TargetKey, Observation>>>,
}

impl Live {
    pub fn new(ctx: Arc<Context>) -> Live {
        Live {
            ctx,
            prober: Arc::new(Mutex::new(None)),
            observations: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    pub(super) fn observations(&self) -> Vec<Observation> {
        self.observations
            .lock()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// Loads every service's releases, then starts the probes (they match versions against
    /// the releases). Results arrive as messages; the first frame does not wait for any of it.
    pub fn start(&self, tx: &UnboundedSender<Msg>) {
        start_flags(&self.ctx, tx);
        let ctx = self.ctx.clone();
        let prober = self.prober.clone();
        let observations = self.observations.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let loaded = load_releases(&ctx).await;
            let releases: BTreeMap<String, Arc<Vec<Release>>> = loaded
                .iter()
                .filter_map(|(s, r)| Some((s.clone(), Arc::new(r.as_ref().ok()?.clone()))))
                .collect();
            let (ptx, mut prx) = unbounded_channel();
            let targets = crate::probe::targets(&ctx.config, &releases);
            let started = Prober::spawn(ctx.http.clone(), targets, ctx.trusted, ptx);
            if let Ok(mut slot) = prober.lock() {
                *slot = Some(started);
            }
            // The probes are on their way; now the console learns the releases, then what
            // each service has unreleased.
            if !announce_releases(&ctx, loaded, &tx).await {
                return;
            }
            while let Some(event) = prx.recv().await {
                let msg = match event {
                    ProbeEvent::Observed(o) => {
                        if let Ok(mut map) = observations.lock() {
                            map.insert(TargetKey::new(&o.service, &o.env), o.clone());
                        }
                        Msg::Observed(o)
                    }
                    ProbeEvent::Retrying {
                        service,
                        env,
                        attempt,
                        next_at,
                        ..
                    } => Msg::Retrying {
                        service,
                        env,
                        attempt,
                        next_at,
                    },
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
    }

    pub(super) fn with_prober(&self, f: impl FnOnce(&Prober)) {
        if let Ok(slot) = self.prober.lock()
            && let Some(p) = slot.as_ref()
        {
            f(p);
        }
    }
}

/// Reads the flag services like probes (their own interval, backing off while one fails); each
/// reading arrives as a message. The observer lives as long as the task forwarding them.
fn start_flags(ctx: &Arc<Context>, tx: &UnboundedSender<Msg>) {
    if ctx.config.flags.is_empty() {
        return;
    }
    let services = ctx.config.flags.clone();
    let tx = tx.clone();
    tokio::spawn(async move {
        let (ftx, mut frx) = unbounded_channel();
        let _observer = FlagObserver::spawn(&crate::flags::client(), services, &ftx);
        while let Some(event) = frx.recv().await {
            if let FlagObserverEvent::Read(reading) = event
                && tx.send(Msg::FlagsRead(reading)).is_err()
            {
                return;
            }
        }
    });
}

/// Sends every service's releases, then reads and sends each one's unreleased commits (one
/// service at a time, so the reading never competes with the probes for the blocking pool).
/// `false` once the console has gone.
pub(super) async fn announce_releases(
    ctx: &Arc<Context>,
    loaded: Vec<(String, Result<Vec<Release>, String>)>,
    tx: &UnboundedSender<Msg>,
) -> bool {
    for (service, releases) in &loaded {
        let msg = Msg::ReleasesLoaded {
            service: service.clone(),
            releases: releases.clone(),
        };
        if tx.send(msg).is_err() {
            return false;
        }
    }
    for (service, releases) in loaded {
        let Ok(list) = releases else { continue };
        if !announce_unreleased(ctx, service, list, tx).await {
            return false;
        }
    }
    true
}

/// Reads `service`'s unreleased commits after `releases` and sends them; `false` once the
/// console has gone.
async fn announce_unreleased(
    ctx: &Arc<Context>,
    service: String,
    releases: Vec<Release>,
    tx: &UnboundedSender<Msg>,
) -> bool {
    let c = ctx.clone();
    let name = service.clone();
    let unreleased = tokio::task::spawn_blocking(move || actions::unreleased(&c, &name, &releases))
        .await
        .map_err(|e| e.to_string())
        .and_then(|r| r.map_err(|f| f.to_string()));
    tx.send(Msg::UnreleasedLoaded {
        service,
        unreleased,
    })
    .is_ok()
}

/// Every service's releases, read before any of them is announced: each announcement starts a
/// round of gate plans, and with hundreds of services those rounds would compete with the
/// reading itself and hold back the first probe for many seconds (tests/e2e/scale_board.rs).
pub(super) async fn load_releases(
    ctx: &Arc<Context>,
) -> Vec<(String, Result<Vec<Release>, String>)> {
    let mut loaded = Vec::with_capacity(ctx.config.services.len());
    for service in ctx.config.services.iter().map(|s| s.name.clone()) {
        let c = ctx.clone();
        let name = service.clone();
        let result = tokio::task::spawn_blocking(move || actions::releases(&c, &name))
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|f| f.to_string()));
        loaded.push((service, result));
    }
    loaded
}
