//! The rollout keys on a slotted target: `p`'s dialog lists the steps and drives the rollout
//! here, `x` aborts with one confirmation, `]` takes over or leaves a rollout, `--read-only`
//! refuses them, and they are in help and the palette. Fixtures in the parent module.

use super::*;

fn plan(state: &State) -> Plan {
    Plan {
        service: "web".into(),
        release: state.releases["web"][0].clone(),
        env: "prod".into(),
        rollback: false,
        report: GateReport { gates: Vec::new() },
        changes: Vec::new(),
        running: shipdeck::domain::running::Running::Release {
            name: "web-v1.9.0".into(),
            commit: None,
        },
        call: Some("POST http://127.0.0.1:9/web/slots/<idle-slot>/deploy".into()),
        protected: true,
        downgrade: false,
        failed_here: None,
    }
}

fn rollout_plan() -> RolloutPlan {
    RolloutPlan {
        from: "blue".into(),
        to: "green".into(),
        weights: w(100, 0),
        deploy_call: Some("POST http://127.0.0.1:9/web/slots/green/deploy".into()),
        steps: [(10, 10), (50, 10), (100, 0)]
            .into_iter()
            .map(|(weight, secs)| {
                (
                    Step {
                        weight,
                        pause: std::time::Duration::from_secs(secs),
                    },
                    format!(
                        "PUT http://127.0.0.1:9/web/router {{\"blue\":{},\"green\":{weight}}}",
                        100 - weight
                    ),
                )
            })
            .collect(),
    }
}

#[test]
fn traffic_promote_dialog_lists_the_steps_and_confirming_drives_the_rollout_here() {
    let mut s = console(Vec::new());
    update(&mut s, Msg::TrafficRead(reading(Ok(w(100, 0)), false)));
    let release = s.releases["web"][0].clone();
    let effects =
        shipdeck::console::flows::promote::open_plan(&mut s, "web", release, "prod", false);
    let (mut plan_op, mut rollout_op) = (None, None);
    for e in &effects {
        match e {
            Effect::LoadPlan { op, .. } => plan_op = Some(*op),
            Effect::LoadRolloutPlan { op, running, .. } => {
                rollout_op = Some(*op);
                assert_eq!(running, &None, "nothing probed in this fixture");
            }
            _ => {}
        }
    }
    let (plan_op, rollout_op) = (
        plan_op.expect("a plan"),
        rollout_op.expect("a rollout plan"),
    );
    let p = plan(&s);
    update(
        &mut s,
        Msg::OpFinished {
            op: plan_op,
            result: OpResult::Plan(Ok(p)),
        },
    );
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("the dialog is open");
    };
    assert_eq!(c.blocked().as_deref(), Some("reading the router…"));
    update(
        &mut s,
        Msg::OpFinished {
            op: rollout_op,
            result: OpResult::RolloutPlan(Ok(rollout_plan())),
        },
    );
    let screen = render_at(&s, 140, 40);
    for wanted in [
        "rollout   blue → green (router now: blue 100% · green 0%)",
        "deploy to green: POST http://127.0.0.1:9/web/slots/green/deploy",
        "step 1: green 10%, then 10s with analysis — PUT http://127.0.0.1:9/web/router",
        "step 3: green 100% — PUT",
    ] {
        assert!(screen.contains(wanted), "{wanted} in\n{screen}");
    }
    // Protected: the name is typed before Enter does anything.
    assert!(update(&mut s, Msg::Key(Key::from(KeyCode::Enter))).is_empty());
    for c in "prod".chars() {
        key(&mut s, c);
    }
    let effects = update(&mut s, Msg::Key(Key::from(KeyCode::Enter)));
    let [Effect::Rollout { op, action, .. }] = effects.as_slice() else {
        panic!("one rollout effect: {effects:?}");
    };
    assert!(matches!(
        action,
        RolloutAction::Promote {
            rollback: false,
            ..
        }
    ));
    assert_eq!(
        s.ops[op].kind,
        OpKind::Rollout(TargetKey::new("web", "prod"))
    );
    // Its steps arrive as output lines of the operation; its end as a message.
    update(
        &mut s,
        Msg::DeployOutput {
            op: *op,
            line: "step 1/3: blue 90% · green 10% (read back from the router)".into(),
        },
    );
    assert_eq!(s.output[op].1.len(), 1);
    let effects = update(
        &mut s,
        Msg::RolloutEnded {
            op: *op,
            result: Ok("web-v2.0.0 is live in prod on slot green".into()),
        },
    );
    assert_eq!(effects, vec![Effect::ReadTraffic]);
    assert!(s.ops.is_empty());
    assert!(s.toasts.iter().any(|t| t.text.contains("is live in prod")));
}

