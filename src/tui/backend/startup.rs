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
    pub(super) observations: super::traffic::Observations,
    /// The router reads of slotted targets, once releases are known.
    pub(super) traffic: Arc<Mutex<Option<super::traffic::TrafficObserver>>>,
    /// The rollouts this console drives: a flag per target that cuts the current pause short.
    pub(super) drivers: super::rollout::Drivers,
    /// The flag services' client (no redirects, no retries) and their observer once started.
    pub(super) flag_client: reqwest::Client,
    pub(super) flag_observer: Arc<Mutex<Option<FlagObserver>>>,
}

/// The latest observation per target, and the list of them handed out since the last change.
#[derive(Default)]
pub struct Seen {
    latest: BTreeMap<TargetKey, Observation>,
    shared: Option<Arc<[Observation]>>,
}

impl Seen {
    pub(super) fn insert(&mut self, o: Observation) {
        self.shared = None;
        self.latest.insert(TargetKey::new(&o.service, &o.env), o);
    }

    /// Every latest observation, in target order; built once per change.
    pub(super) fn shared(&mut self) -> Arc<[Observation]> {
        self.shared
            .get_or_insert_with(|| self.latest.values().cloned().collect())
            .clone()
    }
}

impl Live {
    pub fn new(ctx: Arc<Context>) -> Live {
        Live {
            ctx,
            prober: Arc::new(Mutex::new(None)),
            observations: Arc::new(Mutex::new(Seen::default())),
            traffic: Arc::new(Mutex::new(None)),
            drivers: super::rollout::Drivers::default(),
            flag_client: crate::flags::client(),
            flag_observer: Arc::new(Mutex::new(None)),
        }
    }

    /// The latest observation of every target, shared: each effect that needs them (every gate
    /// plan of a round) gets the same list until the next observation arrives, rather than a
    /// copy of all of them (1,800 targets × thousands of plans on the first round).
    pub(super) fn observations(&self) -> Arc<[Observation]> {
        self.observations
            .lock()
            .map_or_else(|_| Arc::from(Vec::new()), |mut seen| seen.shared())
    }

    /// Loads every service's releases, then starts the probes (they match versions against
    /// the releases). Results arrive as messages; the first frame does not wait for any of it.
    pub fn start(&self, tx: &UnboundedSender<Msg>) {
        if let Some(observer) = start_flags(&self.ctx, &self.flag_client, tx)
            && let Ok(mut slot) = self.flag_observer.lock()
        {
            *slot = Some(observer);
        }
        let ctx = self.ctx.clone();
        let prober = self.prober.clone();
        let observations = self.observations.clone();
        let traffic = self.traffic.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let loaded = load_releases(&ctx).await;
            let releases: BTreeMap<String, Arc<Vec<Release>>> = loaded
                .iter()
                .filter_map(|(s, r)| Some((s.clone(), Arc::new(r.as_ref().ok()?.clone()))))
                .collect();
            let (ptx, mut prx) = unbounded_channel();
            let targets = crate::probe::targets(&ctx.config, &releases);
            if let Ok(mut slot) = traffic.lock() {
                *slot = super::traffic::TrafficObserver::spawn(&ctx, &targets, &observations, &tx);
            }
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
                        if let Ok(mut seen) = observations.lock() {
                            seen.insert(o.clone());
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

    /// Reads every slotted target's router now (after a shift, `R`).
    pub(super) fn read_traffic_now(&self) {
        if let Ok(slot) = self.traffic.lock()
            && let Some(t) = slot.as_ref()
        {
            t.refresh_now();
        }
    }

    /// Asks the flag observer to read every flag service now.
    pub(super) fn refresh_flags(&self) {
        if let Ok(slot) = self.flag_observer.lock()
            && let Some(o) = slot.as_ref()
        {
            o.refresh_now();
        }
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
/// reading arrives as a message. The observer is the backend's (`R` asks it to read now); its
/// tasks end when it is dropped or the console's channel closes.
fn start_flags(
    ctx: &Arc<Context>,
    client: &reqwest::Client,
    tx: &UnboundedSender<Msg>,
) -> Option<FlagObserver> {
    if ctx.config.flags.is_empty() {
        return None;
    }
    let (ftx, mut frx) = unbounded_channel();
    let observer = FlagObserver::spawn(client, ctx.config.flags.clone(), &ftx);
    let tx = tx.clone();
    tokio::spawn(async move {
        while let Some(event) = frx.recv().await {
            if let FlagObserverEvent::Read(reading) = event
                && tx.send(Msg::FlagsRead(reading)).is_err()
            {
                return;
            }
        }
    });
    Some(observer)
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
