//! `[[flags]]`: flag services (DESIGN.md, "Feature flags").
//!
//! ```toml
//! [[flags]]
//! name = "unleash"
//! kind = "unleash"                   # unleash | http
//! url = "https://unleash.internal"
//! token_env = "UNLEASH_ADMIN_TOKEN"  # an admin API token
//! project = "default"
//! environments = { dev = "development", prod = "production" }
//! services = { web = ["new-checkout"], api = ["search-v2"] }
//! rollout_steps = [1, 5, 10, 25, 50, 100]
//!
//! [[flags]]
//! name = "home-grown"
//! kind = "http"
//! read = { url = "http://flags.internal/flags", list = "/flags", name = "/name",
//!          enabled = "/environments/{{env}}/enabled", percent = "/environments/{{env}}/rollout" }
//! write = { method = "PUT", url = "http://flags.internal/flags/{{flag}}/{{env}}",
//!           body = '{"enabled": {{enabled}}, "rollout": {{percent}}}' }
//! auth = { bearer_env = "FLAGS_TOKEN" }
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

use super::deployers::{auth, headers, method};
use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::raw;
use super::values::{Unique, duration, name};
use crate::domain::config::SecretName;
use crate::domain::flag::{
    DEFAULT_ROLLOUT_STEPS, FlagKind, FlagService, HttpFlags, HttpRead, HttpWrite, READ_NAMES,
    UnleashApi, WRITE_NAMES,
};
use crate::domain::template::names_in;

/// `services = { web = ["new-checkout"] }` as written.
type ServiceFlags = BTreeMap<String, Spanned<Vec<Spanned<String>>>>;

pub(super) const KINDS: [&str; 2] = ["unleash", "http"];
const METHODS: [&str; 4] = ["POST", "PUT", "PATCH", "DELETE"];
const INTERVAL: Duration = Duration::from_secs(10);
const TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UnleashRaw {
    #[allow(dead_code)]
    name: IgnoredAny,
    #[allow(dead_code)]
    kind: IgnoredAny,
    url: Spanned<String>,
    token_env: Spanned<String>,
    project: Option<Spanned<String>>,
    environments: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    services: Option<Spanned<ServiceFlags>>,
    rollout_steps: Option<Spanned<Vec<Spanned<i64>>>>,
    interval: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpRaw {
    #[allow(dead_code)]
    name: IgnoredAny,
    #[allow(dead_code)]
    kind: IgnoredAny,
    read: Spanned<ReadRaw>,
    write: Spanned<WriteRaw>,
    auth: Option<Spanned<raw::Auth>>,
    environments: Option<Spanned<BTreeMap<String, Spanned<String>>>>,
    services: Option<Spanned<ServiceFlags>>,
    rollout_steps: Option<Spanned<Vec<Spanned<i64>>>>,
    interval: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ReadRaw {
    url: Spanned<String>,
    list: Spanned<String>,
    name: Spanned<String>,
    enabled: Spanned<String>,
    percent: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WriteRaw {
    method: Option<Spanned<String>>,
    url: Spanned<String>,
    #[serde(default)]
    headers: BTreeMap<String, Spanned<String>>,
    body: Option<Spanned<String>>,
}

/// The flag service kinds and the shape of each, for the schema.
pub(super) fn raw_kinds() -> Result<Vec<(&'static str, super::schema::Shape)>, String> {
    use super::schema::shape;
    Ok(vec![
        ("unleash", shape::<UnleashRaw>()?),
        ("http", shape::<HttpRaw>()?),
    ])
}

/// What every kind shares.
struct Common<'r> {
    environments: Option<&'r Spanned<BTreeMap<String, Spanned<String>>>>,
    services: Option<&'r Spanned<ServiceFlags>>,
    rollout_steps: Option<&'r Spanned<Vec<Spanned<i64>>>>,
    interval: Option<&'r Spanned<String>>,
    timeout: Option<&'r Spanned<String>>,
}

/// The names the configuration declares, for references.
pub struct Known<'a> {
    pub environments: &'a [String],
    pub services: &'a [String],
}

/// Reads every `[[flags]]` table; one bad table does not hide the problems of the next.
pub fn flags(doc: &mut Doc<'_>, items: &[Node<'_>], known: &Known<'_>) -> Vec<FlagService> {
    let mut names = Unique::new("flag service");
    let mut out = Vec::new();
    for (i, node) in items.iter().enumerate() {
        let path = format!("flags[{i}]");
        let Some(table) = doc.table(node, &path) else {
            continue;
        };
        let Some(n) = doc.string_at(table, "name", &path) else {
            if !table.contains_key("name") {
                doc.report(&node.span(), &format!("{path}.name"), "missing key `name`");
            }
            continue;
        };
        names.check(doc, n.get_ref(), &n.span(), &format!("{path}.name"));
        let service_name = name(doc, &n, &format!("{path}.name"));
        let Some(kind) = doc.string_at(table, "kind", &path) else {
            if !table.contains_key("kind") {
                doc.report(
                    &node.span(),
                    &format!("{path}.kind"),
                    format!("missing key `kind`; expected one of {}", quoted_list(KINDS)),
                );
            }
            continue;
        };
        let read = match kind.get_ref().as_str() {
            "unleash" => doc.read::<UnleashRaw>(node, &path).map(|u| {
                let common = Common {
                    environments: u.environments.as_ref(),
                    services: u.services.as_ref(),
                    rollout_steps: u.rollout_steps.as_ref(),
                    interval: u.interval.as_ref(),
                    timeout: u.timeout.as_ref(),
                };
                let url = base_url(doc, &u.url, &format!("{path}.url"));
                let project = match &u.project {
                    Some(p) => name(doc, p, &format!("{path}.project")),
                    None => "default".to_string(),
                };
                let kind = FlagKind::Unleash(UnleashApi {
                    url,
                    token: SecretName(u.token_env.get_ref().clone()),
                    project,
                });
                finish(doc, &service_name, kind, &common, known, &path)
            }),
            "http" => doc.read::<HttpRaw>(node, &path).map(|h| {
                let common = Common {
                    environments: h.environments.as_ref(),
                    services: h.services.as_ref(),
                    rollout_steps: h.rollout_steps.as_ref(),
                    interval: h.interval.as_ref(),
                    timeout: h.timeout.as_ref(),
                };
                let kind = FlagKind::Http(http(doc, &h, &path));
                finish(doc, &service_name, kind, &common, known, &path)
            }),
            other => {
                doc.report(
                    &kind.span(),
                    &format!("{path}.kind"),
                    format!(
                        "unknown flag service kind `{other}`; expected one of {}{}",
                        quoted_list(KINDS),
                        suggestion(other, KINDS)
                    ),
                );
                None
            }
        };
        out.extend(read);
    }
    out
}

