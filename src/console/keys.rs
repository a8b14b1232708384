//! A key press, through the key map ([`crate::console::keymap`]): overlays first, then the row
//! the key hits in the current view; acts on a target take it from the cursor here.

use crate::console::command::Command;
use crate::console::effect::Effect;
use crate::console::flows;
use crate::console::key::{Key, KeyCode};
use crate::console::keymap::{self, Act, Keys};
use crate::console::model;
use crate::console::state::{Level, State};
use crate::console::views::{Cursor, View};

pub fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
    let binding = keymap::lookup(state.view, key);
    // Ctrl rows (Ctrl-C) work even over an overlay.
    if let Some(b) = binding
        && matches!(b.keys, Keys::Ctrl(_))
    {
        return act(state, b.act, key);
    }
    if state.overlay.is_some() {
        return crate::console::overlay_keys::on_key(state, key);
    }
    match binding {
        Some(b) => act(state, b.act, key),
        None => Vec::new(),
    }
}

fn act(state: &mut State, act: Act, key: Key) -> Vec<Effect> {
    let command = match act {
        Act::Quit => Command::Quit,
        Act::Help => Command::Help,
        Act::Filter => Command::Filter,
        Act::Refresh => Command::Refresh,
        Act::Palette => {
            flows::open_palette(state);
            return Vec::new();
        }
        Act::OpenView => {
            let KeyCode::Char(c) = key.code else {
                return Vec::new();
            };
            let Some(view) = View::for_key(c) else {
                return Vec::new();
            };
            Command::Show(view)
        }
        Act::NextView => Command::Show(state.view.step(1)),
        Act::PreviousView => Command::Show(state.view.step(-1)),
        Act::Back => {
            // Errors stay until dismissed: Esc dismisses them first.
            if state.toasts.iter().any(|t| t.until.is_none()) {
                state.toasts.clear();
            } else if state.filter.is_empty() {
                state.view = View::Board;
            } else {
                state.filter.clear();
                clamp(state);
            }
            return Vec::new();
        }
        Act::Down | Act::Up => {
            scroll(state, if act == Act::Down { 1 } else { -1 });
            return crate::console::insights::ask_if_open(state);
        }
        Act::Left => {
            state.col = state.col.saturating_sub(1);
            return Vec::new();
        }
        Act::Right => {
            state.col = (state.col + 1).min(state.config.environments.len().saturating_sub(1));
            return Vec::new();
        }
        _ if state.view == View::Board && crate::console::trains::selected(state).is_some() => {
            match on_train_row(state, act) {
                Some(command) => command,
                None => return Vec::new(),
            }
        }
        Act::CutTrain => {
            state.toast(
                Level::Info,
                "C cuts a train release on a train row (the rows above the services)",
            );
            return Vec::new();
        }
        Act::OpenTarget => Command::Show(View::Target),
        Act::ShowLine => {
            crate::console::activity::show(state);
            return Vec::new();
        }
        Act::ToggleFlag | Act::FlagStepUp | Act::FlagStepDown => {
            match flows::flag::command_for(state, act) {
                Some(command) => command,
                None => return Vec::new(),
            }
        }
        Act::ShowFlag => {
            flows::flag::show(state);
            return Vec::new();
        }
        Act::InsightsPeriod => Command::InsightsPeriod {
            days: crate::console::insights::stepped(
                state,
                if key.code == KeyCode::Char('[') {
                    -1
                } else {
                    1
                },
            ),
        },
        Act::RecomputeInsights => Command::RecomputeInsights,

        _ => match command_for(state, act) {
            Some(command) => command,
            None => return Vec::new(),
        },
    };
    flows::run(state, command)
}

/// The command an act means on a train row of the board: `p` promotes the train, `C` cuts a
/// release, Enter shows it; acts on a single target say where they work.
fn on_train_row(state: &mut State, act: Act) -> Option<Command> {
    let (train, env) = crate::console::trains::selected(state)?;
    Some(match act {
        Act::Promote => Command::TrainPromote { train, env },
        Act::CutTrain => Command::TrainCut { train, env },
        Act::OpenTarget => Command::TrainShow { train },
        _ => {
            state.toast(
                Level::Info,
                format!(
                    "{train} is a train: p promotes it, C cuts a release, Enter shows it;                      the other keys act on a service's cell"
                ),
            );
            return None;
        }
    })
}

/// The command an act on a target means here: the selected cell's, or in the gates view the
/// promotion under the cursor's. `None` when there is nothing to act on (said, if it matters).
fn command_for(state: &mut State, act: Act) -> Option<Command> {
    let target = model::selected(state)?;
    let (service, env) = (target.service, target.env);
    if state.view == View::Gates {
        let rows = model::gate_rows(state);
        let Some(row) = rows.get(state.cursor("gates")) else {
            state.toast(Level::Info, "no promotion is waiting");
            return None;
        };
        let (key, release, gate) = (row.key.clone(), row.release.name.clone(), row.gate);
        return Some(match act {
            Act::Approve => Command::Approve {
                service: key.service,
                release: Some(release),
                env: key.env,
            },
            Act::Promote => Command::Promote {
                service: key.service,
                release: Some(release),
                env: key.env,
            },
            Act::Override => Command::Override {
                service: key.service,
                release,
                env: key.env,
                gate,
            },
            _ => return None,
        });
    }
    Some(match act {
        Act::Promote => Command::Promote {
            service,
            release: None,
            env,
        },
        Act::Rollback => Command::Rollback { service, env },
        Act::Approve => Command::Approve {
            service,
            release: None,
            env,
        },
        Act::Tag => Command::Tag {
            commit: if state.view == View::Release {
                flows::selected_commit(state)
            } else {
                None
            },
            service,
        },
        Act::Notes => Command::Notes { service, env },
        Act::EditNotes => Command::EditNotes { service, env },
        Act::PublishNotes => Command::PublishNotes { service, env },
        Act::Checklist => Command::Checklist { service, env },
        Act::Tick => Command::Tick { service, env },
        Act::NoteItem => Command::NoteItem { service, env },
        Act::NextStep => Command::NextStep { service, env },
        Act::AbortRollout => Command::AbortRollout { service, env },
        Act::Switch => Command::Switch { service, env },
        _ => return None,
    })
}

/// The list a view's cursor walks, by name, and how long it is.
fn list_of(state: &State) -> Option<(&'static str, usize)> {
    match state.view.spec().cursor {
        Cursor::Grid => None,
        Cursor::List { name, len } => Some((name, len(state))),
    }
}

/// Moves the cursor of the current view by `delta` rows.
pub fn scroll(state: &mut State, delta: i32) {
    if state.view == View::Board {
        let rows = model::board_rows(state);
        let row = i64::try_from(state.row).unwrap_or(0) + i64::from(delta);
        state.row = usize::try_from(row.max(0))
            .unwrap_or(0)
            .min(rows.saturating_sub(1));
        return;
    }
    if let Some((name, len)) = list_of(state) {
        let current = i64::try_from(state.cursor(name)).unwrap_or(0);
        let next = usize::try_from((current + i64::from(delta)).max(0)).unwrap_or(0);
        state.list.insert(name, next.min(len.saturating_sub(1)));
    }
}

/// Puts the current view's cursor on `row` (a mouse click).
pub fn set_cursor(state: &mut State, row: usize) {
    if let Some((name, len)) = list_of(state) {
        state.list.insert(name, row.min(len.saturating_sub(1)));
    }
}

/// Keeps the board cursor on a visible row after the filter changed.
pub fn clamp(state: &mut State) {
    let rows = model::board_rows(state);
    state.row = state.row.min(rows.saturating_sub(1));
}
