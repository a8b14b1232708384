//! Deployment frequency: successful deployments to an environment whose success falls in the
//! period (rollbacks included, and counted apart), per day and per week of the period.

use serde::Serialize;

use super::Scope;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Frequency {
    pub env: String,
    /// Successful deployments in the period (the sample the figure rests on).
    pub deployments: usize,
    /// Of those, rollbacks.
    pub rollbacks: usize,
    /// `deployments` ÷ the period's days; `None` for an empty period.
    pub per_day: Option<f64>,
    /// `deployments` ÷ (the period's days ÷ 7).
    pub per_week: Option<f64>,
    /// Successful deployments in each week of the period.
    pub weekly: Vec<usize>,
}

pub(super) fn of(scope: &Scope, env: &str) -> Frequency {
    let mut weekly = vec![0; scope.weeks.len()];
    let (mut deployments, mut rollbacks) = (0, 0);
    for d in scope.deployments_to(env) {
        let Some(at) = d.succeeded_at() else { continue };
        let Some(week) = scope.week_of(at) else {
            continue;
        };
        deployments += 1;
        weekly[week] += 1;
        if d.rollback {
            rollbacks += 1;
        }
    }
    let days = scope.query.period.days();
    let n = super::stats::count(deployments);
    Frequency {
        env: env.to_string(),
        deployments,
        rollbacks,
        per_day: (days > 0.0).then(|| n / days),
        per_week: (days > 0.0).then(|| n / (days / 7.0)),
        weekly,
    }
}
