//! Keys while an overlay is open: it takes every key until it closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::console::effect::Effect;
use crate::console::flows;
use crate::console::keys;
use crate::console::overlay::{Confirm, Confirmed, InputPurpose, Overlay};
use crate::console::palette;
use crate::console::state::{Level, State};

pub fn on_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(overlay) = state.overlay.take() else {
        return Vec::new();
    };
    match overlay {
        Overlay::Help => {
            if !matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter
            ) {
                state.overlay = Some(Overlay::Help);
            }
            Vec::new()
        }
        Overlay::Palette(mut palette) => {
            let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            match key.code {
                KeyCode::Esc => {}
                KeyCode::Enter => {
                    let chosen = palette::matches(&palette.query, &palette.items)
                        .get(palette.selected)
                        .map(|(_, c)| c.clone());
                    if let Some(command) = chosen {
                        return flows::run(state, command);
                    }
                }
                KeyCode::Down | KeyCode::Tab => {
                    palette.selected += 1;
                    state.overlay = Some(Overlay::Palette(palette));
                }
                KeyCode::Char('n') if ctrl => {
                    palette.selected += 1;
                    state.overlay = Some(Overlay::Palette(palette));
                }
                KeyCode::Up | KeyCode::BackTab => {
                    palette.selected = palette.selected.saturating_sub(1);
                    state.overlay = Some(Overlay::Palette(palette));
                }
                KeyCode::Char('p') if ctrl => {
                    palette.selected = palette.selected.saturating_sub(1);
                    state.overlay = Some(Overlay::Palette(palette));
                }
                KeyCode::Backspace => {
                    palette.query.pop();
                    palette.selected = 0;
                    state.overlay = Some(Overlay::Palette(palette));
                }
                KeyCode::Char(c) => {
                    palette.query.push(c);
                    palette.selected = 0;
                    state.overlay = Some(Overlay::Palette(palette));
                }
                _ => state.overlay = Some(Overlay::Palette(palette)),
            }
            if let Some(Overlay::Palette(p)) = &mut state.overlay {
                let len = palette::matches(&p.query, &p.items).len();
                p.selected = p.selected.min(len.saturating_sub(1));
            }
            Vec::new()
        }
        Overlay::Confirm(confirm) => on_confirm_key(state, *confirm, key),
        Overlay::Input(mut input) => {
            match key.code {
                KeyCode::Esc => {
                    if keys_filter(&input.purpose) {
                        state.filter.clear();
                        keys::clamp(state);
                    }
                    return Vec::new();
                }
                KeyCode::Enter => return submit(state, input.purpose, &input.text),
                KeyCode::Backspace => {
                    input.text.pop();
                }
                KeyCode::Char(c) => input.text.push(c),
                _ => {}
            }
            if keys_filter(&input.purpose) {
                state.filter.clone_from(&input.text);
                keys::clamp(state);
            }
            state.overlay = Some(Overlay::Input(input));
            Vec::new()
        }
    }
}

fn keys_filter(purpose: &InputPurpose) -> bool {
    matches!(purpose, InputPurpose::Filter)
}

fn on_confirm_key(state: &mut State, mut confirm: Confirm, key: KeyEvent) -> Vec<Effect> {
    let typing = confirm.require.is_some();
    match key.code {
        KeyCode::Esc => {
            // Forget the plan being loaded for it.
            if let Some(op) = confirm.loading {
                state.ops.remove(&op);
            }
            return Vec::new();
        }
        KeyCode::Char('n') if !typing => return Vec::new(),
        KeyCode::Enter | KeyCode::Char('y') if key.code == KeyCode::Enter || !typing => {
            if let Some(why) = confirm.blocked() {
                state.toast(Level::Error, why);
            } else {
                return flows::confirmed(state, confirm.action);
            }
        }
        KeyCode::Backspace if typing => {
            confirm.typed.pop();
        }
        KeyCode::Char(c) if typing => confirm.typed.push(c),
        KeyCode::Down | KeyCode::Char('j') => confirm.scroll += 1,
        KeyCode::Up | KeyCode::Char('k') => confirm.scroll = confirm.scroll.saturating_sub(1),
        _ => {}
    }
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

fn submit(state: &mut State, purpose: InputPurpose, text: &str) -> Vec<Effect> {
    let text = text.trim().to_string();
    match purpose {
        InputPurpose::Filter => {
            state.filter = text;
            keys::clamp(state);
            Vec::new()
        }
        InputPurpose::OverrideReason {
            service,
            release,
            env,
            gate,
        } => {
            if text.is_empty() {
                state.toast(
                    Level::Error,
                    "an override needs a reason; press o again and say why",
                );
                return Vec::new();
            }
            let lines = vec![
                format!("Gate {gate} stops counting for {} in {env}.", release.name),
                format!("Reason recorded with your name ({}): {text}", state.user),
                "Enter or y records the override; Esc cancels.".into(),
            ];
            let mut confirm = Confirm::new(
                Confirmed::Override {
                    service,
                    release,
                    env: env.clone(),
                    gate,
                    reason: text,
                },
                "Override a gate",
                lines,
            );
            if state.config.environment(&env).is_some_and(|e| e.protected) {
                confirm.require = Some(env);
            }
            state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
            Vec::new()
        }
        InputPurpose::Note {
            service,
            release,
            env,
            item,
        } => {
            if text.is_empty() {
                return Vec::new();
            }
            let Some(release) = crate::console::model::find_release(state, &service, &release).cloned()
            else {
                state.toast(
                    Level::Error,
                    format!("{release} is no longer a release of {service}"),
                );
                return Vec::new();
            };
            let op = state.start_op(
                crate::console::state::OpKind::Record(format!("noted {item}")),
                "noting",
            );
            vec![Effect::Note {
                op,
                service,
                release,
                env,
                item,
                note: text,
            }]
        }
        InputPurpose::TagVersion { service, commit } => {
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
    }
}
