//! Insights: the path's flow, measured from the event log and git over a period — deployment
//! frequency, lead time for changes, change failure rate, time to restore, and where releases
//! wait (per stage and per gate kind). Pure: the caller gathers the events, their fold and which
//! commits each release contains (with the commits' times); "now" is the period's end.
//!
//! The README's "Insights" section states every definition exactly; each is in one file here.

mod contents;
mod failures;
mod frequency;
mod gate_waits;
mod lead_time;
mod period;
mod stage_waits;
mod stats;

use serde::Serialize;

pub use contents::{CommitTime, ReleaseContents};
pub use failures::{ChangeFailure, Restore};
pub use frequency::Frequency;
pub use gate_waits::GateWait;
pub use lead_time::LeadTime;
pub use period::Period;
pub use stage_waits::StageWait;
pub use stats::{MIN_FOR_MEDIAN, MIN_FOR_P90, MIN_FOR_RATE, Spread, median, nearest_rank, rate};

use super::config::Config;
use super::event::Event;
use super::ledger::{Deployment, Ledger};

/// What to measure: a period, optionally one service, optionally one environment (by default
/// the four keys are measured in the last environment of the path, and every environment and
/// stage is shown).
#[derive(Debug, Clone, Copy)]
pub struct Query<'a> {
    pub period: Period,
    pub service: Option<&'a str>,
    pub env: Option<&'a str>,
}

/// What the figures are computed from.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// Environments in path order, their gates, freezes and checklists.
    pub config: &'a Config,
    /// Every event of the log, in log order.
    pub events: &'a [Event],
    /// Their fold.
    pub ledger: &'a Ledger,
    /// Which commits each release contains.
    pub contents: &'a ReleaseContents,
}

/// Every figure for one query.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insights {
    pub period: Period,
    /// The period's weeks, oldest first; every `weekly` list has one value per week.
    pub weeks: Vec<Period>,
    pub service: Option<String>,
    /// The environment the four keys are measured in.
    pub env: String,
    /// Successful deployments per environment (only `env` when the query names one).
    pub frequency: Vec<Frequency>,
    pub lead_time: LeadTime,
    pub change_failure: ChangeFailure,
    pub restore: Restore,
    /// Waits between consecutive environments (only the stage into `env` when the query names
    /// one).
    pub stages: Vec<StageWait>,
    /// How long promotions were blocked, per gate kind (gates of every environment after the
    /// first, or only of `env` when the query names one).
    pub gates: Vec<GateWait>,
}

/// All the figures for `query`.
pub fn compute(inputs: &Inputs, query: &Query) -> Insights {
    let envs: Vec<&str> = inputs
        .config
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    let env = query
        .env
        .or_else(|| envs.last().copied())
        .unwrap_or_default()
        .to_string();
    let scope = Scope {
        inputs,
        query,
        weeks: query.period.weeks(),
    };
    let frequency = match query.env {
        Some(e) => vec![frequency::of(&scope, e)],
        None => envs.iter().map(|e| frequency::of(&scope, e)).collect(),
    };
    Insights {
        period: query.period,
        service: query.service.map(str::to_string),
        frequency,
        lead_time: lead_time::of(&scope, &env),
        change_failure: failures::change_failure(&scope, &env),
        restore: failures::restore(&scope, &env),
        stages: stage_waits::of(&scope, &envs),
        gates: gate_waits::of(&scope, &envs),
        env,
        weeks: scope.weeks.clone(),
    }
}

/// The query with what every figure needs from it.
struct Scope<'a> {
    inputs: &'a Inputs<'a>,
    query: &'a Query<'a>,
    weeks: Vec<Period>,
}

impl Scope<'_> {
    fn wants_service(&self, service: &str) -> bool {
        self.query.service.is_none_or(|s| s == service)
    }

    /// Every deployment to `env` of the services in scope, in the order they were requested.
    fn deployments_to<'d>(&'d self, env: &'d str) -> impl Iterator<Item = &'d Deployment> + 'd {
        self.inputs
            .ledger
            .deployments()
            .iter()
            .filter(move |d| d.env == env && self.wants_service(&d.service))
    }

    /// The week of the period holding `at`.
    fn week_of(&self, at: jiff::Timestamp) -> Option<usize> {
        self.query.period.week_of(&self.weeks, at)
    }

    /// The median of each week's samples (`(week, seconds)` pairs).
    fn weekly_medians(&self, samples: &[(usize, f64)]) -> Vec<Option<f64>> {
        (0..self.weeks.len())
            .map(|w| {
                let mut week: Vec<f64> = samples
                    .iter()
                    .filter(|(i, _)| *i == w)
                    .map(|(_, s)| *s)
                    .collect();
                week.sort_by(f64::total_cmp);
                median(&week)
            })
            .collect()
    }
}

/// Seconds from `from` to `to` (negative when `to` is earlier).
fn secs(from: jiff::Timestamp, to: jiff::Timestamp) -> f64 {
    to.duration_since(from).as_secs_f64()
}
