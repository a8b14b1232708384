//! Reading releases and changes from git.

use serde::Serialize;

use crate::app::context::{Context, now};
use crate::app::failure::{Failure, OrFail};
use crate::domain::change::Commit;
use crate::domain::commit_id::{PINNED, short_n};
use crate::domain::notes::{NotesInput, render_markdown};
use crate::domain::observation::Observation;
use crate::domain::release::{Release, match_reported};
use crate::domain::running::Running;
use crate::git::Repo;

use super::observe::running_release;

fn repo(ctx: &Context, service: &str) -> Result<Repo, Failure> {
    let svc = ctx.service(service)?;
    Repo::open(&svc.repo).or_fail(&format!(
        "could not open the repository of `{service}` at {}",
        svc.repo.display()
    ))
}

/// The releases of `service`, newest first.
pub fn releases(ctx: &Context, service: &str) -> Result<Vec<Release>, Failure> {
    let svc = ctx.service(service)?;
    repo(ctx, service)?
        .releases(&svc.tags, svc.tag_prefix())
        .or_fail(&format!("could not list the releases of `{service}`"))
}

/// A release by its tag name or version, or an unreleased build by commit (full or short).
pub fn resolve_release(ctx: &Context, service: &str, spec: &str) -> Result<Release, Failure> {
    let svc = ctx.service(service)?;
    // A whole tag name is looked up alone; only versions and commits need the whole list.
    let found = repo(ctx, service)?
        .release(&svc.tags, svc.tag_prefix(), spec)
        .or_fail(&format!(
            "could not read the release `{spec}` of `{service}`"
        ))?;
    if let Some(release) = found {
        return Ok(release);
    }
    let all = releases(ctx, service)?;
    if let Some(r) = all.iter().find(|r| r.name == spec) {
        return Ok(r.clone());
    }
    let bare = spec.strip_prefix('v').unwrap_or(spec);
    if let Some(r) = all.iter().find(|r| r.version == bare) {
        return Ok(r.clone());
    }
    let repo = repo(ctx, service)?;
    if let Ok(commit) = repo.resolve(spec) {
        // A commit a release points at is that release; otherwise an unreleased build.
        if let Some(r) = match_reported(&commit, svc.tag_prefix(), &all) {
            return Ok(r.clone());
        }
        let info = repo
            .commit_info(&commit)
            .or_fail(&format!("could not read commit {commit}"))?;
        let short = short_n(&commit, PINNED).to_string();
        Ok(Release {
            name: short.clone(),
            version: short,
            commit,
            date: info.date,
        })
    } else {
        let names: Vec<&str> = all.iter().take(50).map(|r| r.name.as_str()).collect();
        Err(Failure::usage(format!(
            "`{spec}` is not a release of `{service}` (tags `{}`), nor a commit{}; newest: {}",
            svc.tags,
            crate::app::context::did_you_mean(spec, &names),
            names.iter().take(5).copied().collect::<Vec<_>>().join(", ")
        )))
    }
}

/// Commits in `to` and not in `from`, as `git log from..to`.
#[derive(Debug, Clone, Serialize)]
pub struct Changelog {
    pub from: String,
    pub to: String,
    pub commits: Vec<Commit>,
}

/// A point in history: an environment name (what runs there), a release, or a commit.
fn point(
    ctx: &Context,
    service: &str,
    spec: &str,
    observations: &[Observation],
) -> Result<(String, String), Failure> {
    if ctx.config.environment(spec).is_some() {
        let (_, ledger) = ctx.ledger_shown()?;
        let all = releases(ctx, service)?;
        let running = running_release(ctx, &ledger, service, spec, observations, &all);
        return match (&running, running.name(), running.commit()) {
            (_, Some(name), Some(commit)) => Ok((name.to_string(), commit.to_string())),
            (Running::Unmatched { version, .. }, _, _) => Err(Failure::failed(format!(
                "`{service}` in `{spec}` reports {version}, which matches no release and came \
                 with no commit: name a release or a commit instead of `{spec}`"
            ))),
            _ => Err(Failure::failed(format!(
                "nothing is known to run in `{spec}` for `{service}`: no live report and no \
                 successful deployment in the log"
            ))),
        };
    }
    let release = resolve_release(ctx, service, spec)?;
    Ok((release.name, release.commit))
}

