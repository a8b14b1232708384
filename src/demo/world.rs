//! What runs where in the simulated environments: one [`World`] shared by the environment
//! servers. A deploy starts a roll-out that completes at a known instant; whoever looks next
//! (a health probe or another deploy) settles it, so no background task is needed and nothing
//! depends on timers firing.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use jiff::Timestamp;
use tokio::time::Instant;

use super::history::{ENVIRONMENTS, SERVICES, starting_release};
use super::repo::DemoRelease;

/// How long a roll-out takes before the target reports the new release.
pub const ROLLOUT: Duration = Duration::from_millis(2500);

/// One service in one environment.
#[derive(Debug, Clone)]
pub struct Target {
    /// Index into [`World::releases`].
    pub running: usize,
    /// When the running release started (for `uptime`).
    pub since: Timestamp,
    pub rolling: Option<Rollout>,
}

/// A deploy in progress.
#[derive(Debug, Clone)]
pub struct Rollout {
    pub release: usize,
    pub ready_at: Instant,
}

/// One environment: its targets and the idempotency keys it has accepted.
#[derive(Debug, Default)]
pub struct Environment {
    pub targets: BTreeMap<&'static str, Target>,
    /// Idempotency key → (service, release tag) it deployed.
    pub keys: HashMap<String, (&'static str, &'static str)>,
}

/// Every environment of the demo, and the file their running releases persist to.
#[derive(Debug)]
pub struct World {
    pub releases: Vec<DemoRelease>,
    pub envs: BTreeMap<&'static str, Environment>,
    state_file: PathBuf,
    pub rollout: Duration,
    /// Prod's `web`, behind the demo's own traffic router (`super::router`).
    pub slotted: super::router::Slotted,
}

/// The outcome of a deploy request, before it is turned into HTTP.
#[derive(Debug, PartialEq, Eq)]
pub enum DeployOutcome {
    /// A roll-out of this release index started.
    Accepted(usize),
    /// The key was seen before for the same release; nothing new started.
    Repeated(usize),
    UnknownService,
    /// The request cannot be deployed; the reason is safe to show.
    Unprocessable(String),
}

impl World {
    /// The starting state (see [`starting_release`]), or what `state_file` says ran when the demo
    /// last stopped.
    pub fn new(releases: Vec<DemoRelease>, state_file: PathBuf, now: Timestamp) -> Result<World> {
        let saved = load(&state_file);
        let mut envs = BTreeMap::new();
        for env in ENVIRONMENTS {
            let mut environment = Environment::default();
            for (service, _) in SERVICES {
                let tag = saved
                    .get(*env)
                    .and_then(|s| s.get(*service))
                    .and_then(|t| find(&releases, service, t))
                    .map(|i| releases[i].tag)
                    .or_else(|| starting_release(service, env))
                    .with_context(|| format!("no starting release for {service} in {env}"))?;
                let running = find(&releases, service, tag)
                    .with_context(|| format!("release {tag} is not in the demo repository"))?;
                environment.targets.insert(
                    *service,
                    Target {
                        running,
                        since: now,
                        rolling: None,
                    },
                );
            }
            envs.insert(*env, environment);
        }
        let web_prod = envs
            .get(super::router::ENV)
            .and_then(|e: &Environment| e.targets.get(super::router::SERVICE))
            .map_or(0, |t| t.running);
        Ok(World {
            releases,
            envs,
            state_file,
            rollout: ROLLOUT,
            slotted: super::router::Slotted::new(web_prod),
        })
    }

    /// Completes every roll-out whose time has come; saves the state when one did.
    pub fn settle(&mut self, now: Instant, wall: Timestamp) {
        let mut changed = false;
        for env in self.envs.values_mut() {
            for target in env.targets.values_mut() {
                if let Some(r) = target.rolling.take_if(|r| r.ready_at <= now) {
                    target.running = r.release;
                    target.since = wall;
                    changed = true;
                }
            }
        }
        if changed {
            self.save();
        }
    }

    /// Handles a deploy of `release` (a whole tag name) to `service` in `env`.
    pub fn deploy(
        &mut self,
        env: &str,
        service: &str,
        release: &str,
        commit: Option<&str>,
        key: Option<&str>,
        now: Instant,
    ) -> DeployOutcome {
        let Some(index) = find(&self.releases, service, release) else {
            if !SERVICES.iter().any(|(s, _)| *s == service) {
                return DeployOutcome::UnknownService;
            }
            return DeployOutcome::Unprocessable(format!(
                "unknown release `{}` for {service}",
                crate::domain::sanitize::sanitize(release)
            ));
        };
        let known = &self.releases[index];
        if let Some(commit) = commit.filter(|c| !c.is_empty()) {
            let matches = commit.len() >= 7
                && known
                    .commit
                    .to_ascii_lowercase()
                    .starts_with(&commit.to_ascii_lowercase());
            if !matches {
                return DeployOutcome::Unprocessable(format!(
                    "commit `{}` is not what {} points at ({})",
                    crate::domain::sanitize::sanitize(commit),
                    known.tag,
                    known.commit
                ));
            }
        }
        let (service, tag) = (known.service, known.tag);
        let rollout = self.rollout;
        let Some(environment) = self.envs.get_mut(env) else {
            return DeployOutcome::UnknownService;
        };
        if let Some(key) = key.filter(|k| !k.is_empty()) {
            match environment.keys.get(key) {
                Some(&(s, t)) if s == service && t == tag => return DeployOutcome::Repeated(index),
                Some(&(s, t)) => {
                    return DeployOutcome::Unprocessable(format!(
                        "idempotency key `{}` was already used to deploy {t} to {s}",
                        crate::domain::sanitize::sanitize(key)
                    ));
                }
                None => {
                    environment.keys.insert(key.to_string(), (service, tag));
                }
            }
        }
        let Some(target) = environment.targets.get_mut(service) else {
            return DeployOutcome::UnknownService;
        };
        target.rolling = Some(Rollout {
            release: index,
            ready_at: now + rollout,
        });
        DeployOutcome::Accepted(index)
    }

    fn save(&self) {
        let state: BTreeMap<&str, BTreeMap<&str, &str>> = self
            .envs
            .iter()
            .map(|(env, e)| {
                let targets = e
                    .targets
                    .iter()
                    .map(|(s, t)| (*s, self.releases[t.running].tag))
                    .collect();
                (*env, targets)
            })
            .collect();
        if let Err(err) = write_atomically(&self.state_file, &state) {
            tracing::warn!("could not save the demo environments: {err:#}");
        }
    }
}

fn find(releases: &[DemoRelease], service: &str, tag: &str) -> Option<usize> {
    releases
        .iter()
        .position(|r| r.service == service && r.tag == tag)
}

fn load(path: &Path) -> BTreeMap<String, BTreeMap<String, String>> {
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

fn write_atomically(path: &Path, state: &impl serde::Serialize) -> Result<()> {
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)
        .with_context(|| format!("could not write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("could not replace {}", path.display()))
}
