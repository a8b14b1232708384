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
    // Narrow, the cell keeps the reason and the status bar keeps the count and the key hints;
    // `unreachable` is a state, not a name: it is not the badge that gives way.
    let deploys = Deploys::new(&s);
    let cell = board_cell(&s, &deploys, "api", "prod");
    assert!(
        cell.head.iter().any(|b| b.text == "unreachable" && !b.fit),
        "{cell:?}"
    );
    drop(deploys);
    let narrow = render_at(&s, 80, 24);
    assert!(narrow.contains("connection refused"), "{narrow}");
    assert!(narrow.contains("○ unreachable"), "{narrow}");
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

fn press(
    s: &mut State,
    code: shipdeck::console::key::KeyCode,
) -> Vec<shipdeck::console::effect::Effect> {
    update(s, Msg::Key(shipdeck::console::key::KeyEvent::from(code)))
}

#[test]
fn errors_stay_until_dismissed_and_are_drawn_above_the_dialog() {
    use shipdeck::console::key::KeyCode;
    use shipdeck::console::state::Level;
    let mut s = shop();
    s.col = 1;
    press(&mut s, KeyCode::Char('p'));
    assert!(s.overlay.is_some());
    s.toast(Level::Error, "the deployer refused: HTTP 409 conflict");
    s.toast(Level::Info, "refreshing…");
    update(&mut s, Msg::Tick(at(60)));
    assert_eq!(s.toasts.len(), 1, "the information went, the error stays");
    let screen = render_at(&s, 120, 30);
    assert!(
        screen.contains("the deployer refused: HTTP 409 conflict"),
        "the error is drawn over the dialog:\n{screen}"
    );
    assert!(screen.contains("Esc dismisses"), "{screen}");
    press(&mut s, KeyCode::Esc);
    assert!(s.overlay.is_none(), "Esc closes the dialog first");
    assert_eq!(s.toasts.len(), 1);
    s.view = View::Target;
    press(&mut s, KeyCode::Esc);
    assert!(s.toasts.is_empty(), "then dismisses the error");
    assert_eq!(s.view, View::Target, "without leaving the view");
    press(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Board);
}

fn with_failed_deploy(reason: &str) -> State {
    let mut s = shop();
    let mut events = s.events.clone();
    let mut failed = deployed(900, -60, "api", "api-v1.6.0", "dev");
    failed[1] = event(
        901,
        -30,
        USER,
        &shipdeck::domain::event::Fact::DeployFailed {
            deployment: failed[0].id.clone(),
            reason: reason.into(),
        },
        "api",
        "api-v1.6.0",
        "dev",
    );
    events.extend(failed);
    update(&mut s, Msg::LogChanged(events));
    s.ops.clear();
    s.toasts.clear();
    s
}

#[test]
fn a_failure_reason_stays_whole_in_the_target_view_and_enter_shows_the_whole_event() {
    let reason = "not healthy within 30s: the target kept answering HTTP 503 with body \
                  {\"status\":\"down\",\"db\":\"connection pool exhausted\"} — last seen 10:00:29";
    let mut s = with_failed_deploy(reason);
    s.view = View::Target;
    let screen = render_at(&s, 80, 24).replace(['│', '\n'], "");
    let flat: String = screen.split_whitespace().collect();
    let wanted: String = reason.split_whitespace().collect();
    assert!(
        flat.contains(&wanted),
        "the whole reason:\n{}",
        render_at(&s, 80, 24)
    );
    s.view = View::Activity;
    press(&mut s, shipdeck::console::key::KeyCode::Enter);
    let Some(shipdeck::console::overlay::Overlay::Detail(d)) = &s.overlay else {
        panic!("Enter shows the line: {:?}", s.overlay)
    };
    assert!(d.title.starts_with("event 901"), "{}", d.title);
    assert!(
        d.lines
            .iter()
            .any(|l| l.contains("connection pool exhausted")),
        "{d:?}"
    );
    assert!(
        d.lines
            .iter()
            .any(|l| l.starts_with("by       you@shop.example")),
        "{d:?}"
    );
    let screen = render_at(&s, 120, 30);
    assert!(screen.contains("last seen 10:00:29"), "{screen}");
    press(&mut s, shipdeck::console::key::KeyCode::Esc);
    assert!(s.overlay.is_none());
}

