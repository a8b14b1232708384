//! `update()` tests: each key and message, asserting the state and the effects asked for.

use crate::tui_support;

use shipdeck::console::effect::Effect;
use shipdeck::console::key::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use shipdeck::console::msg::{Hit, Msg, OpResult};
use shipdeck::console::overlay::{Confirmed, InputPurpose, Overlay};
use shipdeck::console::state::{Level, OpKind, State, TargetKey, View};
use shipdeck::console::update::update;
use shipdeck::domain::event::Fact;
use shipdeck::domain::observation::Health;
use tui_support::*;

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update(state, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ch(state: &mut State, c: char) -> Vec<Effect> {
    key(state, KeyCode::Char(c))
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        ch(state, c);
    }
}

fn confirm(state: &State) -> &shipdeck::console::overlay::Confirm {
    match &state.overlay {
        Some(Overlay::Confirm(c)) => c,
        other => panic!("expected a confirmation, got {other:?}"),
    }
}

fn on(state: &mut State, service: &str, env: &str) {
    state.row = shipdeck::console::model::visible_services(state)
        .iter()
        .position(|s| *s == service)
        .expect("visible");
    state.col = state
        .config
        .environments
        .iter()
        .position(|e| e.name == env)
        .expect("env");
}

#[test]
fn arrows_and_hjkl_move_the_board_cursor_within_bounds() {
    let mut s = shop();
    ch(&mut s, 'l');
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Right);
    assert_eq!(s.col, 2, "stops at the last environment");
    ch(&mut s, 'j');
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    assert_eq!(s.row, 2, "stops at the last service");
    ch(&mut s, 'h');
    ch(&mut s, 'k');
    key(&mut s, KeyCode::Up);
    key(&mut s, KeyCode::Up);
    assert_eq!((s.row, s.col), (0, 1));
}

#[test]
fn key_releases_and_repeats_are_ignored() {
    let mut s = shop();
    let mut release = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    release.kind = KeyEventKind::Release;
    update(&mut s, Msg::Key(release));
    let mut repeat = KeyEvent::new(KeyCode::Char('j'), KeyModifiers::NONE);
    repeat.kind = KeyEventKind::Repeat;
    update(&mut s, Msg::Key(repeat));
    assert_eq!(s.row, 0);
}

#[test]
fn tab_number_keys_and_esc_switch_views() {
    let mut s = shop();
    key(&mut s, KeyCode::Tab);
    assert_eq!(s.view, View::Gates);
    key(&mut s, KeyCode::BackTab);
    key(&mut s, KeyCode::BackTab);
    assert_eq!(
        Some(s.view),
        View::all().last(),
        "Shift-Tab wraps to the last view"
    );
    ch(&mut s, '4');
    assert_eq!(s.view, View::Checklist);
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.view, View::Board);
    key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Target, "Enter opens the target");
}

#[test]
fn opening_the_target_loads_the_changes_waiting_there() {
    let mut s = shop();
    on(&mut s, "api", "staging");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Changelog { from, to, .. }
        if from == "api-v1.4.2" && to == "api-v1.5.0"))
    );
}

#[test]
fn an_open_target_view_loads_its_changes_once_the_probe_says_what_runs_there() {
    // Nothing recorded: what runs in dev is known only once its probe reports.
    let mut s = State::new(config(&["api"]), USER, false, Vec::new(), now());
    s.releases.insert("api".to_string(), releases("api"));
    on(&mut s, "api", "dev");
    let opened = key(&mut s, KeyCode::Enter);
    assert_eq!(s.view, View::Target);
    assert!(
        !opened.iter().any(|e| matches!(e, Effect::Changelog { .. })),
        "nothing to compare yet"
    );
    let effects = update(
        &mut s,
        Msg::Observed(observed("api", "dev", "1.5.0", Health::Pass)),
    );
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Changelog { from, to, .. }
        if from == "api-v1.5.0" && to == "api-v1.6.0")),
        "{effects:?}"
    );
}

#[test]
fn question_mark_opens_help_and_esc_closes_it() {
    let mut s = shop();
    ch(&mut s, '?');
    assert!(matches!(s.overlay, Some(Overlay::Help)));
    ch(&mut s, 'j');
    assert!(
        matches!(s.overlay, Some(Overlay::Help)),
        "help swallows other keys"
    );
    assert_eq!(s.row, 0);
    key(&mut s, KeyCode::Esc);
    assert!(s.overlay.is_none());
}

