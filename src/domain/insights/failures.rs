//! Change failure rate and time to restore, in the measured environment.
//!
//! A deployment *needed intervention* when it failed (`deploy-failed`: refused, or never
//! verified healthy) or when it succeeded and the next deployment to the same target was a
//! rollback. Rollbacks are the remedy, not changes: they are left out of the rate.
//!
//! An incident starts when a deployment that needed intervention ended (its failure, or its
//! success for one rolled back later) while no incident was open on the target, and ends at the
//! next successful deployment to the target that did not need intervention itself (a rollback
//! or a fix). Time to restore is its length, wall-clock: a freeze in between is not taken out.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::stats::{Spread, rate};
use super::{Scope, secs};
use crate::domain::ledger::{Deployment, DeploymentState};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChangeFailure {
    /// Deployments (not rollbacks) requested in the period whose outcome is known.
    pub deployments: usize,
    /// Of those, failed.
    pub failed: usize,
    /// Of those, succeeded and then rolled back.
    pub rolled_back: usize,
    /// (failed + rolled back) ÷ deployments; `None` without deployments.
    pub rate: Option<f64>,
    /// Each week's rate, by the week the deployment was requested.
    pub weekly: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Restore {
    /// Incidents that started in the period.
    pub incidents: usize,
    /// Of those, still open at the period's end.
    pub open: usize,
    /// Over the restored ones (`samples` is their number).
    pub spread: Spread,
    /// The median of each week's restored incidents, by the week they started.
    pub weekly_median_secs: Vec<Option<f64>>,
}

/// Deployments to (service, env) in the order they were requested, per service.
fn targets<'s>(scope: &'s Scope, env: &'s str) -> BTreeMap<&'s str, Vec<&'s Deployment>> {
    let mut out: BTreeMap<&str, Vec<&Deployment>> = BTreeMap::new();
    for d in scope.deployments_to(env) {
        out.entry(d.service.as_str()).or_default().push(d);
    }
    out
}

/// Whether `list[i]` needed intervention, and when it ended.
fn needed_intervention(list: &[&Deployment], i: usize) -> Option<Timestamp> {
    let d = list[i];
    match &d.state {
        DeploymentState::Failed { at, .. } => Some(*at),
        DeploymentState::Succeeded { at } => list.get(i + 1).filter(|n| n.rollback).map(|_| *at),
        DeploymentState::InFlight => None,
    }
}

pub(super) fn change_failure(scope: &Scope, env: &str) -> ChangeFailure {
    let weeks = scope.weeks.len();
    let mut weekly_counts = vec![(0, 0); weeks];
    let (mut deployments, mut failed, mut rolled_back) = (0, 0, 0);
    for list in targets(scope, env).values() {
        for (i, d) in list.iter().enumerate() {
            if d.rollback || d.is_in_flight() {
                continue;
            }
            let Some(week) = scope.week_of(d.requested_at) else {
                continue;
            };
            deployments += 1;
            weekly_counts[week].1 += 1;
            let bad = match d.state {
                DeploymentState::Failed { .. } => {
                    failed += 1;
                    true
                }
                _ if needed_intervention(list, i).is_some() => {
                    rolled_back += 1;
                    true
                }
                _ => false,
            };
            if bad {
                weekly_counts[week].0 += 1;
            }
        }
    }
    ChangeFailure {
        deployments,
        failed,
        rolled_back,
        rate: rate(failed + rolled_back, deployments),
        weekly: weekly_counts
            .into_iter()
            .map(|(bad, all)| rate(bad, all))
            .collect(),
    }
}

pub(super) fn restore(scope: &Scope, env: &str) -> Restore {
    let mut samples: Vec<(usize, f64)> = Vec::new();
    let (mut incidents, mut open) = (0, 0);
    for list in targets(scope, env).values() {
        let mut started: Option<Timestamp> = None;
        for i in 0..list.len() {
            if let Some(ended) = needed_intervention(list, i) {
                started.get_or_insert(ended);
            } else if let (Some(at), Some(start)) = (list[i].succeeded_at(), started) {
                started = None;
                if let Some(week) = scope.week_of(start) {
                    incidents += 1;
                    if at < scope.query.period.until {
                        samples.push((week, secs(start, at)));
                    } else {
                        open += 1;
                    }
                }
            }
        }
        if started.is_some_and(|s| scope.week_of(s).is_some()) {
            incidents += 1;
            open += 1;
        }
    }
    Restore {
        incidents,
        open,
        weekly_median_secs: scope.weekly_medians(&samples),
        spread: Spread::of(samples.into_iter().map(|(_, s)| s).collect()),
    }
}
