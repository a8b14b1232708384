//! `traffic` tables (a service's, or `[services.env.NAME.traffic]`) and the `analysis = true`
//! of check gates: the exposure half of the configuration.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use toml::Spanned;
use toml::de::DeValue;

use super::deployers::{auth, headers, method};
use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::raw;
use super::values::{argv_with, duration, name, url};
use crate::domain::template;
use crate::domain::traffic::{
    Exposure, HttpWrite, ROUTER_NAMES, RouterSpec, Step, TrafficSpec, TrafficTarget,
};

pub(super) const KINDS: [&str; 4] = ["haproxy", "caddy", "http", "command"];
const TIMEOUT: Duration = Duration::from_secs(5);
const WRITE_METHODS: [&str; 3] = ["PUT", "POST", "PATCH"];

/// The keys each kind takes besides `kind`, `slots`, `steps` and `timeout`.
fn kind_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "haproxy" => &["address", "backend"],
        "caddy" => &["admin", "route", "dials"],
        "http" => &["url", "weights", "write"],
        _ => &["read", "command", "weights"],
    }
}

const COMMON: [&str; 4] = ["kind", "slots", "steps", "timeout"];

/// Reads every `traffic` table of `services` and the analysis flags of `environments`.
pub fn exposure(
    doc: &mut Doc<'_>,
    services: Option<&Node<'_>>,
    environments: Option<&Node<'_>>,
    env_names: &[String],
    dir: &Path,
) -> Exposure {
    let mut out = Exposure {
        targets: Vec::new(),
        analysis: analysis(environments),
    };
    let Some(DeValue::Array(items)) = services.map(Spanned::get_ref) else {
        return out;
    };
    for (i, node) in items.iter().enumerate() {
        let DeValue::Table(t) = node.get_ref() else {
            continue;
        };
        let Some(service) = t.get("name").and_then(|n| n.get_ref().as_str()) else {
            continue;
        };
        let path = format!("services[{i}]");
        let default = t
            .get("traffic")
            .and_then(|n| traffic(doc, n, &format!("{path}.traffic"), dir));
        let mut overridden = BTreeMap::new();
        if let Some(DeValue::Table(envs)) = t.get("env").map(Spanned::get_ref) {
            for (env, value) in envs {
                let env = env.get_ref().to_string();
                if !env_names.contains(&env) {
                    continue;
                }
                if let Some(DeValue::Table(o)) = Some(value.get_ref())
                    && let Some(n) = o.get("traffic")
                    && let Some(spec) = traffic(doc, n, &format!("{path}.env.{env}.traffic"), dir)
                {
                    overridden.insert(env, spec);
                }
            }
        }
        for env in env_names {
            let spec = overridden.remove(env).or_else(|| default.clone());
            if let Some(spec) = spec {
                out.targets.push(TrafficTarget {
                    service: service.to_string(),
                    env: env.clone(),
                    spec,
                });
            }
        }
    }
    out
}

/// Environment → ids of its check gates marked `analysis = true` (the id defaults to `check`).
fn analysis(environments: Option<&Node<'_>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    let Some(DeValue::Array(envs)) = environments.map(Spanned::get_ref) else {
        return out;
    };
    for env in envs {
        let DeValue::Table(t) = env.get_ref() else {
            continue;
        };
        let Some(name) = t.get("name").and_then(|n| n.get_ref().as_str()) else {
            continue;
        };
        let Some(DeValue::Array(gates)) = t.get("gates").map(Spanned::get_ref) else {
            continue;
        };
        for gate in gates {
            let DeValue::Table(g) = gate.get_ref() else {
                continue;
            };
            let is_check = g.get("kind").and_then(|k| k.get_ref().as_str()) == Some("check");
            let marked = matches!(
                g.get("analysis").map(Spanned::get_ref),
                Some(DeValue::Boolean(true))
            );
            if is_check && marked {
                let id = g
                    .get("id")
                    .and_then(|i| i.get_ref().as_str())
                    .unwrap_or("check");
                out.entry(name.to_string())
                    .or_insert_with(BTreeSet::new)
                    .insert(id.to_string());
            }
        }
    }
    out
}

