//! Trains in the console (issue 14): a row per train above the services, each cell the train
//! release running there and its latest promotion; `p` on a train cell plans every member and
//! asks (a blocking gate keeps Enter shut and the name unasked); confirmed, the promotion runs
//! in the backend; a failure that moved members offers their backout; `C` cuts, Enter shows.
//! `update()`-level, drawn on `TestBackend`.

use crate::tui_support;

use shipdeck::app::actions::train::{MemberPlan, TrainPlan};
use shipdeck::app::actions::train_promote::TrainRun;
use shipdeck::console::effect::Effect;
use shipdeck::console::key::{KeyCode, KeyEvent};
use shipdeck::console::msg::{Msg, OpResult};
use shipdeck::console::overlay::Overlay;
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::domain::event::Fact;
use shipdeck::domain::train::{Train, TrainMember, TrainRelease};
use tui_support::*;

const CUT: &str = "shop-2026.12.04-1";

/// The shop with the train `shop` (api, web, worker) and a release of it cut from staging
/// (every member's 1.4.2, which runs there).
fn with_train() -> State {
    let mut s = shop();
    s.config.trains.push(Train {
        name: "shop".into(),
        services: vec!["api".into(), "web".into(), "worker".into()],
    });
    let members: Vec<TrainMember> = ["api", "web", "worker"]
        .iter()
        .map(|svc| TrainMember {
            service: (*svc).into(),
            release: format!("{svc}-v1.4.2"),
            commit: release(svc, "1.4.2", 6).commit,
        })
        .collect();
    let mut events = s.events.clone();
    let seq = events.len() as u64 + 1;
    events.push(event(
        seq,
        -60,
        "dana@shop.example",
        &Fact::TrainCut { members },
        "shop",
        CUT,
        "staging",
    ));
    update(&mut s, Msg::LogChanged(events));
    s.ops.clear();
    s.row = 0;
    s
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::from(code)))
}

fn train_release(s: &State) -> TrainRelease {
    s.trains.release("shop", CUT).expect("cut").clone()
}

/// A plan of the cut into prod: api ready, web blocked by its approval, worker already there.
fn prod_train_plan(s: &State, blocked: bool) -> TrainPlan {
    let release = train_release(s);
    let mut api = prod_plan(s);
    api.report.gates.clear();
    let mut web = prod_plan(s);
    web.service = "web".into();
    if !blocked {
        web.report.gates.clear();
    }
    let worker = prod_plan(s);
    TrainPlan {
        train: "shop".into(),
        env: "prod".into(),
        members: vec![
            MemberPlan {
                member: release.members[0].clone(),
                plan: api,
                already: false,
            },
            MemberPlan {
                member: release.members[1].clone(),
                plan: web,
                already: false,
            },
            MemberPlan {
                member: release.members[2].clone(),
                plan: worker,
                already: true,
            },
        ],
        release,
        approvals: Vec::new(),
        protected: true,
    }
}

/// `p` on the train's prod cell, answered with [`prod_train_plan`].
fn open_prod_dialog(s: &mut State, blocked: bool) {
    s.col = 2;
    let op = op_of(&press(s, KeyCode::Char('p')));
    answer_plan(s, op, blocked);
}

/// The backend's answer to the train plan asked as `op`.
fn answer_plan(s: &mut State, op: u64, blocked: bool) {
    let plan = prod_train_plan(s, blocked);
    update(
        s,
        Msg::OpFinished {
            op,
            result: OpResult::TrainPlan(Ok(plan)),
        },
    );
}

fn op_of(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::TrainPlan { op, .. }
            | Effect::TrainPromote { op, .. }
            | Effect::TrainBackout { op, .. }
            | Effect::TrainCut { op, .. } => Some(*op),
            _ => None,
        })
        .expect("a train effect")
}

#[test]
fn the_board_shows_a_row_per_train_above_the_services_with_what_runs_in_each_environment() {
    let s = with_train();
    let board = render_at(&s, 160, 45);
    let lines: Vec<&str> = board.lines().collect();
    let train_line = lines
        .iter()
        .position(|l| l.contains("shop") && l.contains(CUT))
        .unwrap_or_else(|| panic!("no train row:\n{board}"));
    let api_line = lines
        .iter()
        .position(|l| l.contains("api") && l.contains("1.5.0"))
        .expect("api row");
    assert!(
        train_line < api_line,
        "the train row is above the services:\n{board}"
    );
    assert!(
        lines[train_line].contains("members differ"),
        "dev runs 1.5.0s:\n{board}"
    );
    assert!(lines[train_line + 1].contains("train · 3"), "{board}");
}

