//! TEMPORARY: the contract types of modules other branches are writing (domain ledger and gates,
//! the lead's actions), so the console compiles before they land. Deleted on merge.
#![allow(dead_code, clippy::all, clippy::pedantic)]

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::change::Commit;
use crate::domain::event::{Event, Fact};
use crate::domain::release::Release;

#[derive(Debug, Clone, Default)]
pub struct Ledger {
    deployments: Vec<Deployment>,
    ticks: Vec<(String, String, String, String, String, Tick)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Tick {
    pub ticked: bool,
    pub actor: String,
    pub at: Timestamp,
    pub note: Option<String>,
    pub by_event: Option<String>,
    pub notes: Vec<(String, Timestamp, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub id: String,
    pub service: String,
    pub env: String,
    pub release: String,
    pub commit: String,
    pub previous_release: Option<String>,
    pub rollback: bool,
    pub requested_by: String,
    pub requested_at: Timestamp,
    pub call: String,
    pub verify_deadline: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub state: DeploymentState,
}

#[derive(Debug, Clone, PartialEq)]
pub enum DeploymentState {
    InFlight,
    Succeeded { at: Timestamp },
    Failed { at: Timestamp, reason: String },
}

impl Ledger {
    pub fn from_events(events: &[Event]) -> Ledger {
        let mut l = Ledger::default();
        for e in events {
            l.apply(e);
        }
        l
    }
    pub fn apply(&mut self, e: &Event) {
        let (Some(s), Some(r), Some(env)) = (&e.service, &e.release, &e.env) else {
            return;
        };
        match e.fact() {
            Some(Fact::DeployRequested {
                commit,
                previous_release,
                rollback,
                call,
                verify_timeout_secs,
            }) => self.deployments.push(Deployment {
                id: e.id.clone(),
                service: s.clone(),
                env: env.clone(),
                release: r.clone(),
                commit,
                previous_release,
                rollback,
                requested_by: e.actor.clone(),
                requested_at: e.at,
                call,
                verify_deadline: e
                    .at
                    .checked_add(jiff::SignedDuration::from_secs(verify_timeout_secs as i64))
                    .unwrap_or(e.at),
                accepted_at: None,
                state: DeploymentState::InFlight,
            }),
            Some(Fact::DeploySucceeded { deployment }) => {
                if let Some(d) = self.deployments.iter_mut().find(|d| d.id == deployment) {
                    if d.state == DeploymentState::InFlight {
                        d.state = DeploymentState::Succeeded { at: e.at };
                    }
                }
            }
            Some(Fact::DeployFailed { deployment, reason }) => {
                if let Some(d) = self.deployments.iter_mut().find(|d| d.id == deployment) {
                    if d.state == DeploymentState::InFlight {
                        d.state = DeploymentState::Failed { at: e.at, reason };
                    }
                }
            }
            Some(Fact::ItemTicked {
                checklist,
                item,
                note,
                by_event,
            }) => self.ticks.push((
                s.clone(),
                r.clone(),
                env.clone(),
                checklist,
                item,
                Tick {
                    ticked: true,
                    actor: e.actor.clone(),
                    at: e.at,
                    note,
                    by_event,
                    notes: vec![],
                },
            )),
            Some(Fact::ItemUnticked {
                checklist,
                item,
                note,
            }) => self.ticks.push((
                s.clone(),
                r.clone(),
                env.clone(),
                checklist,
                item,
                Tick {
                    ticked: false,
                    actor: e.actor.clone(),
                    at: e.at,
                    note,
                    by_event: None,
                    notes: vec![],
                },
            )),
            _ => {}
        }
    }
    pub fn deployments(&self) -> &[Deployment] {
        &self.deployments
    }
    pub fn in_flight(&self, service: &str, env: &str) -> Option<&Deployment> {
        self.deployments
            .iter()
            .rev()
            .find(|d| d.service == service && d.env == env && d.state == DeploymentState::InFlight)
    }
    pub fn last_successful(&self, service: &str, env: &str) -> Option<&Deployment> {
        self.deployments.iter().rev().find(|d| {
            d.service == service
                && d.env == env
                && matches!(d.state, DeploymentState::Succeeded { .. })
        })
    }
    pub fn ticks(
        &self,
        service: &str,
        release: &str,
        env: &str,
        checklist: &str,
    ) -> BTreeMap<String, Tick> {
        let mut out = BTreeMap::new();
        for (s, r, e, c, i, t) in &self.ticks {
            if s == service && r == release && e == env && c == checklist {
                out.insert(i.clone(), t.clone());
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum GateStatus {
    Pass,
    Fail,
    Pending,
    Overridden,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GateOutcome {
    pub id: String,
    pub kind: &'static str,
    pub status: GateStatus,
    pub reason: String,
    pub until: Option<Timestamp>,
    pub who: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct GateReport {
    pub gates: Vec<GateOutcome>,
}

impl GateReport {
    pub fn allowed(&self) -> bool {
        self.gates
            .iter()
            .all(|g| matches!(g.status, GateStatus::Pass | GateStatus::Overridden))
    }
    pub fn blocking(&self) -> Vec<&GateOutcome> {
        self.gates
            .iter()
            .filter(|g| !matches!(g.status, GateStatus::Pass | GateStatus::Overridden))
            .collect()
    }
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub service: String,
    pub release: Release,
    pub env: String,
    pub rollback: bool,
    pub report: GateReport,
    pub changes: Vec<Commit>,
    pub running: Option<String>,
    pub call: Option<String>,
    pub protected: bool,
}

impl Plan {
    pub fn allowed(&self) -> bool {
        self.rollback || self.report.allowed()
    }
}
