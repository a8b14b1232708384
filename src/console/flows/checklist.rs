//! The checklist of a cell: `c` opens it, Space ticks or unticks the item under the cursor, `e`
//! asks for a note on it; both are recorded events (`flows::recorded`).

use crate::console::effect::Effect;
use crate::console::flows::select;
use crate::console::model;
use crate::console::overlay::{Input, InputPurpose, Overlay};
use crate::console::state::{Level, OpKind, State, View};

/// `c`: the checklist view on (service, env).
pub fn open(state: &mut State, service: &str, env: &str) -> Vec<Effect> {
    select(state, service, env);
    state.view = View::Checklist;
    Vec::new()
}

/// Space: ticks or unticks the item under the cursor.
pub fn tick(state: &mut State) -> Vec<Effect> {
    let Some((key, release, _, item)) = item_under_cursor(state) else {
        return Vec::new();
    };
    // Done by a recorded tick or by its automatic fact: Space then unticks.
    let ticked = model::selected_progress(state)
        .and_then(|(_, _, p)| p.items.into_iter().find(|i| i.item.id == item))
        .is_some_and(|i| i.is_ticked());
    let verb = if ticked { "unticked" } else { "ticked" };
    let op = state.start_op(OpKind::Record(format!("{verb} {item}")), verb);
    vec![Effect::Tick {
        op,
        service: key.service,
        release,
        env: key.env,
        item,
        on: !ticked,
    }]
}

/// `e`: asks for a note on the item under the cursor.
pub fn ask_note(state: &mut State) -> Vec<Effect> {
    let Some((key, release, _, item)) = item_under_cursor(state) else {
        return Vec::new();
    };
    state.overlay = Some(Overlay::Input(Input {
        prompt: format!("note on {item}"),
        purpose: InputPurpose::Note {
            service: key.service,
            release: release.name,
            env: key.env,
            item,
        },
        text: String::new(),
    }));
    Vec::new()
}

/// The selected checklist's target, release, checklist name and the item under the cursor;
/// says so when the cell has no checklist.
fn item_under_cursor(
    state: &mut State,
) -> Option<(
    crate::console::state::TargetKey,
    crate::domain::release::Release,
    String,
    String,
)> {
    let Some((key, release, template)) = model::selected_checklist(state) else {
        state.toast(
            Level::Info,
            "no checklist here: the environment has no checklist gate",
        );
        return None;
    };
    let item = template.items.get(state.cursor("checklist"))?;
    Some((key, release.clone(), template.name.clone(), item.id.clone()))
}

/// The note was entered: record it.
pub fn note(
    state: &mut State,
    service: String,
    release: &str,
    env: String,
    item: String,
    text: String,
) -> Vec<Effect> {
    if text.is_empty() {
        return Vec::new();
    }
    let Some(release) = model::find_release(state, &service, release).cloned() else {
        state.toast(
            Level::Error,
            format!("{release} is no longer a release of {service}"),
        );
        return Vec::new();
    };
    let op = state.start_op(OpKind::Record(format!("noted {item}")), "noting");
    vec![Effect::Note {
        op,
        service,
        release,
        env,
        item,
        note: text,
    }]
}
