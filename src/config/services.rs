//! `[[services]]`, their health probes and `[services.env.NAME]` overrides.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use toml::de::DeValue;

use super::deployers::deployer;
use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::raw;
use super::values::{Unique, argv, duration, name, resolve, url};
use crate::domain::config::{ProbeFormat, ProbeSource, ProbeSpec, Service, TargetOverride};

const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Reads the services; `environments` are the names overrides may use.
pub fn services(
    doc: &mut Doc<'_>,
    nodes: &[Node<'_>],
    environments: &[String],
    dir: &Path,
) -> Vec<Service> {
    let mut names = Unique::new("service");
    let mut out = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let path = format!("services[{i}]");
        let raw_service = doc.read::<raw::Service>(node, &path);
        let service_name = raw_service.as_ref().map(|s| {
            let n = name(doc, &s.name, &format!("{path}.name"));
            names.check(doc, &n, &s.name.span(), &format!("{path}.name"));
            if s.tags.get_ref().trim().is_empty() {
                doc.report(
                    &s.tags.span(),
                    &format!("{path}.tags"),
                    "expected a tag pattern like `api-v*`",
                );
            }
            n
        });
        let Some(table) = doc.table(node, &path) else {
            continue;
        };
        // Probes, deployers and overrides are read even when the service's own keys are
        // wrong, so their problems are reported in the same run.
        let health = table
            .get("health")
            .and_then(|h| probe(doc, h, &format!("{path}.health"), dir));
        let deploy = table
            .get("deploy")
            .and_then(|d| deployer(doc, d, &format!("{path}.deploy"), dir));
        let env = match table.get("env") {
            Some(env_node) => overrides(doc, env_node, &format!("{path}.env"), environments, dir),
            None => BTreeMap::new(),
        };
        let (Some(s), Some(service_name)) = (raw_service, service_name) else {
            continue;
        };
        out.push(Service {
            name: service_name,
            repo: resolve(dir, s.repo.get_ref()),
            tags: s.tags.into_inner(),
            health,
            deploy,
            env,
            paths: paths(doc, &s.paths, &path),
            verify_timeout: s.verify_timeout.as_ref().map(|v| {
                duration(
                    doc,
                    Some(v),
                    Duration::ZERO,
                    &format!("{path}.verify_timeout"),
                )
            }),
        });
    }
    out
}

/// `paths = [...]`: plain git pathspecs relative to the repository's root.
fn paths(doc: &mut Doc<'_>, specs: &[toml::Spanned<String>], path: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (k, spec) in specs.iter().enumerate() {
        if let Some(problem) = crate::git::pathspec_problem(spec.get_ref()) {
            doc.report(&spec.span(), &format!("{path}.paths[{k}]"), problem);
        } else {
            out.push(spec.get_ref().clone());
        }
    }
    out
}

fn overrides(
    doc: &mut Doc<'_>,
    node: &Node<'_>,
    path: &str,
    environments: &[String],
    dir: &Path,
) -> BTreeMap<String, TargetOverride> {
    let mut out = BTreeMap::new();
    let Some(table) = doc.table(node, path) else {
        return out;
    };
    for (key, value) in table {
        let env = key.get_ref().to_string();
        let env_path = format!("{path}.{env}");
        if !environments.contains(&env) {
            doc.report(
                &key.span(),
                &env_path,
                format!(
                    "no environment named `{env}`; expected one of {}{}",
                    quoted_list(environments.iter().map(String::as_str)),
                    suggestion(&env, environments.iter().map(String::as_str))
                ),
            );
            continue;
        }
        if doc.read::<raw::Override>(value, &env_path).is_none() {
            continue;
        }
        let Some(t) = doc.table(value, &env_path) else {
            continue;
        };
        let health = t
            .get("health")
            .and_then(|h| probe(doc, h, &format!("{env_path}.health"), dir));
        let deploy = t
            .get("deploy")
            .and_then(|d| deployer(doc, d, &format!("{env_path}.deploy"), dir));
        out.insert(env, TargetOverride { health, deploy });
    }
    out
}

/// `health = "URL"` or a probe table.
fn probe(doc: &mut Doc<'_>, node: &Node<'_>, path: &str, dir: &Path) -> Option<ProbeSpec> {
    if let DeValue::String(_) = node.get_ref() {
        let text = doc.read::<toml::Spanned<String>>(node, path)?;
        return Some(ProbeSpec {
            source: ProbeSource::Http {
                url: url(doc, &text, path),
            },
            format: ProbeFormat::Auto,
            version_pointer: None,
            version_url: None,
            interval: None,
            timeout: PROBE_TIMEOUT,
        });
    }
    if !matches!(node.get_ref(), DeValue::Table(_)) {
        doc.report(
            &node.span(),
            path,
            format!(
                "expected a URL string or a table with `url` or `command`, found {}",
                node.get_ref().type_str()
            ),
        );
        return None;
    }
    let p = doc.read::<raw::Probe>(node, path)?;
    let source = match (&p.url, &p.command) {
        (Some(u), None) => ProbeSource::Http {
            url: url(doc, u, &format!("{path}.url")),
        },
        (None, Some(c)) => ProbeSource::Command {
            argv: argv(doc, c, &format!("{path}.command"), dir),
        },
        (Some(u), Some(_)) => {
            doc.report(
                &u.span(),
                &format!("{path}.url"),
                "a probe has either `url` or `command`, not both",
            );
            return None;
        }
        (None, None) => {
            doc.report(
                &node.span(),
                path,
                "a probe needs either `url` or `command`",
            );
            return None;
        }
    };
    if let Some(pointer) = &p.version_pointer
        && !pointer.get_ref().starts_with('/')
    {
        doc.report(
            &pointer.span(),
            &format!("{path}.version_pointer"),
            format!(
                "expected a JSON pointer like `/build/version`, found `{}`",
                pointer.get_ref()
            ),
        );
    }
    let version_url = p
        .version_url
        .as_ref()
        .map(|v| url(doc, v, &format!("{path}.version_url")));
    let interval = p
        .interval
        .as_ref()
        .map(|v| duration(doc, Some(v), Duration::ZERO, &format!("{path}.interval")));
    Some(ProbeSpec {
        source,
        format: match p.format.unwrap_or(raw::Format::Auto) {
            raw::Format::Auto => ProbeFormat::Auto,
            raw::Format::Status => ProbeFormat::Status,
            raw::Format::Plain => ProbeFormat::Plain,
        },
        version_pointer: p.version_pointer.map(toml::Spanned::into_inner),
        version_url,
        interval,
        timeout: duration(
            doc,
            p.timeout.as_ref(),
            PROBE_TIMEOUT,
            &format!("{path}.timeout"),
        ),
    })
}
