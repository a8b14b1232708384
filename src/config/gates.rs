//! `[[environments]]` and their gates.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use toml::Spanned;

use super::doc::{Doc, Node};
use super::error::{quoted_list, suggestion};
use super::gate_rules as rules;
use super::raw;
use super::values::{Unique, duration, name};
use crate::domain::config::{Environment, Gate, GateRule};

/// Every gate kind, as written in `kind = "…"`.
pub const KINDS: [&str; 8] = [
    "healthy",
    "soak",
    "approval",
    "checklist",
    "freeze",
    "window",
    "check",
    "ancestor",
];

/// Reads the environments, in path order. `checklists` are the names gates may refer to.
pub fn environments(
    doc: &mut Doc<'_>,
    nodes: &[Node<'_>],
    checklists: &BTreeSet<String>,
    dir: &Path,
    signing: bool,
) -> Vec<Environment> {
    let mut names = Unique::new("environment");
    let mut out = Vec::new();
    for (i, node) in nodes.iter().enumerate() {
        let path = format!("environments[{i}]");
        let env = doc.read::<raw::Environment>(node, &path);
        let env_name = env.as_ref().map(|e| {
            let n = name(doc, &e.name, &format!("{path}.name"));
            names.check(doc, &n, &e.name.span(), &format!("{path}.name"));
            n
        });
        // Gates are read even when the environment's own keys are wrong, so their problems
        // are reported in the same run.
        let label = env_name.clone().unwrap_or_else(|| path.clone());
        let gates = match doc.table(node, &path).and_then(|t| t.get("gates")) {
            Some(gates_node) => {
                let gates_path = format!("{path}.gates");
                match doc.array(gates_node, &gates_path) {
                    Some(items) => gates(doc, items, &gates_path, &label, checklists, dir, signing),
                    None => Vec::new(),
                }
            }
            None => Vec::new(),
        };
        let (Some(env), Some(env_name)) = (env, env_name) else {
            continue;
        };
        out.push(Environment {
            name: env_name,
            protected: env.protected,
            gates,
        });
    }
    out
}

/// A gate read, with whether its id was written or defaulted.
struct Read {
    gate: Gate,
    explicit_id: bool,
    /// The written id's span, else the gate's.
    id_span: std::ops::Range<usize>,
    span: std::ops::Range<usize>,
    path: String,
}

fn gates(
    doc: &mut Doc<'_>,
    items: &[Node<'_>],
    path: &str,
    env: &str,
    checklists: &BTreeSet<String>,
    dir: &Path,
    signing: bool,
) -> Vec<Gate> {
    let mut read = Vec::new();
    for (j, node) in items.iter().enumerate() {
        let gate_path = format!("{path}[{j}]");
        if let Some(r) = gate(doc, node, &gate_path, checklists, dir, signing) {
            read.push(r);
        }
    }
    // An id defaults to the kind only when the kind appears once; two of one kind must say
    // which is which, or overrides and events could not name them.
    for r in &read {
        let kind = r.gate.rule.kind();
        let same_kind = read.iter().filter(|o| o.gate.rule.kind() == kind).count();
        if !r.explicit_id && same_kind > 1 {
            doc.report(
                &r.span,
                &r.path,
                format!(
                    "`{env}` has {same_kind} `{kind}` gates; give each an `id` (like id = \"{kind}-2\") so they can be told apart"
                ),
            );
        }
    }
    let mut ids = Unique::new("gate id");
    for r in &read {
        if r.explicit_id
            || read
                .iter()
                .filter(|o| o.gate.rule.kind() == r.gate.rule.kind())
                .count()
                == 1
        {
            ids.check(doc, &r.gate.id, &r.id_span, &format!("{}.id", r.path));
        }
    }
    read.into_iter().map(|r| r.gate).collect()
}

fn gate(
    doc: &mut Doc<'_>,
    node: &Node<'_>,
    path: &str,
    checklists: &BTreeSet<String>,
    dir: &Path,
    signing: bool,
) -> Option<Read> {
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
    let kind_path = format!("{path}.kind");
    let (id, rule) = match kind.get_ref().as_str() {
        "healthy" => {
            let g = doc.read::<raw::PlainGate>(node, path)?;
            (g.id, GateRule::Healthy)
        }
        "freeze" => {
            let g = doc.read::<raw::PlainGate>(node, path)?;
            (g.id, GateRule::Freeze)
        }
        "soak" => {
            let g = doc.read::<raw::SoakGate>(node, path)?;
            let d = duration(
                doc,
                Some(&g.duration),
                Duration::ZERO,
                &format!("{path}.duration"),
            );
            (g.id, GateRule::Soak { duration: d })
        }
        "approval" => {
            let g = doc.read::<raw::ApprovalGate>(node, path)?;
            let rule = rules::approval(doc, &g, path, signing);
            (g.id, rule)
        }
        "checklist" => {
            let g = doc.read::<raw::ChecklistGate>(node, path)?;
            if !checklists.contains(g.name.get_ref()) {
                doc.report(
                    &g.name.span(),
                    &format!("{path}.name"),
                    format!(
                        "no checklist named `{}`; expected one of {}{}",
                        g.name.get_ref(),
                        quoted_list(checklists.iter().map(String::as_str)),
                        suggestion(g.name.get_ref(), checklists.iter().map(String::as_str))
                    ),
                );
            }
            (
                g.id,
                GateRule::Checklist {
                    name: g.name.into_inner(),
                },
            )
        }
        "window" => {
            let g = doc.read::<raw::WindowGate>(node, path)?;
            let rule = rules::window(doc, &g, path)?;
            (g.id, rule)
        }
        "check" => {
            let g = doc.read::<raw::CheckGate>(node, path)?;
            let rule = rules::check(doc, &g, node, path, dir)?;
            (g.id, rule)
        }
        "ancestor" => {
            let g = doc.read::<raw::AncestorGate>(node, path)?;
            if g.branch.get_ref().trim().is_empty() {
                doc.report(
                    &g.branch.span(),
                    &format!("{path}.branch"),
                    "expected a branch name",
                );
            }
            (
                g.id,
                GateRule::Ancestor {
                    branch: g.branch.into_inner(),
                },
            )
        }
        other => {
            doc.report(
                &kind.span(),
                &kind_path,
                format!(
                    "unknown gate kind `{other}`; expected one of {}{}",
                    quoted_list(KINDS),
                    suggestion(other, KINDS)
                ),
            );
            return None;
        }
    };
    let explicit_id = id.is_some();
    let id_span = id.as_ref().map_or_else(|| node.span(), Spanned::span);
    let id = match id {
        Some(id) => name(doc, &id, &format!("{path}.id")),
        None => rule.kind().to_string(),
    };
    Some(Read {
        gate: Gate { id, rule },
        explicit_id,
        id_span,
        span: node.span(),
        path: path.to_string(),
    })
}
