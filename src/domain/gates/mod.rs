//! Gate evaluation: what stands between a release and an environment. `evaluate` is pure; the
//! caller gathers the inputs (ledger, latest observations, results of external checks).

mod approval;
mod freeze;
mod previous;
mod text;
mod window;

use std::collections::BTreeMap;

pub use window::{closing_after, next_opening};

use jiff::Timestamp;
use serde::Serialize;

use super::checklist;
use super::config::{Config, Environment, Gate, GateRule, Service};
use super::ledger::Ledger;
use super::observation::Observation;
use super::release::Release;
use super::signature::SignatureCheck;

/// Everything a promotion's gates are evaluated against.
#[derive(Debug, Clone, Copy)]
pub struct GateInputs<'a> {
    pub config: &'a Config,
    pub service: &'a Service,
    pub env: &'a Environment,
    pub release: &'a Release,
    /// Who asks for the promotion (never counts as an approver).
    pub actor: &'a str,
    pub ledger: &'a Ledger,
    /// Latest observation per target (any service/env); empty until probes exist.
    pub observations: &'a [Observation],
    /// Results of gates an adapter computes (check, ancestor), by gate id; missing = not run.
    pub external: &'a BTreeMap<String, External>,
    /// Signature verdicts on approval events, by event id (checked by an adapter against the
    /// committed allowed signers); read by `signed = true` approval gates, missing = not checked.
    pub signatures: &'a BTreeMap<String, SignatureCheck>,
}

/// The result of a gate computed outside the domain, with its one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum External {
    Pass(String),
    Fail(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateStatus {
    Pass,
    Fail,
    Pending,
    /// Not passed, but a person recorded an override with a reason.
    Overridden,
}

impl GateStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            GateStatus::Pass => "pass",
            GateStatus::Fail => "fail",
            GateStatus::Pending => "pending",
            GateStatus::Overridden => "overridden",
        }
    }

    /// Whether this status lets the promotion through.
    pub fn lets_through(self) -> bool {
        matches!(self, GateStatus::Pass | GateStatus::Overridden)
    }
}

/// One gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateOutcome {
    pub id: String,
    pub kind: &'static str,
    pub status: GateStatus,
    /// Why, in one line.
    pub reason: String,
    /// When it is expected to change on its own (soak end, window opening, freeze end).
    pub until: Option<Timestamp>,
    /// Who must act for it to pass (approvers; the overrider once overridden).
    pub who: Option<String>,
    /// What it waits for, in a few words (`2 approvals`, `4 items`), when it blocks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<String>,
}

impl GateOutcome {
    fn new(id: &str, kind: &'static str, status: GateStatus, reason: impl Into<String>) -> Self {
        GateOutcome {
            id: id.to_string(),
            kind,
            status,
            reason: reason.into(),
            until: None,
            who: None,
            needs: None,
        }
    }

    fn until(mut self, until: Timestamp) -> Self {
        self.until = Some(until);
        self
    }
}

/// Every gate of one promotion, in the environment's order (an implicit freeze gate last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateReport {
    pub gates: Vec<GateOutcome>,
}

impl GateReport {
    /// True when every gate passed or was overridden.
    pub fn allowed(&self) -> bool {
        self.gates.iter().all(|g| g.status.lets_through())
    }

    /// The gates that block the promotion (failed or pending).
    pub fn blocking(&self) -> Vec<&GateOutcome> {
        self.gates
            .iter()
            .filter(|g| !g.status.lets_through())
            .collect()
    }
}

/// Evaluates every gate of `inputs.env` for the promotion at `now`.
pub fn evaluate(inputs: &GateInputs, now: Timestamp) -> GateReport {
    let mut gates: Vec<GateOutcome> = inputs
        .env
        .gates
        .iter()
        .map(|gate| apply_override(inputs, evaluate_one(inputs, gate, now)))
        .collect();
    // Freezes bind their environments even when no freeze gate is listed.
    let listed = inputs.env.gates.iter().any(|g| g.rule == GateRule::Freeze);
    if !listed && freeze::applies_to(inputs.config, &inputs.env.name) {
        let gate = Gate {
            id: "freeze".to_string(),
            rule: GateRule::Freeze,
        };
        gates.push(apply_override(inputs, evaluate_one(inputs, &gate, now)));
    }
    for g in &mut gates {
        g.reason = text::one_line(&g.reason);
    }
    GateReport { gates }
}

