//! Security (#10) in the console: what the activity view draws from others' events.

use crate::tui_support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::console::state::View;
use shipdeck::domain::event::Fact;
use shipdeck::tui::theme::Theme;
use shipdeck::tui::views;

/// The screen as text, one line per row.
fn screen(state: &shipdeck::console::state::State) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(160, 40)).expect("test backend");
    terminal
        .draw(|frame| {
            views::draw(frame, state, Theme { color: false });
        })
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect::<String>()
        })
        .collect()
}

/// Item 12, the console part: an actor carrying an unterminated OSC sequence (as anyone who can
/// append to a shared log can write) does not hide the rest of its line in the activity view,
/// and the zero-width character in another actor shows visibly.
#[test]
fn security_a_crafted_field_does_not_hide_the_rest_of_an_activity_line() {
    let mut state = tui_support::shop();
    let seq = state.events.len() as u64 + 1;
    let approved = Fact::Approved {
        commit: "a".repeat(40),
        note: Some("looks good".into()),
    };
    state.events.push(tui_support::event(
        seq,
        -5,
        &format!("mallory@x\u{1b}]{}", "A".repeat(200)),
        &approved,
        "api",
        "api-v1.5.0",
        "prod",
    ));
    state.events.push(tui_support::event(
        seq + 1,
        -4,
        "bob\u{200b}@x",
        &approved,
        "web",
        "web-v1.5.0",
        "prod",
    ));
    state.view = View::Activity;
    let rows = screen(&state);
    let line = rows
        .iter()
        .find(|l| l.contains("mallory@x"))
        .unwrap_or_else(|| panic!("mallory's line is drawn: {rows:#?}"));
    assert!(
        line.contains("approved")
            && line.contains("api api-v1.5.0 prod")
            && line.contains("looks good"),
        "the rest of the line is shown: {line}"
    );
    assert!(!line.contains('\u{1b}'), "{line:?}");
    let bob = rows
        .iter()
        .find(|l| l.contains("web web-v1.5.0 prod"))
        .unwrap_or_else(|| panic!("bob's line is drawn: {rows:#?}"));
    assert!(bob.contains("bob\\u{200b}@x"), "visible: {bob}");
}
