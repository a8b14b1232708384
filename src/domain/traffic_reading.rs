//! One read of a slotted target's router and slots, as the console and `traffic` show it: the
//! router's weights (or why it could not be read), each slot's own probe, and whether a process
//! drives its rollout. Plain data: the reading is made in `app::actions::traffic`.

use jiff::Timestamp;
use serde::Serialize;

use super::observation::Health;
use super::traffic::{Weights, live_slot};

/// One slot as observed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlotReading {
    pub name: String,
    /// Its share of the traffic in percent, when the router could be read.
    pub weight: Option<u32>,
    pub release: Option<String>,
    pub reported_version: Option<String>,
    pub health: Health,
    pub detail: String,
}

impl SlotReading {
    /// What it runs, as shown: the release, else the version it reports, else its state.
    pub fn runs(&self) -> String {
        self.release
            .clone()
            .or_else(|| self.reported_version.clone())
            .unwrap_or_else(|| match self.health {
                Health::Unreachable => "unreachable".into(),
                Health::Fail => "failing".into(),
                _ => "no version".into(),
            })
    }
}

/// A slotted target at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrafficReading {
    pub service: String,
    pub env: String,
    pub at: Timestamp,
    /// The router's weights in percent, or why it could not be read (sanitized, one line).
    pub weights: Result<Weights, String>,
    /// Every slot, in the configuration's order.
    pub slots: Vec<SlotReading>,
    /// A process holds the rollout driver's lock.
    pub driving: bool,
}

impl TrafficReading {
    fn names(&self) -> Vec<String> {
        self.slots.iter().map(|s| s.name.clone()).collect()
    }

    /// The slot taking most of the traffic, when the router could be read.
    pub fn live(&self) -> Option<&SlotReading> {
        let w = self.weights.as_ref().ok()?;
        let names = self.names();
        let live = live_slot(&names, w)?.to_string();
        self.slots.iter().find(|s| s.name == live)
    }

    /// The slot with the least traffic other than the live one (the one a rollout deploys to).
    pub fn idle(&self) -> Option<&SlotReading> {
        let live = self.live()?.name.clone();
        self.slots
            .iter()
            .filter(|s| s.name != live)
            .min_by_key(|s| s.weight.unwrap_or(0))
    }

    pub fn slot(&self, name: &str) -> Option<&SlotReading> {
        self.slots.iter().find(|s| s.name == name)
    }
}
