//! Sightings: since when each target has been seen running one release healthy, kept in
//! `<state_dir>/sightings.json` (not the event log: nobody acted). A team that adopts shipdeck
//! with releases already running gets soak time and "running since" from them.
//!
//! A run starts at the first healthy sighting of a release and lasts while every later
//! sighting reports the same release healthy; any other sighting ends it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::domain::observation::{Health, Observation};

const FILE: &str = "sightings.json";

/// What `detail` says on an observation made from a sighting.
pub const FIRST_SEEN: &str = "first seen running healthy (earlier sighting)";

/// One target's current run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub release: String,
    pub commit: Option<String>,
    /// The first healthy sighting of the run.
    pub since: Timestamp,
    /// The latest one.
    pub last: Timestamp,
    /// How many sightings the run has.
    pub sightings: u64,
}

/// Every target's run, by `service/env`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sightings {
    pub runs: BTreeMap<String, Run>,
}

fn key(service: &str, env: &str) -> String {
    format!("{service}/{env}")
}

impl Sightings {
    /// The file in `state_dir`; missing or unreadable is empty (sightings are a convenience,
    /// never a record).
    pub fn load(state_dir: &Path) -> Sightings {
        std::fs::read(path(state_dir))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the file whole (temp file, then rename).
    pub fn save(&self, state_dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(state_dir)?;
        let tmp = state_dir.join(format!(".{FILE}.{}", std::process::id()));
        let bytes = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path(state_dir))
    }

    /// Folds new observations in, oldest first.
    pub fn observe(&mut self, observations: &[Observation]) {
        let mut sorted: Vec<&Observation> = observations.iter().collect();
        sorted.sort_by_key(|o| o.at);
        for o in sorted {
            if o.detail == FIRST_SEEN {
                continue;
            }
            let k = key(&o.service, &o.env);
            match (&o.release, o.health) {
                (Some(release), Health::Pass) => match self.runs.get_mut(&k) {
                    Some(run) if &run.release == release => {
                        run.last = run.last.max(o.at);
                        run.sightings += 1;
                    }
                    _ => {
                        self.runs.insert(
                            k,
                            Run {
                                release: release.clone(),
                                commit: o.commit.clone(),
                                since: o.at,
                                last: o.at,
                                sightings: 1,
                            },
                        );
                    }
                },
                _ => {
                    self.runs.remove(&k);
                }
            }
        }
    }

    /// Each run as an observation at its start, for rules that look at history (soak, "first
    /// seen"): the release, healthy, [`FIRST_SEEN`] in `detail`.
    pub fn as_observations(&self) -> Vec<Observation> {
        self.runs
            .iter()
            .filter_map(|(k, run)| {
                let (service, env) = k.split_once('/')?;
                Some(Observation {
                    service: service.to_string(),
                    env: env.to_string(),
                    health: Health::Pass,
                    reported_version: Some(run.release.clone()),
                    release: Some(run.release.clone()),
                    commit: run.commit.clone(),
                    latency_ms: None,
                    at: run.since,
                    detail: FIRST_SEEN.to_string(),
                })
            })
            .collect()
    }
}

fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE)
}
