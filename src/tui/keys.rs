//! crossterm's key events as the console's own [`Key`]s: the one place the Elm core meets the
//! terminal library's key type.

use crossterm::event::{KeyCode as C, KeyEvent, KeyEventKind as K, KeyModifiers as M};

use crate::console::key::{Key, KeyCode, KeyEventKind, KeyModifiers};

/// The console's key for a terminal key event; `None` for keys the console has no use for
/// (media keys, lone modifiers, …).
pub fn key(event: &KeyEvent) -> Option<Key> {
    let code = match event.code {
        C::Char(c) => KeyCode::Char(c),
        C::Enter => KeyCode::Enter,
        C::Esc => KeyCode::Esc,
        C::Tab => KeyCode::Tab,
        C::BackTab => KeyCode::BackTab,
        C::Backspace => KeyCode::Backspace,
        C::Delete => KeyCode::Delete,
        C::Up => KeyCode::Up,
        C::Down => KeyCode::Down,
        C::Left => KeyCode::Left,
        C::Right => KeyCode::Right,
        C::Home => KeyCode::Home,
        C::End => KeyCode::End,
        C::PageUp => KeyCode::PageUp,
        C::PageDown => KeyCode::PageDown,
        C::F(n) => KeyCode::F(n),
        _ => return None,
    };
    let mut modifiers = KeyModifiers::NONE;
    for (theirs, ours) in [
        (M::SHIFT, KeyModifiers::SHIFT),
        (M::CONTROL, KeyModifiers::CONTROL),
        (M::ALT, KeyModifiers::ALT),
    ] {
        if event.modifiers.contains(theirs) {
            modifiers = modifiers | ours;
        }
    }
    let kind = match event.kind {
        K::Press => KeyEventKind::Press,
        K::Repeat => KeyEventKind::Repeat,
        K::Release => KeyEventKind::Release,
    };
    Some(Key {
        code,
        modifiers,
        kind,
    })
}
