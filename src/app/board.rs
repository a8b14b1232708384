//! The board: every service × environment, from the latest observations and the log. Pure.

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::config::Config;
use crate::domain::drift::drift;
use crate::domain::ledger::Ledger;
use crate::domain::observation::{Health, Observation};

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
    pub reported_version: Option<String>,
    pub commit: Option<String>,
    pub health: Health,
    pub latency_ms: Option<u64>,
    pub observed_at: Option<Timestamp>,
    pub drift: bool,
    pub deploying: Option<Deploying>,
    /// Why the health is what it is, in one line.
    pub detail: Option<String>,
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
    match latest {
        Some(o) => TargetCell {
            env: env.to_string(),
            release: o.release.clone(),
            reported_version: o.reported_version.clone(),
            commit: o.commit.clone(),
            health: o.health,
            latency_ms: o.latency_ms,
            observed_at: Some(o.at),
            // A deployment in flight shows its new release before its success is recorded.
            drift: deploying.is_none() && drift(o, last_success),
            deploying,
            detail: (!o.detail.is_empty()).then(|| o.detail.clone()),
        },
        None => TargetCell {
            env: env.to_string(),
            release: last_success.map(|d| d.release.clone()),
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
