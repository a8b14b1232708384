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
/// period, each read as "commits since the release that ran there when the period began" (the
/// last one to succeed before it, else the first deployment's `previous_release`, else every
/// commit): older commits were deployed before, so they change no figure. A release git cannot
/// resolve is left out (the figures count it as unknown).
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
        successes.sort_by_key(|d| d.succeeded_at());
        let in_period: Vec<&Deployment> = successes
            .iter()
            .copied()
            .filter(|d| d.succeeded_at().is_some_and(|at| query.period.contains(at)))
            .collect();
        if in_period.is_empty() {
            continue;
        }
        let Ok(repo) = Repo::open(&service.repo) else {
            continue;
        };
        let before = successes
            .iter()
            .rev()
            .find(|d| d.succeeded_at().is_some_and(|at| at < query.period.since));
        let first_previous = successes
            .first()
            .and_then(|d| d.previous_release.as_deref());
        // The horizon: its commits ran in `env` before the period.
        let horizon: Option<String> = match before {
            Some(d) => Some(d.commit.clone()),
            None => first_previous.and_then(|r| repo.resolve(r).ok()),
        };
        let mut wanted: BTreeSet<(&str, &str)> = in_period
            .iter()
            .map(|d| (d.release.as_str(), d.commit.as_str()))
            .collect();
        if let Some(d) = before {
            wanted.insert((d.release.as_str(), d.commit.as_str()));
        }
        for (release, commit) in wanted {
            let commits = match &horizon {
                Some(h) => repo.changelog(h, commit),
                None => repo.changelog_all(commit),
            };
            if let Ok(commits) = commits {
                let times = commits
                    .into_iter()
                    .map(|c| CommitTime {
                        commit: c.commit,
                        at: c.date,
                    })
                    .collect();
                out.insert(&service.name, release, times);
            }
        }
        if before.is_none()
            && let Some(previous) = first_previous
        {
            // The release before the first deployment: everything up to the horizon, i.e.
            // nothing newer than it.
            out.insert(&service.name, previous, Vec::new());
        }
    }
    out
}
