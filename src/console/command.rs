//! The actions a user can ask for, whether by key or from the palette: kept apart from the
//! internal messages so both routes run the same code.

use crate::console::views::View;

/// One user action. Targets are named, so a palette entry and a key press on a cell are the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Show(View),
    /// Promote a release (the cell's candidate when `None`) into `env`.
    Promote {
        service: String,
        release: Option<String>,
        env: String,
    },
    Rollback {
        service: String,
        env: String,
    },
    Approve {
        service: String,
        release: Option<String>,
        env: String,
    },
    /// Open the tag prompt (proposes the next version) for a commit, the repository's HEAD when
    /// `None`.
    Tag {
        service: String,
        commit: Option<String>,
    },
    /// Show the release view with the notes preview.
    Notes {
        service: String,
        env: String,
    },
    Checklist {
        service: String,
        env: String,
    },
    /// Open $VISUAL/$EDITOR on the notes of the release of a cell and record the edit.
    EditNotes {
        service: String,
        env: String,
    },
    /// Ask to publish the notes of the release of a cell through the configured channels.
    PublishNotes {
        service: String,
        env: String,
    },
    /// Override a gate of a promotion (asks for a reason): `gate` indexes the gates of the plan
    /// of (service, env), `None` while they are being evaluated.
    Override {
        service: String,
        release: String,
        env: String,
        gate: Option<usize>,
    },
    /// Tick or untick the item under the checklist cursor of (service, env).
    Tick {
        service: String,
        env: String,
    },
    /// Ask for a note on the item under the checklist cursor of (service, env).
    NoteItem {
        service: String,
        env: String,
    },
    /// Promote the train release waiting for the train's cell in `env` (asks, listing every
    /// member's plan).
    TrainPromote {
        train: String,
        env: String,
    },
    /// Cut a train release from what runs in `env`.
    TrainCut {
        train: String,
        env: String,
    },
    /// Show the train: its releases, members and promotions.
    TrainShow {
        train: String,
    },
    Filter,
    Refresh,
    Help,
    Quit,
    /// `]` on a slotted target: its rollout's next step now (cuts this console's pause short,
    /// or takes over a rollout nobody drives).
    NextStep {
        service: String,
        env: String,
    },
    /// `x` on a slotted target: abort its rollout, all traffic back on the old slot.
    AbortRollout {
        service: String,
        env: String,
    },
    /// `S` on a slotted target at rest: all traffic to the idle slot (blue-green).
    Switch {
        service: String,
        env: String,
    },
    /// Change a flag in an environment (on, off, a rollout percentage): the confirmation with
    /// the exact call first.
    Flag {
        flag: String,
        env: String,
        action: crate::domain::flag_change::FlagAction,
    },
    /// Show the Insights view over the last `days` (7, 30 or 90).
    InsightsPeriod {
        days: u32,
    },
    /// Compute the Insights view's figures again.
    RecomputeInsights,
}

impl Command {
    /// Whether the command changes anything: the one read-only gate (`flows::run` refuses these
    /// under `--read-only`, whichever key or palette entry asked).
    pub fn mutates(&self) -> bool {
        matches!(
            self,
            Command::Promote { .. }
                | Command::Rollback { .. }
                | Command::Approve { .. }
                | Command::Tag { .. }
                | Command::EditNotes { .. }
                | Command::PublishNotes { .. }
                | Command::Override { .. }
                | Command::Tick { .. }
                | Command::NoteItem { .. }
                | Command::TrainPromote { .. }
                | Command::TrainCut { .. }
                | Command::NextStep { .. }
                | Command::AbortRollout { .. }
                | Command::Switch { .. }
                | Command::Flag { .. }
        )
    }
}
