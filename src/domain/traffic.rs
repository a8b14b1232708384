//! Exposure: slots and the traffic router in front of them (DESIGN.md, "Exposure: slots, traffic
//! routers, rollouts"). The configuration model and the pure rules over weights.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use super::config::{Auth, CommandDeployer, DeployerSpec, GitDeployer, HttpDeployer};

/// Each slot's share of the traffic, in percent (0–100), by slot name.
pub type Weights = BTreeMap<String, u32>;

/// Every name a router's templates may contain: the deployers' names plus the shift's own.
pub const ROUTER_NAMES: &[&str] = &[
    "service",
    "env",
    "release",
    "version",
    "commit",
    "previous_release",
    "actor",
    "idempotency_key",
    "approvals_json",
    "slot",
    "weight",
    "weights_json",
];

/// The exposure settings of a whole configuration: which targets are slotted, and which `check`
/// gates also run as analysis during a rollout's pauses.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exposure {
    pub targets: Vec<TrafficTarget>,
    /// Environment → ids of its `check` gates with `analysis = true`.
    pub analysis: BTreeMap<String, BTreeSet<String>>,
}

impl Exposure {
    /// The traffic settings of (service, env), when that target is slotted.
    pub fn traffic(&self, service: &str, env: &str) -> Option<&TrafficSpec> {
        self.targets
            .iter()
            .find(|t| t.service == service && t.env == env)
            .map(|t| &t.spec)
    }
}

/// One slotted target.
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficTarget {
    pub service: String,
    pub env: String,
    pub spec: TrafficSpec,
}

/// `[services.env.NAME.traffic]` (or a service's `traffic`, for all its environments).
#[derive(Debug, Clone, PartialEq)]
pub struct TrafficSpec {
    pub router: RouterSpec,
    /// Two or more slot names, in the order written.
    pub slots: Vec<String>,
    /// The rollout's steps; a single `{ weight = 100 }` is blue-green.
    pub steps: Vec<Step>,
    /// How long one router call may take.
    pub timeout: Duration,
}

impl TrafficSpec {
    /// No steps were written: all traffic moves at once.
    pub fn blue_green(&self) -> bool {
        self.steps.len() == 1 && self.steps[0].weight == 100
    }
}

/// One step of a rollout: the new slot's weight, then a pause with analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub weight: u32,
    pub pause: Duration,
}

/// How the router is read and written.
#[derive(Debug, Clone, PartialEq)]
pub enum RouterSpec {
    /// HAProxy's runtime API: `set server BACKEND/SLOT weight N`, `show servers state BACKEND`.
    Haproxy { address: String, backend: String },
    /// Caddy's admin API: the route `@id`'s reverse proxy upstreams, one `dial` per slot.
    Caddy {
        admin: String,
        route: String,
        dials: BTreeMap<String, String>,
    },
    /// A JSON read (a pointer per slot's weight) and a templated write, read back after.
    Http {
        read_url: String,
        pointers: BTreeMap<String, String>,
        write: HttpWrite,
    },
    /// argv to read (JSON on stdout, pointers per slot) and argv to write; needs `shipdeck trust`.
    Command {
        read: Vec<String>,
        write: Vec<String>,
        pointers: BTreeMap<String, String>,
    },
}

impl RouterSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            RouterSpec::Haproxy { .. } => "haproxy",
            RouterSpec::Caddy { .. } => "caddy",
            RouterSpec::Http { .. } => "http",
            RouterSpec::Command { .. } => "command",
        }
    }
}

/// The templated write request of an `http` router.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpWrite {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub auth: Option<Auth>,
}

/// The slot taking most of the traffic (the first written among equals); `None` when no slot
/// has any.
pub fn live_slot<'a>(slots: &'a [String], weights: &Weights) -> Option<&'a str> {
    let mut best: Option<(&str, u32)> = None;
    for s in slots {
        let w = weights.get(s).copied().unwrap_or(0);
        if w > 0 && best.is_none_or(|(_, b)| w > b) {
            best = Some((s, w));
        }
    }
    best.map(|(s, _)| s)
}

/// The slot a rollout deploys to: the one with the least traffic other than `live` (the first
/// written among equals).
pub fn idle_slot<'a>(slots: &'a [String], weights: &Weights, live: &str) -> Option<&'a str> {
    slots
        .iter()
        .filter(|s| s.as_str() != live)
        .min_by_key(|s| weights.get(s.as_str()).copied().unwrap_or(0))
        .map(String::as_str)
}

/// The weights of a step: `to` gets `weight`, `from` the rest, every other slot nothing.
pub fn step_weights(slots: &[String], from: &str, to: &str, weight: u32) -> Weights {
    let weight = weight.min(100);
    slots
        .iter()
        .map(|s| {
            let w = if s == to {
                weight
            } else if s == from {
                100 - weight
            } else {
                0
            };
            (s.clone(), w)
        })
        .collect()
}