#[test]
fn slash_filters_services_as_you_type_and_esc_clears() {
    let mut s = shop();
    s.row = 2;
    ch(&mut s, '/');
    typed(&mut s, "wor");
    assert_eq!(s.filter, "wor");
    assert_eq!(
        shipdeck::console::model::visible_services(&s),
        vec!["worker"]
    );
    assert_eq!(s.row, 0, "cursor kept on a visible row");
    key(&mut s, KeyCode::Enter);
    assert!(s.overlay.is_none());
    assert_eq!(s.filter, "wor", "Enter keeps the filter");
    key(&mut s, KeyCode::Esc);
    assert_eq!(s.filter, "", "Esc on the board clears it");
}

#[test]
fn palette_fuzzy_matches_and_runs_a_promotion() {
    let mut s = shop();
    ch(&mut s, ':');
    typed(&mut s, "prom api 1.5.0 stag");
    let Some(Overlay::Palette(p)) = &s.overlay else {
        panic!("palette")
    };
    let best = shipdeck::console::palette::matches(&p.query, &p.items)[0]
        .0
        .clone();
    assert_eq!(best, "promote api api-v1.5.0 staging");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::LoadPlan { env, release, .. }]
        if env == "staging" && release.name == "api-v1.5.0")
    );
    assert!(matches!(
        confirm(&s).action,
        Confirmed::Promote {
            rollback: false,
            ..
        }
    ));
}

#[test]
fn promote_opens_a_plan_and_confirming_asks_the_deployer() {
    let mut s = shop();
    on(&mut s, "api", "staging");
    let effects = ch(&mut s, 'p');
    let [Effect::LoadPlan { op, .. }] = effects[..] else {
        panic!("{effects:?}")
    };
    assert_eq!(confirm(&s).blocked().as_deref(), Some("planning…"));
    assert!(
        key(&mut s, KeyCode::Enter).is_empty(),
        "nothing happens while planning"
    );
    let plan = staging_plan(&s, true);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan)),
        },
    );
    assert!(confirm(&s).blocked().is_none());
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::Promote { env, rollback: false, .. }] if env == "staging")
    );
    assert!(s.overlay.is_none());
    assert!(
        s.ops
            .values()
            .any(|o| o.kind == OpKind::Promote(TargetKey::new("api", "staging")))
    );
}

#[test]
fn a_blocked_promotion_cannot_be_confirmed_and_says_which_gates() {
    let mut s = shop();
    on(&mut s, "api", "staging");
    let effects = ch(&mut s, 'p');
    let [Effect::LoadPlan { op, .. }] = effects[..] else {
        panic!()
    };
    let plan = staging_plan(&s, false);
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan)),
        },
    );
    assert_eq!(
        confirm(&s).blocked().as_deref(),
        Some("blocked by gates: healthy")
    );
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    assert!(
        s.toasts
            .iter()
            .any(|t| t.level == Level::Error && t.text.contains("healthy"))
    );
}

#[test]
fn a_protected_environment_needs_its_name_typed() {
    let mut s = shop();
    on(&mut s, "api", "prod");
    let effects = ch(&mut s, 'p');
    let [Effect::LoadPlan { op, .. }] = effects[..] else {
        panic!()
    };
    let mut plan = prod_plan(&s);
    plan.report.gates.retain(|g| g.id == "checklist");
    plan.report.gates[0].status = shipdeck::domain::gates::GateStatus::Pass;
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::Plan(Ok(plan)),
        },
    );
    assert!(ch(&mut s, 'y').is_empty(), "y is typed, not a yes");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    key(&mut s, KeyCode::Backspace);
    typed(&mut s, "pro");
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    ch(&mut s, 'd');
    assert!(matches!(
        &key(&mut s, KeyCode::Enter)[..],
        [Effect::Promote { .. }]
    ));
}