pub fn changelog(
    ctx: &Context,
    service: &str,
    from: &str,
    to: &str,
    observations: &[Observation],
) -> Result<Changelog, Failure> {
    let (from_name, from_commit) = point(ctx, service, from, observations)?;
    let (to_name, to_commit) = point(ctx, service, to, observations)?;
    let paths = &ctx.service(service)?.paths;
    let commits = repo(ctx, service)?
        .changelog_in(&from_commit, &to_commit, paths)
        .or_fail(&format!(
            "could not list the changes {from_name}..{to_name}"
        ))?;
    Ok(Changelog {
        from: from_name,
        to: to_name,
        commits,
    })
}

/// The next versions a new tag could take: patch, minor and major after the newest release.
pub fn next_versions(ctx: &Context, service: &str) -> Vec<String> {
    let Ok(all) = releases(ctx, service) else {
        return vec!["0.1.0".to_string()];
    };
    let newest = all.iter().find_map(|r| {
        semver::Version::parse(&r.version)
            .ok()
            .filter(|v| v.pre.is_empty())
    });
    match newest {
        Some(v) => vec![
            semver::Version::new(v.major, v.minor, v.patch + 1).to_string(),
            semver::Version::new(v.major, v.minor + 1, 0).to_string(),
            semver::Version::new(v.major + 1, 0, 0).to_string(),
        ],
        None => vec!["0.1.0".to_string(), "1.0.0".to_string()],
    }
}

/// Release notes in markdown: the changes since the previous release (or since what runs in
/// `env`), grouped by conventional-commit type, and where the release runs.
pub fn notes(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: Option<&str>,
    observations: &[Observation],
) -> Result<String, Failure> {
    ctx.service(service)?;
    let all = releases(ctx, service)?;
    let (_, ledger) = ctx.ledger_shown()?;
    let previous: Option<(String, String)> = if let Some(env) = env {
        ctx.environment(env)?;
        let running = running_release(ctx, &ledger, service, env, observations, &all);
        match (running.name(), running.commit()) {
            // The environment runs it already (promoted, then drafted): what it gained is what
            // the deployment that put it there replaced.
            (_, Some(commit)) if commit == release.commit => ledger
                .deployments()
                .iter()
                .rev()
                .filter(|d| d.service == service && d.env == env && d.release == release.name)
                .find(|d| d.succeeded_at().is_some())
                .and_then(|d| d.previous_release.as_deref())
                .and_then(|p| all.iter().find(|r| r.name == p))
                .map(|r| (r.name.clone(), r.commit.clone()))
                .or_else(|| previous_release(&all, release)),
            (Some(name), Some(commit)) => Some((name.to_string(), commit.to_string())),
            // An unmatched version reported without a commit: count from the release before.
            _ if running.is_unmatched() => previous_release(&all, release),
            _ => None,
        }
    } else {
        previous_release(&all, release)
    };
    let repo = repo(ctx, service)?;
    let paths = &ctx.service(service)?.paths;
    let commits = match &previous {
        Some((_, commit)) => repo.changelog_in(commit, &release.commit, paths),
        None => repo.changelog_all_in(&release.commit, paths),
    }
    .or_fail("could not list the changes")?;
    let environments = ctx
        .config
        .environments
        .iter()
        .map(|e| {
            let running = running_release(ctx, &ledger, service, &e.name, observations, &all);
            // Who deployed what runs there: a release put there outside shipdeck has no one.
            let by = running.release().and_then(|name| {
                ledger
                    .last_successful(service, &e.name)
                    .filter(|d| d.release == name)
                    .map(|d| d.requested_by.clone())
            });
            (e.name.clone(), running.label(), by)
        })
        .collect();
    Ok(render_markdown(&NotesInput {
        service,
        release,
        previous: previous.as_ref().map(|(n, _)| n.as_str()),
        commits: &commits,
        environments,
        now: now(),
    }))
}

/// The release before `release` by version (`all` newest first): what its notes count from.
fn previous_release(all: &[Release], release: &Release) -> Option<(String, String)> {
    let idx = all.iter().position(|r| r.name == release.name);
    idx.and_then(|i| all.get(i + 1))
        .map(|r| (r.name.clone(), r.commit.clone()))
}
