//! Slotted targets as they are now: the router read, each slot probed, the log's rollout and
//! whether a process is driving it. Also the driver's lock, which is how "nobody driving" is
//! known: the driving process holds it, and the operating system lets go of it when that
//! process ends, however it ends (kill -9 included).

use std::collections::BTreeMap;
use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::context::{Context, now};
use crate::app::failure::Failure;
use crate::domain::observation::{Health, Observation};
use crate::domain::release::Release;
use crate::domain::rollout::{self, Next, Outcome, Rollout};
use crate::domain::sanitize::{sanitize, truncate};
use crate::domain::traffic::{TrafficSpec, Weights, as_percent};
use crate::domain::traffic_reading::TrafficReading;
use crate::probe::{self, Target};

use super::query::releases;

/// The traffic settings of (service, env), or a usage failure naming what to add.
pub fn slotted<'a>(ctx: &'a Context, service: &str, env: &str) -> Result<&'a TrafficSpec, Failure> {
    ctx.service(service)?;
    ctx.environment(env)?;
    ctx.config.exposure.traffic(service, env).ok_or_else(|| {
        Failure::usage(format!(
            "`{service}` in `{env}` has no slots; add a `[services.env.{env}.traffic]` table \
             (kind, slots, …) to route it"
        ))
    })
}

/// The process that drives a rollout of one target holds this; dropping it lets go.
#[derive(Debug)]
pub struct DriverLock {
    _file: File,
}

fn lock_path(ctx: &Context, service: &str, env: &str) -> PathBuf {
    ctx.config
        .project
        .state_dir
        .join("rollouts")
        .join(format!("{service}--{env}.lock"))
}

