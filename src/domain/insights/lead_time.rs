//! Lead time for changes: for each commit, its time → the first successful deployment to the
//! measured environment of a release that contains it. Successful deployments are taken in the
//! order they succeeded, per service; a deployment brings the commits of its release that no
//! earlier successful deployment there brought (nor the release that ran before the first one,
//! its `previous_release`). A commit counts when the deployment that brought it succeeded in the
//! period.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use super::stats::Spread;
use super::{Scope, secs};
use crate::domain::ledger::Deployment;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadTime {
    /// Over every commit brought in the period (`samples` is the number of commits).
    pub spread: Spread,
    /// Successful deployments in the period that brought at least one commit.
    pub deployments: usize,
    /// Successful deployments in the period whose release's commits are unknown (a tag that no
    /// longer resolves): their commits are not counted.
    pub unknown_releases: usize,
    /// The median of each week's commits, by the week their deployment succeeded.
    pub weekly_median_secs: Vec<Option<f64>>,
}

pub(super) fn of(scope: &Scope, env: &str) -> LeadTime {
    let contents = scope.inputs.contents;
    let mut by_service: BTreeMap<&str, Vec<&Deployment>> = BTreeMap::new();
    for d in scope.deployments_to(env) {
        if d.succeeded_at().is_some() {
            by_service.entry(d.service.as_str()).or_default().push(d);
        }
    }
    let mut samples: Vec<(usize, f64)> = Vec::new();
    let (mut deployments, mut unknown_releases) = (0, 0);
    for (service, mut successes) in by_service {
        successes.sort_by_key(|d| d.succeeded_at());
        let mut deployed: HashSet<&str> = HashSet::new();
        if let Some(before) = successes
            .first()
            .and_then(|d| d.previous_release.as_deref())
            .and_then(|r| contents.of(service, r))
        {
            deployed.extend(before.iter().map(|c| c.commit.as_str()));
        }
        for d in successes {
            let Some(at) = d.succeeded_at() else { continue };
            let week = scope.week_of(at);
            let Some(commits) = contents.of(service, &d.release) else {
                if week.is_some() {
                    unknown_releases += 1;
                }
                continue;
            };
            let mut brought = 0;
            for c in commits {
                if deployed.insert(c.commit.as_str())
                    && let Some(w) = week
                {
                    brought += 1;
                    samples.push((w, secs(c.at, at).max(0.0)));
                }
            }
            if brought > 0 {
                deployments += 1;
            }
        }
    }
    LeadTime {
        weekly_median_secs: scope.weekly_medians(&samples),
        spread: Spread::of(samples.into_iter().map(|(_, s)| s).collect()),
        deployments,
        unknown_releases,
    }
}