#[test]
fn health_changes_the_console_saw_appear_in_the_target_and_activity_views_not_in_the_log() {
    use shipdeck::domain::observation::Health;
    let mut s = shop();
    let before = s.events.len();
    let mut down = observed("api", "prod", "1.4.0", Health::Fail);
    down.at = at(-300);
    update(&mut s, Msg::Observed(down));
    let mut up = observed("api", "prod", "1.4.0", Health::Pass);
    up.at = at(-60);
    let effects = update(&mut s, Msg::Observed(up));
    assert_eq!(s.events.len(), before, "nothing recorded");
    assert!(
        !effects.iter().any(|e| e.decision().is_some()),
        "no event asked for: {effects:?}"
    );
    let seen: Vec<_> = s
        .health_changes
        .iter()
        .map(|h| (h.from, h.to, h.at))
        .collect();
    assert_eq!(
        seen,
        vec![
            (Health::Pass, Health::Fail, at(-300)),
            (Health::Fail, Health::Pass, at(-60))
        ]
    );
    s.col = 2;
    s.view = View::Target;
    let target = render_at(&s, 120, 30);
    assert!(target.contains("health changes seen"), "{target}");
    assert!(
        target.contains("09:55:00 pass → fail · HTTP 503 (5m ago)"),
        "{target}"
    );
    assert!(
        target.contains("09:59:00 fail → pass · HTTP 200 (1m ago)"),
        "{target}"
    );
    s.view = View::Activity;
    let activity = render_at(&s, 120, 30);
    let first = activity.lines().nth(2).unwrap_or_default();
    assert!(
        first.contains("health seen")
            && first.contains("(this console)")
            && first.contains("api prod fail → pass: HTTP 200"),
        "newest first:\n{activity}"
    );
    assert!(
        activity.contains("api prod pass → fail: HTTP 503"),
        "{activity}"
    );
    press(&mut s, shipdeck::console::key::KeyCode::Enter);
    let Some(shipdeck::console::overlay::Overlay::Detail(d)) = &s.overlay else {
        panic!("Enter shows the health change: {:?}", s.overlay)
    };
    assert_eq!(d.title, "health of api in prod — seen by this console");
    assert!(
        d.lines.contains(&"health   fail → pass".to_string()),
        "{d:?}"
    );
    assert!(
        d.lines
            .iter()
            .any(|l| l.contains("not an event of the log")),
        "{d:?}"
    );
}

#[test]
fn the_activity_view_follows_the_services_filter() {
    let mut s = shop();
    s.view = View::Activity;
    s.filter = "web".into();
    let rows = shipdeck::console::activity::rows(&s);
    assert_eq!(rows.len(), 6);
    assert!(rows.iter().all(|r| matches!(r, shipdeck::console::activity::Row::Event(e) if e.service.as_deref() == Some("web"))));
    let screen = render_at(&s, 80, 24);
    assert!(screen.contains("Event log /web"), "{screen}");
    assert!(!screen.contains(" api "), "{screen}");
}

fn open_confirm(s: &mut State) -> &shipdeck::console::overlay::Confirm {
    match &s.overlay {
        Some(shipdeck::console::overlay::Overlay::Confirm(c)) => c,
        other => panic!("no dialog: {other:?}"),
    }
}

