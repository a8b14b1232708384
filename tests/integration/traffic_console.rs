//! The console's side of slotted targets, without a terminal: router readings reach the state
//! as messages, the board cell says the live slot, its weight, the idle slot's release and the
//! rollout's next step with a live countdown (or `paused: nobody driving`, or the router's
//! fault, or drift), the target view lists the slots and steps, and `p` / `]` / `x` go through
//! the rollout engine's effects with the confirmations the contract asks for.

use shipdeck::app::actions::Plan;
use shipdeck::app::actions::rollout::RolloutPlan;
use shipdeck::console::cell::board_cell;
use shipdeck::console::effect::{Effect, RolloutAction};
use shipdeck::console::key::{Key, KeyCode};
use shipdeck::console::model::Deploys;
use shipdeck::console::msg::{Msg, OpResult};
use shipdeck::console::overlay::{Confirmed, Overlay};
use shipdeck::console::state::{OpKind, State, TargetKey, View};
use shipdeck::console::update::update;
use shipdeck::domain::event::{Event, Fact, RolloutStep};
use shipdeck::domain::gates::GateReport;
use shipdeck::domain::observation::Health;
use shipdeck::domain::traffic::{Step, Weights};
use shipdeck::domain::traffic_reading::{SlotReading, TrafficReading};

use crate::config_support::load_str;
use crate::tui_support::{at, event, now, release, render_at};

mod keys;

const CONFIG: &str = r#"[project]
name = "shop"

[[environments]]
name = "staging"

[[environments]]
name = "prod"
protected = true

[[services]]
name = "web"
repo = "."
tags = "web-v*"
health = "http://127.0.0.1:9/{{env}}/health"
deploy = { kind = "webhook", url = "http://127.0.0.1:9/{{env}}/deploy" }

  [services.env.prod]
  health = "http://127.0.0.1:9/web/slots/{{slot}}/health"
  deploy = { kind = "webhook", url = "http://127.0.0.1:9/web/slots/{{slot}}/deploy" }

  [services.env.prod.traffic]
  kind = "http"
  url = "http://127.0.0.1:9/web/router"
  write = { url = "http://127.0.0.1:9/web/router", body = "{{weights_json}}" }
  slots = ["blue", "green"]
  steps = [{ weight = 10, pause = "10s" }, { weight = 50, pause = "10s" }, { weight = 100 }]
"#;

const DEPLOYMENT: &str = "ev0002";

fn w(blue: u32, green: u32) -> Weights {
    [("blue".to_string(), blue), ("green".to_string(), green)].into()
}

fn steps() -> Vec<RolloutStep> {
    [(10, 10), (50, 10), (100, 0)]
        .into_iter()
        .map(|(weight, pause_secs)| RolloutStep { weight, pause_secs })
        .collect()
}

/// A canary of web-v2.0.0 from blue to green, started 60 s ago; its 10 % step shifted `ago`
/// seconds before the fixture's `now`.
fn canary(step_ago: i64) -> Vec<Event> {
    let (s, r, e) = ("web", "web-v2.0.0", "prod");
    vec![
        event(
            1,
            -60,
            "dana@shop.example",
            &Fact::RolloutStarted {
                deployment: DEPLOYMENT.into(),
                from: "blue".into(),
                to: "green".into(),
                steps: steps(),
                weights: w(100, 0),
            },
            s,
            r,
            e,
        ),
        event(
            2,
            -60,
            "dana@shop.example",
            &Fact::DeployRequested {
                commit: "b".repeat(40),
                previous_release: Some("web-v1.9.0".into()),
                rollback: false,
                call: "POST http://127.0.0.1:9/web/slots/green/deploy".into(),
                verify_timeout_secs: 300,
            },
            s,
            r,
            e,
        ),
        event(
            3,
            -step_ago,
            "dana@shop.example",
            &Fact::TrafficShifted {
                deployment: Some(DEPLOYMENT.into()),
                slot: "green".into(),
                before: w(100, 0),
                after: w(90, 10),
                step: Some(0),
                call: "PUT http://127.0.0.1:9/web/router".into(),
            },
            s,
            r,
            e,
        ),
    ]
}

fn slot(name: &str, weight: u32, release: &str, health: Health) -> SlotReading {
    SlotReading {
        name: name.into(),
        weight: Some(weight),
        release: Some(release.into()),
        reported_version: Some(release.trim_start_matches("web-v").into()),
        health,
        detail: "HTTP 200".into(),
    }
}

fn reading(weights: Result<Weights, String>, driving: bool) -> TrafficReading {
    let (b, g) = weights.as_ref().map_or((0, 0), |w| (w["blue"], w["green"]));
    TrafficReading {
        service: "web".into(),
        env: "prod".into(),
        at: at(-1),
        slots: vec![
            slot("blue", b, "web-v1.9.0", Health::Pass),
            slot("green", g, "web-v2.0.0", Health::Pass),
        ],
        weights,
        driving,
    }
}