fn evaluate_one(inputs: &GateInputs, gate: &Gate, now: Timestamp) -> GateOutcome {
    let id = gate.id.as_str();
    let kind = gate.rule.kind();
    match &gate.rule {
        GateRule::Healthy => previous::healthy(inputs, id),
        GateRule::Soak { duration } => previous::soak(inputs, id, *duration, now),
        GateRule::Approval {
            count,
            from,
            signed,
        } => approval::evaluate(inputs, id, *count, from, *signed),
        GateRule::Checklist { name } => checklist_gate(inputs, id, name),
        GateRule::Freeze => freeze::evaluate(inputs.config, &inputs.env.name, id, now),
        GateRule::Window(w) => window::evaluate(w, id, now),
        GateRule::Check(_) | GateRule::Ancestor { .. } => match inputs.external.get(id) {
            Some(External::Pass(why)) => GateOutcome::new(id, kind, GateStatus::Pass, why.clone()),
            Some(External::Fail(why)) => GateOutcome::new(id, kind, GateStatus::Fail, why.clone()),
            None => GateOutcome::new(id, kind, GateStatus::Pending, "not observed yet"),
        },
    }
}

fn checklist_gate(inputs: &GateInputs, id: &str, name: &str) -> GateOutcome {
    let Some(template) = inputs.config.checklists.get(name) else {
        return GateOutcome::new(
            id,
            "checklist",
            GateStatus::Fail,
            format!("no checklist named {name}"),
        );
    };
    let observation = inputs
        .observations
        .iter()
        .filter(|o| o.service == inputs.service.name && o.env == inputs.env.name)
        .max_by_key(|o| o.at);
    // Automatic items count by their facts (the release is a tag, …), computed, never recorded.
    let p = checklist::state(
        template,
        inputs.ledger,
        &inputs.service.name,
        inputs.release,
        &inputs.env.name,
        observation,
    );
    let counts = format!("{name}: {} of {} done", p.before_done, p.before_required);
    if p.before_complete() {
        GateOutcome::new(id, "checklist", GateStatus::Pass, counts)
    } else {
        let missing: Vec<&str> = p
            .missing_before()
            .iter()
            .map(|i| i.item.id.as_str())
            .collect();
        let mut o = GateOutcome::new(
            id,
            "checklist",
            GateStatus::Pending,
            format!("{counts}; missing {}", missing.join(", ")),
        );
        o.needs = Some(text::plural(missing.len(), "item"));
        o
    }
}

/// Turns a gate that did not pass into `Overridden` when someone recorded an override for it.
/// Approvals are never overridable: such overrides are ignored, and the reason says so.
fn apply_override(inputs: &GateInputs, mut outcome: GateOutcome) -> GateOutcome {
    let overrides =
        inputs
            .ledger
            .overrides(&inputs.service.name, &inputs.release.name, &inputs.env.name);
    let mut mine = overrides.iter().filter(|o| o.gate == outcome.id).peekable();
    if mine.peek().is_none() {
        return outcome;
    }
    if outcome.kind == "approval" {
        let n = mine.count();
        outcome.reason = format!(
            "{}; {} ignored: approvals can never be overridden",
            outcome.reason,
            text::plural(n, "override")
        );
        return outcome;
    }
    if outcome.status == GateStatus::Pass {
        return outcome;
    }
    let Some(latest) = mine.last() else {
        return outcome;
    };
    outcome.reason = format!(
        "overridden by {}: {} (was: {})",
        latest.actor, latest.reason, outcome.reason
    );
    outcome.status = GateStatus::Overridden;
    outcome.needs = None;
    outcome.who = Some(latest.actor.clone());
    outcome.until = None;
    outcome
}