#[test]
fn the_plan_dialog_stays_live_and_asks_for_the_name_only_once_no_gate_blocks() {
    use shipdeck::console::effect::Effect;
    use shipdeck::console::key::KeyCode;
    use shipdeck::console::msg::OpResult;
    use shipdeck::domain::gates::GateStatus;
    let mut s = shop();
    s.col = 2;
    let [Effect::LoadPlan { op, .. }] = press(&mut s, KeyCode::Char('p'))[..] else {
        panic!("p plans")
    };
    let plan = prod_plan(&s);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan.clone())),
        },
    );
    assert!(!open_confirm(&mut s).asks_name(), "gates block");
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert_eq!(
        open_confirm(&mut s).typed,
        "",
        "nothing is typed while blocked"
    );
    let screen = render_at(&s, 120, 30);
    assert!(!screen.contains("type its name"), "{screen}");
    assert!(screen.contains("⏱ 25s"), "{screen}");
    // The soak countdown counts down while the dialog is open.
    update(&mut s, Msg::Tick(at(10)));
    assert!(render_at(&s, 120, 30).contains("⏱ 15s"));
    // It ends: the dialog asks for a fresh plan, and shows it.
    let effects = update(&mut s, Msg::Tick(at(26)));
    let refresh = open_confirm(&mut s)
        .refreshing
        .expect("a refresh asked for");
    assert!(
        effects.iter().any(
            |e| matches!(e, Effect::LoadPlan { op, env, .. } if *op == refresh && env == "prod")
        ),
        "{effects:?}"
    );
    // Out of sight: the last plan stays shown, no spinner in the status bar.
    assert!(shipdeck::console::live::in_background(&s, refresh));
    assert!(!render_at(&s, 120, 30).contains("re-planning"));
    let mut open = plan;
    for g in &mut open.report.gates {
        g.status = GateStatus::Pass;
        g.until = None;
    }
    update(
        &mut s,
        Msg::OpFinished {
            op: refresh,
            result: OpResult::Plan(Ok(open)),
        },
    );
    let c = open_confirm(&mut s);
    assert!(
        c.plan
            .as_ref()
            .is_some_and(shipdeck::app::actions::Plan::allowed)
    );
    assert!(c.asks_name(), "now the name is asked");
    let screen = render_at(&s, 120, 30);
    assert!(
        screen.contains("prod is protected — type its name"),
        "{screen}"
    );
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    assert!(matches!(
        &press(&mut s, KeyCode::Enter)[..],
        [Effect::Promote { .. }]
    ));
}

#[test]
fn a_colleague_approving_while_the_dialog_is_open_refreshes_its_plan() {
    use shipdeck::console::effect::Effect;
    use shipdeck::console::key::KeyCode;
    use shipdeck::console::msg::OpResult;
    let mut s = shop();
    s.col = 2;
    let [Effect::LoadPlan { op, .. }] = press(&mut s, KeyCode::Char('p'))[..] else {
        panic!("p plans")
    };
    let plan = prod_plan(&s);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan)),
        },
    );
    let mut events = s.events.clone();
    events.push(event(
        950,
        0,
        "dana@shop.example",
        &shipdeck::domain::event::Fact::Approved {
            commit: "a".repeat(40),
            note: None,
        },
        "api",
        "api-v1.4.2",
        "prod",
    ));
    let effects = update(&mut s, Msg::LogChanged(events));
    let refresh = open_confirm(&mut s)
        .refreshing
        .expect("a refresh asked for");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::LoadPlan { op, .. } if *op == refresh)),
        "{effects:?}"
    );
}

/// Every view at 80×24, read-only: the badge, the environment columns and the key hints stay.
#[test]
fn at_80x24_every_view_keeps_the_read_only_badge_the_environments_and_the_key_hints() {
    let mut s = shop();
    let _ = shipdeck::console::live::refresh_plans(&mut s);
    answer_gate_plans(&mut s);
    s.read_only = true;
    s.filter = "a".into();
    update(
        &mut s,
        Msg::Observed(unreachable("api", "prod", "connection refused")),
    );
    s.ops.clear();
    s.col = 2;
    for view in View::all() {
        s.view = view;
        let screen = render_at(&s, 80, 24);
        let name = view.spec().name;
        let header = screen.lines().next().unwrap_or_default();
        assert!(header.contains("READ-ONLY"), "{name}:\n{screen}");
        assert!(header.contains("/a"), "{name}: the filter:\n{screen}");
        let status = screen.lines().nth(23).unwrap_or_default();
        assert!(
            status.contains("? help  : palette  q quit"),
            "{name}:\n{screen}"
        );
        assert!(
            status.contains("1 unreachable in prod"),
            "{name}:\n{screen}"
        );
        insta::assert_snapshot!(format!("narrow_{name}"), screen);
    }
}