fn console(events: Vec<Event>) -> State {
    let config = load_str(CONFIG).expect("valid");
    let mut s = State::new(config, "you@shop.example", false, events, now());
    s.releases.insert(
        "web".into(),
        vec![release("web", "2.0.0", 1), release("web", "1.9.0", 5)],
    );
    s
}

fn head(state: &State) -> String {
    let deploys = Deploys::new(state);
    board_cell(state, &deploys, "web", "prod")
        .head
        .iter()
        .map(|b| b.text.clone())
        .collect()
}

fn status(state: &State) -> String {
    let deploys = Deploys::new(state);
    board_cell(state, &deploys, "web", "prod")
        .status
        .map(|b| b.text)
        .unwrap_or_default()
}

fn key(state: &mut State, c: char) -> Vec<Effect> {
    update(state, Msg::Key(Key::from(KeyCode::Char(c))))
}

fn on_prod(state: &mut State) {
    state.row = 0;
    state.col = 1;
}

#[test]
fn traffic_reading_shows_the_live_slot_its_weight_and_the_idle_slots_release() {
    let mut s = console(Vec::new());
    assert!(!head(&s).contains('⇄'), "nothing read yet: {}", head(&s));
    update(&mut s, Msg::TrafficRead(reading(Ok(w(100, 0)), false)));
    assert!(
        head(&s).contains("⇄ blue 100% · green web-v2.0.0"),
        "{}",
        head(&s)
    );
    // Not slotted: a reading for it changes nothing.
    let mut other = reading(Ok(w(100, 0)), false);
    other.env = "staging".into();
    update(&mut s, Msg::TrafficRead(other));
    assert!(!s.traffic.contains_key(&TargetKey::new("web", "staging")));
}

#[test]
fn traffic_mid_canary_the_cell_counts_down_to_the_next_step_with_every_tick() {
    let mut s = console(canary(2));
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), true)));
    assert_eq!(status(&s), "green 10% → 50% in 8s");
    assert!(
        head(&s).contains("⇄ blue 90% · green web-v2.0.0"),
        "{}",
        head(&s)
    );
    assert!(
        shipdeck::console::live::counting_down(&s),
        "the runner ticks every second"
    );
    update(&mut s, Msg::Tick(at(5)));
    assert_eq!(status(&s), "green 10% → 50% in 3s");
    update(&mut s, Msg::Tick(at(9)));
    assert_eq!(status(&s), "green → 50% now");
}

#[test]
fn traffic_a_rollout_whose_driver_is_gone_shows_paused_nobody_driving() {
    let mut s = console(canary(2));
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), false)));
    assert_eq!(status(&s), "⏸ green 10% paused: nobody driving · ] resumes");
}

#[test]
fn traffic_an_unreachable_router_shows_as_such_and_pauses_nothing_assumed() {
    let mut s = console(canary(2));
    let fault = "the traffic router is unreachable: connection refused".to_string();
    update(&mut s, Msg::TrafficRead(reading(Err(fault.clone()), true)));
    assert!(head(&s).contains("⇄ router ✖"), "{}", head(&s));
    assert_eq!(status(&s), format!("⏸ green router: {fault}"));
    // The next good reading clears it.
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), true)));
    assert_eq!(status(&s), "green 10% → 50% in 8s");
}

#[test]
fn traffic_router_state_that_differs_from_the_last_recorded_shift_is_drift() {
    let mut events = canary(30);
    events.push(event(
        4,
        -20,
        "dana@shop.example",
        &Fact::TrafficShifted {
            deployment: Some(DEPLOYMENT.into()),
            slot: "green".into(),
            before: w(90, 10),
            after: w(0, 100),
            step: Some(2),
            call: "PUT http://127.0.0.1:9/web/router".into(),
        },
        "web",
        "web-v2.0.0",
        "prod",
    ));
    events.push(event(
        5,
        -20,
        "dana@shop.example",
        &Fact::DeploySucceeded {
            deployment: DEPLOYMENT.into(),
        },
        "web",
        "web-v2.0.0",
        "prod",
    ));
    let mut s = console(events);
    // The log says green 100 % last; someone set the router by hand.
    update(&mut s, Msg::TrafficRead(reading(Ok(w(50, 50)), false)));
    assert_eq!(
        status(&s),
        "≠ router blue 50% · green 50%; recorded blue 0% · green 100%"
    );
    update(&mut s, Msg::TrafficRead(reading(Ok(w(0, 100)), false)));
    assert!(!status(&s).contains('≠'), "{}", status(&s));
}

