//! Keys while an overlay is open: it takes every key until it closes.

use crate::console::key::{Key, KeyCode};

use crate::console::effect::Effect;
use crate::console::flows;
use crate::console::keys;
use crate::console::overlay::{Confirm, InputPurpose, Overlay};
use crate::console::palette;
use crate::console::state::{Level, State};

pub fn on_key(state: &mut State, key: Key) -> Vec<Effect> {
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
            let ctrl = key.ctrl();
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
        Overlay::Detail(mut detail) => {
            match key.code {
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => return Vec::new(),
                KeyCode::Down | KeyCode::Char('j') => detail.scroll += 1,
                KeyCode::Up | KeyCode::Char('k') => detail.scroll = detail.scroll.saturating_sub(1),
                _ => {}
            }
            state.overlay = Some(Overlay::Detail(detail));
            Vec::new()
        }
        Overlay::Input(mut input) => {
            match key.code {
                KeyCode::Esc => {
                    if keys_filter(&input.purpose) {
                        state.filter.clear();
                        keys::clamp(state);
                    }
                    return Vec::new();
                }
                KeyCode::Enter => {
                    let text = input.text.trim().to_string();
                    return flows::submit(state, input.purpose, text);
                }
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

fn on_confirm_key(state: &mut State, mut confirm: Confirm, key: Key) -> Vec<Effect> {
    let typing = confirm.require.is_some();
    let asks_name = confirm.asks_name();
    match key.code {
        KeyCode::Esc => {
            // Forget the plans being loaded for it.
            for op in [confirm.loading, confirm.refreshing, confirm.rollout_loading]
                .into_iter()
                .flatten()
            {
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
        // While a gate blocks (or the plan loads) the name is not asked: nothing is typed.
        KeyCode::Char(c) if typing && asks_name => confirm.typed.push(c),
        KeyCode::Char(_) if typing => {}
        KeyCode::Down | KeyCode::Char('j') => confirm.scroll += 1,
        KeyCode::Up | KeyCode::Char('k') => confirm.scroll = confirm.scroll.saturating_sub(1),
        _ => {}
    }
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}