/// Whether two readings describe the same split: shares are compared, so a router that keeps
/// `90/10` as `180/20` agrees, and missing slots count as 0.
pub fn same_split(slots: &[String], a: &Weights, b: &Weights) -> bool {
    let total = |w: &Weights| {
        slots
            .iter()
            .map(|s| w.get(s).copied().unwrap_or(0))
            .sum::<u32>()
    };
    let (ta, tb) = (total(a), total(b));
    if ta == 0 || tb == 0 {
        return ta == tb;
    }
    slots.iter().all(|s| {
        let wa = u64::from(a.get(s).copied().unwrap_or(0));
        let wb = u64::from(b.get(s).copied().unwrap_or(0));
        wa * u64::from(tb) == wb * u64::from(ta)
    })
}

/// The weights as percentages of their total (rounded), for showing what a router holds.
pub fn as_percent(slots: &[String], w: &Weights) -> Weights {
    let total: u32 = slots.iter().map(|s| w.get(s).copied().unwrap_or(0)).sum();
    slots
        .iter()
        .map(|s| {
            let v = w.get(s).copied().unwrap_or(0);
            let p = (v * 100 + total / 2).checked_div(total).unwrap_or(0);
            (s.clone(), p)
        })
        .collect()
}

/// `{"blue":90,"green":10}`: the `{{weights_json}}` of a write.
pub fn weights_json(w: &Weights) -> String {
    serde_json::to_string(w).unwrap_or_default()
}

/// `blue 90% · green 10%`.
pub fn describe_weights(slots: &[String], w: &Weights) -> String {
    slots
        .iter()
        .map(|s| format!("{s} {}%", w.get(s).copied().unwrap_or(0)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Replaces `{{slot}}` (spaces inside the braces allowed) in `text` with `slot`. Slot names are
/// plain names (letters, digits, `-`, `_`, `.`), so no escaping is needed in any context.
pub fn with_slot(text: &str, slot: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if after[..end].trim() == "slot" => {
                out.push_str(&rest[..start]);
                out.push_str(slot);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str(&rest[..start + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The deployer of one slot: `{{slot}}` filled in everywhere a deployer may use it.
pub fn deployer_for_slot(spec: &DeployerSpec, slot: &str) -> DeployerSpec {
    match spec {
        DeployerSpec::Http(h) => DeployerSpec::Http(HttpDeployer {
            url: with_slot(&h.url, slot),
            method: with_slot(&h.method, slot),
            headers: h
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), with_slot(v, slot)))
                .collect(),
            body: h.body.as_deref().map(|b| with_slot(b, slot)),
            ..h.clone()
        }),
        DeployerSpec::Command(c) => DeployerSpec::Command(CommandDeployer {
            argv: c.argv.iter().map(|a| with_slot(a, slot)).collect(),
            ..c.clone()
        }),
        DeployerSpec::Git(g) => DeployerSpec::Git(GitDeployer {
            repo: with_slot(&g.repo, slot),
            branch: with_slot(&g.branch, slot),
            file: with_slot(&g.file, slot),
            key: with_slot(&g.key, slot),
            value: with_slot(&g.value, slot),
            message: with_slot(&g.message, slot),
            ..g.clone()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slots() -> Vec<String> {
        vec!["blue".into(), "green".into()]
    }

    fn w(b: u32, g: u32) -> Weights {
        [("blue".to_string(), b), ("green".to_string(), g)].into()
    }

    #[test]
    fn the_live_slot_takes_most_traffic_and_the_idle_one_the_least() {
        assert_eq!(live_slot(&slots(), &w(100, 0)), Some("blue"));
        assert_eq!(live_slot(&slots(), &w(10, 90)), Some("green"));
        assert_eq!(live_slot(&slots(), &w(50, 50)), Some("blue"));
        assert_eq!(live_slot(&slots(), &w(0, 0)), None);
        assert_eq!(idle_slot(&slots(), &w(100, 0), "blue"), Some("green"));
    }

    #[test]
    fn a_step_moves_its_weight_from_the_old_slot_to_the_new_one() {
        assert_eq!(step_weights(&slots(), "blue", "green", 10), w(90, 10));
        assert_eq!(step_weights(&slots(), "blue", "green", 100), w(0, 100));
    }

    #[test]
    fn splits_compare_by_share() {
        assert!(same_split(&slots(), &w(90, 10), &w(180, 20)));
        assert!(!same_split(&slots(), &w(90, 10), &w(50, 50)));
        assert!(same_split(&slots(), &w(0, 0), &w(0, 0)));
        assert_eq!(as_percent(&slots(), &w(180, 20)), w(90, 10));
    }

    #[test]
    fn slot_templates_are_filled_and_others_left_alone() {
        assert_eq!(
            with_slot("http://{{env}}-{{ slot }}.internal/{{slot}}", "green"),
            "http://{{env}}-green.internal/green"
        );
        assert_eq!(with_slot("{{slot", "g"), "{{slot");
    }
}
