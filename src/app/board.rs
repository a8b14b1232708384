//! The board: every service × environment, from the latest observations and the log. Pure.

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::config::Config;
use crate::domain::drift::drift_of;
use crate::domain::ledger::Ledger;
use crate::domain::observation::{Health, Observation};
use crate::domain::running::{Running, running_here};

/// `status --json`: `{"services":[{"name":…,"targets":[…]}]}`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Board {
    pub services: Vec<ServiceRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ServiceRow {
    pub name: String,
    pub targets: Vec<TargetCell>,
}

/// One target as the board shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TargetCell {
    pub env: String,
    /// The matched release; before any live probe, the last successful deployment's.
    pub release: Option<String>,
    /// What runs here by the one rule plans and the console share: a matched release, a version
    /// that matches no release (`{"kind":"unmatched","version":…}`), the last deployed release
    /// (nothing reported), or unknown.
    pub running_here: Running,
    pub reported_version: Option<String>,
    pub commit: Option<String>,
    pub health: Health,
    pub latency_ms: Option<u64>,
    pub observed_at: Option<Timestamp>,
    pub drift: bool,
    pub deploying: Option<Deploying>,
    /// Why the health is what it is, in one line.
    pub detail: Option<String>,
    /// When the deployment that put `release` there succeeded (or was accepted, when it then
    /// failed verification), from the log; `None` when shipdeck did not deploy what runs.
    pub deployed_at: Option<Timestamp>,
    /// Who asked for that deployment.
    pub deployed_by: Option<String>,
    /// Where shipdeck did not deploy it: the first of the observations given that report the
    /// release running, without a different one in between ("running since first seen").
    pub first_seen: Option<Timestamp>,
}

/// A deployment of the target in flight.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Deploying {
    pub id: String,
    pub release: String,
    pub by: String,
    pub since: Timestamp,
    pub rollback: bool,
}

/// Builds the board from the latest observation of each target and the ledger.
pub fn board(config: &Config, ledger: &Ledger, observations: &[Observation]) -> Board {
    let services = config
        .services
        .iter()
        .map(|svc| ServiceRow {
            name: svc.name.clone(),
            targets: config
                .environments
                .iter()
                .map(|env| cell(ledger, observations, &svc.name, &env.name))
                .collect(),
        })
        .collect();
    Board { services }
}

fn cell(ledger: &Ledger, observations: &[Observation], service: &str, env: &str) -> TargetCell {
    let latest = observations
        .iter()
        .filter(|o| o.service == service && o.env == env)
        .max_by_key(|o| o.at);
    let last_success = ledger.last_successful(service, env);
    let deploying = ledger.in_flight(service, env).map(|d| Deploying {
        id: d.id.clone(),
        release: d.release.clone(),
        by: d.requested_by.clone(),
        since: d.requested_at,
        rollback: d.rollback,
    });
    // The board has no release list: a matched release carries the commit the probe gave it.
    let running = running_here(latest, &[], last_success);
    let put_there = running
        .release()
        .and_then(|name| deployed(ledger, service, env, name));
    let first_seen = match (latest, &put_there) {
        (Some(o), None) => Some(first_seen(observations, o)),
        _ => None,
    };
    let (deployed_at, deployed_by) =
        put_there.map_or((None, None), |(at, by)| (Some(at), Some(by)));
    match latest {
        Some(o) => TargetCell {
            deployed_at,
            deployed_by,
            first_seen,
            env: env.to_string(),
            release: running.release_on_board(true).map(str::to_string),
            running_here: running,
            reported_version: o.reported_version.clone(),
            commit: o.commit.clone(),
            health: o.health,
            latency_ms: o.latency_ms,
            observed_at: Some(o.at),
            // A deployment in flight shows its new release before its success is recorded.
            drift: deploying.is_none() && drift_of(o, ledger, service, env),
            deploying,
            detail: (!o.detail.is_empty()).then(|| o.detail.clone()),
        },
        None => TargetCell {
            deployed_at,
            deployed_by,
            first_seen,
            env: env.to_string(),
            release: running.release_on_board(false).map(str::to_string),
            running_here: running,
            reported_version: None,
            commit: last_success.map(|d| d.commit.clone()),
            health: Health::Unknown,
            latency_ms: None,
            observed_at: None,
            drift: false,
            deploying,
            detail: None,
        },
    }
}

/// When and by whom the latest deployment that put `release` on the target did so: the time
/// its success was recorded, or when the deployer accepted it for one that then failed
/// verification (it may run all the same). A refused one changed nothing.
pub fn deployed(
    ledger: &Ledger,
    service: &str,
    env: &str,
    release: &str,
) -> Option<(Timestamp, String)> {
    ledger
        .deployments()
        .iter()
        .rev()
        .filter(|d| d.service == service && d.env == env && d.release == release)
        .find_map(|d| {
            let at = d
                .succeeded_at()
                .or(d.accepted_at.filter(|_| d.failed_after_call()))?;
            Some((at, d.requested_by.clone()))
        })
}

/// The first observation of the trailing run that reports what `latest` reports.
fn first_seen(observations: &[Observation], latest: &Observation) -> Timestamp {
    let mut same: Vec<&Observation> = observations
        .iter()
        .filter(|o| o.service == latest.service && o.env == latest.env)
        .collect();
    same.sort_by_key(|o| o.at);
    same.iter()
        .rev()
        .take_while(|o| {
            o.release == latest.release
                && (latest.release.is_some() || o.reported_version == latest.reported_version)
        })
        .last()
        .map_or(latest.at, |o| o.at)
}