#[test]
fn the_rollback_dialog_shows_the_backout_plan_written_on_the_checklist() {
    use shipdeck::console::effect::Effect;
    use shipdeck::console::key::KeyCode;
    use shipdeck::console::msg::OpResult;
    let mut s = shop();
    s.config
        .checklists
        .get_mut("production-release")
        .expect("template")
        .items[1]
        .needs_note = true;
    let mut events = s.events.clone();
    events.push(event(
        810,
        -900,
        "dana@shop.example",
        &shipdeck::domain::event::Fact::ItemTicked {
            checklist: "production-release".into(),
            item: "backout".into(),
            note: Some("r to api-v1.3.9; the schema change is backward compatible".into()),
            by_event: None,
        },
        "api",
        "api-v1.4.0",
        "prod",
    ));
    update(&mut s, Msg::LogChanged(events));
    s.ops.clear();
    s.col = 2;
    let [Effect::RollbackTarget { op, .. }] = press(&mut s, KeyCode::Char('r'))[..] else {
        panic!("r finds what to go back to")
    };
    let previous = release("api", "1.3.9", 20);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::RollbackTarget(Ok(previous)),
        },
    );
    let lines = &open_confirm(&mut s).lines;
    assert_eq!(
        lines.first().map(String::as_str),
        Some("backout plan for api-v1.4.0 in prod (Develop backout plan):")
    );
    assert!(
        lines.iter().any(|l| l.contains("✎ dana@shop.example (Mar 02 09:45 UTC, 15m ago): r to api-v1.3.9")),
        "{lines:?}"
    );
    let screen = render_at(&s, 120, 30);
    assert!(
        screen.contains("r to api-v1.3.9; the schema change is"),
        "{screen}"
    );
}

#[test]
fn at_80x24_long_environment_names_are_cut_to_their_columns_and_every_column_stays() {
    let mut s = shop();
    for name in ["performance-lab", "europe-west-canary"] {
        s.config
            .environments
            .push(shipdeck::domain::config::Environment {
                name: name.into(),
                protected: false,
                gates: vec![],
            });
    }
    let screen = render_at(&s, 80, 24);
    let header = screen.lines().nth(2).unwrap_or_default();
    for label in ["DEV", "STAGING", "PROD 🔒", "PERFORMAN", "EUROPE-WE"] {
        assert!(header.contains(label), "{label} in:\n{screen}");
    }
    // The header's columns line up with the cells': api in prod starts under PROD.
    let col = |line: &str, needle: &str| line.find(needle).map(|b| line[..b].chars().count());
    let api = screen.lines().nth(3).unwrap_or_default();
    assert_eq!(col(header, "PROD"), col(api, "● api-v… 1h"), "{screen}");
}

#[test]
fn at_80x24_the_plan_dialog_says_every_gate_whole_who_must_act_included() {
    use shipdeck::console::effect::Effect;
    use shipdeck::console::key::KeyCode;
    use shipdeck::console::msg::OpResult;
    let mut s = shop();
    s.col = 2;
    let [Effect::LoadPlan { op, .. }] = press(&mut s, KeyCode::Char('p'))[..] else {
        panic!("p plans")
    };
    let plan = prod_plan(&s);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan)),
        },
    );
    let screen = render_at(&s, 80, 24);
    let flat: String = screen
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    assert!(flat.contains("needsonemore—who:anyonebutyou"), "{screen}");
    assert!(
        screen.contains("blocked by gates: soak, approval, checklist"),
        "{screen}"
    );
}