fn finish(
    doc: &mut Doc<'_>,
    service_name: &str,
    kind: FlagKind,
    common: &Common<'_>,
    known: &Known<'_>,
    path: &str,
) -> FlagService {
    FlagService {
        name: service_name.to_string(),
        kind,
        environments: environments(doc, common.environments, known, path),
        services: services(doc, common.services, known, path),
        rollout_steps: steps(doc, common.rollout_steps, &format!("{path}.rollout_steps")),
        interval: duration(doc, common.interval, INTERVAL, &format!("{path}.interval")),
        timeout: duration(doc, common.timeout, TIMEOUT, &format!("{path}.timeout")),
    }
}

/// An `http://` or `https://` base URL, without its trailing slash.
fn base_url(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    let text = value.get_ref().trim();
    let lower = text.to_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) || text.contains("{{") {
        doc.report(
            &value.span(),
            key,
            format!("expected an http:// or https:// URL like \"https://unleash.internal\", found `{text}`"),
        );
    }
    text.trim_end_matches('/').to_string()
}

/// A template that may use only `known` names.
fn template_of(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str, known: &[&str]) -> String {
    if let Err(err) = names_in(value.get_ref(), known) {
        doc.report(&value.span(), key, err.to_string());
    }
    value.get_ref().clone()
}

fn write_template(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    template_of(doc, value, key, WRITE_NAMES)
}

/// A JSON pointer (`""` or starting with `/`), `{{env}}` allowed.
fn pointer(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    let text = template_of(doc, value, key, READ_NAMES);
    if !(text.is_empty() || text.starts_with('/')) {
        doc.report(
            &value.span(),
            key,
            format!("expected a JSON pointer like \"/enabled\" (empty or starting with `/`), found `{text}`"),
        );
    }
    text
}

fn http_url(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str, known: &[&str]) -> String {
    let text = template_of(doc, value, key, known);
    let lower = text.to_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        doc.report(
            &value.span(),
            key,
            format!("expected an http:// or https:// URL, found `{text}`"),
        );
    }
    text
}

fn http(doc: &mut Doc<'_>, h: &HttpRaw, path: &str) -> HttpFlags {
    let r = h.read.get_ref();
    let read = HttpRead {
        url: http_url(doc, &r.url, &format!("{path}.read.url"), READ_NAMES),
        list: pointer(doc, &r.list, &format!("{path}.read.list")),
        name: pointer(doc, &r.name, &format!("{path}.read.name")),
        enabled: pointer(doc, &r.enabled, &format!("{path}.read.enabled")),
        percent: r
            .percent
            .as_ref()
            .map(|p| pointer(doc, p, &format!("{path}.read.percent"))),
    };
    let w = h.write.get_ref();
    let wpath = format!("{path}.write");
    let mut headers = headers(
        doc,
        &w.headers,
        &wpath,
        write_template,
        "auth = { bearer_env = \"VAR\" } or auth = { header = \"NAME\", header_env = \"VAR\" }",
    );
    if w.body.is_some()
        && !headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        headers.push(("Content-Type".to_string(), "application/json".to_string()));
    }
    let write = HttpWrite {
        method: method(
            doc,
            w.method.as_ref(),
            &METHODS,
            " for a flag write",
            &format!("{wpath}.method"),
        ),
        url: http_url(doc, &w.url, &format!("{wpath}.url"), WRITE_NAMES),
        headers,
        body: w
            .body
            .as_ref()
            .map(|b| write_template(doc, b, &format!("{wpath}.body"))),
    };
    let auth = h
        .auth
        .as_ref()
        .map(|a| Spanned::new(a.span(), clone_auth(a.get_ref())))
        .and_then(|a| auth(doc, a, &format!("{path}.auth")));
    HttpFlags { read, write, auth }
}

