//! The things drawn over a view: help, the command palette, a confirmation, a line of input.

use crate::app::actions::Plan;
use crate::console::command::Command;
use crate::console::state::OpId;
use crate::domain::release::Release;

/// At most one overlay is open; Esc closes it.
#[derive(Debug, Clone)]
pub enum Overlay {
    Help,
    Palette(Palette),
    Confirm(Box<Confirm>),
    Input(Input),
    /// The whole of one line (an activity line under Enter): read, scrolled, closed.
    Detail(Detail),
}

/// Text shown whole: every field of an event, or of a health change seen.
#[derive(Debug, Clone, PartialEq)]
pub struct Detail {
    pub title: String,
    pub lines: Vec<String>,
    pub scroll: usize,
}

/// `:` — fuzzy search over every action.
#[derive(Debug, Clone, Default)]
pub struct Palette {
    pub query: String,
    pub selected: usize,
    /// Every command on offer, with the words it is found by.
    pub items: Vec<(String, Command)>,
}

/// What a confirmation does when confirmed (gitui's ConfirmAction → ConfirmedAction).
#[derive(Debug, Clone, PartialEq)]
pub enum Confirmed {
    Promote {
        service: String,
        release: Release,
        env: String,
        rollback: bool,
    },
    Approve {
        service: String,
        release: Release,
        env: String,
    },
    Override {
        service: String,
        release: Release,
        env: String,
        gate: String,
        reason: String,
    },
    Tag {
        service: String,
        commit: String,
        version: String,
    },
    /// Publish the release's notes through every configured channel.
    PublishNotes {
        service: String,
        release: Release,
        env: String,
    },
    /// Promote a train release into `env`: every member in order, each verified first.
    TrainPromote {
        train: String,
        release: String,
        env: String,
    },
    /// Back out the latest promotion of a train release into `env`, in reverse order.
    TrainBackout {
        train: String,
        release: String,
        env: String,
    },
    /// Quit while a deployment is in flight.
    Quit,
    /// Take over the rollout of a slotted target nobody drives (`next_now`: its next step at
    /// once, without the pause left).
    RolloutResume {
        service: String,
        env: String,
        next_now: bool,
    },
    /// Put all traffic back on the rollout's old slot (one confirmation, never the typed name).
    RolloutAbort { service: String, env: String },
    /// All traffic of a slotted target at rest to its idle slot.
    RolloutSwitch { service: String, env: String },
    /// Cut the pause of the rollout this console drives short: its next step now.
    RolloutNextNow { service: String, env: String },
    /// Change a flag (planned again when confirmed); `reason` passes a freeze.
    Flag {
        flag: String,
        env: String,
        action: crate::domain::flag_change::FlagAction,
        reason: Option<String>,
    },
}

/// One confirmation: what will happen, and for protected environments the name to type.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub action: Confirmed,
    pub title: String,
    /// Plain lines shown above the plan (what, where).
    pub lines: Vec<String>,
    /// The plan behind a promotion: gates, commits, the exact call; loading while `None` and
    /// `loading` is set.
    pub plan: Option<Plan>,
    pub loading: Option<OpId>,
    /// A fresh plan asked for while this one is shown (the gates changed, a countdown ended):
    /// the dialog stays live and keeps showing the last plan meanwhile.
    pub refreshing: Option<OpId>,
    /// The environment name the user must type (protected environments).
    pub require: Option<String>,
    pub typed: String,
    pub scroll: usize,
    /// Why Enter does nothing, when the flow behind the dialog knows (a train member's gate
    /// blocks): the name is not asked for meanwhile.
    pub blocked_by: Option<String>,
    /// Something changed while a plan was on its way (it may not have seen it): plan again when
    /// it lands.
    pub replan: bool,
    /// A slotted target's promotion: the rollout's slots, deploy call and every step's router
    /// call (or why the router could not be read); loading while `rollout_loading` is set.
    pub rollout: Option<Result<crate::app::actions::rollout::RolloutPlan, String>>,
    pub rollout_loading: Option<OpId>,
}

impl Confirm {
    pub fn new(action: Confirmed, title: impl Into<String>, lines: Vec<String>) -> Confirm {
        Confirm {
            action,
            title: title.into(),
            lines,
            plan: None,
            loading: None,
            refreshing: None,
            require: None,
            typed: String::new(),
            scroll: 0,
            blocked_by: None,
            replan: false,
            rollout: None,
            rollout_loading: None,
        }
    }

    /// Whether a gate blocks the promotion shown (a rollback's gates are shown, not enforced).
    pub fn gate_blocks(&self) -> bool {
        matches!((&self.plan, &self.action), (Some(plan), Confirmed::Promote { .. }) if !plan.allowed())
    }

    /// Whether the environment's name is asked for now: only once the plan is in and no gate
    /// blocks (typing a name cannot open a gate).
    pub fn asks_name(&self) -> bool {
        self.require.is_some()
            && self.loading.is_none()
            && !self.gate_blocks()
            && self.blocked_by.is_none()
    }

    /// Why Enter does nothing yet, if it does nothing.
    pub fn blocked(&self) -> Option<String> {
        if self.loading.is_some() {
            return Some("planning…".into());
        }
        if let Some(why) = &self.blocked_by {
            return Some(why.clone());
        }
        if let (Some(plan), Confirmed::Promote { .. }) = (&self.plan, &self.action)
            && !plan.allowed()
        {
            let ids: Vec<_> = plan
                .report
                .blocking()
                .iter()
                .map(|g| g.id.clone())
                .collect();
            return Some(format!("blocked by gates: {}", ids.join(", ")));
        }
        if self.rollout_loading.is_some() {
            return Some("reading the router…".into());
        }
        if let Some(Err(e)) = &self.rollout {
            return Some(format!("no rollout: {e}"));
        }
        if let Some(name) = &self.require
            && &self.typed != name
        {
            return Some(format!("type `{name}` to confirm"));
        }
        None
    }
}

/// What a line of input is for.
#[derive(Debug, Clone, PartialEq)]
pub enum InputPurpose {
    /// `/` — filters services as you type.
    Filter,
    OverrideReason {
        service: String,
        release: Release,
        env: String,
        gate: String,
    },
    Note {
        service: String,
        release: String,
        env: String,
        item: String,
    },
    TagVersion {
        service: String,
        commit: String,
    },
    /// The reason that passes a freeze for a flag change that raises exposure (recorded as
    /// the change's `freeze_override`).
    FlagFreezeReason {
        flag: String,
        env: String,
        action: crate::domain::flag_change::FlagAction,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub purpose: InputPurpose,
    pub prompt: String,
    pub text: String,
}
