//! The console's release-notes keys through `update()`: `e` loads the notes as they stand and
//! then asks the runner for the editor, what the editor left is recorded or reported unchanged,
//! `P` confirms the channels and publishes; read-only refuses both. And the release view showing
//! a hand edit (snapshot).

use crate::tui_support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::console::effect::Effect;
use shipdeck::console::key::{KeyCode, KeyEvent, KeyModifiers};
use shipdeck::console::msg::{Msg, OpResult};
use shipdeck::console::overlay::{Confirmed, Overlay};
use shipdeck::console::state::{Level, OpKind, State, TargetKey, View};
use shipdeck::console::update::update;
use shipdeck::domain::channel::{Channel, ChannelKind};
use shipdeck::domain::event::Fact;
use shipdeck::tui::theme::Theme;
use shipdeck::tui::views;
use tui_support::*;

fn ch(state: &mut State, c: char) -> Vec<Effect> {
    update(
        state,
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
    )
}

/// The shop on api × staging (api-v1.5.0 waits there), in the release view.
fn release_view() -> State {
    let mut s = shop();
    s.col = 1;
    s.view = View::Release;
    s
}

fn last_toast(state: &State) -> (Level, String) {
    let t = state.toasts.last().expect("a toast");
    (t.level, t.text.clone())
}

fn with_channel(mut s: State) -> State {
    s.config.channels.push(Channel {
        name: "slack".into(),
        kind: ChannelKind::File {
            path: "notes.md".into(),
        },
    });
    s
}

#[test]
fn e_loads_the_current_notes_then_hands_them_to_the_editor() {
    let mut s = release_view();
    let effects = ch(&mut s, 'e');
    let [
        Effect::Notes {
            op,
            service,
            release,
            env,
        },
    ] = effects.as_slice()
    else {
        panic!("expected the notes to be loaded first, got {effects:?}");
    };
    assert_eq!((service.as_str(), env.as_str()), ("api", "staging"));
    assert_eq!(release.name, "api-v1.5.0");
    assert!(matches!(s.ops[op].kind, OpKind::EditNotes(_, _)));

    let effects = update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::Notes(Ok("# api api-v1.5.0\n".into())),
        },
    );
    let [
        Effect::EditNotes {
            op: edit_op,
            release,
            text,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("expected the editor, got {effects:?}");
    };
    assert_eq!(text, "# api api-v1.5.0\n");
    assert_eq!(release.name, "api-v1.5.0");
    assert_eq!(
        s.ops[edit_op].kind,
        OpKind::SaveNotes(TargetKey::new("api", "staging"))
    );
    assert!(
        effects[0].needs_terminal(),
        "the runner hands the terminal over"
    );
}

#[test]
fn a_recorded_edit_reloads_the_notes_and_an_unchanged_one_says_so() {
    let mut s = release_view();
    let key = TargetKey::new("api", "staging");
    let op = s.start_op(OpKind::SaveNotes(key.clone()), "editing");
    let effects = update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::NotesSaved(Ok(true)),
        },
    );
    assert!(
        matches!(effects.as_slice(), [Effect::Notes { .. }]),
        "{effects:?}"
    );
    assert_eq!(last_toast(&s).1, "recorded: edited the release notes");

    let op = s.start_op(OpKind::SaveNotes(key), "editing");
    let effects = update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::NotesSaved(Ok(false)),
        },
    );
    assert!(matches!(effects.as_slice(), [Effect::Notes { .. }]));
    assert_eq!(
        last_toast(&s).1,
        "the notes are unchanged; nothing recorded"
    );
}

#[test]
fn a_failed_editor_is_an_error_toast_and_nothing_else() {
    let mut s = release_view();
    let op = s.start_op(
        OpKind::SaveNotes(TargetKey::new("api", "staging")),
        "editing",
    );
    let effects = update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::NotesSaved(Err("the editor `vi` exited with status 1".into())),
        },
    );
    assert!(effects.is_empty());
    assert_eq!(last_toast(&s).0, Level::Error);
}

#[test]
fn shift_p_confirms_the_channels_then_publishes() {
    let mut s = with_channel(release_view());
    assert!(
        ch(&mut s, 'P').is_empty(),
        "nothing is sent before the confirmation"
    );
    let Some(Overlay::Confirm(confirm)) = &s.overlay else {
        panic!("expected a confirmation, got {:?}", s.overlay);
    };
    assert_eq!(confirm.title, "Publish the notes of api-v1.5.0");
    assert!(
        confirm.lines.iter().any(|l| l.contains("slack (file)")),
        "{:?}",
        confirm.lines
    );
    assert!(matches!(confirm.action, Confirmed::PublishNotes { .. }));

    let effects = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)),
    );
    let [
        Effect::PublishNotes {
            op, release, env, ..
        },
    ] = effects.as_slice()
    else {
        panic!("expected the publication, got {effects:?}");
    };
    assert_eq!(
        (release.name.as_str(), env.as_str()),
        ("api-v1.5.0", "staging")
    );

    update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::Published(Ok((false, vec!["✗ slack 500 boom".into()]))),
        },
    );
    let (level, text) = last_toast(&s);
    assert_eq!(level, Level::Error);
    assert!(
        text.contains("nothing ticked") && text.contains("500 boom"),
        "{text}"
    );
}

#[test]
fn shift_p_without_channels_says_how_to_add_one() {
    let mut s = release_view();
    assert!(ch(&mut s, 'P').is_empty());
    assert!(s.overlay.is_none());
    assert!(last_toast(&s).1.contains("[[channels]]"));
}

#[test]
fn read_only_refuses_to_edit_or_publish() {
    let mut s = with_channel(release_view());
    s.read_only = true;
    assert!(ch(&mut s, 'e').is_empty());
    assert!(last_toast(&s).1.starts_with("read-only"));
    assert!(ch(&mut s, 'P').is_empty());
    assert!(s.overlay.is_none());
    assert!(s.ops.is_empty());
}

fn render(state: &State) -> String {
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).expect("test backend");
    terminal
        .draw(|frame| {
            views::draw(frame, state, Theme { color: false });
        })
        .expect("draw");
    let buffer = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buffer.area.height {
        let mut line = String::new();
        for x in 0..buffer.area.width {
            line.push_str(buffer[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn the_release_view_shows_a_hand_edit_with_who_and_how_long_ago() {
    let mut s = release_view();
    let mut events = s.events.clone();
    events.push(event(
        90,
        -300,
        "sam@shop.example",
        &Fact::NotesEdited {
            markdown: "# api api-v1.5.0\n\nOrders now paginate.\n".into(),
            replaces: None,
        },
        "api",
        "api-v1.5.0",
        "staging",
    ));
    update(&mut s, Msg::LogChanged(events));
    s.ops.clear();
    let screen = render(&s);
    assert!(
        screen.contains("edited by sam@shop.example 5m ago"),
        "{screen}"
    );
    insta::assert_snapshot!("notes_edited", screen);
}
