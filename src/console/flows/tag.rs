//! `t`: tag a release — the version prompt (proposing the next versions, loaded meanwhile), the
//! confirmation, then the recorded event (`flows::recorded`).

use crate::console::effect::Effect;
use crate::console::overlay::{Confirm, Confirmed, Input, InputPurpose, Overlay};
use crate::console::state::{Level, OpKind, State};
use crate::domain::commit_id::short;

/// Opens the prompt for `commit` (HEAD when `None`) and asks for the next versions.
pub fn start(state: &mut State, service: String, commit: Option<String>) -> Vec<Effect> {
    let shown = commit
        .as_deref()
        .map_or("HEAD".to_string(), |c| short(c).to_string());
    state.overlay = Some(Overlay::Input(Input {
        purpose: InputPurpose::TagVersion {
            service: service.clone(),
            commit: commit.unwrap_or_else(|| "HEAD".into()),
        },
        prompt: format!("tag {shown} of {service} as version"),
        text: state
            .next_versions
            .get(&service)
            .and_then(|v| v.first().cloned())
            .unwrap_or_default(),
    }));
    let op = state.start_op(OpKind::NextVersions(service.clone()), "next versions");
    vec![Effect::NextVersions { op, service }]
}

/// The next versions arrived: the first fills an empty prompt.
pub fn next_versions(
    state: &mut State,
    service: String,
    versions: Result<(String, Vec<String>), String>,
) -> Vec<Effect> {
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

/// The version was entered: the confirmation.
pub fn version(state: &mut State, service: String, commit: String, text: String) -> Vec<Effect> {
    if text.is_empty() {
        state.toast(Level::Error, "a tag needs a version, e.g. 1.5.1");
        return Vec::new();
    }
    let lines = vec![
        format!("Creates an annotated tag of {service} at {commit} for version {text}."),
        "Tags never move: this cannot be undone by shipdeck.".into(),
        "Enter or y tags; Esc cancels.".into(),
    ];
    let confirm = Confirm::new(
        Confirmed::Tag {
            service,
            commit,
            version: text,
        },
        "Tag a release",
        lines,
    );
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

pub fn confirmed(
    state: &mut State,
    service: String,
    commit: String,
    version: String,
) -> Vec<Effect> {
    let op = state.start_op(
        OpKind::Record(format!("tagged {service} {version}")),
        "tagging",
    );
    vec![Effect::Tag {
        op,
        service,
        commit,
        version,
    }]
}
