//! Insights for a loaded project: the log's events and their fold, and from git which commits
//! each release deployed to the measured environment contains, handed to the pure computation
//! in [`crate::domain::insights`].

use std::collections::BTreeSet;

use jiff::{SignedDuration, Timestamp};

use super::context::Context;
use super::failure::Failure;
use crate::domain::config::Config;
use crate::domain::insights::{self, CommitTime, Inputs, Insights, Period, Query, ReleaseContents};
use crate::domain::ledger::{Deployment, Ledger};
use crate::git::Repo;

/// What `shipdeck insights` and the Insights view ask for.
#[derive(Debug, Clone)]
pub struct Request {
    /// How far back from `until` the period reaches.
    pub since: SignedDuration,
    pub until: Timestamp,
    pub service: Option<String>,
    pub env: Option<String>,
}

/// Every figure for `request`; names an unknown service or environment as bad usage.
pub fn gather(ctx: &Context, request: &Request) -> Result<Insights, Failure> {
    if let Some(s) = &request.service {
        ctx.service(s)?;
    }
    if let Some(e) = &request.env {
        ctx.environment(e)?;
    }
    let (events, ledger) = ctx.ledger()?;
    let period = Period::last(request.since, request.until);
    let query = Query {
        period,
        service: request.service.as_deref(),
        env: request.env.as_deref(),
    };
    let env = measured_env(&ctx.config, request.env.as_deref());
    let contents = contents(&ctx.config, &ledger, &query, &env);
    let inputs = Inputs {
        config: &ctx.config,
        events: &events,
        ledger: &ledger,
        contents: &contents,
    };
    Ok(insights::compute(&inputs, &query))
}

/// The environment the four keys are measured in: the one asked for, else the path's last.
pub fn measured_env(config: &Config, asked: Option<&str>) -> String {
    asked
        .map(str::to_string)
        .or_else(|| config.environments.last().map(|e| e.name.clone()))
        .unwrap_or_default()
}

/// For each service in scope, the commits of every release that succeeded in `env` during the
/// period, each read as the commits since the release of the success before it there (not a
/// rollback; for the first one, its `previous_release`; else every commit). With history on one
/// branch that is exactly what the figures need: the union of these sets over the successes up
/// to any point is every commit that ran there by then, so each walk stays short. A release git
/// cannot resolve is left out (the figures count it as unknown).
pub fn contents(config: &Config, ledger: &Ledger, query: &Query, env: &str) -> ReleaseContents {
    let mut out = ReleaseContents::new();
    for service in &config.services {
        if query.service.is_some_and(|s| s != service.name) {
            continue;
        }
        let mut successes: Vec<&Deployment> = ledger
            .deployments()
            .iter()
            .filter(|d| d.service == service.name && d.env == env && d.succeeded_at().is_some())
            .collect();
        if !successes
            .iter()
            .any(|d| d.succeeded_at().is_some_and(|at| query.period.contains(at)))
        {
            continue;
        }
        successes.sort_by_key(|d| d.succeeded_at());
        let Ok(repo) = Repo::open(&service.repo) else {
            continue;
        };
        let first_previous = successes
            .first()
            .and_then(|d| d.previous_release.as_deref());
        if let Some(previous) = first_previous {
            // It ran there before the log knows of anything: nothing in it is new.
            out.insert(&service.name, previous, Vec::new());
        }
        let mut before: Option<String> = first_previous.and_then(|r| repo.resolve(r).ok());
        let mut read: BTreeSet<&str> = BTreeSet::new();
        for d in successes {
            let in_period = d.succeeded_at().is_some_and(|at| query.period.contains(at));
            if in_period && read.insert(d.release.as_str()) {
                let commits = match &before {
                    Some(b) => repo.changelog(b, &d.commit),
                    None => repo.changelog_all(&d.commit),
                };
                if let Ok(commits) = commits {
                    let times = commits
                        .into_iter()
                        .map(|c| CommitTime {
                            commit: c.commit,
                            at: c.date,
                        })
                        .collect();
                    out.insert(&service.name, &d.release, times);
                }
            }
            if !d.rollback {
                before = Some(d.commit.clone());
            }
        }
    }
    out
}
