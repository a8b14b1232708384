//! What a probe saw.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// Health as the board shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Health {
    Pass,
    Warn,
    Fail,
    Unreachable,
    Unknown,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::Pass => "pass",
            Health::Warn => "warn",
            Health::Fail => "fail",
            Health::Unreachable => "unreachable",
            Health::Unknown => "unknown",
        }
    }
}

/// One probe result for a target (service in an environment).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Observation {
    pub service: String,
    pub env: String,
    pub health: Health,
    /// The version string as the target reported it (sanitized).
    pub reported_version: Option<String>,
    /// The release it matched, by tag name, version or commit.
    pub release: Option<String>,
    /// The commit it reported, or the matched release's commit.
    pub commit: Option<String>,
    pub latency_ms: Option<u64>,
    pub at: Timestamp,
    /// Why, in one line (`HTTP 503`, `connection refused`, `timed out after 5s`).
    pub detail: String,
}

impl Observation {
    /// Why the target is not healthy, in the words the board uses: `unreachable: connection
    /// refused`, `fail: HTTP 503`, `warn: degraded`; `None` while it passes (or nothing is known).
    pub fn problem(&self) -> Option<String> {
        let detail = if self.detail.is_empty() {
            "no detail"
        } else {
            self.detail.as_str()
        };
        match self.health {
            Health::Pass | Health::Unknown => None,
            h => Some(format!("{}: {detail}", h.as_str())),
        }
    }
}
