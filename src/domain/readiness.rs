//! Whether a release is ready for an environment, in one mark the board, the gates view and
//! `plan` share: ready, waiting (and for what), blocked, or failed there already; and whether
//! promoting it would be a downgrade.

use std::cmp::Ordering;

use jiff::Timestamp;
use jiff::tz::TimeZone;

use super::gates::{GateReport, GateStatus};
use super::ledger::{Deployment, DeploymentState, Ledger};
use super::release::{Release, newest_first};

/// Where a pending promotion stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Readiness {
    /// Every gate lets it through.
    Ready,
    /// Gates are pending: what they wait for (`needs 2 approvals · 4 items`).
    Waiting(String),
    /// A gate failed: which (`blocked: healthy`).
    Blocked(String),
    /// Its latest deployment to this environment failed after the deployer took it.
    FailedHere { at: Timestamp, reason: String },
}

impl Readiness {
    /// `⇡ ready`, `⇡ waiting: needs 2 approvals · 4 items`, `✖ failed here Dec 02 20:16 UTC`.
    pub fn label(&self, tz: &TimeZone) -> String {
        match self {
            Readiness::Ready => "⇡ ready".to_string(),
            Readiness::Waiting(what) => format!("⇡ waiting: {what}"),
            Readiness::Blocked(what) => format!("⇡ blocked: {what}"),
            Readiness::FailedHere { at, .. } => {
                format!("✖ failed here {}", super::time::clock(*at, tz))
            }
        }
    }
}

/// The readiness of a promotion from its gates and the deployment that failed there, if any.
pub fn readiness(report: &GateReport, failed: Option<&Deployment>) -> Readiness {
    if let Some(d) = failed
        && let DeploymentState::Failed { at, reason } = &d.state
    {
        return Readiness::FailedHere {
            at: *at,
            reason: reason.clone(),
        };
    }
    let failing: Vec<&str> = report
        .blocking()
        .iter()
        .filter(|g| g.status == GateStatus::Fail)
        .map(|g| g.id.as_str())
        .collect();
    if !failing.is_empty() {
        return Readiness::Blocked(failing.join(", "));
    }
    if report.allowed() {
        Readiness::Ready
    } else {
        Readiness::Waiting(waiting_for(report))
    }
}

/// What the blocking gates wait for: `needs 2 approvals · 4 items · soak`.
pub fn waiting_for(report: &GateReport) -> String {
    let parts: Vec<String> = report
        .blocking()
        .iter()
        .map(|g| g.needs.clone().unwrap_or_else(|| g.id.clone()))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("needs {}", parts.join(" · "))
    }
}

/// The latest deployment of `release` to the target when it failed after the deployer took it
/// (a refused one changed nothing and does not count).
pub fn failed_here<'a>(
    ledger: &'a Ledger,
    service: &str,
    release: &str,
    env: &str,
) -> Option<&'a Deployment> {
    ledger
        .deployments()
        .iter()
        .rev()
        .filter(|d| d.service == service && d.env == env && d.release == release)
        .find(|d| !d.changed_nothing() && !d.is_in_flight())
        .filter(|d| d.failed_after_call())
}

/// Whether `release` is older than what `running` is (by semver, else by date): promoting it
/// goes backwards.
pub fn is_downgrade(release: &Release, running: Option<&Release>) -> bool {
    running.is_some_and(|r| {
        r.commit != release.commit && newest_first(release, r) == Ordering::Greater
    })
}