#[test]
fn results_of_superseded_operations_are_dropped() {
    let mut s = shop();
    on(&mut s, "api", "staging");
    let [Effect::LoadPlan { op: first, .. }] = ch(&mut s, 'p')[..] else {
        panic!()
    };
    key(&mut s, KeyCode::Esc);
    let [Effect::LoadPlan { op: second, .. }] = ch(&mut s, 'p')[..] else {
        panic!()
    };
    assert_ne!(first, second);
    let stale = staging_plan(&s, false);
    update(
        &mut s,
        Msg::OpFinished {
            op: first,
            result: OpResult::Plan(Ok(stale)),
        },
    );
    assert!(confirm(&s).plan.is_none(), "the old answer is not shown");
    let fresh = staging_plan(&s, true);
    update(
        &mut s,
        Msg::OpFinished {
            op: second,
            result: OpResult::Plan(Ok(fresh)),
        },
    );
    assert!(
        confirm(&s)
            .plan
            .as_ref()
            .is_some_and(|p| p.report.allowed())
    );
}

#[test]
fn approve_confirms_then_records() {
    let mut s = shop();
    on(&mut s, "api", "prod");
    assert!(ch(&mut s, 'a').is_empty());
    assert!(
        matches!(&confirm(&s).action, Confirmed::Approve { release, .. } if release.name == "api-v1.4.2")
    );
    let effects = ch(&mut s, 'y');
    assert!(matches!(&effects[..], [Effect::Approve { env, .. }] if env == "prod"));
}

#[test]
fn rollback_finds_the_previous_release_then_plans_it() {
    let mut s = shop();
    on(&mut s, "api", "dev");
    let [Effect::RollbackTarget { op, .. }] = ch(&mut s, 'r')[..] else {
        panic!()
    };
    let previous = s.releases["api"][2].clone();
    let effects = update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::RollbackTarget(Ok(previous)),
        },
    );
    assert!(
        matches!(&effects[..], [Effect::LoadPlan { release, .. }] if release.name == "api-v1.4.2")
    );
    assert!(matches!(
        confirm(&s).action,
        Confirmed::Promote { rollback: true, .. }
    ));
}

#[test]
fn read_only_refuses_every_action_with_a_toast() {
    let mut s = shop();
    s.read_only = true;
    on(&mut s, "api", "staging");
    for c in ['p', 'r', 'a', 't'] {
        assert!(ch(&mut s, c).is_empty(), "{c} did something");
        assert!(s.overlay.is_none());
    }
    ch(&mut s, '4');
    on(&mut s, "api", "prod");
    assert!(ch(&mut s, ' ').is_empty());
    ch(&mut s, '2');
    assert!(ch(&mut s, 'o').is_empty());
    assert!(s.toasts.iter().all(|t| t.text.contains("read-only")));
    assert!(!s.toasts.is_empty());
}

#[test]
fn q_quits_at_once_when_nothing_is_in_flight() {
    let mut s = shop();
    assert_eq!(ch(&mut s, 'q'), vec![Effect::Quit]);
    assert!(s.quitting);
}

#[test]
fn q_asks_first_while_a_deployment_is_in_flight() {
    let mut s = shop();
    let mut events = s.events.clone();
    let mut inflight = deployed(100, -3, "api", "api-v1.5.0", "staging");
    inflight.truncate(1);
    events.extend(inflight);
    update(&mut s, Msg::LogChanged(events));
    assert!(ch(&mut s, 'q').is_empty());
    assert!(matches!(confirm(&s).action, Confirmed::Quit));
    assert_eq!(ch(&mut s, 'y'), vec![Effect::Quit]);
}

#[test]
fn space_ticks_an_item_and_e_asks_for_a_note() {
    let mut s = shop();
    on(&mut s, "api", "prod");
    ch(&mut s, '4');
    ch(&mut s, 'j');
    let effects = ch(&mut s, ' ');
    assert!(matches!(&effects[..], [Effect::Tick { item, on: true, .. }] if item == "backout"));
    ch(&mut s, 'e');
    assert!(
        matches!(&s.overlay, Some(Overlay::Input(i)) if matches!(&i.purpose, InputPurpose::Note { item, .. } if item == "backout"))
    );
    typed(&mut s, "back to 1.4.0");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(matches!(&effects[..], [Effect::Note { note, .. }] if note == "back to 1.4.0"));
}

#[test]
fn a_ticked_item_unticks() {
    let mut s = shop();
    let mut events = s.events.clone();
    events.push(event(
        200,
        -10,
        USER,
        &Fact::ItemTicked {
            checklist: "production-release".into(),
            item: "controls".into(),
            note: None,
            by_event: None,
        },
        "api",
        "api-v1.4.2",
        "prod",
    ));
    update(&mut s, Msg::LogChanged(events));
    on(&mut s, "api", "prod");
    ch(&mut s, '4');
    assert!(matches!(
        &ch(&mut s, ' ')[..],
        [Effect::Tick { on: false, .. }]
    ));
}

