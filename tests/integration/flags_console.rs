//! The console's side of feature flags, through `update` without a terminal: readings reach the
//! state as messages; the board cell shows a service's flags (`⚑ 2 on · 1 at 10%`) or that its
//! flag service cannot be read; the Flags view groups flags × environments by service and
//! filters them; Space, `+` and `-` plan the change the command line's `flag` would make (the
//! exact call, the typed name in a protected environment, a freeze refusing a raise,
//! `--read-only` refusing everything), and its read-back shows at once; Enter shows the history
//! from the log and the strategies. Plus snapshots of the Flags view and of the release view's
//! flags.

use std::collections::BTreeMap;
use std::time::Duration;

use shipdeck::app::actions::{FlagOutcome, FlagPlan};
use shipdeck::console::cell::board_cell;
use shipdeck::console::effect::Effect;
use shipdeck::console::key::{KeyCode, KeyEvent};
use shipdeck::console::model::Deploys;
use shipdeck::console::msg::{Msg, OpResult};
use shipdeck::console::overlay::Overlay;
use shipdeck::console::state::{State, View};
use shipdeck::console::update::update;
use shipdeck::domain::event::Fact;
use shipdeck::domain::flag::{
    DEFAULT_ROLLOUT_STEPS, FlagFault, FlagKind, FlagReading, FlagService, FlagState, FlagValue,
    HttpFlags, HttpRead, HttpWrite,
};
use shipdeck::domain::flag_change::FlagAction;
use shipdeck::flags::Call;

use crate::config_support::load_str;
use crate::tui_support::{self, at, event, render_at, shop};

mod changes;

const CONFIG: &str = r#"[project]
name = "shop"

[[environments]]
name = "dev"

[[environments]]
name = "prod"

[[services]]
name = "api"
repo = "."
tags = "api-v*"

[[flags]]
name = "home"
kind = "http"
read = { url = "http://127.0.0.1:9/flags", list = "/flags", name = "/name", enabled = "/on" }
write = { url = "http://127.0.0.1:9/flags/{{flag}}" }
services = { api = ["search-v2", "bulk-export", "new-search"] }
"#;

fn state(name: &str, env: &str, enabled: bool, rollout: Option<u8>) -> FlagState {
    FlagState {
        flag: name.into(),
        env: env.into(),
        value: FlagValue { enabled, rollout },
        strategies: Vec::new(),
        rollout_strategy: None,
    }
}

fn head_of(state: &State, service: &str, env: &str) -> String {
    let deploys = Deploys::new(state);
    board_cell(state, &deploys, service, env)
        .head
        .iter()
        .map(|b| b.text.clone())
        .collect()
}

fn head(state: &State, env: &str) -> String {
    head_of(state, "api", env)
}

#[test]
fn the_board_cell_counts_the_services_flags_there() {
    let config = load_str(CONFIG).expect("valid");
    let mut s = State::new(
        config,
        "dana@shop.example",
        false,
        Vec::new(),
        jiff::Timestamp::now(),
    );
    assert!(!head(&s, "prod").contains('⚑'), "nothing read yet");
    let reading = FlagReading {
        provider: "home".into(),
        at: jiff::Timestamp::now(),
        result: Ok(vec![
            state("search-v2", "prod", true, Some(10)),
            state("bulk-export", "prod", true, None),
            state("new-search", "prod", false, None),
            state("someone-elses", "prod", true, None),
            state("search-v2", "dev", true, Some(100)),
        ]),
    };
    update(&mut s, Msg::FlagsRead(reading));
    assert!(
        head(&s, "prod").contains("⚑ 2 on · 1 at 10%"),
        "{}",
        head(&s, "prod")
    );
    assert!(head(&s, "dev").contains("⚑ 1 on"), "{}", head(&s, "dev"));
    // A service that cannot be read says so, rather than nothing or a stale count.
    let down = FlagReading {
        provider: "home".into(),
        at: jiff::Timestamp::now(),
        result: Err(FlagFault::Unreachable("could not connect".into())),
    };
    update(&mut s, Msg::FlagsRead(down));
    assert!(
        head(&s, "prod").contains("⚑ unreachable") && !head(&s, "prod").contains("on"),
        "{}",
        head(&s, "prod")
    );
}

// ---- The Flags view over the console's fixture shop (api, web, worker on dev → staging → prod,
// prod protected, a year-end freeze on prod).

fn demo_flags() -> FlagService {
    let mut services = BTreeMap::new();
    services.insert(
        "api".to_string(),
        vec!["search-v2".to_string(), "bulk-export".to_string()],
    );
    services.insert("web".to_string(), vec!["new-checkout".to_string()]);
    FlagService {
        name: "demo-flags".into(),
        kind: FlagKind::Http(HttpFlags {
            read: HttpRead {
                url: "http://127.0.0.1:9/flags".into(),
                list: "/flags".into(),
                name: "/name".into(),
                enabled: "/environments/{{env}}/enabled".into(),
                percent: Some("/environments/{{env}}/rollout".into()),
            },
            write: HttpWrite {
                method: "PUT".into(),
                url: "http://127.0.0.1:9/flags/{{flag}}/{{env}}".into(),
                headers: Vec::new(),
                body: None,
            },
            auth: None,
        }),
        environments: ["dev", "staging", "prod"]
            .iter()
            .map(|e| ((*e).to_string(), (*e).to_string()))
            .collect(),
        services,
        rollout_steps: DEFAULT_ROLLOUT_STEPS.to_vec(),
        interval: Duration::from_secs(2),
        timeout: Duration::from_secs(5),
    }
}

