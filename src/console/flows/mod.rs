//! What each user command does, one file per action holding its whole lifecycle: the command
//! (start), the answers to the operations it asks for (result), its confirmation (confirmed) and
//! what follows once it is accepted. This file only routes: [`run`] for commands, [`confirmed`]
//! for confirmations, [`submit`] for prompts; `results::on_result` routes answers.
//!
//! Every destructive action goes through one confirm flow (see [`Confirmed`]), and
//! [`Command::mutates`] is the one read-only gate.

pub mod approve;
pub mod changes;
pub mod checklist;
pub mod flag;
pub mod notes;
pub mod override_gate;
pub mod promote;
pub mod quit;
pub mod rollout;
pub mod tag;
pub mod train;

pub use changes::{load_changes, selected_changes, selected_changes_len, selected_commit};

use crate::console::command::Command;
use crate::console::effect::Effect;
use crate::console::model;
use crate::console::overlay::{Confirmed, Input, InputPurpose, Overlay, Palette};
use crate::console::palette;
use crate::console::state::{Level, State, View};
use crate::domain::event::Event;
use crate::domain::release::Release;

/// What read-only mode answers to every action key.
pub const READ_ONLY: &str =
    "read-only: this console was started with --read-only; restart it without to act";

pub fn run(state: &mut State, command: Command) -> Vec<Effect> {
    if state.read_only && command.mutates() {
        state.toast(Level::Error, READ_ONLY);
        return Vec::new();
    }
    match command {
        Command::Show(view) => show(state, view),
        Command::Help => {
            state.overlay = Some(Overlay::Help);
            Vec::new()
        }
        Command::Filter => {
            state.overlay = Some(Overlay::Input(Input {
                purpose: InputPurpose::Filter,
                prompt: if state.view == View::Flags {
                    "filter flags (by flag or service name)".into()
                } else {
                    "filter services".into()
                },
                text: state.filter.clone(),
            }));
            Vec::new()
        }
        Command::Refresh => refresh(state),
        Command::Quit => quit::start(state),
        Command::Promote {
            service,
            release,
            env,
        } => promote::start(state, &service, release.as_deref(), &env),
        Command::Rollback { service, env } => promote::rollback(state, service, env),
        Command::Approve {
            service,
            release,
            env,
        } => approve::start(state, &service, release.as_deref(), &env),
        Command::Override {
            service,
            release,
            env,
            gate,
        } => override_gate::start(state, service, &release, env, gate),
        Command::Tag { service, commit } => tag::start(state, service, commit),
        Command::Notes { service, env } => notes::show(state, service, env),
        Command::EditNotes { service, env } => notes::edit(state, &service, &env),
        Command::PublishNotes { service, env } => notes::publish(state, &service, &env),
        Command::Checklist { service, env } => checklist::open(state, &service, &env),
        Command::Tick { .. } => checklist::tick(state),
        Command::NoteItem { .. } => checklist::ask_note(state),
        Command::TrainPromote { train: t, env } => train::promote(state, &t, &env),
        Command::TrainCut { train: t, env } => train::cut(state, t, env),
        Command::TrainShow { train: t } => train::show(state, &t),
        Command::NextStep { service, env } => rollout::next_step(state, &service, &env),
        Command::AbortRollout { service, env } => rollout::abort(state, &service, &env),
        Command::Switch { service, env } => rollout::switch(state, &service, &env),
        Command::Flag { flag, env, action } => flag::start(state, flag, env, action),
        Command::InsightsPeriod { days } => crate::console::insights::set_period(state, days),
        Command::RecomputeInsights => {
            state.view = View::Insights;
            crate::console::insights::recompute(state)
        }
    }
}

