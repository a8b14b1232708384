//! `--read-only` refuses every action path: each headless command that changes anything exits 1
//! saying read-only and writes nothing (the log's bytes, the tags and the trust store stay as
//! they were); in the console, no key in any view and no palette entry asks for a change.

use crate::common;
use crate::tui_support;

use std::path::Path;

use common::{git, project, shipdeck, stderr};
use shipdeck::console::effect::Effect;
use shipdeck::console::key::{KeyCode, KeyEvent, KeyModifiers};
use shipdeck::console::msg::Msg;
use shipdeck::console::overlay::Overlay;
use shipdeck::console::state::State;
use shipdeck::console::update::update;

/// Every file under `dir` with its bytes, sorted: what "nothing was written" compares.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            out.extend(snapshot(&path));
        } else {
            out.push((
                path.display().to_string(),
                std::fs::read(&path).unwrap_or_default(),
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn every_headless_action_refuses_under_read_only_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    // Something in the log already, so "unchanged" is about bytes that exist.
    let out = shipdeck(
        d,
        "alice@x",
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let repo = d.join("repo");
    let state_before = snapshot(&d.join(".shipdeck"));
    // The user data dir holds the trust store; its diagnostics log is allowed to grow.
    let trust_of = |files: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        files
            .into_iter()
            .filter(|(path, _)| !path.ends_with("shipdeck.log"))
            .collect()
    };
    let data_before = trust_of(snapshot(&d.join(".data")));
    let tags_before = git(&repo, &["tag", "-l"]);

    let actions: &[&[&str]] = &[
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
        &[
            "promote",
            "api",
            "api-v1.2.0",
            "--to",
            "dev",
            "--yes",
            "--no-wait",
        ],
        &["rollback", "api", "--env", "dev", "--yes"],
        &[
            "rollback",
            "api",
            "--env",
            "dev",
            "--to",
            "api-v1.0.0",
            "--yes",
        ],
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
        &[
            "approve",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--note",
            "ok",
        ],
        &[
            "override",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--gate",
            "checklist",
            "--reason",
            "incident",
        ],
        &[
            "checklist",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "tick",
            "backout",
        ],
        &[
            "checklist",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "untick",
            "backout",
        ],
        &["tag", "api", "main", "1.3.0"],
        &["tag", "api", "main", "1.3.0", "--message", "x", "--push"],
        &["trust"],
    ];
    for args in actions {
        // `--read-only` before the command and after it, as the contract allows both.
        let before: Vec<&str> = std::iter::once("--read-only")
            .chain(args.iter().copied())
            .collect();
        let after: Vec<&str> = args
            .iter()
            .copied()
            .chain(std::iter::once("--read-only"))
            .collect();
        for argv in [before, after] {
            let out = shipdeck(d, "bob@x", &argv);
            assert_eq!(
                out.status.code(),
                Some(1),
                "{argv:?} was not refused: {}",
                stderr(&out)
            );
            assert!(
                stderr(&out).contains("read-only"),
                "{argv:?} does not say read-only: {}",
                stderr(&out)
            );
        }
    }
    assert!(
        snapshot(&d.join(".shipdeck")) == state_before,
        "the state dir changed"
    );
    assert!(
        trust_of(snapshot(&d.join(".data"))) == data_before,
        "the trust store changed"
    );
    assert_eq!(git(&repo, &["tag", "-l"]), tags_before, "a tag was made");

    // Reading still works.
    for args in [
        &["--read-only", "status"][..],
        &["--read-only", "plan", "api", "api-v1.2.0", "--to", "prod"],
        &[
            "--read-only",
            "checklist",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "show",
        ],
        &["--read-only", "log", "--verify"],
    ] {
        let out = shipdeck(d, "bob@x", args);
        assert!(
            matches!(out.status.code(), Some(0 | 3)),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert!(snapshot(&d.join(".shipdeck")) == state_before);
}

/// Effects that change something outside the console.
fn mutating(effect: &Effect) -> bool {
    matches!(
        effect,
        Effect::Promote { .. }
            | Effect::RollbackTarget { .. }
            | Effect::Approve { .. }
            | Effect::Override { .. }
            | Effect::Tick { .. }
            | Effect::Note { .. }
            | Effect::Tag { .. }
    )
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

#[test]
fn no_key_in_any_view_asks_for_a_change_under_read_only() {
    let mut s = tui_support::shop();
    s.read_only = true;
    let mut keys: Vec<KeyCode> = (' '..='~')
        .filter(|c| !matches!(c, 'q' | ':' | '/'))
        .map(KeyCode::Char)
        .collect();
    keys.extend([KeyCode::Enter, KeyCode::Tab, KeyCode::BackTab]);
    let mut asked = Vec::new();
    // Every view of the registry, whichever views it has.
    for view in shipdeck::console::views::VIEWS.iter().map(|v| v.key) {
        for row in 0..3 {
            for col in 0..3 {
                for key in &keys {
                    press(&mut s, KeyCode::Char(view));
                    s.row = row;
                    s.col = col;
                    asked.extend(press(&mut s, *key));
                    // Whatever opened (a prompt, a confirmation), answer yes to it.
                    if s.overlay.is_some() {
                        asked.extend(press(&mut s, KeyCode::Char('y')));
                        asked.extend(press(&mut s, KeyCode::Enter));
                    }
                    press(&mut s, KeyCode::Esc);
                    press(&mut s, KeyCode::Esc);
                }
            }
        }
    }
    let bad: Vec<&Effect> = asked.iter().filter(|e| mutating(e)).collect();
    assert!(bad.is_empty(), "read-only console asked for {bad:?}");
}

#[test]
fn the_palette_offers_no_change_under_read_only_and_typing_one_does_nothing() {
    let mut s = tui_support::shop();
    s.read_only = true;
    let items = shipdeck::console::palette::items(&s);
    assert!(!items.is_empty());
    for (words, command) in &items {
        assert!(!command.mutates(), "offered `{words}`");
    }
    for typed in [
        "promote api api-v1.5.0 staging",
        "rollback api prod",
        "approve api",
        "tag api",
    ] {
        press(&mut s, KeyCode::Char(':'));
        assert!(matches!(s.overlay, Some(Overlay::Palette(_))));
        for c in typed.chars() {
            press(&mut s, KeyCode::Char(c));
        }
        let mut asked = press(&mut s, KeyCode::Enter);
        if s.overlay.is_some() {
            asked.extend(press(&mut s, KeyCode::Enter));
        }
        assert!(!asked.iter().any(mutating), "`{typed}` asked for {asked:?}");
        press(&mut s, KeyCode::Esc);
    }
}
