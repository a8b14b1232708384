//! Targets: a service in an environment, with its probe ready to run.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;

use crate::domain::config::{Config, ProbeSource, ProbeSpec, RoutedProbe};
use crate::domain::observation::{Health, Observation};
use crate::domain::release::Release;
use crate::domain::template::{TemplateError, Vars, expand, url_escape};
use crate::domain::traffic::{TrafficSpec, with_slot};

/// One probe-able target.
#[derive(Debug, Clone)]
pub struct Target {
    pub service: String,
    pub env: String,
    /// The probe with `{{service}}` and `{{env}}` expanded, and `interval` filled in from the
    /// project default when the service sets none.
    pub spec: ProbeSpec,
    /// The literal prefix of the service's tag pattern, for matching reported versions.
    pub prefix: String,
    /// The service's releases, newest first.
    pub releases: Arc<Vec<Release>>,
}

/// Every (service, environment) with a probe, in config order (services, then environments).
/// Targets whose templates cannot be expanded are left out with a warning; use
/// [`targets_and_skipped`] to show them on the board.
pub fn targets(config: &Config, releases: &BTreeMap<String, Arc<Vec<Release>>>) -> Vec<Target> {
    let (targets, skipped) = targets_and_skipped(config, releases);
    for o in &skipped {
        tracing::warn!("not probing {} in {}: {}", o.service, o.env, o.detail);
    }
    targets
}

/// Like [`targets`], also returning an `Unknown` observation (with the reason) for each target
/// whose probe templates cannot be expanded, e.g. a health URL that uses `{{version}}`.
pub fn targets_and_skipped(
    config: &Config,
    releases: &BTreeMap<String, Arc<Vec<Release>>>,
) -> (Vec<Target>, Vec<Observation>) {
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    for service in &config.services {
        let service_releases = releases.get(&service.name).cloned().unwrap_or_default();
        for env in &config.environments {
            let Some(spec) = service.probe_for(&env.name) else {
                continue;
            };
            let vars = Vars::new()
                .with("service", service.name.clone())
                .with("env", env.name.clone());
            let expanded = match config.exposure.traffic(&service.name, &env.name) {
                Some(traffic) => routed(spec, traffic, &vars),
                None => expand_spec(spec, &vars),
            };
            match expanded {
                Ok(mut spec) => {
                    spec.interval = spec.interval.or(Some(config.project.probe_interval));
                    out.push(Target {
                        service: service.name.clone(),
                        env: env.name.clone(),
                        spec,
                        prefix: service.tag_prefix().to_string(),
                        releases: Arc::clone(&service_releases),
                    });
                }
                Err(e) => skipped.push(Observation {
                    service: service.name.clone(),
                    env: env.name.clone(),
                    health: Health::Unknown,
                    reported_version: None,
                    release: None,
                    commit: None,
                    latency_ms: None,
                    at: Timestamp::now(),
                    detail: format!("probe not run: {e}"),
                }),
            }
        }
    }
    (out, skipped)
}

/// A slotted target's probe: the router, and each slot's probe with `{{slot}}` filled in.
fn routed(
    spec: &ProbeSpec,
    traffic: &TrafficSpec,
    vars: &Vars,
) -> Result<ProbeSpec, TemplateError> {
    let slots = traffic
        .slots
        .iter()
        .map(|slot| Ok((slot.clone(), expand_spec(&slot_spec(spec, slot), vars)?)))
        .collect::<Result<Vec<_>, TemplateError>>()?;
    Ok(ProbeSpec {
        source: ProbeSource::Routed(Box::new(RoutedProbe {
            traffic: traffic.clone(),
            slots,
        })),
        version_url: None,
        ..spec.clone()
    })
}

/// `spec` with `{{slot}}` replaced by `slot` everywhere it may appear.
pub fn slot_spec(spec: &ProbeSpec, slot: &str) -> ProbeSpec {
    let source = match &spec.source {
        ProbeSource::Http { url } => ProbeSource::Http {
            url: with_slot(url, slot),
        },
        ProbeSource::Command { argv } => ProbeSource::Command {
            argv: argv.iter().map(|a| with_slot(a, slot)).collect(),
        },
        ProbeSource::Routed(r) => ProbeSource::Routed(r.clone()),
    };
    ProbeSpec {
        source,
        version_url: spec.version_url.as_deref().map(|v| with_slot(v, slot)),
        ..spec.clone()
    }
}

/// The spec with every template expanded: URL values percent-encoded, argv values as they are.
fn expand_spec(spec: &ProbeSpec, vars: &Vars) -> Result<ProbeSpec, TemplateError> {
    let url = |t: &str| crate::domain::template::expand_with(t, vars, url_escape);
    let source = match &spec.source {
        ProbeSource::Http { url: u } => ProbeSource::Http { url: url(u)? },
        ProbeSource::Command { argv } => ProbeSource::Command {
            argv: argv
                .iter()
                .map(|a| expand(a, vars))
                .collect::<Result<_, _>>()?,
        },
        ProbeSource::Routed(r) => ProbeSource::Routed(r.clone()),
    };
    Ok(ProbeSpec {
        source,
        version_url: spec.version_url.as_deref().map(url).transpose()?,
        ..spec.clone()
    })
}