#[test]
fn override_asks_for_a_reason_and_never_for_approvals() {
    let mut s = shop();
    let effects = update(&mut s, Msg::Tick(at(1)));
    assert!(effects.is_empty());
    let _ = shipdeck::console::live::refresh_plans(&mut s);
    answer_gate_plans(&mut s);
    ch(&mut s, '2');
    // Rows: dev (evaluating), staging healthy, prod soak, prod approval, prod checklist.
    ch(&mut s, 'j');
    ch(&mut s, 'j');
    ch(&mut s, 'j');
    ch(&mut s, 'o');
    assert!(s.overlay.is_none());
    assert!(
        s.toasts
            .iter()
            .any(|t| t.text.contains("never be overridden"))
    );
    ch(&mut s, 'k');
    ch(&mut s, 'o');
    assert!(
        matches!(&s.overlay, Some(Overlay::Input(i)) if matches!(&i.purpose, InputPurpose::OverrideReason { gate, .. } if gate == "soak"))
    );
    typed(&mut s, "hotfix for INC-42");
    key(&mut s, KeyCode::Enter);
    assert_eq!(confirm(&s).require.as_deref(), Some("prod"));
    typed(&mut s, "prod");
    let effects = key(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::Override { gate, reason, .. }] if gate == "soak" && reason == "hotfix for INC-42")
    );
}

#[test]
fn an_observation_updates_the_cell_and_its_history_and_reevaluates_gates() {
    let mut s = shop();
    let effects = update(
        &mut s,
        Msg::Observed(observed("api", "dev", "1.5.0", Health::Fail)),
    );
    let cell = shipdeck::console::model::cell(&s, "api", "dev");
    assert_eq!(cell.health, Health::Fail);
    assert_eq!(s.targets[&TargetKey::new("api", "dev")].history.len(), 2);
    assert!(effects.iter().any(|e| matches!(e, Effect::LoadPlan { .. })));
    assert!(effects.iter().any(|e| matches!(e, Effect::Settle { .. })));
}

#[test]
fn gate_evaluations_coalesce_while_one_is_in_flight() {
    let mut s = shop();
    let first = shipdeck::console::live::refresh_plans(&mut s);
    assert!(!first.is_empty());
    let again = update(
        &mut s,
        Msg::Observed(observed("api", "dev", "1.5.0", Health::Warn)),
    );
    assert!(!again.iter().any(|e| matches!(e, Effect::LoadPlan { .. })));
    assert!(s.plans_stale);
    let ops: Vec<_> = s.ops.keys().copied().collect();
    let mut later = Vec::new();
    for op in ops {
        later.extend(update(
            &mut s,
            Msg::OpFinished {
                op,
                result: OpResult::Plan(Err("x".into())),
            },
        ));
    }
    assert!(
        later.iter().any(|e| matches!(e, Effect::LoadPlan { .. })),
        "evaluated again once idle"
    );
}

#[test]
fn a_retrying_probe_is_shown_on_its_cell() {
    let mut s = shop();
    update(
        &mut s,
        Msg::Retrying {
            service: "web".into(),
            env: "prod".into(),
            attempt: 3,
            next_at: at(4),
        },
    );
    assert_eq!(
        s.targets[&TargetKey::new("web", "prod")].retrying,
        Some(shipdeck::console::state::Retry {
            attempt: 3,
            at: at(4)
        })
    );
}

#[test]
fn events_from_other_processes_update_the_board_and_announce_outcomes() {
    let mut s = shop();
    let mut events = s.events.clone();
    let mut failed = deployed(300, -20, "api", "api-v1.6.0", "dev");
    failed[1] = event(
        301,
        -5,
        "ci@shop.example",
        &Fact::DeployFailed {
            deployment: failed[0].id.clone(),
            reason: "not healthy within 30s".into(),
        },
        "api",
        "api-v1.6.0",
        "dev",
    );
    events.extend(failed);
    update(&mut s, Msg::LogChanged(events));
    let cell = shipdeck::console::model::cell(&s, "api", "dev");
    assert!(cell.failed.is_some());
    assert!(
        s.toasts
            .iter()
            .any(|t| t.level == Level::Error && t.text.contains("press r"))
    );
}