fn traffic(doc: &mut Doc<'_>, node: &Node<'_>, path: &str, dir: &Path) -> Option<TrafficSpec> {
    let table = doc.table(node, path)?;
    let Some(kind) = doc.string_at(table, "kind", path) else {
        if !table.contains_key("kind") {
            doc.report(
                &node.span(),
                &format!("{path}.kind"),
                format!("missing key `kind`; expected one of {}", quoted_list(KINDS)),
            );
        }
        return None;
    };
    let kind_name = kind.get_ref().as_str();
    if !KINDS.contains(&kind_name) {
        doc.report(
            &kind.span(),
            &format!("{path}.kind"),
            format!(
                "unknown traffic router kind `{kind_name}`; expected one of {}{}",
                quoted_list(KINDS),
                suggestion(kind_name, KINDS)
            ),
        );
        return None;
    }
    // Keys of another kind are refused by name, so a caddy `dials` in an haproxy table is not
    // silently ignored.
    let allowed = kind_keys(kind_name);
    for (key, _) in table {
        let k: &str = key.get_ref();
        if !COMMON.contains(&k) && !allowed.contains(&k) && known_key(k) {
            doc.report(
                &key.span(),
                &format!("{path}.{k}"),
                format!(
                    "`{k}` is not a key of a `{kind_name}` router; it takes {}",
                    quoted_list(allowed.iter().copied())
                ),
            );
        }
    }
    let t = doc.read::<raw::Traffic>(node, path)?;
    let slots = slots(doc, &t.slots, &format!("{path}.slots"));
    let steps = steps(doc, t.steps.as_ref(), &format!("{path}.steps"));
    let timeout = duration(doc, t.timeout.as_ref(), TIMEOUT, &format!("{path}.timeout"));
    let router = match kind_name {
        "haproxy" => haproxy(doc, &t, node, path)?,
        "caddy" => {
            if let (Some(s), false) = (&t.steps, steps.iter().all(|s| s.weight == 100)) {
                doc.report(
                    &s.span(),
                    &format!("{path}.steps"),
                    "Caddy 2.6 has no weighted load balancing, so a `caddy` router can only \
                     switch all traffic at once: remove `steps` (blue-green), or route through \
                     `kind = \"haproxy\"` or `\"http\"` for a canary",
                );
            }
            caddy(doc, &t, node, path, &slots)?
        }
        "http" => http(doc, &t, node, path, &slots)?,
        _ => command(doc, &t, node, path, &slots, dir)?,
    };
    Some(TrafficSpec {
        router,
        slots,
        steps,
        timeout,
    })
}

/// A key some kind takes (unknown keys are `deny_unknown_fields`'s to report).
fn known_key(k: &str) -> bool {
    KINDS.iter().any(|kind| kind_keys(kind).contains(&k))
}

fn slots(doc: &mut Doc<'_>, value: &Spanned<Vec<Spanned<String>>>, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (i, s) in value.get_ref().iter().enumerate() {
        let n = name(doc, s, &format!("{key}[{i}]"));
        if out.contains(&n) {
            doc.report(
                &s.span(),
                &format!("{key}[{i}]"),
                format!("slot `{n}` is listed twice"),
            );
        }
        out.push(n);
    }
    if out.len() < 2 {
        doc.report(
            &value.span(),
            key,
            "expected two or more slot names, like [\"blue\", \"green\"]",
        );
    }
    out
}

fn steps(
    doc: &mut Doc<'_>,
    value: Option<&Spanned<Vec<Spanned<raw::TrafficStep>>>>,
    key: &str,
) -> Vec<Step> {
    let whole = vec![Step {
        weight: 100,
        pause: Duration::ZERO,
    }];
    let Some(value) = value else {
        return whole;
    };
    if value.get_ref().is_empty() {
        doc.report(
            &value.span(),
            key,
            "expected at least one step; leave `steps` out for blue-green (all at once)",
        );
        return whole;
    }
    let mut out = Vec::new();
    let mut last = 0;
    for (i, s) in value.get_ref().iter().enumerate() {
        let w = *s.get_ref().weight.get_ref();
        let wkey = format!("{key}[{i}].weight");
        if !(1..=100).contains(&w) {
            doc.report(
                &s.get_ref().weight.span(),
                &wkey,
                format!("expected a percentage from 1 to 100, found {w}"),
            );
        } else if w <= last {
            doc.report(
                &s.get_ref().weight.span(),
                &wkey,
                format!("steps go up: expected more than the previous step's {last}, found {w}"),
            );
        }
        let weight = u32::try_from(w.clamp(0, 100)).unwrap_or(100);
        last = i64::from(weight);
        let pause = match &s.get_ref().pause {
            Some(p) => duration(doc, Some(p), Duration::ZERO, &format!("{key}[{i}].pause")),
            None => Duration::ZERO,
        };
        out.push(Step { weight, pause });
    }
    if let Some(end) = value.get_ref().last()
        && *end.get_ref().weight.get_ref() != 100
    {
        doc.report(
            &end.span(),
            key,
            "the last step takes all the traffic: end with `{ weight = 100 }`",
        );
    }
    out
}

