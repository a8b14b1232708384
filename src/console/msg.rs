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
}