#[test]
fn traffic_the_log_changing_updates_the_rollout_without_a_reading() {
    let mut s = console(canary(2));
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), true)));
    let mut events = s.events.clone();
    events.push(event(
        4,
        0,
        "dana@shop.example",
        &Fact::TrafficShifted {
            deployment: Some(DEPLOYMENT.into()),
            slot: "green".into(),
            before: w(90, 10),
            after: w(50, 50),
            step: Some(1),
            call: "PUT http://127.0.0.1:9/web/router".into(),
        },
        "web",
        "web-v2.0.0",
        "prod",
    ));
    let effects = update(&mut s, Msg::LogChanged(events));
    assert!(
        effects.contains(&Effect::ReadTraffic),
        "a recorded shift reads the router at once: {effects:?}"
    );
    assert_eq!(status(&s), "green 50% → 100% in 10s");
}

#[test]
fn traffic_target_view_mid_canary_snapshot() {
    let mut s = console(canary(2));
    s.config_path = "/srv/shop/shipdeck.toml".into();
    on_prod(&mut s);
    for (ago, weights) in [
        (40, w(100, 0)),
        (30, w(100, 0)),
        (20, w(100, 0)),
        (1, w(90, 10)),
    ] {
        let mut r = reading(Ok(weights), true);
        r.at = at(-ago);
        update(&mut s, Msg::TrafficRead(r));
    }
    let mut live = crate::tui_support::observed("web", "prod", "1.9.0", Health::Pass);
    live.detail = "live blue: blue 90% · green 10%; HTTP 200".into();
    update(&mut s, Msg::Observed(live));
    s.ops.clear();
    s.view = View::Target;
    s.toasts.clear();
    insta::assert_snapshot!("traffic_target_mid_canary", render_at(&s, 120, 40));
    // Small: the chart gives way before the slots and steps.
    insta::assert_snapshot!("traffic_target_mid_canary_80x24", render_at(&s, 80, 24));
    s.view = View::Board;
    insta::assert_snapshot!("traffic_board_mid_canary", render_at(&s, 120, 12));
    // Narrow: the slot badge gives way to its short form before the release is cut.
    insta::assert_snapshot!("traffic_board_mid_canary_narrow", render_at(&s, 80, 12));
}

#[tokio::test]
async fn traffic_a_routers_garbage_reaches_the_console_sanitized() {
    let router = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("GET"))
        .respond_with(
            wiremock::ResponseTemplate::new(200)
                .set_body_string("\u{1b}]0;owned\u{7}\u{1b}[31m{not json"),
        )
        .mount(&router)
        .await;
    let text = CONFIG.replace(
        "http://127.0.0.1:9/web/router",
        &format!("{}/web/router", router.uri()),
    );
    let config = load_str(&text).expect("valid");
    let (ctx, _) = shipdeck::app::Context::with_config(config, false).expect("context");
    let spec = ctx
        .config
        .exposure
        .traffic("web", "prod")
        .expect("slotted")
        .clone();
    let target = shipdeck::app::actions::traffic::target(&ctx, "web", "prod").expect("probe");
    let reading =
        shipdeck::app::actions::traffic::reading(&ctx, "web", "prod", &spec, &target).await;
    let fault = reading.weights.clone().expect_err("garbage is a fault");
    assert!(fault.contains("makes no sense"), "{fault}");
    assert!(!fault.chars().any(char::is_control), "{fault:?}");
    // The slots' own probes do not answer (nothing listens there): unreachable, not assumed.
    assert!(
        reading
            .slots
            .iter()
            .all(|s| s.health == Health::Unreachable),
        "{:?}",
        reading.slots
    );
    let mut s = console(Vec::new());
    update(&mut s, Msg::TrafficRead(reading));
    assert!(head(&s).contains("⇄ router ✖"), "{}", head(&s));
}

#[test]
fn traffic_switch_asks_for_the_typed_name_in_protected_prod_and_waits_for_a_rollout() {
    let mut s = console(canary(2));
    on_prod(&mut s);
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), true)));
    assert!(key(&mut s, 'S').is_empty());
    assert!(s.overlay.is_none(), "no switch during a rollout");
    assert!(s.toasts.iter().any(|t| t.text.contains("x to abort it")));
    let mut s = console(Vec::new());
    on_prod(&mut s);
    update(&mut s, Msg::TrafficRead(reading(Ok(w(100, 0)), false)));
    key(&mut s, 'S');
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("a confirmation");
    };
    assert_eq!(c.require.as_deref(), Some("prod"));
    assert!(
        c.lines[0].contains("from blue (runs web-v1.9.0) to green (runs web-v2.0.0, pass)"),
        "{:?}",
        c.lines
    );
    for ch in "prod".chars() {
        key(&mut s, ch);
    }
    let effects = update(&mut s, Msg::Key(Key::from(KeyCode::Enter)));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Rollout {
                action: RolloutAction::Switch,
                ..
            }]
        ),
        "{effects:?}"
    );
}
