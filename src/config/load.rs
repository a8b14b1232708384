//! Reading a whole `shipdeck.toml`: parse into a spanned tree, strip secrets, read each section
//! on its own (so one bad section does not hide the problems in the next), then check the
//! references between sections.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use toml::de::DeTable;

use super::checklists::{builtin_checklists, checklists};
use super::doc::{Doc, Node};
use super::error::{ConfigError, quoted_list, suggestion};
use super::paths::{absolute, default_state_dir};
use super::raw;
use super::schedule::parse_instant;
use super::values::{Unique, duration, name, resolve};
use super::{channels, flags, gates, secrets, services, signing, trains};
use crate::domain::config::{Config, Freeze, Project};

pub(super) const SECTIONS: [&str; 8] = [
    "project",
    "environments",
    "freezes",
    "services",
    "checklists",
    "channels",
    "trains",
    "flags",
];
const VERIFY_TIMEOUT: Duration = Duration::from_mins(5);
const PROBE_INTERVAL: Duration = Duration::from_secs(10);

/// Reads and validates the configuration at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    read(path).map(|(config, _)| config)
}

/// Like [`load`], also returning the exact bytes that were parsed: whether the configuration is
/// trusted must be decided on those (`trust::is_trusted_content`), never on a second read that
/// someone could have swapped the file under.
pub fn read(path: &Path) -> Result<(Config, Vec<u8>), ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let shown = path.display().to_string();
    let src = match std::str::from_utf8(&bytes) {
        Ok(src) => src,
        Err(e) => return Err(not_utf8(&bytes, &e, &shown)),
    };
    let file = absolute(path);
    let dir = file
        .parent()
        .map_or_else(|| file.clone(), Path::to_path_buf);
    let config = from_source(src, &shown, &file, &dir)?;
    Ok((config, bytes))
}

/// A file that is not UTF-8, located at the first bad byte.
fn not_utf8(bytes: &[u8], error: &std::str::Utf8Error, shown: &str) -> ConfigError {
    let valid = error.valid_up_to();
    // The prefix before the first bad byte is valid UTF-8 by definition.
    let before = std::str::from_utf8(&bytes[..valid]).unwrap_or_default();
    let (line, col) = super::error::line_col(before, valid);
    ConfigError::Invalid(vec![super::Problem {
        file: shown.to_string(),
        line,
        col,
        key: String::new(),
        message: format!(
            "the file is not valid UTF-8 (byte 0x{:02x} at offset {valid}); save it as UTF-8",
            bytes.get(valid).copied().unwrap_or_default()
        ),
        offset: valid,
    }])
}

