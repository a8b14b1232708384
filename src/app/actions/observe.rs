//! Live observations for the headless commands, and what runs where.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Arc;

use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::domain::ledger::Ledger;
use crate::domain::observation::Observation;
use crate::domain::release::Release;
use crate::domain::running::{Running, running_here};
use crate::git::Repo;
use crate::probe;
use crate::store::Sightings;

/// Probes every target of `services` (all when `None`) once, concurrently.
pub async fn observe(
    ctx: &Context,
    services: Option<&[&str]>,
) -> Result<Vec<Observation>, Failure> {
    let mut by_service = BTreeMap::new();
    // Services that share a repository (a monorepo) open it once.
    let mut repos: HashMap<&Path, Option<Repo>> = HashMap::new();
    for svc in &ctx.config.services {
        if services.is_some_and(|s| !s.contains(&svc.name.as_str())) {
            continue;
        }
        // A repository that cannot be read still lets the target be probed; versions then stay
        // unmatched and are shown as reported.
        let repo = repos
            .entry(svc.repo.as_path())
            .or_insert_with(|| Repo::open(&svc.repo).ok());
        let list = repo
            .as_ref()
            .and_then(|r| r.releases(&svc.tags, svc.tag_prefix()).ok())
            .unwrap_or_default();
        by_service.insert(svc.name.clone(), Arc::new(list));
    }
    let targets: Vec<_> = probe::targets(&ctx.config, &by_service)
        .into_iter()
        .filter(|t| by_service.contains_key(&t.service))
        .collect();
    // A thousand targets need a thousand sockets at once.
    probe::raise_open_file_limit();
    let client = ctx.http.clone();
    let concurrency = probe::probe_concurrency();
    let mut observations = probe::refresh_all(&client, &targets, ctx.trusted, concurrency).await;
    with_sightings(ctx, &mut observations);
    Ok(observations)
}

/// Folds the new observations into the sightings (since when each target runs its release
/// healthy; saved unless `--read-only`) and adds each longer run as an observation at its start,
/// so soak and "running since" count time shipdeck saw but did not deploy.
fn with_sightings(ctx: &Context, observations: &mut Vec<Observation>) {
    let dir = &ctx.config.project.state_dir;
    let mut sightings = Sightings::load(dir);
    sightings.observe(observations);
    if !ctx.read_only
        && let Err(e) = sightings.save(dir)
    {
        tracing::warn!("could not save the sightings in {}: {e}", dir.display());
    }
    let earlier: Vec<Observation> = sightings
        .as_observations()
        .into_iter()
        .filter(|s| {
            observations
                .iter()
                .any(|o| o.service == s.service && o.env == s.env && o.at > s.at)
        })
        .collect();
    observations.extend(earlier);
}

/// Probes one target once.
pub async fn observe_target(
    ctx: &Context,
    client: &reqwest::Client,
    service: &str,
    env: &str,
    releases: Arc<Vec<Release>>,
) -> Option<Observation> {
    let mut map = BTreeMap::new();
    map.insert(service.to_string(), releases);
    let target = probe::targets(&ctx.config, &map)
        .into_iter()
        .find(|t| t.service == service && t.env == env)?;
    Some(probe::probe_once(client, &target, ctx.trusted).await)
}

/// What runs in `env` for `service`, by the one rule ([`running_here`]): the latest live report
/// (a matched release, or an unmatched version as reported), else the release of the last
/// successful deployment in the log.
pub fn running_release(
    _ctx: &Context,
    ledger: &Ledger,
    service: &str,
    env: &str,
    observations: &[Observation],
    releases: &[Release],
) -> Running {
    let observed = observations
        .iter()
        .filter(|o| o.service == service && o.env == env)
        .max_by_key(|o| o.at);
    running_here(observed, releases, ledger.last_successful(service, env))
}