fn clone_auth(a: &raw::Auth) -> raw::Auth {
    raw::Auth {
        bearer_env: a.bearer_env.clone(),
        basic_env: a.basic_env.clone(),
        header_env: a.header_env.clone(),
        header: a.header.clone(),
    }
}

/// `environments = { dev = "development" }`: keys are shipdeck's environments; without the
/// table every environment is the flag service's of the same name.
fn environments(
    doc: &mut Doc<'_>,
    value: Option<&Spanned<BTreeMap<String, Spanned<String>>>>,
    known: &Known<'_>,
    path: &str,
) -> BTreeMap<String, String> {
    let Some(map) = value else {
        return known
            .environments
            .iter()
            .map(|e| (e.clone(), e.clone()))
            .collect();
    };
    let mut out = BTreeMap::new();
    for (env, theirs) in map.get_ref() {
        let key = format!("{path}.environments.{env}");
        if !known.environments.contains(env) {
            doc.report(
                &theirs.span(),
                &key,
                format!(
                    "no environment named `{env}`; expected one of {}{}",
                    quoted_list(known.environments.iter().map(String::as_str)),
                    suggestion(env, known.environments.iter().map(String::as_str))
                ),
            );
        }
        if theirs.get_ref().trim().is_empty() {
            doc.report(
                &theirs.span(),
                &key,
                "expected the flag service's name for this environment, found an empty string",
            );
        }
        out.insert(env.clone(), theirs.get_ref().clone());
    }
    if map.get_ref().is_empty() {
        doc.report(
            &map.span(),
            &format!("{path}.environments"),
            "expected at least one environment, like { prod = \"production\" }",
        );
    }
    out
}

/// `services = { web = ["new-checkout"] }`: each flag belongs to at most one service.
fn services(
    doc: &mut Doc<'_>,
    value: Option<&Spanned<ServiceFlags>>,
    known: &Known<'_>,
    path: &str,
) -> BTreeMap<String, Vec<String>> {
    let Some(map) = value else {
        return BTreeMap::new();
    };
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (service, flags) in map.get_ref() {
        let key = format!("{path}.services.{service}");
        if !known.services.contains(service) {
            doc.report(
                &flags.span(),
                &key,
                format!(
                    "no service named `{service}`; expected one of {}{}",
                    quoted_list(known.services.iter().map(String::as_str)),
                    suggestion(service, known.services.iter().map(String::as_str))
                ),
            );
        }
        let mut list = Vec::new();
        for (i, flag) in flags.get_ref().iter().enumerate() {
            let flag_key = format!("{key}[{i}]");
            let text = flag.get_ref().trim();
            if text.is_empty() {
                doc.report(
                    &flag.span(),
                    &flag_key,
                    "expected a flag name, found an empty string",
                );
                continue;
            }
            if let Some(other) = seen.insert(text.to_string(), service.clone()) {
                doc.report(
                    &flag.span(),
                    &flag_key,
                    format!("flag `{text}` is already `{other}`'s; a flag belongs to one service"),
                );
            }
            list.push(text.to_string());
        }
        out.insert(service.clone(), list);
    }
    out
}

/// Percentages from 0 to 100, strictly ascending.
fn steps(doc: &mut Doc<'_>, value: Option<&Spanned<Vec<Spanned<i64>>>>, key: &str) -> Vec<u8> {
    let Some(list) = value else {
        return DEFAULT_ROLLOUT_STEPS.to_vec();
    };
    let mut out: Vec<u8> = Vec::new();
    for (i, step) in list.get_ref().iter().enumerate() {
        let k = format!("{key}[{i}]");
        let Some(p) = u8::try_from(*step.get_ref()).ok().filter(|p| *p <= 100) else {
            doc.report(
                &step.span(),
                &k,
                format!(
                    "expected a percentage from 0 to 100, found {}",
                    step.get_ref()
                ),
            );
            continue;
        };
        if out.last().is_some_and(|last| *last >= p) {
            doc.report(
                &step.span(),
                &k,
                format!(
                    "expected steps in ascending order, found {p} after {}",
                    out.last().copied().unwrap_or_default()
                ),
            );
            continue;
        }
        out.push(p);
    }
    if list.get_ref().is_empty() {
        doc.report(
            &list.span(),
            key,
            "expected at least one step, like [1, 5, 10, 25, 50, 100]",
        );
    }
    out
}
