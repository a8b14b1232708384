//! Snapshots of every view on fixture states, drawn on ratatui's `TestBackend`.

use crate::tui_support;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use shipdeck::console::msg::{Msg, OpResult};
use shipdeck::console::overlay::Overlay;
use shipdeck::console::state::{Changes, Level, State, TargetKey, View};
use shipdeck::console::update::update;
use shipdeck::domain::change::Commit;
use shipdeck::domain::event::Fact;
use shipdeck::domain::observation::Health;
use shipdeck::tui::theme::Theme;
use shipdeck::tui::views;
use tui_support::*;

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

fn snapshot(name: &str, state: &State) {
    insta::assert_snapshot!(name, filter(&render(state)));
}

/// Commit ids and hashes change with fixtures and temp paths with each run; what matters is
/// where they are shown, so both are replaced by placeholders.
fn filter(screen: &str) -> String {
    let mut out = String::with_capacity(screen.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        let hex = word.len() >= 7
            && word.len() <= 40
            && word.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let digits = word.bytes().all(|b| b.is_ascii_digit());
        if hex && !digits {
            out.push_str("[hash]");
        } else if word.starts_with("/tmp/") {
            out.push_str("[tmp]");
        } else {
            out.push_str(word);
        }
        word.clear();
    };
    for c in screen.chars() {
        if c.is_ascii_alphanumeric()
            || (c == '/' || c == '.' || c == '_' || c == '-') && word.starts_with("/tmp")
            || (c == '/' && word.is_empty())
        {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

fn with_plans() -> State {
    let mut s = shop();
    let _ = shipdeck::console::live::refresh_plans(&mut s);
    answer_gate_plans(&mut s);
    s
}

fn at_cell(s: &mut State, row: usize, col: usize) {
    s.row = row;
    s.col = col;
}

#[test]
fn board_before_any_probe_answers_says_checking() {
    let mut s = State::new(
        config(&["api", "web", "worker"]),
        USER,
        false,
        vec![],
        now(),
    );
    s.releases.insert("api".into(), releases("api"));
    snapshot("board_checking", &s);
}

#[test]
fn board_with_health_ages_candidates_and_a_freeze_badge() {
    let mut s = with_plans();
    update(
        &mut s,
        Msg::Observed(observed("web", "staging", "1.4.2", Health::Fail)),
    );
    s.ops.clear();
    snapshot("board", &s);
}

#[test]
fn board_with_a_deployment_in_flight_drift_and_a_failure() {
    let mut s = with_plans();
    let mut events = s.events.clone();
    events.push(deployed(900, -12, "api", "api-v1.5.0", "staging").remove(0));
    let mut failed = deployed(910, -60, "web", "web-v1.6.0", "dev");
    failed[1] = event(
        911,
        -30,
        USER,
        &Fact::DeployFailed {
            deployment: failed[0].id.clone(),
            reason: "not healthy within 30s".into(),
        },
        "web",
        "web-v1.6.0",
        "dev",
    );
    events.extend(failed);
    update(&mut s, Msg::LogChanged(events));
    update(
        &mut s,
        Msg::Observed(observed("worker", "prod", "1.4.2", Health::Pass)),
    );
    s.ops.clear();
    s.toasts.clear();
    snapshot("board_in_flight", &s);
}

#[test]
fn board_read_only_says_so_in_the_header() {
    let mut s = shop();
    s.read_only = true;
    s.toast(Level::Error, shipdeck::console::flows::READ_ONLY);
    snapshot("board_read_only", &s);
}

#[test]
fn gates_view_lists_each_gate_with_status_reason_who_and_countdown() {
    let mut s = with_plans();
    s.view = View::Gates;
    s.list.insert("gates", 2);
    snapshot("gates", &s);
}

#[test]
fn target_view_shows_history_deployments_and_changes() {
    let mut s = shop();
    at_cell(&mut s, 0, 1);
    for i in 0..20u64 {
        let mut o = observed(
            "api",
            "staging",
            "1.4.2",
            if i % 7 == 6 {
                Health::Warn
            } else {
                Health::Pass
            },
        );
        o.latency_ms = Some(10 + (i * 13) % 40);
        update(&mut s, Msg::Observed(o));
    }
    s.changes.insert(
        TargetKey::new("api", "staging"),
        Changes {
            from: "api-v1.4.2".into(),
            to: "api-v1.5.0".into(),
            commits: commits(),
        },
    );
    s.ops.clear();
    s.view = View::Target;
    snapshot("target", &s);
}

fn commits() -> Vec<Commit> {
    vec![
        Commit {
            commit: "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            author: "Dana Reyes".into(),
            date: at(-3600),
            summary: "feat(api): paginate orders".into(),
        },
        Commit {
            commit: "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            author: "Sam Okafor".into(),
            date: at(-7200),
            summary: "fix(api): retry payment webhooks once".into(),
        },
        Commit {
            commit: "3333333ccccccccccccccccccccccccccccccccc".into(),
            author: "Lee Park".into(),
            date: at(-9000),
            summary: "perf(db): index orders by customer".into(),
        },
    ]
}

#[test]
fn checklist_view_shows_progress_who_ticked_and_notes() {
    let mut s = shop();
    let mut events = s.events.clone();
    events.push(event(
        700,
        -300,
        "dana@shop.example",
        &Fact::ItemTicked {
            checklist: "production-release".into(),
            item: "controls".into(),
            note: Some("CAB ok".into()),
            by_event: None,
        },
        "api",
        "api-v1.4.2",
        "prod",
    ));
    events.push(event(
        701,
        -200,
        "shipdeck",
        &Fact::ItemTicked {
            checklist: "production-release".into(),
            item: "package".into(),
            note: None,
            by_event: Some("abcdef0123".into()),
        },
        "api",
        "api-v1.4.2",
        "prod",
    ));
    update(&mut s, Msg::LogChanged(events));
    s.ops.clear();
    at_cell(&mut s, 0, 2);
    s.view = View::Checklist;
    s.list.insert("checklist", 1);
    snapshot("checklist", &s);
}

#[test]
fn release_view_shows_the_changelog_and_notes() {
    let mut s = shop();
    at_cell(&mut s, 0, 1);
    let key = TargetKey::new("api", "staging");
    s.changes.insert(
        key.clone(),
        Changes {
            from: "api-v1.4.2".into(),
            to: "api-v1.5.0".into(),
            commits: commits(),
        },
    );
    s.notes.insert(
        key,
        "# api 1.5.0\n\n## Features\n- paginate orders (1111111, Dana Reyes)\n".into(),
    );
    s.view = View::Release;
    snapshot("release", &s);
}

#[test]
fn activity_view_lists_events_newest_first_and_deployer_output() {
    let mut s = shop();
    s.view = View::Activity;
    s.output.insert(
        7,
        (
            "deploying api-v1.5.0 to staging".into(),
            ["accepted: 202".to_string(), "rolling out 1/3".to_string()]
                .into_iter()
                .collect(),
        ),
    );
    snapshot("activity", &s);
}

#[test]
fn help_lists_the_keys_of_the_current_view() {
    let mut s = shop();
    s.overlay = Some(Overlay::Help);
    snapshot("help_board", &s);
    s.view = View::Checklist;
    snapshot("help_checklist", &s);
}

#[test]
fn palette_shows_fuzzy_matches() {
    let mut s = shop();
    shipdeck::console::flows::open_palette(&mut s);
    if let Some(Overlay::Palette(p)) = &mut s.overlay {
        p.query = "prom api prod".into();
    }
    snapshot("palette", &s);
}

#[test]
fn confirm_shows_the_call_the_gates_the_commits_and_the_typed_name() {
    let mut s = shop();
    at_cell(&mut s, 0, 2);
    let effects = update(
        &mut s,
        Msg::Key(shipdeck::console::key::KeyEvent::from(
            shipdeck::console::key::KeyCode::Char('p'),
        )),
    );
    let [shipdeck::console::effect::Effect::LoadPlan { op, .. }] = effects[..] else {
        panic!()
    };
    snapshot("confirm_planning", &s);
    let plan = prod_plan(&s);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan)),
        },
    );
    if let Some(Overlay::Confirm(c)) = &mut s.overlay {
        c.typed = "pr".into();
    }
    s.toasts.clear();
    snapshot("confirm_prod", &s);
}
