//! The key map: overlays first, then keys every view shares, then the view's own keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::console::command::Command;
use crate::console::effect::Effect;
use crate::console::flows;
use crate::console::model as grid;
use crate::console::state::{State, View};

/// A key of a view, as the help overlay lists it.
pub struct KeyHelp {
    pub keys: &'static str,
    pub what: &'static str,
    /// Offered only when the console may change things.
    pub acts: bool,
}

const fn k(keys: &'static str, what: &'static str, acts: bool) -> KeyHelp {
    KeyHelp { keys, what, acts }
}

/// Keys every view understands.
pub const GLOBAL_KEYS: &[KeyHelp] = &[
    k("Tab / Shift-Tab", "next / previous view", false),
    k("1–6", "jump to a view", false),
    k("?", "this help", false),
    k(":", "command palette (fuzzy)", false),
    k("/", "filter services", false),
    k("R", "refresh now", false),
    k("Esc", "close, clear filter, back to the board", false),
    k("q", "quit (asks if a deployment is in flight)", false),
];

const BOARD_KEYS: &[KeyHelp] = &[
    k("←↓↑→ / hjkl", "move between cells", false),
    k("Enter", "open the target", false),
    k("p", "promote the release waiting for this cell", true),
    k("r", "roll back to the previous release", true),
    k("a", "approve the release waiting for this cell", true),
    k("t", "tag a new release of this service", true),
    k("n", "release notes", false),
    k("c", "checklist of this cell", false),
];

const GATES_KEYS: &[KeyHelp] = &[
    k("↓↑ / jk", "move between gates", false),
    k("a", "approve this promotion", true),
    k("p", "promote (when every gate passes)", true),
    k("o", "override this gate (asks for a reason)", true),
];

const TARGET_KEYS: &[KeyHelp] = &[
    k("↓↑ / jk", "scroll", false),
    k("p", "promote the waiting release here", true),
    k("r", "roll back", true),
];

const CHECKLIST_KEYS: &[KeyHelp] = &[
    k("↓↑ / jk", "move between items", false),
    k("Space", "tick / untick the item", true),
    k("e", "add a note to the item", true),
];

const RELEASE_KEYS: &[KeyHelp] = &[
    k("↓↑ / jk", "move between commits", false),
    k(
        "t",
        "tag the selected commit (proposes the next version)",
        true,
    ),
    k("n", "load the release notes preview", false),
    k("e", "edit the notes in $VISUAL / $EDITOR", true),
    k("P", "publish the notes through the channels", true),
];

const ACTIVITY_KEYS: &[KeyHelp] = &[k("↓↑ / jk", "scroll the log", false)];

/// The keys of `view`.
pub fn view_keys(view: View) -> &'static [KeyHelp] {
    match view {
        View::Board => BOARD_KEYS,
        View::Gates => GATES_KEYS,
        View::Target => TARGET_KEYS,
        View::Checklist => CHECKLIST_KEYS,
        View::Release => RELEASE_KEYS,
        View::Activity => ACTIVITY_KEYS,
    }
}

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        return flows::run(state, Command::Quit);
    }
    if state.overlay.is_some() {
        return crate::console::overlay_keys::on_key(state, key);
    }
    if let Some(command) = global(key) {
        return flows::run(state, command);
    }
    match key.code {
        KeyCode::Esc => {
            if state.filter.is_empty() {
                state.view = View::Board;
            } else {
                state.filter.clear();
                clamp(state);
            }
            Vec::new()
        }
        KeyCode::Tab => {
            let next = View::ALL[(state.view.index() + 1) % View::ALL.len()];
            flows::run(state, Command::Show(next))
        }
        KeyCode::BackTab => {
            let previous = View::ALL[(state.view.index() + View::ALL.len() - 1) % View::ALL.len()];
            flows::run(state, Command::Show(previous))
        }
        KeyCode::Down | KeyCode::Char('j') => {
            scroll(state, 1);
            Vec::new()
        }
        KeyCode::Up | KeyCode::Char('k') => {
            scroll(state, -1);
            Vec::new()
        }
        KeyCode::Left | KeyCode::Char('h') if state.view == View::Board => {
            state.col = state.col.saturating_sub(1);
            Vec::new()
        }
        KeyCode::Right | KeyCode::Char('l') if state.view == View::Board => {
            state.col = (state.col + 1).min(state.config.environments.len().saturating_sub(1));
            Vec::new()
        }
        _ => view_key(state, key),
    }
}

/// Keys that mean the same in every view.
fn global(key: KeyEvent) -> Option<Command> {
    match key.code {
        KeyCode::Char('q') => Some(Command::Quit),
        KeyCode::Char('?') => Some(Command::Help),
        KeyCode::Char('/') => Some(Command::Filter),
        KeyCode::Char('R') => Some(Command::Refresh),
        KeyCode::Char(c @ '1'..='6') => {
            let i = (c as usize) - ('1' as usize);
            Some(Command::Show(View::ALL[i]))
        }
        _ => None,
    }
}

fn view_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Char(':') {
        flows::open_palette(state);
        return Vec::new();
    }
    let KeyCode::Char(c) = key.code else {
        if key.code == KeyCode::Enter && state.view == View::Board {
            return flows::run(state, Command::Show(View::Target));
        }
        return Vec::new();
    };
    let Some(target) = grid::selected(state) else {
        return Vec::new();
    };
    let (service, env) = (target.service.clone(), target.env.clone());
    let command = match (state.view, c) {
        (View::Gates, 'a' | 'p' | 'o') => return flows::gate_key(state, c),
        (View::Checklist, ' ' | 'e') => return flows::checklist_key(state, c),
        (View::Release, 't') => Command::Tag {
            service,
            commit: flows::selected_commit(state),
        },
        (View::Release | View::Board, 'n') => Command::Notes { service, env },
        (View::Release, 'e') => Command::EditNotes { service, env },
        (View::Release, 'P') => Command::PublishNotes { service, env },
        (View::Board | View::Target | View::Checklist | View::Release, 'p') => Command::Promote {
            service,
            release: None,
            env,
        },
        (View::Board | View::Target, 'r') => Command::Rollback { service, env },
        (View::Board | View::Target | View::Checklist, 'a') => Command::Approve {
            service,
            release: None,
            env,
        },
        (View::Board, 't') => Command::Tag {
            service,
            commit: None,
        },
        (View::Board, 'c') => Command::Checklist { service, env },
        _ => return Vec::new(),
    };
    flows::run(state, command)
}

/// The list a view's cursor walks, by name, and how long it is.
fn list_of(state: &State) -> Option<(&'static str, usize)> {
    Some(match state.view {
        View::Board => return None,
        View::Gates => ("gates", grid::gate_rows(state).len()),
        View::Target => ("target", usize::MAX),
        View::Checklist => (
            "checklist",
            grid::selected_checklist(state).map_or(0, |(_, _, t)| t.items.len()),
        ),
        View::Release => ("release", flows::selected_changes_len(state)),
        View::Activity => ("activity", state.events.len()),
    })
}

/// Moves the cursor of the current view by `delta` rows.
pub fn scroll(state: &mut State, delta: i32) {
    if state.view == View::Board {
        let rows = grid::visible_services(state).len();
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
    let rows = grid::visible_services(state).len();
    state.row = state.row.min(rows.saturating_sub(1));
}