/// The confirmed action's effects.
pub fn confirmed(state: &mut State, action: Confirmed) -> Vec<Effect> {
    match action {
        Confirmed::Promote {
            service,
            release,
            env,
            rollback,
        } => promote::confirmed(state, service, release, env, rollback),
        Confirmed::Approve {
            service,
            release,
            env,
        } => approve::confirmed(state, service, release, env),
        Confirmed::Override {
            service,
            release,
            env,
            gate,
            reason,
        } => override_gate::confirmed(state, service, release, env, gate, reason),
        Confirmed::Tag {
            service,
            commit,
            version,
        } => tag::confirmed(state, service, commit, version),
        Confirmed::PublishNotes {
            service,
            release,
            env,
        } => notes::publish_confirmed(state, service, release, env),
        Confirmed::TrainPromote {
            train: t,
            release,
            env,
        } => train::confirmed(state, t, release, env, false),
        Confirmed::TrainBackout {
            train: t,
            release,
            env,
        } => train::confirmed(state, t, release, env, true),
        Confirmed::Quit => quit::confirmed(state),
        Confirmed::RolloutResume {
            service,
            env,
            next_now,
        } => rollout::resume_confirmed(state, service, env, next_now),
        Confirmed::RolloutAbort { service, env } => rollout::abort_confirmed(state, service, env),
        Confirmed::RolloutSwitch { service, env } => rollout::switch_confirmed(state, service, env),
        Confirmed::RolloutNextNow { service, env } => {
            rollout::next_now_confirmed(state, service, env)
        }
        Confirmed::Flag {
            flag,
            env,
            action,
            reason,
        } => flag::confirmed(state, flag, env, action, reason),
    }
}

/// A prompt's text was entered (trimmed).
pub fn submit(state: &mut State, purpose: InputPurpose, text: String) -> Vec<Effect> {
    match purpose {
        InputPurpose::Filter => {
            state.filter = text;
            crate::console::keys::clamp(state);
            Vec::new()
        }
        InputPurpose::OverrideReason {
            service,
            release,
            env,
            gate,
        } => override_gate::reason(state, service, release, env, gate, text),
        InputPurpose::Note {
            service,
            release,
            env,
            item,
        } => checklist::note(state, service, &release, env, item, text),
        InputPurpose::TagVersion { service, commit } => tag::version(state, service, commit, text),
        InputPurpose::FlagFreezeReason { flag, env, action } => {
            flag::reason(state, flag, env, action, &text)
        }
    }
}

/// An event was recorded (approve, override, tick, note, tag): say so.
pub fn recorded(state: &mut State, what: &str, event: Result<Event, String>) -> Vec<Effect> {
    match event {
        Ok(_) => state.toast(Level::Info, format!("recorded: {what}")),
        Err(e) => state.toast(Level::Error, e),
    }
    Vec::new()
}

fn show(state: &mut State, view: View) -> Vec<Effect> {
    state.view = view;
    (view.spec().on_open)(state)
}

fn refresh(state: &mut State) -> Vec<Effect> {
    state.toast(Level::Info, "refreshing…");
    let mut effects = vec![Effect::Refresh];
    effects.extend(crate::console::live::refresh_plans(state));
    state.changes.clear();
    effects.extend(load_changes(state));
    effects.extend(crate::console::insights::refresh_open(state));
    effects
}

/// Moves the board cursor to (service, env) when it is visible.
pub fn select(state: &mut State, service: &str, env: &str) {
    if let Some(row) = model::visible_services(state)
        .iter()
        .position(|s| *s == service)
    {
        state.row = crate::console::trains::visible(state).len() + row;
    }
    if let Some(col) = state.config.environments.iter().position(|e| e.name == env) {
        state.col = col;
    }
}

/// The named release of `service`, or the one waiting to enter `env`.
pub fn resolve<'a>(
    state: &'a State,
    service: &str,
    release: Option<&str>,
    env: &str,
) -> Option<&'a Release> {
    match release {
        Some(name) => model::find_release(state, service, name),
        None => model::candidate(state, service, env),
    }
}

pub fn open_palette(state: &mut State) {
    state.overlay = Some(Overlay::Palette(Palette {
        query: String::new(),
        selected: 0,
        items: palette::items(state),
    }));
}
