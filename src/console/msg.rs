//! Everything that can happen to the console: input, probe results, effect results, time.

use jiff::Timestamp;

use crate::app::actions::Plan;
use crate::console::key::Key;
use crate::console::state::{OpId, View};
use crate::domain::change::Commit;
use crate::domain::event::Event;
use crate::domain::ledger::Deployment;
use crate::domain::observation::Observation;
use crate::domain::release::Release;

/// Where a mouse click landed, as the last drawn frame laid it out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    Tab(View),
    /// A board cell: visible row, environment column.
    Cell(usize, usize),
    /// A row of a list view.
    Row(usize),
}

/// The answer to an operation.
#[derive(Debug, Clone)]
pub enum OpResult {
    Plan(Result<Plan, String>),
    /// An event recorded (approve, override, tick, note, tag).
    Recorded(Result<Event, String>),
    /// A deployment accepted and in flight.
    Deploying(Result<Deployment, String>),
    RollbackTarget(Result<Release, String>),
    Changelog(Result<Vec<Commit>, String>),
    Notes(Result<String, String>),
    NextVersions(Result<(String, Vec<String>), String>),
    /// A hand edit of the notes: `true` recorded, `false` unchanged (nothing recorded).
    NotesSaved(Result<bool, String>),
    /// A publication: what each channel did, one line each, and whether all succeeded.
    Published(Result<(bool, Vec<String>), String>),
    TrainPlan(Result<crate::app::actions::train::TrainPlan, String>),
    /// A train promotion or backout ended (its run, or why it did not start).
    TrainRun(Result<crate::app::actions::train_promote::TrainRun, String>),
    /// A train release cut.
    TrainCut(Result<crate::domain::train::TrainRelease, String>),
    /// What a rollout into a slotted target will do: slots, deploy call, each step's router call.
    RolloutPlan(Result<crate::app::actions::rollout::RolloutPlan, String>),
    /// A flag change planned against a fresh read of its flag service.
    FlagPlan(Result<Box<crate::app::actions::FlagPlan>, String>),
    /// A flag change: planned again, then (unless it had nothing to do: `None`) sent, read back
    /// and recorded.
    #[allow(clippy::type_complexity)]
    FlagChanged(
        Result<
            Box<(
                crate::app::actions::FlagPlan,
                Option<crate::app::actions::FlagOutcome>,
            )>,
            String,
        >,
    ),
    /// The Insights view's figures, computed by the engine (`app::insights`).
    Insights(Result<Box<crate::domain::insights::Insights>, String>),
}

/// One input to [`crate::console::update::update`].
#[derive(Debug, Clone)]
pub enum Msg {
    Key(Key),
    Click(Hit),
    /// Mouse wheel: positive scrolls down.
    Scroll(i32),
    Resize(u16, u16),
    Tick(Timestamp),
    Observed(Observation),
    /// A probe failed; the next one is due at `next_at` (a wall-clock time, so the countdown
    /// stays live).
    Retrying {
        service: String,
        env: String,
        attempt: u32,
        next_at: Timestamp,
    },
    /// The event log as it stands now (another process may have appended).
    LogChanged(Vec<Event>),
    ReleasesLoaded {
        service: String,
        releases: Result<Vec<Release>, String>,
    },
    /// A service's commits on HEAD since its newest release, read after its releases.
    /// A line of a running train promotion's progress.
    TrainProgress(String),
    /// A service's commits on HEAD since its newest release, read after its releases.
    UnreleasedLoaded {
        service: String,
        unreleased: Result<crate::app::actions::Unreleased, String>,
    },
    OpFinished {
        op: OpId,
        result: OpResult,
    },
    DeployOutput {
        op: OpId,
        line: String,
    },
    /// A flag service was read (its result may be a fault: down, slow, garbage).
    FlagsRead(crate::domain::flag::FlagReading),
    /// Something in the background failed; shown as a toast that says what to do.
    Problem(String),
    /// The shared log (git backend) was synced: the board's badge ("2 unpushed", "stale since
    /// 10:02") and the warnings to show once.
    Synced {
        badge: String,
        warnings: Vec<String>,
    },
    /// A slotted target's router and slots were read (the router may not have answered).
    TrafficRead(crate::domain::traffic_reading::TrafficReading),
    /// A rollout action of this console (`OpKind::Rollout`) ended: what to say, or why it
    /// stopped. Its steps arrived before as `DeployOutput` lines of the same op.
    RolloutEnded {
        op: OpId,
        result: Result<String, String>,
    },
}
