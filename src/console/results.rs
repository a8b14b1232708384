//! Where the answer to each operation lands.

use crate::console::effect::Effect;
use crate::console::flows;
use crate::console::msg::OpResult;
use crate::console::overlay::Overlay;
use crate::console::state::{Level, Op, OpId, OpKind, State};

pub fn on_result(state: &mut State, op: OpId, entry: Op, result: OpResult) -> Vec<Effect> {
    match (entry.kind, result) {
        (OpKind::GatePlan(key), OpResult::Plan(plan)) => {
            match plan {
                Ok(plan) => {
                    state.plans.insert(key, plan);
                }
                Err(e) => {
                    state.plans.remove(&key);
                    state.toast(
                        Level::Error,
                        format!("gates for {} in {}: {e}", key.service, key.env),
                    );
                }
            }
            Vec::new()
        }
        (OpKind::ConfirmPlan { .. }, OpResult::Plan(plan)) => {
            let Some(Overlay::Confirm(confirm)) = &mut state.overlay else {
                return Vec::new();
            };
            if confirm.loading != Some(op) {
                return Vec::new();
            }
            match plan {
                Ok(plan) => {
                    confirm.loading = None;
                    confirm.plan = Some(plan);
                }
                Err(e) => {
                    state.overlay = None;
                    state.toast(Level::Error, e);
                }
            }
            Vec::new()
        }
        (OpKind::RollbackTarget(key), OpResult::RollbackTarget(release)) => match release {
            Ok(release) => flows::open_plan(state, &key.service, release, &key.env, true),
            Err(e) => {
                state.toast(
                    Level::Error,
                    format!("no rollback for {} in {}: {e}", key.service, key.env),
                );
                Vec::new()
            }
        },
        (OpKind::Promote(key), OpResult::Deploying(deployment)) => match deployment {
            Ok(d) => {
                state.toast(
                    Level::Info,
                    format!(
                        "{} accepted by {}'s deployer; verifying…",
                        d.release, key.env
                    ),
                );
                vec![Effect::FastProbe {
                    service: key.service,
                    env: key.env,
                    on: true,
                }]
            }
            Err(e) => {
                state.toast(Level::Error, e);
                Vec::new()
            }
        },
        (OpKind::Record(what), OpResult::Recorded(event)) => {
            match event {
                Ok(_) => state.toast(Level::Info, format!("recorded: {what}")),
                Err(e) => state.toast(Level::Error, e),
            }
            Vec::new()
        }
        (OpKind::Changelog(key), OpResult::Changelog(commits)) => {
            match commits {
                Ok(commits) => {
                    if let Some(changes) = state.changes.get_mut(&key) {
                        changes.commits = commits;
                    }
                }
                Err(e) => {
                    state.changes.remove(&key);
                    state.toast(Level::Error, format!("changes of {}: {e}", key.service));
                }
            }
            Vec::new()
        }
        (OpKind::Notes(key), OpResult::Notes(notes)) => {
            match notes {
                Ok(md) => {
                    state.notes.insert(key, md);
                }
                Err(e) => state.toast(Level::Error, format!("release notes: {e}")),
            }
            Vec::new()
        }
        (OpKind::NextVersions(service), OpResult::NextVersions(versions)) => {
            if let Ok((_, versions)) = versions {
                if let Some(Overlay::Input(input)) = &mut state.overlay
                    && input.text.is_empty()
                {
                    input.text = versions.first().cloned().unwrap_or_default();
                }
                state.next_versions.insert(service, versions);
            }
            Vec::new()
        }
        (OpKind::EditNotes(key, release), OpResult::Notes(notes)) => {
            crate::console::flows::notes::open_editor(state, key, release, notes)
        }
        (OpKind::SaveNotes(key), OpResult::NotesSaved(saved)) => {
            crate::console::flows::notes::saved(state, key, saved)
        }
        (OpKind::Publish(_), OpResult::Published(result)) => {
            crate::console::flows::notes::published(state, result);
            Vec::new()
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