#[test]
fn traffic_a_router_that_cannot_be_read_blocks_the_promote_dialog_saying_why() {
    let mut s = console(Vec::new());
    let release = s.releases["web"][0].clone();
    let effects =
        shipdeck::console::flows::promote::open_plan(&mut s, "web", release, "prod", false);
    let rollout_op = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadRolloutPlan { op, .. } => Some(*op),
            _ => None,
        })
        .expect("a rollout plan asked for");
    update(
        &mut s,
        Msg::OpFinished {
            op: rollout_op,
            result: OpResult::RolloutPlan(Err(
                "cannot plan the rollout: the traffic router is unreachable: connection refused"
                    .into(),
            )),
        },
    );
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("the dialog stays open");
    };
    c.blocked().expect("blocked");
}

#[test]
fn traffic_x_aborts_with_one_confirmation_even_in_a_protected_environment() {
    let mut s = console(canary(2));
    on_prod(&mut s);
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), true)));
    assert!(key(&mut s, 'x').is_empty());
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("a confirmation");
    };
    assert!(
        c.require.is_none(),
        "an abort never asks for the typed name"
    );
    assert!(matches!(c.action, Confirmed::RolloutAbort { .. }));
    let effects = update(&mut s, Msg::Key(Key::from(KeyCode::Enter)));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Rollout {
                action: RolloutAction::Abort,
                ..
            }]
        ),
        "{effects:?}"
    );
}

#[test]
fn traffic_next_step_takes_over_a_rollout_nobody_drives_after_the_typed_name() {
    let mut s = console(canary(2));
    on_prod(&mut s);
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), false)));
    key(&mut s, ']');
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("a confirmation");
    };
    assert_eq!(c.require.as_deref(), Some("prod"));
    assert!(
        c.lines.iter().any(|l| l.contains("shift green to 50% now")),
        "{:?}",
        c.lines
    );
    assert!(update(&mut s, Msg::Key(Key::from(KeyCode::Enter))).is_empty());
    for c in "prod".chars() {
        key(&mut s, c);
    }
    let effects = update(&mut s, Msg::Key(Key::from(KeyCode::Enter)));
    assert!(
        matches!(
            effects.as_slice(),
            [Effect::Rollout {
                action: RolloutAction::Resume { next_now: true },
                ..
            }]
        ),
        "{effects:?}"
    );
    // Driving it now: `]` again cuts this console's pause short — a shift, so in protected
    // prod the name is typed again.
    assert!(key(&mut s, ']').is_empty());
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("a confirmation");
    };
    assert_eq!(c.require.as_deref(), Some("prod"));
    assert!(
        c.lines[0].contains("green goes to 50% now instead of in 8s"),
        "{:?}",
        c.lines
    );
    for ch in "prod".chars() {
        key(&mut s, ch);
    }
    let effects = update(&mut s, Msg::Key(Key::from(KeyCode::Enter)));
    assert_eq!(
        effects,
        vec![Effect::NextStepNow {
            service: "web".into(),
            env: "prod".into()
        }]
    );
    assert!(s.overlay.is_none());
}

#[test]
fn traffic_next_step_leaves_a_rollout_another_process_drives_to_it() {
    let mut s = console(canary(2));
    on_prod(&mut s);
    update(&mut s, Msg::TrafficRead(reading(Ok(w(90, 10)), true)));
    assert!(key(&mut s, ']').is_empty());
    assert!(s.overlay.is_none());
    assert!(
        s.toasts
            .iter()
            .any(|t| t.text.contains("another process drives")),
        "{:?}",
        s.toasts
    );
}

#[test]
fn traffic_read_only_refuses_the_rollout_keys_with_a_toast() {
    let config = load_str(CONFIG).expect("valid");
    let mut s = State::new(config, "you@shop.example", true, canary(2), now());
    on_prod(&mut s);
    for c in [']', 'x'] {
        s.toasts.clear();
        assert!(key(&mut s, c).is_empty());
        assert!(s.overlay.is_none());
        assert!(s.toasts.iter().any(|t| t.text.starts_with("read-only")));
    }
}

#[test]
fn traffic_the_keys_are_in_help_and_the_palette() {
    let mut s = console(canary(2));
    key(&mut s, '?');
    let screen = render_at(&s, 120, 50);
    assert!(
        screen.contains("] / x / S       rollout: next step now / abort / switch slots"),
        "{screen}"
    );
    s.overlay = None;
    let items = shipdeck::console::palette::items(&s);
    assert!(items.iter().any(|(l, _)| l == "rollout abort web prod"));
    assert!(items.iter().any(|(l, _)| l == "rollout next step web prod"));
}