#[test]
fn p_on_a_train_cell_lists_every_members_plan_and_a_blocking_gate_keeps_enter_shut() {
    let mut s = with_train();
    s.col = 2; // prod
    let effects = press(&mut s, KeyCode::Char('p'));
    let op = op_of(&effects);
    assert!(
        matches!(&effects[..], [Effect::TrainPlan { train, release, env, .. }]
            if train == "shop" && release == CUT && env == "prod"),
        "{effects:?}"
    );
    answer_plan(&mut s, op, true);
    let dialog = render_at(&s, 160, 45);
    assert!(
        dialog.contains("Promote train shop shop-2026.12.04-1 to prod"),
        "{dialog}"
    );
    assert!(dialog.contains("1. api api-v1.4.2"), "{dialog}");
    assert!(dialog.contains("2. web web-v1.4.2"), "{dialog}");
    assert!(dialog.contains("blocked"), "{dialog}");
    assert!(dialog.contains("already runs it: skipped"), "{dialog}");
    // Blocked: typing and Enter do nothing.
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::TrainPromote { .. })),
        "{effects:?}"
    );
    assert!(matches!(s.overlay, Some(Overlay::Confirm(_))));
}

#[test]
fn confirmed_the_train_runs_and_a_failure_that_moved_members_offers_their_backout() {
    let mut s = with_train();
    open_prod_dialog(&mut s, false);
    // Protected: the name, then Enter.
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::TrainPromote { train, release, env, .. }]
            if train == "shop" && release == CUT && env == "prod"),
        "{effects:?}"
    );
    let op = op_of(&effects);
    update(
        &mut s,
        Msg::TrainProgress("api: verified api-v1.4.2 in prod".into()),
    );
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::TrainRun(Ok(TrainRun {
                promotion: "p1".into(),
                ok: false,
                moved: vec!["api".into(), "web".into()],
                failed: Some("web".into()),
                reason: "web-v1.4.2 not verified: HTTP 503".into(),
            })),
        },
    );
    let screen = render_at(&s, 160, 45);
    assert!(
        screen.contains("Back out train shop-2026.12.04-1 in prod?"),
        "{screen}"
    );
    assert!(screen.contains("web → api"), "reverse order:\n{screen}");
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::TrainBackout { train, release, env, .. }]
            if train == "shop" && release == CUT && env == "prod"),
        "{effects:?}"
    );
}

#[test]
fn c_cuts_enter_shows_the_train_and_read_only_refuses_both_acts() {
    let mut s = with_train();
    s.col = 1; // staging
    let effects = press(&mut s, KeyCode::Char('C'));
    assert!(
        matches!(&effects[..], [Effect::TrainCut { train, env, .. }] if train == "shop" && env == "staging"),
        "{effects:?}"
    );
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    let Some(Overlay::Detail(detail)) = &s.overlay else {
        panic!("Enter shows the train: {:?}", s.overlay);
    };
    let text = detail.lines.join("\n");
    assert!(
        text.contains("members, in promotion order: api → web → worker"),
        "{text}"
    );
    assert!(
        text.contains("staging      runs shop-2026.12.04-1"),
        "{text}"
    );
    assert!(text.contains("    worker worker-v1.4.2"), "{text}");
    s.overlay = None;

    // A key that acts on one service says where it works instead.
    assert!(press(&mut s, KeyCode::Char('a')).is_empty());
    assert!(s.toasts.iter().any(|t| t.text.contains("shop is a train")));

    let mut ro = with_train();
    ro.read_only = true;
    assert!(press(&mut ro, KeyCode::Char('C')).is_empty());
    assert!(press(&mut ro, KeyCode::Char('p')).is_empty());
    assert!(
        ro.toasts.iter().any(|t| t.text.contains("read-only")),
        "{:?}",
        ro.toasts
    );
}

#[test]
fn the_train_dialog_stays_live_a_probe_report_re_plans_it_and_opens_a_blocked_gate() {
    let mut s = with_train();
    open_prod_dialog(&mut s, true);
    assert!(render_at(&s, 160, 45).contains("blocked: web"));
    // A probe's report arrives: the open dialog asks for a fresh plan of every member.
    let effects = update(
        &mut s,
        Msg::Observed(observed(
            "web",
            "dev",
            "1.5.1",
            shipdeck::domain::observation::Health::Pass,
        )),
    );
    let op = effects
        .iter()
        .find_map(|e| match e {
            Effect::TrainPlan { op, .. } => Some(*op),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no re-plan: {effects:?}"));
    answer_plan(&mut s, op, false);
    let dialog = render_at(&s, 160, 45);
    assert!(!dialog.contains("blocked: web"), "{dialog}");
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::TrainPromote { .. }]),
        "{effects:?}"
    );
}