#[test]
fn a_deployment_in_flight_speeds_up_its_probe_until_it_ends() {
    let mut s = shop();
    let mut events = s.events.clone();
    let mut d = deployed(400, -3, "api", "api-v1.5.0", "staging");
    let done = d.pop().expect("two");
    events.extend(d);
    let effects = update(&mut s, Msg::LogChanged(events.clone()));
    assert!(effects.contains(&Effect::FastProbe {
        service: "api".into(),
        env: "staging".into(),
        on: true
    }));
    events.push(done);
    let effects = update(&mut s, Msg::LogChanged(events));
    assert!(effects.contains(&Effect::FastProbe {
        service: "api".into(),
        env: "staging".into(),
        on: false
    }));
}

#[test]
fn a_second_promote_of_a_target_in_flight_is_refused() {
    let mut s = shop();
    let mut events = s.events.clone();
    events.push(deployed(500, -3, "api", "api-v1.5.0", "staging").remove(0));
    update(&mut s, Msg::LogChanged(events));
    on(&mut s, "api", "staging");
    assert!(ch(&mut s, 'p').is_empty());
    assert!(
        s.toasts
            .iter()
            .any(|t| t.text.contains("already being deployed"))
    );
}

#[test]
fn clicks_select_tabs_and_cells_and_the_wheel_scrolls() {
    let mut s = shop();
    update(&mut s, Msg::Click(Hit::Cell(1, 2)));
    assert_eq!((s.row, s.col), (1, 2));
    update(&mut s, Msg::Click(Hit::Cell(1, 2)));
    assert_eq!(s.view, View::Target, "a second click opens it");
    update(&mut s, Msg::Click(Hit::Tab(View::Board)));
    update(&mut s, Msg::Scroll(1));
    assert_eq!(s.row, 2);
}

#[test]
fn ticks_expire_toasts_and_a_countdown_reaching_zero_reevaluates() {
    let mut s = shop();
    let _ = shipdeck::console::live::refresh_plans(&mut s);
    answer_gate_plans(&mut s);
    s.toast(Level::Info, "hello");
    let effects = update(&mut s, Msg::Tick(at(30)));
    assert!(s.toasts.is_empty());
    assert!(
        effects.iter().any(|e| matches!(e, Effect::LoadPlan { .. })),
        "soak ended at +25s"
    );
}

#[test]
fn tag_proposes_the_next_version_and_confirms() {
    let mut s = shop();
    let [Effect::NextVersions { op, .. }] = ch(&mut s, 't')[..] else {
        panic!()
    };
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::NextVersions(Ok((
                "api".into(),
                vec!["1.6.1".into(), "1.7.0".into()],
            ))),
        },
    );
    assert!(matches!(&s.overlay, Some(Overlay::Input(i)) if i.text == "1.6.1"));
    key(&mut s, KeyCode::Enter);
    let effects = ch(&mut s, 'y');
    assert!(matches!(&effects[..], [Effect::Tag { version, .. }] if version == "1.6.1"));
}

#[test]
fn r_refreshes_everything() {
    let mut s = shop();
    let effects = ch(&mut s, 'R');
    assert!(effects.contains(&Effect::Refresh));
}

#[test]
fn ctrl_c_quits_like_q() {
    let mut s = shop();
    let effects = update(
        &mut s,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert_eq!(effects, vec![Effect::Quit]);
}

#[test]
fn a_shared_log_sync_sets_the_board_badge_and_warns_once() {
    let mut s = shop();
    let synced = |badge: &str| Msg::Synced {
        badge: badge.to_string(),
        warnings: vec![format!("shared log: {badge}")],
    };
    assert!(update(&mut s, synced("stale since 10:02 · 2 unpushed")).is_empty());
    assert_eq!(s.sync_badge, "stale since 10:02 · 2 unpushed");
    assert_eq!(s.toasts.len(), 1);
    // The same news at the next background fetch is not said again.
    update(&mut s, synced("stale since 10:02 · 2 unpushed"));
    assert_eq!(s.toasts.len(), 1);
    update(&mut s, synced(""));
    assert!(s.sync_badge.is_empty(), "back in step");
}
