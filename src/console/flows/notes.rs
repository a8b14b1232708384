//! Release notes from the console: `n` shows the release view with the notes preview; `e` opens $VISUAL/$EDITOR on the notes as they stand (loaded
//! first, so the editor always starts from the latest edit or the draft) and records the edit;
//! `P` asks to publish them through the configured channels.

use crate::console::effect::Effect;
use crate::console::flows::load_changes;
use crate::console::model;
use crate::console::overlay::{Confirm, Confirmed, Overlay};
use crate::console::state::{Level, OpKind, State, TargetKey, View};
use crate::domain::release::Release;

/// `n`: the release view of (service, env), its changes and the notes as they stand.
pub fn show(state: &mut State, service: String, env: String) -> Vec<Effect> {
    state.view = View::Release;
    let mut effects = load_changes(state);
    if let Some(release) = model::subject(state, &service, &env).cloned() {
        let key = TargetKey::new(&service, &env);
        state.supersede(&OpKind::Notes(key.clone()));
        let op = state.start_op(OpKind::Notes(key), "release notes");
        effects.push(Effect::Notes {
            op,
            service,
            release,
            env,
        });
    }
    effects
}

/// The notes arrived for the preview.
pub fn loaded(state: &mut State, key: TargetKey, notes: Result<String, String>) -> Vec<Effect> {
    match notes {
        Ok(md) => {
            state.notes.insert(key, md);
        }
        Err(e) => state.toast(Level::Error, format!("release notes: {e}")),
    }
    Vec::new()
}

/// `e`: loads the current notes of the cell's release; the editor opens when they arrive.
pub fn edit(state: &mut State, service: &str, env: &str) -> Vec<Effect> {
    let Some(release) = model::subject(state, service, env).cloned() else {
        state.toast(
            Level::Error,
            format!("no release of {service} for {env}: none waits and none runs there"),
        );
        return Vec::new();
    };
    state.view = View::Release;
    let key = TargetKey::new(service, env);
    let kind = OpKind::EditNotes(key, release.clone());
    state.supersede(&kind);
    let op = state.start_op(kind, format!("opening the notes of {}", release.name));
    vec![Effect::Notes {
        op,
        service: service.to_string(),
        release,
        env: env.to_string(),
    }]
}

/// The notes to edit arrived: hand the terminal to the editor.
pub fn open_editor(
    state: &mut State,
    key: TargetKey,
    release: Release,
    notes: Result<String, String>,
) -> Vec<Effect> {
    let text = match notes {
        Ok(text) => text,
        Err(e) => {
            state.toast(Level::Error, format!("release notes: {e}"));
            return Vec::new();
        }
    };
    state.notes.insert(key.clone(), text.clone());
    let op = state.start_op(
        OpKind::SaveNotes(key.clone()),
        format!("editing the notes of {}", release.name),
    );
    vec![Effect::EditNotes {
        op,
        service: key.service,
        release,
        env: key.env,
        text,
    }]
}

/// What the editor left was recorded (or not): say so and show the notes as they stand now.
pub fn saved(state: &mut State, key: TargetKey, saved: Result<bool, String>) -> Vec<Effect> {
    match saved {
        Ok(true) => state.toast(Level::Info, "recorded: edited the release notes"),
        Ok(false) => state.toast(Level::Info, "the notes are unchanged; nothing recorded"),
        Err(e) => {
            state.toast(Level::Error, e);
            return Vec::new();
        }
    }
    let Some(release) = model::subject(state, &key.service, &key.env).cloned() else {
        return Vec::new();
    };
    state.supersede(&OpKind::Notes(key.clone()));
    let op = state.start_op(OpKind::Notes(key.clone()), "release notes");
    vec![Effect::Notes {
        op,
        service: key.service,
        release,
        env: key.env,
    }]
}

/// `P`: a confirmation naming every channel the notes will go to.
pub fn publish(state: &mut State, service: &str, env: &str) -> Vec<Effect> {
    if state.config.channels.is_empty() {
        state.toast(
            Level::Error,
            "no channels to publish to: add a [[channels]] table to the configuration",
        );
        return Vec::new();
    }
    let Some(release) = model::subject(state, service, env).cloned() else {
        state.toast(
            Level::Error,
            format!("no release of {service} for {env}: none waits and none runs there"),
        );
        return Vec::new();
    };
    let mut lines = vec![format!(
        "Sends the notes of {} (the latest edit, else the draft) to:",
        release.name
    )];
    for c in &state.config.channels {
        lines.push(format!("  {} ({})", c.name, c.kind.name()));
    }
    lines.push(format!(
        "When every channel succeeds, the checklist's `published` items for {env} are ticked."
    ));
    lines.push("Enter or y publishes; Esc cancels.".into());
    let confirm = Confirm::new(
        Confirmed::PublishNotes {
            service: service.to_string(),
            release: release.clone(),
            env: env.to_string(),
        },
        format!("Publish the notes of {}", release.name),
        lines,
    );
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

/// The publication was confirmed.
pub fn publish_confirmed(
    state: &mut State,
    service: String,
    release: Release,
    env: String,
) -> Vec<Effect> {
    let key = TargetKey::new(&service, &env);
    let op = state.start_op(
        OpKind::Publish(key),
        format!("publishing the notes of {}", release.name),
    );
    vec![Effect::PublishNotes {
        op,
        service,
        release,
        env,
    }]
}

/// The publication ended: one toast with every channel's outcome.
pub fn published(state: &mut State, result: Result<(bool, Vec<String>), String>) -> Vec<Effect> {
    match result {
        Ok((true, lines)) => state.toast(Level::Info, format!("published: {}", lines.join("; "))),
        Ok((false, lines)) => state.toast(
            Level::Error,
            format!("publishing failed, nothing ticked: {}", lines.join("; ")),
        ),
        Err(e) => state.toast(Level::Error, e),
    }
    Vec::new()
}
