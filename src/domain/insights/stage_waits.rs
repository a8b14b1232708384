//! Waits per stage: for each release promoted from one environment to the next, the time from
//! its first successful deployment in the first environment to its first request (not a
//! rollback) in the next one. A promotion counts when that request falls in the period.

use std::collections::HashSet;

use jiff::Timestamp;
use serde::Serialize;

use super::stats::Spread;
use super::{Scope, secs};
use crate::domain::ledger::Deployment;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageWait {
    pub from: String,
    pub to: String,
    /// Over promotions whose release succeeded in `from` first (`samples` is their number).
    pub spread: Spread,
    /// Promotions into `to` in the period whose release never succeeded in `from` before.
    pub skipped: usize,
    /// The median of each week's waits, by the week of the request.
    pub weekly_median_secs: Vec<Option<f64>>,
}

/// A release's first request into an environment, and when the release first succeeded in the
/// environment before it (the stage's start), if it did by then.
pub(super) struct Promotion<'a> {
    pub deployment: &'a Deployment,
    pub stage_start: Option<Timestamp>,
}

/// The promotions from `from` into `to` requested in the period, in request order.
pub(super) fn promotions<'a>(scope: &'a Scope, from: &str, to: &'a str) -> Vec<Promotion<'a>> {
    let ledger = scope.inputs.ledger;
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    let mut out = Vec::new();
    for d in scope.deployments_to(to) {
        if d.rollback || !seen.insert((d.service.as_str(), d.release.as_str())) {
            continue;
        }
        if !scope.query.period.contains(d.requested_at) {
            continue;
        }
        let stage_start = ledger
            .first_success_of(&d.service, &d.release, from)
            .and_then(Deployment::succeeded_at)
            .filter(|at| *at <= d.requested_at);
        out.push(Promotion {
            deployment: d,
            stage_start,
        });
    }
    out
}

pub(super) fn of(scope: &Scope, envs: &[&str]) -> Vec<StageWait> {
    envs.windows(2)
        .filter(|pair| scope.query.env.is_none_or(|e| e == pair[1]))
        .map(|pair| {
            let (from, to) = (pair[0], pair[1]);
            let mut samples = Vec::new();
            let mut skipped = 0;
            for p in promotions(scope, from, to) {
                let requested = p.deployment.requested_at;
                match (p.stage_start, scope.week_of(requested)) {
                    (Some(start), Some(week)) => samples.push((week, secs(start, requested))),
                    _ => skipped += 1,
                }
            }
            StageWait {
                from: from.to_string(),
                to: to.to_string(),
                weekly_median_secs: scope.weekly_medians(&samples),
                spread: Spread::of(samples.into_iter().map(|(_, s)| s).collect()),
                skipped,
            }
        })
        .collect()
}