fn demo_reading(offset: i64) -> FlagReading {
    let mut states = Vec::new();
    for (flag, values) in [
        (
            "search-v2",
            [(true, Some(100)), (true, Some(100)), (true, Some(10))],
        ),
        ("bulk-export", [(true, None), (false, None), (false, None)]),
        ("new-checkout", [(true, None), (true, None), (true, None)]),
        (
            "maintenance-banner",
            [(false, None), (false, None), (false, None)],
        ),
    ] {
        for (env, (on, pct)) in ["dev", "staging", "prod"].iter().zip(values) {
            let mut s = state(flag, env, on, pct);
            if pct.is_some() {
                s.strategies = vec![format!("flexibleRollout {}%", pct.unwrap_or(0))];
            }
            states.push(s);
        }
    }
    FlagReading {
        provider: "demo-flags".into(),
        at: at(offset),
        result: Ok(states),
    }
}

/// The shop with the demo's flag service read once, in the Flags view.
fn flags_shop() -> State {
    let mut s = shop();
    s.config.flags = vec![demo_flags()];
    update(&mut s, Msg::FlagsRead(demo_reading(-3)));
    press(&mut s, KeyCode::Char('7'));
    assert_eq!(s.view, View::Flags);
    s
}

fn press(s: &mut State, code: KeyCode) -> Vec<Effect> {
    update(s, Msg::Key(KeyEvent::from(code)))
}

/// Moves the cursor to `flag` in `env`.
fn select(s: &mut State, flag: &str, env: &str) {
    let lines = shipdeck::console::flags::lines(s);
    let row = lines
        .iter()
        .position(|l| l.flag == flag)
        .unwrap_or_else(|| panic!("no line {flag}"));
    s.list.insert("flags", row);
    s.col = s
        .config
        .environments
        .iter()
        .position(|e| e.name == env)
        .expect("env");
}

fn last_toast(s: &State) -> String {
    s.toasts.last().map(|t| t.text.clone()).unwrap_or_default()
}

#[test]
fn the_flags_view_groups_flags_by_service_in_path_order_and_filters_them() {
    let mut s = flags_shop();
    let lines = shipdeck::console::flags::lines(&s);
    let names: Vec<(&str, Option<&str>)> = lines
        .iter()
        .map(|l| (l.flag.as_str(), l.service.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("bulk-export", Some("api")),
            ("search-v2", Some("api")),
            ("new-checkout", Some("web")),
            ("maintenance-banner", None),
        ]
    );
    let prod = lines[1].cells[2].as_ref().expect("search-v2 in prod");
    assert_eq!(
        prod.value,
        FlagValue {
            enabled: true,
            rollout: Some(10)
        }
    );
    // `/` filters by flag or service name; the cursor keys walk the rows and environments.
    s.filter = "web".into();
    let lines = shipdeck::console::flags::lines(&s);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].flag, "new-checkout");
    s.filter = "banner".into();
    assert_eq!(
        shipdeck::console::flags::lines(&s)[0].flag,
        "maintenance-banner"
    );
    s.filter.clear();
    press(&mut s, KeyCode::Down);
    press(&mut s, KeyCode::Right);
    press(&mut s, KeyCode::Right);
    press(&mut s, KeyCode::Right);
    let (line, env) = shipdeck::console::flags::selected(&s).expect("a cell");
    assert_eq!((line.flag.as_str(), env.as_str()), ("search-v2", "prod"));
}

#[test]
fn the_palette_offers_each_flags_switch_and_neighbouring_steps() {
    let mut s = flags_shop();
    press(&mut s, KeyCode::Char(':'));
    for c in "flag search-v2 prod rollout 25".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::PlanFlag { flag, env, action: FlagAction::Rollout(25), .. }] if flag == "search-v2" && env == "prod"),
        "{effects:?}"
    );
    let items = shipdeck::console::palette::items(&s);
    let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
    assert!(names.contains(&"flag search-v2 prod off"), "{names:?}");
    assert!(
        names.contains(&"flag search-v2 prod rollout 5"),
        "{names:?}"
    );
    assert!(names.contains(&"flag bulk-export staging on"), "{names:?}");
    // Under --read-only the palette offers no change.
    s.read_only = true;
    assert!(
        !shipdeck::console::palette::items(&s)
            .iter()
            .any(|(n, _)| n.starts_with("flag "))
    );
}

