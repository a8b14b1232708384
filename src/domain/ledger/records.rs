//! What the ledger keeps: approvals, overrides, checklist ticks and deployments.

use jiff::Timestamp;

/// A person's recorded yes for (service, release, environment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Approval {
    pub event_id: String,
    pub actor: String,
    /// The commit the release resolved to when approved; a moved tag voids the approval.
    pub commit: String,
    pub at: Timestamp,
    pub note: Option<String>,
}

/// A gate of (service, release, environment) passed by a person's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    pub event_id: String,
    pub actor: String,
    /// The gate's id in its environment.
    pub gate: String,
    pub reason: String,
    pub at: Timestamp,
}

/// The latest state of one checklist item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tick {
    pub ticked: bool,
    /// Who made the latest change (or wrote the first note, when nobody ticked it yet).
    pub actor: String,
    pub at: Timestamp,
    /// The note given with the latest tick or untick.
    pub note: Option<String>,
    /// The event that ticked it automatically, for `auto` items.
    pub by_event: Option<String>,
    /// True when the latest change was an untick: automatic ticks then leave the item alone.
    pub unticked: bool,
    /// Every note on the item, oldest first: (actor, when, text).
    pub notes: Vec<(String, Timestamp, String)>,
}

/// Where a deployment stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeploymentState {
    InFlight,
    Succeeded { at: Timestamp },
    Failed { at: Timestamp, reason: String },
}

/// One request to put a release on a target; its id is the `deploy-requested` event's id.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// What was called, secrets masked.
    pub call: String,
    /// When verification gives up: `requested_at` plus the verify timeout.
    pub verify_deadline: Timestamp,
    pub accepted_at: Option<Timestamp>,
    pub state: DeploymentState,
}

/// How the reason of a deployment that changed nothing starts (the deployer refused it with a
/// 4xx, or it was never called): there is nothing to back out.
pub const NOTHING_CHANGED: &str = "refused, nothing changed";

impl Deployment {
    /// Failed without changing anything on the target: no backout is due.
    pub fn changed_nothing(&self) -> bool {
        matches!(&self.state, DeploymentState::Failed { reason, .. } if reason.starts_with(NOTHING_CHANGED))
    }

    /// Failed after the deployer took it (or may have): the target may run something else now.
    pub fn failed_after_call(&self) -> bool {
        matches!(self.state, DeploymentState::Failed { .. }) && !self.changed_nothing()
    }

    pub fn is_in_flight(&self) -> bool {
        self.state == DeploymentState::InFlight
    }

    /// In flight with its verification deadline passed: whoever observes it next records a failure.
    pub fn is_overdue(&self, now: Timestamp) -> bool {
        self.is_in_flight() && now >= self.verify_deadline
    }

    /// When it succeeded, if it did.
    pub fn succeeded_at(&self) -> Option<Timestamp> {
        match self.state {
            DeploymentState::Succeeded { at } => Some(at),
            _ => None,
        }
    }
}

/// The latest hand edit of a release's notes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotesEdit {
    pub event_id: String,
    /// Who edited, sanitized.
    pub actor: String,
    pub at: Timestamp,
    /// The edited text, sanitized (line breaks kept).
    pub markdown: String,
}
