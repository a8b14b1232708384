//! Where the answer to each operation lands: a routing table from (what the operation was for,
//! its answer) to the flow that asked for it.

use crate::console::effect::Effect;
use crate::console::flows::{self, changes, notes, promote, tag, train};
use crate::console::msg::OpResult;
use crate::console::state::{Level, Op, OpId, OpKind, State};

pub fn on_result(state: &mut State, op: OpId, entry: Op, result: OpResult) -> Vec<Effect> {
    match (entry.kind, result) {
        (OpKind::GatePlan(key), OpResult::Plan(plan)) => promote::gate_plan(state, key, plan),
        (OpKind::ConfirmPlan { .. }, OpResult::Plan(plan)) => {
            promote::confirm_plan(state, op, plan)
        }
        (OpKind::RollbackTarget(key), OpResult::RollbackTarget(release)) => {
            promote::rollback_target(state, &key, release)
        }
        (OpKind::Promote(key), OpResult::Deploying(d)) => promote::accepted(state, key, d),
        (OpKind::Record(what), OpResult::Recorded(event)) => flows::recorded(state, &what, event),
        (OpKind::Changelog(key), OpResult::Changelog(commits)) => {
            changes::loaded(state, &key, commits)
        }
        (OpKind::Notes(key), OpResult::Notes(md)) => notes::loaded(state, key, md),
        (OpKind::NextVersions(service), OpResult::NextVersions(versions)) => {
            tag::next_versions(state, service, versions)
        }
        (OpKind::EditNotes(key, release), OpResult::Notes(md)) => {
            notes::open_editor(state, key, release, md)
        }
        (OpKind::SaveNotes(key), OpResult::NotesSaved(saved)) => notes::saved(state, key, saved),
        (OpKind::Publish(_), OpResult::Published(result)) => notes::published(state, result),
        (OpKind::TrainPlan, OpResult::TrainPlan(plan)) => train::planned(state, op, plan),
        (OpKind::TrainRun(t, r, e), OpResult::TrainRun(run)) => train::ran(state, t, &r, e, run),
        (OpKind::TrainCut(_), OpResult::TrainCut(cut)) => train::cut_done(state, cut),
        (OpKind::RolloutPlan(_), OpResult::RolloutPlan(plan)) => {
            flows::rollout::preview_loaded(state, op, plan)
        }
        (OpKind::FlagPlan, OpResult::FlagPlan(plan)) => flows::flag::planned(state, op, plan),
        (OpKind::FlagChange { .. }, OpResult::FlagChanged(result)) => {
            flows::flag::changed(state, result)
        }
        (OpKind::Insights(ask), OpResult::Insights(result)) => {
            crate::console::insights::loaded(state, ask, result)
        }
        (kind, _) => {
            state.toast(
                Level::Error,
                format!("internal: unexpected answer for {kind:?}"),
            );
            Vec::new()
        }
    }
}