/// Takes the driver's lock of (service, env), refusing (exit 3) while another process drives.
pub fn take_driver(ctx: &Context, service: &str, env: &str) -> Result<DriverLock, Failure> {
    ctx.writable("drive a rollout")?;
    let path = lock_path(ctx, service, env);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::failed(format!("could not create {}: {e}", dir.display())))?;
    }
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| Failure::failed(format!("could not open {}: {e}", path.display())))?;
    match file.try_lock() {
        Ok(()) => Ok(DriverLock { _file: file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(Failure::blocked(format!(
            "another process is driving the rollout of {service} in {env}; abort it with \
             `shipdeck rollout {service} --env {env} --abort`, or wait for it"
        ))),
        Err(std::fs::TryLockError::Error(e)) => Err(Failure::failed(format!(
            "could not lock {}: {e}",
            path.display()
        ))),
    }
}

/// Whether some process holds the driver's lock of (service, env) now. Never creates anything.
pub fn driven(ctx: &Context, service: &str, env: &str) -> bool {
    let Ok(file) = File::open(lock_path(ctx, service, env)) else {
        return false;
    };
    match file.try_lock_shared() {
        Ok(()) => {
            let _ = file.unlock();
            false
        }
        Err(_) => true,
    }
}

/// The probe target of (service, env), slotted (its `Routed` probe), with its releases.
pub fn target(ctx: &Context, service: &str, env: &str) -> Result<Target, Failure> {
    let list = Arc::new(releases(ctx, service).unwrap_or_default());
    let mut map = BTreeMap::new();
    map.insert(service.to_string(), list);
    probe::targets(&ctx.config, &map)
        .into_iter()
        .find(|t| t.service == service && t.env == env)
        .ok_or_else(|| {
            Failure::usage(format!(
                "`{service}` has no health probe for `{env}`; slots are verified by their probe \
                 (health = \"http://…{{{{slot}}}}…\")"
            ))
        })
}

/// Probes one slot once.
pub async fn probe_slot(ctx: &Context, target: &Target, slot: &str) -> Option<Observation> {
    let slot_target = probe::slot_target(target, slot)?;
    let client = probe::http_client();
    Some(probe::probe_once(&client, &slot_target, ctx.trusted).await)
}

/// Whether `o` reports `release` (by name or commit), healthy.
pub fn runs_healthy(o: &Observation, release: &Release) -> bool {
    o.health == Health::Pass
        && (o.release.as_deref() == Some(release.name.as_str())
            || o.commit.as_deref() == Some(release.commit.as_str()))
}

/// One slot as observed (`traffic --json`'s `slots`).
pub use crate::domain::traffic_reading::SlotReading as SlotView;

/// A slotted target now.
#[derive(Debug, Clone)]
pub struct TrafficView {
    pub service: String,
    pub env: String,
    pub spec: TrafficSpec,
    /// The router's weights in percent, or why it could not be read.
    pub weights: Result<Weights, String>,
    pub live: Option<String>,
    pub slots: Vec<SlotView>,
    /// What the log last recorded the router holding.
    pub recorded: Option<Weights>,
    pub drift: bool,
    pub rollout: Option<Rollout>,
    /// A process holds the driver's lock.
    pub driving: bool,
    pub next: Option<Next>,
}

impl TrafficView {
    /// The rollout in progress, if the latest one has not ended.
    pub fn running(&self) -> Option<&Rollout> {
        self.rollout
            .as_ref()
            .filter(|r| r.outcome == Outcome::Running)
    }

    /// `driving`, `paused: nobody driving`, or the latest rollout's end.
    pub fn state(&self) -> String {
        match (&self.rollout, self.driving) {
            (Some(r), true) if r.outcome == Outcome::Running => "driving".to_string(),
            (Some(r), false) if r.outcome == Outcome::Running => {
                "paused: nobody driving".to_string()
            }
            (Some(r), _) => r.outcome.as_str().to_string(),
            (None, _) => "idle".to_string(),
        }
    }
}

/// Reads the router and probes every slot of (service, env) once, with `target` its probe
/// (see [`target`]); never fails: a router that does not answer is in the reading.
pub async fn reading(
    ctx: &Context,
    service: &str,
    env: &str,
    spec: &TrafficSpec,
    target: &Target,
) -> TrafficReading {
    reading_and_live(ctx, service, env, spec, target).await.0
}

/// [`reading`], and the target's observation as its routed probe would make it from the same
/// reads (the live slot's probe, the split in the detail), when the router could be read: a
/// console that has just seen a shift knows what users reach without waiting for the probe.
pub async fn reading_and_live(
    ctx: &Context,
    service: &str,
    env: &str,
    spec: &TrafficSpec,
    target: &Target,
) -> (TrafficReading, Option<Observation>) {
    let (read, slot_obs) = tokio::join!(
        crate::traffic::read(spec, ctx.trusted),
        futures::future::join_all(spec.slots.iter().map(|slot| probe_slot(ctx, target, slot)))
    );
    let weights = read
        .map(|w| as_percent(&spec.slots, &w))
        .map_err(|e| truncate(&sanitize(&e.to_string()), 300));
    let live = weights.as_ref().ok().and_then(|w| {
        let name = crate::domain::traffic::live_slot(&spec.slots, w)?;
        let i = spec.slots.iter().position(|s| s == name)?;
        let mut o = slot_obs.get(i)?.clone()?;
        let split = crate::domain::traffic::describe_weights(&spec.slots, w);
        o.detail = truncate(
            &if o.detail.is_empty() {
                format!("live {name}: {split}")
            } else {
                format!("live {name}: {split}; {}", o.detail)
            },
            300,
        );
        Some(o)
    });
    let slots = spec
        .slots
        .iter()
        .zip(slot_obs)
        .map(|(name, o)| SlotView {
            name: name.clone(),
            weight: weights.as_ref().ok().and_then(|w| w.get(name).copied()),
            release: o.as_ref().and_then(|o| o.release.clone()),
            reported_version: o.as_ref().and_then(|o| o.reported_version.clone()),
            health: o.as_ref().map_or(Health::Unknown, |o| o.health),
            detail: o.map(|o| o.detail).unwrap_or_default(),
        })
        .collect();
    let reading = TrafficReading {
        service: service.to_string(),
        env: env.to_string(),
        at: now(),
        weights,
        slots,
        driving: driven(ctx, service, env),
    };
    (reading, live)
}

/// Reads the router, probes every slot and folds the log for (service, env).
pub async fn view(ctx: &Context, service: &str, env: &str) -> Result<TrafficView, Failure> {
    let spec = slotted(ctx, service, env)?.clone();
    let target = target(ctx, service, env)?;
    let read = reading(ctx, service, env, &spec, &target).await;
    let (events, _) = ctx.ledger()?;
    let recorded = rollout::recorded_weights(&events, service, env);
    let drift = read
        .weights
        .as_ref()
        .is_ok_and(|w| rollout::drift(&spec.slots, recorded.as_ref(), w));
    let latest = rollout::latest(&events, service, env);
    let next = latest.as_ref().map(|r| rollout::next(r, now()));
    Ok(TrafficView {
        service: service.to_string(),
        env: env.to_string(),
        live: read.live().map(|s| s.name.clone()),
        spec,
        weights: read.weights,
        slots: read.slots,
        recorded,
        drift,
        driving: read.driving,
        rollout: latest,
        next,
    })
}
