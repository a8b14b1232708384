//! What `update` asks the outside world to do. The runner turns each into a task that answers
//! with a [`crate::console::msg::Msg`] carrying the same operation id.

use crate::app::actions::Decision;
use crate::console::state::OpId;
use crate::domain::release::Release;

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Gates, commits and the exact call for a promotion (or a rollback: gates shown, not
    /// enforced).
    LoadPlan {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        rollback: bool,
    },
    /// Plans again (gates re-checked at this moment) and, when allowed, asks the deployer.
    Promote {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        rollback: bool,
    },
    /// The release a rollback of (service, env) goes back to.
    RollbackTarget {
        op: OpId,
        service: String,
        env: String,
    },
    Approve {
        op: OpId,
        service: String,
        release: Release,
        env: String,
    },
    Override {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        gate: String,
        reason: String,
    },
    Tick {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        item: String,
        on: bool,
    },
    Note {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        item: String,
        note: String,
    },
    Tag {
        op: OpId,
        service: String,
        commit: String,
        version: String,
    },
    NextVersions {
        op: OpId,
        service: String,
    },
    Changelog {
        op: OpId,
        service: String,
        from: String,
        to: String,
    },
    Notes {
        op: OpId,
        service: String,
        release: Release,
        env: String,
    },
    /// Hand the terminal to $VISUAL/$EDITOR on `text` (the runner leaves and re-enters the
    /// console's terminal mode around it), then [`Effect::SaveNotes`] with what it left.
    EditNotes {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        text: String,
    },
    /// Record a hand edit of the notes when `after` differs from `before`.
    SaveNotes {
        op: OpId,
        service: String,
        release: Release,
        before: String,
        after: String,
    },
    /// Publish the release's current notes through every configured channel.
    PublishNotes {
        op: OpId,
        service: String,
        release: Release,
        env: String,
    },
    /// Record outcomes of deployments in flight and automatic checklist ticks (`app::settle`).
    Settle {
        observations: Vec<crate::domain::observation::Observation>,
    },
    /// Probe every target now and reload releases.
    Refresh,
    /// Probe a target every second while a deployment of it is being verified.
    FastProbe {
        service: String,
        env: String,
        on: bool,
    },
    /// Plan every member of a train release's promotion into `env`.
    TrainPlan {
        op: OpId,
        train: String,
        release: String,
        env: String,
    },
    /// Promote a train release into `env` (planned again first; members in order, each
    /// verified before the next).
    TrainPromote {
        op: OpId,
        train: String,
        release: String,
        env: String,
    },
    /// Back out the latest promotion of a train release into `env`, in reverse order.
    TrainBackout {
        op: OpId,
        train: String,
        release: String,
        env: String,
    },
    /// Record a `train-cut` from what runs in `env`.
    TrainCut {
        op: OpId,
        train: String,
        env: String,
    },
    Quit,
    /// Plans a flag change against a fresh read of its flag service (the exact call, before →
    /// after, whether a freeze stops it).
    PlanFlag {
        op: OpId,
        flag: String,
        env: String,
        action: crate::domain::flag_change::FlagAction,
    },
    /// Plans it again, and when a change is still needed and no freeze stops it (or `reason`
    /// passes it), sends it, reads it back and records `flag-changed` (the command line's
    /// `flag`, `--reason` being `reason`).
    ChangeFlag {
        op: OpId,
        flag: String,
        env: String,
        action: crate::domain::flag_change::FlagAction,
        reason: Option<String>,
    },
    /// A rollout action on a slotted target through the rollout engine; progress comes back as
    /// `DeployOutput` lines of `op`, the end as `Msg::RolloutEnded`.
    Rollout {
        op: OpId,
        service: String,
        env: String,
        action: RolloutAction,
    },
    /// Cut the pause of the rollout this console drives short: the next step now.
    NextStepNow {
        service: String,
        env: String,
    },
    /// Read the slotted targets' routers now.
    ReadTraffic,
    /// Read the router and say what a rollout of `release` into (service, env) will call.
    LoadRolloutPlan {
        op: OpId,
        service: String,
        release: Release,
        env: String,
        /// What runs there now (the deploy call's `previous_release`).
        running: Option<String>,
    },
    /// Compute the Insights figures (`app::insights::gather`) for the `days` up to `until`,
    /// of one service or of all (`None`), off the UI thread.
    Insights {
        op: OpId,
        days: u32,
        until: jiff::Timestamp,
        service: Option<String>,
    },
}

/// What [`Effect::Rollout`] does.
#[derive(Debug, Clone, PartialEq)]
pub enum RolloutAction {
    /// Plan again (gates re-checked now), take the driver's lock, deploy to the idle slot,
    /// verify it and walk every step (a rollback: a switch back, or a redeploy and a switch).
    Promote { release: Release, rollback: bool },
    /// Take the driver's lock of a rollout nobody drives and walk it on; `next_now` shifts the
    /// next step without waiting for the pause left.
    Resume { next_now: bool },
    /// All traffic back on the old slot (never gated).
    Abort,
    /// All traffic to the idle slot once it is verified; gated unless it is a switch back.
    Switch,
}

impl Effect {
    /// The decision an effect asks to record (approve, override, tick, note, tag) — the engine
    /// records it with the same call the command line uses; `None` for every other effect.
    pub fn decision(&self) -> Option<Decision> {
        Some(match self.clone() {
            Effect::Approve {
                service,
                release,
                env,
                ..
            } => Decision::Approve {
                service,
                release,
                env,
                note: None,
            },
            Effect::Override {
                service,
                release,
                env,
                gate,
                reason,
                ..
            } => Decision::Override {
                service,
                release,
                env,
                gate,
                reason,
            },
            Effect::Tick {
                service,
                release,
                env,
                item,
                on,
                ..
            } => Decision::Tick {
                service,
                release,
                env,
                item,
                on,
                note: None,
            },
            Effect::Note {
                service,
                release,
                env,
                item,
                note,
                ..
            } => Decision::Note {
                service,
                release,
                env,
                item,
                note,
            },
            Effect::Tag {
                service,
                commit,
                version,
                ..
            } => Decision::Tag {
                service,
                commit,
                version,
                message: None,
                push: false,
            },
            _ => return None,
        })
    }

    /// Whether the runner performs it itself because it needs the terminal.
    pub fn needs_terminal(&self) -> bool {
        matches!(self, Effect::EditNotes { .. })
    }
}
