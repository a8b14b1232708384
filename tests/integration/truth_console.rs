//! Issue 11 in the console: what the board, the status bar and the views say when a target is
//! down, countdowns that count, checklists as they stand, toasts and dialogs that stay true,
//! health changes seen, and every view at 80×24. `update()`-level, drawn on `TestBackend`.

use crate::tui_support;

use std::time::Duration;

use shipdeck::console::cell::board_cell;
use shipdeck::console::model::Deploys;
use shipdeck::console::msg::Msg;
use shipdeck::console::state::{State, View};
use shipdeck::console::update::update;
use shipdeck::domain::config::{ProbeFormat, ProbeSource, ProbeSpec};
use tui_support::*;

/// The shop with api probed at a templated URL.
fn probed_shop() -> State {
    let mut s = shop();
    s.config.services[0].health = Some(ProbeSpec {
        source: ProbeSource::Http {
            url: "http://{{env}}.internal/api/health".into(),
        },
        format: ProbeFormat::Auto,
        version_pointer: None,
        version_url: None,
        interval: None,
        timeout: Duration::from_secs(5),
    });
    s
}

fn cell_status(s: &State, service: &str, env: &str) -> (String, String) {
    let deploys = Deploys::new(s);
    let cell = board_cell(s, &deploys, service, env);
    let head = cell
        .head
        .iter()
        .map(|b| b.text.as_str())
        .collect::<String>();
    (head, cell.status.map(|b| b.text).unwrap_or_default())
}

#[test]
fn a_target_that_is_down_says_why_on_its_cell_in_the_status_bar_and_its_probed_url() {
    let mut s = probed_shop();
    update(
        &mut s,
        Msg::Observed(unreachable("api", "prod", "connection refused")),
    );
    let (head, status) = cell_status(&s, "api", "prod");
    assert!(head.contains("unreachable"), "head: {head}");
    assert!(!head.contains("no version"), "head: {head}");
    assert_eq!(status, "unreachable: connection refused");
    assert_eq!(
        shipdeck::console::down::summary(&s),
        vec!["1 unreachable in prod".to_string()]
    );
    let mut failing = observed(
        "web",
        "staging",
        "1.4.2",
        shipdeck::domain::observation::Health::Fail,
    );
    failing.detail = "HTTP 503".into();
    update(&mut s, Msg::Observed(failing));
    assert_eq!(cell_status(&s, "web", "staging").1, "fail: HTTP 503");
    let board = render_at(&s, 160, 30);
    assert!(board.contains("unreachable: connection refused"), "{board}");
    assert!(
        board.contains("1 failing in staging, 1 unreachable in prod"),
        "{board}"
    );
    // Narrow, the cell keeps the reason and the status bar keeps the count and the key hints.
    let narrow = render_at(&s, 80, 24);
    assert!(narrow.contains("connection refused"), "{narrow}");
    assert!(narrow.contains("1 unreachable in prod"), "{narrow}");
    assert!(narrow.contains("q quit"), "{narrow}");
    s.col = 2;
    s.view = View::Target;
    let target = render_at(&s, 120, 30);
    assert!(
        target.contains("probes http://prod.internal/api/health every 10s"),
        "{target}"
    );
    assert!(
        target.contains("unreachable: connection refused"),
        "{target}"
    );
}

#[test]
fn a_retry_countdown_counts_down_with_each_tick_and_never_starts_above_the_interval() {
    let mut s = probed_shop();
    update(
        &mut s,
        Msg::Observed(unreachable("api", "prod", "connection refused")),
    );
    // The engine asked for a retry in 295 s; the project probes every 10 s.
    update(
        &mut s,
        Msg::Retrying {
            service: "api".into(),
            env: "prod".into(),
            attempt: 29,
            next_at: at(295),
        },
    );
    assert_eq!(
        shipdeck::console::down::retry(&s, "api", "prod"),
        Some((29, "10s".to_string()))
    );
    assert!(cell_status(&s, "api", "prod").0.contains("↻ 10s"));
    assert!(
        shipdeck::console::live::counting_down(&s),
        "ticks every second"
    );
    update(&mut s, Msg::Tick(at(3)));
    assert!(s.dirty);
    assert!(cell_status(&s, "api", "prod").0.contains("↻ 7s"));
    update(&mut s, Msg::Tick(at(11)));
    assert!(cell_status(&s, "api", "prod").0.contains("↻ now"));
    s.col = 2;
    s.view = View::Target;
    let target = render_at(&s, 120, 30);
    assert!(
        target.contains("(29 in a row); next probe in now"),
        "{target}"
    );
}

#[test]
fn the_checklist_view_shows_auto_items_as_their_facts_and_a_note_alone_as_a_note() {
    let mut s = shop();
    s.config
        .checklists
        .get_mut("production-release")
        .expect("template")
        .items[2]
        .auto = Some(shipdeck::domain::config::AutoTick::Tagged);
    let mut events = s.events.clone();
    events.push(event(
        800,
        -120,
        "dana@shop.example",
        &shipdeck::domain::event::Fact::ItemNoted {
            checklist: "production-release".into(),
            item: "backout".into(),
            note: "back to api-v1.4.0 with r".into(),
        },
        "api",
        "api-v1.4.2",
        "prod",
    ));
    update(&mut s, Msg::LogChanged(events));
    s.ops.clear();
    s.col = 2;
    s.view = View::Checklist;
    let screen = render_at(&s, 120, 30);
    let line = |needle: &str| {
        screen
            .lines()
            .find(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}:\n{screen}"))
            .to_string()
    };
    let package = line("Package the release");
    assert!(package.contains("[x]"), "{package}");
    assert!(
        package.contains("auto: tagged api-v1.4.2 at Feb 24 10:00 UTC, 6d ago"),
        "{package}"
    );
    let backout = line("Develop backout plan");
    assert!(backout.contains("[ ]"), "{backout}");
    assert!(
        !backout.contains("unticked"),
        "a note is not an untick: {backout}"
    );
    assert!(
        line("back to api-v1.4.0 with r")
            .contains("✎ dana@shop.example (Mar 02 09:58 UTC, 2m ago)"),
        "{screen}"
    );
    assert!(
        line("before 1/").contains("before 1/3"),
        "the auto item counts"
    );
    // Space on the automatic item unticks it: a person may overrule a fact.
    s.list.insert("checklist", 2);
    let effects = update(
        &mut s,
        Msg::Key(shipdeck::console::key::KeyEvent::from(
            shipdeck::console::key::KeyCode::Char(' '),
        )),
    );
    assert!(
        matches!(&effects[..], [shipdeck::console::effect::Effect::Tick { item, on: false, .. }] if item == "package"),
        "{effects:?}"
    );
}