fn required<'a>(
    doc: &mut Doc<'_>,
    value: Option<&'a Spanned<String>>,
    node: &Node<'_>,
    key: &str,
    what: &str,
) -> Option<&'a Spanned<String>> {
    if value.is_none() {
        doc.report(&node.span(), key, format!("missing key: {what}"));
    }
    value
}

fn haproxy(doc: &mut Doc<'_>, t: &raw::Traffic, node: &Node<'_>, path: &str) -> Option<RouterSpec> {
    let address = required(
        doc,
        t.address.as_ref(),
        node,
        &format!("{path}.address"),
        "`address`, the runtime API's host:port (like \"127.0.0.1:9999\") or unix socket path",
    );
    let backend = required(
        doc,
        t.backend.as_ref(),
        node,
        &format!("{path}.backend"),
        "`backend`, the HAProxy backend whose servers are the slots",
    );
    let (address, backend) = (address?, backend?);
    let a = address.get_ref();
    let looks_ok = a.starts_with('/')
        || a.rsplit_once(':')
            .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
    if !looks_ok {
        doc.report(
            &address.span(),
            &format!("{path}.address"),
            format!("expected host:port or an absolute unix socket path, found `{a}`"),
        );
    }
    Some(RouterSpec::Haproxy {
        address: a.clone(),
        backend: backend.get_ref().clone(),
    })
}

/// A per-slot map that must name every slot and nothing else.
fn per_slot(
    doc: &mut Doc<'_>,
    map: &BTreeMap<String, Spanned<String>>,
    slots: &[String],
    node: &Node<'_>,
    key: &str,
) -> BTreeMap<String, String> {
    for (slot, v) in map {
        if !slots.contains(slot) {
            doc.report(
                &v.span(),
                &format!("{key}.{slot}"),
                format!(
                    "no slot named `{slot}`; expected one of {}{}",
                    quoted_list(slots.iter().map(String::as_str)),
                    suggestion(slot, slots.iter().map(String::as_str))
                ),
            );
        }
    }
    for slot in slots {
        if !map.contains_key(slot) {
            doc.report(
                &node.span(),
                &format!("{key}.{slot}"),
                format!("missing slot `{slot}`"),
            );
        }
    }
    map.iter()
        .map(|(k, v)| (k.clone(), v.get_ref().clone()))
        .collect()
}

fn caddy(
    doc: &mut Doc<'_>,
    t: &raw::Traffic,
    node: &Node<'_>,
    path: &str,
    slots: &[String],
) -> Option<RouterSpec> {
    let admin = required(
        doc,
        t.admin.as_ref(),
        node,
        &format!("{path}.admin"),
        "`admin`, Caddy's admin API URL (like \"http://127.0.0.1:2019\")",
    );
    let route = required(
        doc,
        t.route.as_ref(),
        node,
        &format!("{path}.route"),
        "`route`, the `@id` of the route whose reverse proxy fronts the slots",
    );
    if t.dials.is_none() {
        doc.report(
            &node.span(),
            &format!("{path}.dials"),
            "missing key: `dials`, each slot's upstream address (dials = { blue = \"127.0.0.1:8001\", … })",
        );
    }
    let (admin, route, dials) = (admin?, route?, t.dials.as_ref()?);
    let admin = url(doc, admin, &format!("{path}.admin"));
    let dials = per_slot(doc, dials, slots, node, &format!("{path}.dials"));
    Some(RouterSpec::Caddy {
        admin,
        route: route.get_ref().clone(),
        dials,
    })
}

fn router_template(doc: &mut Doc<'_>, value: &Spanned<String>, key: &str) -> String {
    if let Err(err) = template::names_in(value.get_ref(), ROUTER_NAMES) {
        doc.report(&value.span(), key, err.to_string());
    }
    value.get_ref().clone()
}

