//! The operations of the release console. The command line and the console call these same
//! functions, so an action records the same events wherever it was started.

mod cancel;
mod checks;
mod decision;
mod deploy;
mod flag;
mod notes;
mod observe;
mod plan;
mod query;
mod record;
pub mod rollout;
pub mod traffic;
pub mod train;
pub mod train_promote;
mod unreleased;

pub use cancel::cancel;
pub use decision::{Decision, record};
pub use deploy::{
    blocked, observe_and_settle, promote, rollback_plan, rollback_target, settle, wait_for_outcome,
};
pub use flag::{
    FlagOutcome, FlagPlan, FlagRow, change_flag, flag_changes, freeze_blocks, plan_flag,
    read_flags, rows as flag_rows,
};
pub use notes::{
    CurrentNotes, Publication, current as current_notes, destinations as notes_destinations,
    publish, record_edit,
};
pub use observe::{observe, observe_target, running_release};
pub use plan::{Plan, plan};
pub use query::{Changelog, changelog, next_versions, notes, releases, resolve_release};
pub use record::{approve, checklists_of, note_item, override_gate, tag, tick, tick_seen};
pub use unreleased::{Unreleased, unreleased};