/// Reads configuration text; `shown` names the file in messages, `file` and `dir` are absolute.
pub fn from_source(src: &str, shown: &str, file: &Path, dir: &Path) -> Result<Config, ConfigError> {
    let mut doc = Doc::new(src, shown);
    let (mut root, syntax) = DeTable::parse_recoverable(src);
    if !syntax.is_empty() {
        for err in &syntax {
            doc.report_toml(err, None, "");
        }
        return Err(finish(doc));
    }
    let mut root_node: Node<'_> = toml::Spanned::new(
        root.span(),
        toml::de::DeValue::Table(std::mem::take(root.get_mut())),
    );
    secrets::strip(&mut doc, &mut root_node);
    let toml::de::DeValue::Table(top) = root_node.get_ref() else {
        return Err(finish(doc));
    };

    for (key, _) in top {
        let k: &str = key.get_ref();
        if !SECTIONS.contains(&k) {
            doc.report(
                &key.span(),
                k,
                format!(
                    "unknown key `{k}`; expected one of {}{}",
                    quoted_list(SECTIONS),
                    suggestion(k, SECTIONS)
                ),
            );
        }
    }

    let project = if let Some(node) = top.get("project") {
        doc.read::<raw::Project>(node, "project")
    } else {
        doc.report(
            &(0..0),
            "project",
            "missing table `[project]` with at least `name = \"…\"`",
        );
        None
    };

    let mut templates = builtin_checklists();
    if let Some(node) = top.get("checklists") {
        // A user checklist of a built-in's name replaces it whole.
        templates.extend(checklists(&mut doc, node));
    }
    // References are checked against every name declared, read cleanly or not, so one
    // problem in a section is not echoed by every reference to it.
    let mut checklist_names: BTreeSet<String> = templates.keys().cloned().collect();
    if let Some(toml::de::DeValue::Table(t)) = top.get("checklists").map(toml::Spanned::get_ref) {
        checklist_names.extend(t.iter().map(|(k, _)| k.get_ref().to_string()));
    }

    // `signed = true` gates need signing set up; asked of the tree, so a bad `signing` table is
    // reported once, not again by every signed gate.
    let signing_set = matches!(
        top.get("project").map(toml::Spanned::get_ref),
        Some(toml::de::DeValue::Table(t)) if t.contains_key("signing")
    );
    let environments = if let Some(node) = top.get("environments") {
        match doc.array(node, "environments") {
            Some(items) if !items.is_empty() => {
                gates::environments(&mut doc, items, &checklist_names, dir, signing_set)
            }
            Some(_) => {
                doc.report(
                    &node.span(),
                    "environments",
                    "expected at least one `[[environments]]`",
                );
                Vec::new()
            }
            None => Vec::new(),
        }
    } else {
        doc.report(
            &(0..0),
            "environments",
            "missing `[[environments]]`: the stages on the path to production, in order",
        );
        Vec::new()
    };
    let env_names = declared_names(top.get("environments"));

    let freezes = match top.get("freezes") {
        Some(node) => doc
            .array(node, "freezes")
            .map(|items| freezes(&mut doc, items, &env_names))
            .unwrap_or_default(),
        None => Vec::new(),
    };

    let mut services = match top.get("services") {
        Some(node) => doc
            .array(node, "services")
            .map(|items| services::services(&mut doc, items, &env_names, dir))
            .unwrap_or_default(),
        None => Vec::new(),
    };

    let exposure = super::traffic::exposure(
        &mut doc,
        top.get("services"),
        top.get("environments"),
        &env_names,
        dir,
    );
    let trains = match top.get("trains") {
        Some(node) => doc
            .array(node, "trains")
            .map(|items| trains::trains(&mut doc, items, &declared_names(top.get("services"))))
            .unwrap_or_default(),
        None => Vec::new(),
    };

    let channels = match top.get("channels") {
        Some(node) => doc
            .array(node, "channels")
            .map(|items| channels::channels(&mut doc, items, dir))
            .unwrap_or_default(),
        None => Vec::new(),
    };

    let service_names = declared_names(top.get("services"));
    let flags = match top.get("flags") {
        Some(node) => doc
            .array(node, "flags")
            .map(|items| {
                let known = flags::Known {
                    environments: &env_names,
                    services: &service_names,
                };
                flags::flags(&mut doc, items, &known)
            })
            .unwrap_or_default(),
        None => Vec::new(),
    };

    let project = project.map(|p| {
        let project_name = name(&mut doc, &p.name, "project.name");
        Project {
            signing: p
                .signing
                .as_ref()
                .and_then(|s| signing::signing(&mut doc, s)),
            state_dir: p.state_dir.as_ref().map_or_else(
                || default_state_dir(&project_name, file),
                |s| resolve(dir, s.get_ref()),
            ),
            verify_timeout: duration(
                &mut doc,
                p.verify_timeout.as_ref(),
                VERIFY_TIMEOUT,
                "project.verify_timeout",
            ),
            probe_interval: duration(
                &mut doc,
                p.probe_interval.as_ref(),
                PROBE_INTERVAL,
                "project.probe_interval",
            ),
            state: super::state::state(&mut doc, p.state.as_ref(), dir),
            name: project_name,
        }
    });

    if let Some(project) = &project {
        git_clones_under(&mut services, &project.state_dir);
    }
    match project {
        Some(project) if doc.problems.is_empty() => Ok(Config {
            path: file.to_path_buf(),
            dir: dir.to_path_buf(),
            project,
            environments,
            services,
            freezes,
            checklists: templates,
            channels,
            trains,
            flags,
            exposure,
        }),
        _ => Err(finish(doc)),
    }
}