fn pointers(
    doc: &mut Doc<'_>,
    t: &raw::Traffic,
    node: &Node<'_>,
    path: &str,
    slots: &[String],
) -> BTreeMap<String, String> {
    let Some(map) = &t.weights else {
        return slots.iter().map(|s| (s.clone(), format!("/{s}"))).collect();
    };
    let out = per_slot(doc, map, slots, node, &format!("{path}.weights"));
    for (slot, v) in map {
        if !v.get_ref().starts_with('/') {
            doc.report(
                &v.span(),
                &format!("{path}.weights.{slot}"),
                format!(
                    "expected a JSON pointer like `/weights/{slot}`, found `{}`",
                    v.get_ref()
                ),
            );
        }
    }
    out
}

fn http(
    doc: &mut Doc<'_>,
    t: &raw::Traffic,
    node: &Node<'_>,
    path: &str,
    slots: &[String],
) -> Option<RouterSpec> {
    let read = required(
        doc,
        t.url.as_ref(),
        node,
        &format!("{path}.url"),
        "`url`, where the router's weights are read (GET, JSON)",
    );
    if t.write.is_none() {
        doc.report(
            &node.span(),
            &format!("{path}.write"),
            "missing key: `write`, the request that sets the weights (write = { url = \"…\", body = \"{{weights_json}}\" })",
        );
    }
    let read = read?;
    let read_url = url(doc, read, &format!("{path}.url"));
    let pointers = pointers(doc, t, node, path, slots);
    let w = t.write.as_ref()?.get_ref();
    let wpath = format!("{path}.write");
    let write_url = router_template(doc, &w.url, &format!("{wpath}.url"));
    if !(write_url.starts_with("http://") || write_url.starts_with("https://")) {
        doc.report(
            &w.url.span(),
            &format!("{wpath}.url"),
            format!("expected an http:// or https:// URL, found `{write_url}`"),
        );
    }
    let mut method = method(
        doc,
        w.method.as_ref(),
        &WRITE_METHODS,
        " for a router write",
        &format!("{wpath}.method"),
    );
    if w.method.is_none() {
        method = "PUT".to_string();
    }
    let headers = headers(
        doc,
        &w.headers,
        &wpath,
        router_template,
        "auth = { bearer_env = \"VAR\" } or auth = { header = \"NAME\", header_env = \"VAR\" }",
    );
    let body = w.body.as_ref().map_or_else(
        || "{{weights_json}}".to_string(),
        |b| router_template(doc, b, &format!("{wpath}.body")),
    );
    let auth = w.auth.as_ref().and_then(|a| {
        let copy = raw::Auth {
            bearer_env: a.get_ref().bearer_env.clone(),
            basic_env: a.get_ref().basic_env.clone(),
            header_env: a.get_ref().header_env.clone(),
            header: a.get_ref().header.clone(),
        };
        auth(doc, Spanned::new(a.span(), copy), &format!("{wpath}.auth"))
    });
    Some(RouterSpec::Http {
        read_url,
        pointers,
        write: HttpWrite {
            method,
            url: write_url,
            headers,
            body,
            auth,
        },
    })
}

fn command(
    doc: &mut Doc<'_>,
    t: &raw::Traffic,
    node: &Node<'_>,
    path: &str,
    slots: &[String],
    dir: &Path,
) -> Option<RouterSpec> {
    if t.read.is_none() {
        doc.report(
            &node.span(),
            &format!("{path}.read"),
            "missing key: `read`, a command printing the weights as JSON ({\"blue\": 100, \"green\": 0})",
        );
    }
    if t.command.is_none() {
        doc.report(
            &node.span(),
            &format!("{path}.command"),
            "missing key: `command`, the argv that sets the weights (templates: {{slot}}, {{weight}}, {{weights_json}})",
        );
    }
    let (read, write) = (t.read.as_ref()?, t.command.as_ref()?);
    let example = r#"["./router.sh", "{{slot}}", "{{weight}}"]"#;
    Some(RouterSpec::Command {
        read: argv_with(
            doc,
            read,
            &format!("{path}.read"),
            dir,
            router_template,
            example,
        ),
        write: argv_with(
            doc,
            write,
            &format!("{path}.command"),
            dir,
            router_template,
            example,
        ),
        pointers: pointers(doc, t, node, path, slots),
    })
}
