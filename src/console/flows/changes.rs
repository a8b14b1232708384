//! The changes waiting at the selected cell (the target and release views): loaded on demand,
//! once per (from, to).

use crate::console::effect::Effect;
use crate::console::model;
use crate::console::state::{Changes, Level, OpKind, State, TargetKey};
use crate::domain::change::Commit;

/// Loads the changes waiting at the selected cell when they are not loaded yet.
pub fn load_changes(state: &mut State) -> Vec<Effect> {
    let Some(key) = model::selected(state) else {
        return Vec::new();
    };
    let Some(to) = model::candidate(state, &key.service, &key.env).map(|r| r.name.clone()) else {
        return Vec::new();
    };
    let Some(from) = model::cell(state, &key.service, &key.env).release else {
        return Vec::new();
    };
    if state
        .changes
        .get(&key)
        .is_some_and(|c| c.from == from && c.to == to)
    {
        return Vec::new();
    }
    state.changes.insert(
        key.clone(),
        Changes {
            from: from.clone(),
            to: to.clone(),
            commits: Vec::new(),
        },
    );
    state.supersede(&OpKind::Changelog(key.clone()));
    let op = state.start_op(
        OpKind::Changelog(key.clone()),
        format!("changes {from}..{to}"),
    );
    vec![Effect::Changelog {
        op,
        service: key.service,
        from,
        to,
    }]
}

/// The changes arrived.
pub fn loaded(
    state: &mut State,
    key: &TargetKey,
    commits: Result<Vec<Commit>, String>,
) -> Vec<Effect> {
    match commits {
        Ok(commits) => {
            if let Some(changes) = state.changes.get_mut(key) {
                changes.commits = commits;
            }
        }
        Err(e) => {
            state.changes.remove(key);
            state.toast(Level::Error, format!("changes of {}: {e}", key.service));
        }
    }
    Vec::new()
}

/// The changes waiting at the selected cell, when loaded.
pub fn selected_changes(state: &State) -> Option<&Changes> {
    state.changes.get(&model::selected(state)?)
}

pub fn selected_changes_len(state: &State) -> usize {
    selected_changes(state).map_or(0, |c| c.commits.len())
}

/// The commit under the release view's cursor.
pub fn selected_commit(state: &State) -> Option<String> {
    selected_changes(state)?
        .commits
        .get(state.cursor("release"))
        .map(|c| c.commit.clone())
}