/// Git deployers keep their clones of config repositories under the state dir.
fn git_clones_under(services: &mut [crate::domain::config::Service], state_dir: &Path) {
    for service in services {
        let overrides = service.env.values_mut().filter_map(|o| o.deploy.as_mut());
        for deployer in service.deploy.iter_mut().chain(overrides) {
            if let crate::domain::config::DeployerSpec::Git(g) = deployer {
                g.clones = state_dir.join("gitops");
            }
        }
    }
}

fn freezes(doc: &mut Doc<'_>, items: &[Node<'_>], environments: &[String]) -> Vec<Freeze> {
    let mut names = Unique::new("freeze");
    let mut out = Vec::new();
    for (i, node) in items.iter().enumerate() {
        let path = format!("freezes[{i}]");
        let Some(f) = doc.read::<raw::Freeze>(node, &path) else {
            continue;
        };
        names.check(
            doc,
            f.name.get_ref(),
            &f.name.span(),
            &format!("{path}.name"),
        );
        let Some(table) = doc.table(node, &path) else {
            continue;
        };
        let from = instant(doc, table.get("from"), &format!("{path}.from"));
        let until = instant(doc, table.get("until"), &format!("{path}.until"));
        if let (Some(from), Some(until), Some(until_node)) = (from, until, table.get("until"))
            && until <= from
        {
            doc.report(
                &until_node.span(),
                &format!("{path}.until"),
                format!("expected a time after `from` ({from}), found {until}"),
            );
        }
        for (k, env) in f.environments.get_ref().iter().enumerate() {
            if !environments.contains(env.get_ref()) {
                doc.report(
                    &env.span(),
                    &format!("{path}.environments[{k}]"),
                    format!(
                        "no environment named `{}`; expected one of {}{}",
                        env.get_ref(),
                        quoted_list(environments.iter().map(String::as_str)),
                        suggestion(env.get_ref(), environments.iter().map(String::as_str))
                    ),
                );
            }
        }
        if f.environments.get_ref().is_empty() {
            doc.report(
                &f.environments.span(),
                &format!("{path}.environments"),
                "expected at least one environment name",
            );
        }
        if let (Some(from), Some(until)) = (from, until) {
            out.push(Freeze {
                name: f.name.into_inner(),
                from,
                until,
                environments: f
                    .environments
                    .into_inner()
                    .into_iter()
                    .map(toml::Spanned::into_inner)
                    .collect(),
            });
        }
    }
    out
}

/// A quoted RFC 3339 string or a bare TOML offset datetime.
fn instant(doc: &mut Doc<'_>, node: Option<&Node<'_>>, key: &str) -> Option<jiff::Timestamp> {
    let node = node?;
    let text = match node.get_ref() {
        toml::de::DeValue::String(s) => s.to_string(),
        toml::de::DeValue::Datetime(d) => d.to_string(),
        other => {
            doc.report(
                &node.span(),
                key,
                format!(
                    "expected an RFC 3339 time like `2026-12-20T00:00:00+01:00`, found {}",
                    other.type_str()
                ),
            );
            return None;
        }
    };
    parse_instant(&text)
        .map_err(|m| doc.report(&node.span(), key, m))
        .ok()
}

/// The `name` of every table in an array of tables, valid or not.
fn declared_names(node: Option<&Node<'_>>) -> Vec<String> {
    let Some(toml::de::DeValue::Array(items)) = node.map(toml::Spanned::get_ref) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| match item.get_ref() {
            toml::de::DeValue::Table(t) => t.get("name").and_then(|n| n.get_ref().as_str()),
            _ => None,
        })
        .map(str::to_string)
        .collect()
}

fn finish(mut doc: Doc<'_>) -> ConfigError {
    doc.problems.sort_by_key(|p| p.offset);
    doc.problems.dedup();
    ConfigError::Invalid(doc.problems)
}
