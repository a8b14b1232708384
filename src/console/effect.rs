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
    Quit,
    /// Compute the Insights figures (`app::insights::gather`) for the `days` up to `until`,
    /// of one service or of all (`None`), off the UI thread.
    Insights {
        op: OpId,
        days: u32,
        until: jiff::Timestamp,
        service: Option<String>,
    },
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