#[test]
fn read_only_refuses_every_flag_key_but_enter() {
    let mut s = flags_shop();
    s.read_only = true;
    select(&mut s, "search-v2", "prod");
    for key in [' ', '+', '-'] {
        s.toasts.clear();
        assert!(press(&mut s, KeyCode::Char(key)).is_empty());
        assert!(s.overlay.is_none());
        assert!(
            last_toast(&s).contains("read-only"),
            "{key}: {}",
            last_toast(&s)
        );
    }
    press(&mut s, KeyCode::Enter);
    assert!(matches!(s.overlay, Some(Overlay::Detail(_))));
}

#[test]
fn enter_shows_the_flags_history_from_the_log_and_its_strategies() {
    let mut s = flags_shop();
    let events = vec![
        event(
            80,
            -600,
            "dana@shop.example",
            &changed_fact("search-v2", (true, Some(5)), (true, Some(10))),
            "api",
            "",
            "prod",
        ),
        event(
            81,
            -300,
            "lena@shop.example",
            &changed_fact("bulk-export", (false, None), (true, None)),
            "api",
            "",
            "dev",
        ),
    ];
    update(&mut s, Msg::LogChanged(events));
    select(&mut s, "search-v2", "prod");
    press(&mut s, KeyCode::Enter);
    let Some(Overlay::Detail(d)) = &s.overlay else {
        panic!("a detail: {:?}", s.overlay);
    };
    let text = d.lines.join("\n");
    assert!(text.contains("strategy: flexibleRollout 10%"), "{text}");
    assert!(
        text.contains("prod: on at 5% → on at 10% by dana@shop.example"),
        "{text}"
    );
    assert!(!text.contains("lena"), "another flag's change: {text}");
}

#[test]
fn a_flag_service_that_goes_down_keeps_its_rows_marked_and_the_view_says_why() {
    let mut s = flags_shop();
    update(
        &mut s,
        Msg::FlagsRead(FlagReading {
            provider: "demo-flags".into(),
            at: at(0),
            result: Err(FlagFault::Unreachable("connection refused".into())),
        }),
    );
    let lines = shipdeck::console::flags::lines(&s);
    assert_eq!(lines.len(), 4);
    assert!(lines.iter().all(|l| l.stale));
    let screen = render_at(&s, 120, 30);
    assert!(
        screen.contains("✖ demo-flags (http) unreachable — changes are refused; rows as read at")
            && screen.contains("unreachable: connection refused"),
        "{screen}"
    );
    // The key still goes to the flag service (it may be back): its answer says why not.
    select(&mut s, "search-v2", "prod");
    assert!(matches!(
        &press(&mut s, KeyCode::Char('+'))[..],
        [Effect::PlanFlag { .. }]
    ));
    press(&mut s, KeyCode::Esc);
    // Back: the rows are current again, by themselves.
    update(&mut s, Msg::FlagsRead(demo_reading(5)));
    assert!(shipdeck::console::flags::lines(&s).iter().all(|l| !l.stale));
    assert!(render_at(&s, 120, 30).contains("✓ demo-flags (http)"));
}

#[test]
fn flags_view_snapshot() {
    let mut s = flags_shop();
    update(
        &mut s,
        Msg::LogChanged(vec![event(
            80,
            -600,
            "dana@shop.example",
            &changed_fact("bulk-export", (true, None), (false, None)),
            "api",
            "",
            "dev",
        )]),
    );
    select(&mut s, "search-v2", "prod");
    insta::assert_snapshot!("flags_view", render_at(&s, 120, 24));
}

#[test]
fn release_view_lists_the_services_flags_snapshot() {
    let mut s = flags_shop();
    s.row = 0; // api
    s.col = 2; // prod
    press(&mut s, KeyCode::Char('5'));
    let screen = render_at(&s, 120, 24);
    assert!(screen.contains("flags of api in prod"), "{screen}");
    insta::assert_snapshot!("release_view_flags", screen);
}

fn plan(flag: &str, env: &str, action: FlagAction, before: (bool, Option<u8>)) -> FlagPlan {
    let before = FlagValue {
        enabled: before.0,
        rollout: before.1,
    };
    let after = action.apply(before);
    FlagPlan {
        provider: "demo-flags".into(),
        flag: flag.into(),
        env: env.into(),
        service: Some("api".into()),
        action,
        before,
        after,
        direction: shipdeck::domain::flag_change::direction(before, after),
        call: Call {
            method: "PUT".into(),
            url: format!("http://127.0.0.1:9/flags/{flag}/{env}"),
            headers: Vec::new(),
            body: None,
        },
        shown_call: format!("PUT http://127.0.0.1:9/flags/{flag}/{env}"),
        protected: env == "prod",
        freeze: None,
    }
}

fn changed_fact(flag: &str, before: (bool, Option<u8>), after: (bool, Option<u8>)) -> Fact {
    let v = |(enabled, rollout)| FlagValue { enabled, rollout };
    Fact::FlagChanged {
        flag: flag.into(),
        provider: "demo-flags".into(),
        before: v(before),
        after: v(after),
        read_back: Some(v(after)),
        ok: true,
        call: format!("PUT http://127.0.0.1:9/flags/{flag}"),
        note: None,
        freeze_override: None,
        detail: String::new(),
    }
}
