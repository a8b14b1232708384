//! Changing a flag from the Flags view: `+` plans the next rollout step (a protected
//! environment asks for its name), Space toggles, `-` steps down and the edges say why nothing
//! happens, a freeze stops a raise until a reason is typed. Fixtures in the parent module.

use super::*;

#[test]
fn plus_plans_the_next_rollout_step_and_a_protected_environment_asks_for_its_name() {
    let mut s = flags_shop();
    select(&mut s, "search-v2", "prod");
    let effects = press(&mut s, KeyCode::Char('+'));
    let [
        Effect::PlanFlag {
            op,
            flag,
            env,
            action,
        },
    ] = &effects[..]
    else {
        panic!("{effects:?}");
    };
    assert_eq!(
        (flag.as_str(), env.as_str(), *action),
        ("search-v2", "prod", FlagAction::Rollout(25))
    );
    let op = *op;
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("a confirmation: {:?}", s.overlay);
    };
    assert_eq!(c.require.as_deref(), Some("prod"));
    assert!(c.blocked().is_some(), "nothing is confirmed while planning");
    // The plan arrives: the exact call is shown; Enter does nothing until `prod` is typed.
    let plan = plan(
        "search-v2",
        "prod",
        FlagAction::Rollout(25),
        (true, Some(10)),
    );
    update(
        &mut s,
        Msg::OpFinished {
            op,
            result: OpResult::FlagPlan(Ok(Box::new(plan.clone()))),
        },
    );
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("still confirming");
    };
    let text = c.lines.join("\n");
    assert!(
        text.contains("on at 10% → on at 25%")
            && text.contains("will call: PUT http://127.0.0.1:9/flags/search-v2/prod"),
        "{text}"
    );
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    let [Effect::ChangeFlag { op, action, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    assert_eq!(*action, FlagAction::Rollout(25));
    assert!(s.overlay.is_none());
    // Read back as asked: the view shows it at once (not at the next interval).
    let mut after = demo_reading(1);
    if let Ok(states) = &mut after.result {
        for st in states
            .iter_mut()
            .filter(|st| st.flag == "search-v2" && st.env == "prod")
        {
            st.value.rollout = Some(25);
        }
    }
    let outcome = FlagOutcome {
        event: event(
            90,
            1,
            tui_support::USER,
            &changed_fact("search-v2", (true, Some(10)), (true, Some(25))),
            "api",
            "",
            "prod",
        ),
        read_back: Some(FlagValue {
            enabled: true,
            rollout: Some(25),
        }),
        ok: true,
        detail: String::new(),
        reading: after,
    };
    update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::FlagChanged(Ok(Box::new((plan, Some(outcome))))),
        },
    );
    assert!(
        last_toast(&s).contains("search-v2 in prod is on at 25% (read back)"),
        "{}",
        last_toast(&s)
    );
    assert!(head_of(&s, "api", "prod").contains("⚑ 1 on · 1 at 25%"));
    select(&mut s, "search-v2", "prod");
    let (line, _) = shipdeck::console::flags::selected(&s).expect("cell");
    assert_eq!(
        line.cells[2].as_ref().map(|r| r.value.rollout),
        Some(Some(25))
    );
}

#[test]
fn space_toggles_minus_steps_down_and_the_edges_say_why_nothing_happens() {
    let mut s = flags_shop();
    select(&mut s, "bulk-export", "staging");
    let effects = press(&mut s, KeyCode::Char(' '));
    assert!(
        matches!(&effects[..], [Effect::PlanFlag { action: FlagAction::On, env, .. }] if env == "staging"),
        "{effects:?}"
    );
    // staging is not protected: no name to type.
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("a confirmation");
    };
    assert!(c.require.is_none());
    press(&mut s, KeyCode::Esc);
    select(&mut s, "new-checkout", "dev");
    let effects = press(&mut s, KeyCode::Char(' '));
    assert!(
        matches!(
            &effects[..],
            [Effect::PlanFlag {
                action: FlagAction::Off,
                ..
            }]
        ),
        "{effects:?}"
    );
    press(&mut s, KeyCode::Esc);
    select(&mut s, "search-v2", "prod");
    let effects = press(&mut s, KeyCode::Char('-'));
    assert!(
        matches!(
            &effects[..],
            [Effect::PlanFlag {
                action: FlagAction::Rollout(5),
                ..
            }]
        ),
        "{effects:?}"
    );
    press(&mut s, KeyCode::Esc);
    // At 100 % there is no step above; without a percentage there is none below.
    select(&mut s, "search-v2", "dev");
    assert!(press(&mut s, KeyCode::Char('+')).is_empty());
    assert!(
        last_toast(&s).contains("last rollout step"),
        "{}",
        last_toast(&s)
    );
    select(&mut s, "bulk-export", "dev");
    assert!(press(&mut s, KeyCode::Char('-')).is_empty());
    assert!(
        last_toast(&s).contains("no rollout percentage"),
        "{}",
        last_toast(&s)
    );
}

#[test]
fn a_freeze_stops_a_raise_until_a_reason_is_typed_which_is_sent_with_the_change() {
    let mut s = flags_shop();
    select(&mut s, "search-v2", "prod");
    let frozen = || {
        let mut p = plan(
            "search-v2",
            "prod",
            FlagAction::Rollout(25),
            (true, Some(10)),
        );
        p.freeze = Some("frozen: year-end until 2027-01-03 23:00 UTC".into());
        p
    };
    let effects = press(&mut s, KeyCode::Char('+'));
    let [Effect::PlanFlag { op, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    let effects = update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::FlagPlan(Ok(Box::new(frozen()))),
        },
    );
    assert!(effects.is_empty(), "nothing is sent");
    // The freeze names itself and asks for a reason; Esc changes nothing.
    let Some(Overlay::Input(input)) = &s.overlay else {
        panic!("a reason prompt: {:?}", s.overlay);
    };
    assert!(
        input.prompt.contains("year-end") && input.prompt.contains("a reason passes the freeze"),
        "{}",
        input.prompt
    );
    assert!(press(&mut s, KeyCode::Esc).is_empty());
    assert!(s.overlay.is_none());
    // An empty reason passes nothing.
    let effects = press(&mut s, KeyCode::Char('+'));
    let [Effect::PlanFlag { op, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::FlagPlan(Ok(Box::new(frozen()))),
        },
    );
    assert!(press(&mut s, KeyCode::Enter).is_empty());
    assert!(
        last_toast(&s).contains("needs a reason"),
        "{}",
        last_toast(&s)
    );
    // A reason: planned again, confirmed as any change (prod's name typed), sent with it.
    let effects = press(&mut s, KeyCode::Char('+'));
    let [Effect::PlanFlag { op, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::FlagPlan(Ok(Box::new(frozen()))),
        },
    );
    for c in "incident fix".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    let [Effect::PlanFlag { op, .. }] = &effects[..] else {
        panic!("planned again: {effects:?}");
    };
    update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::FlagPlan(Ok(Box::new(frozen()))),
        },
    );
    let Some(Overlay::Confirm(c)) = &s.overlay else {
        panic!("the confirmation: {:?}", s.overlay);
    };
    assert!(
        c.lines
            .join("\n")
            .contains("passed for the reason given (recorded): incident fix"),
        "{:?}",
        c.lines
    );
    for c in "prod".chars() {
        press(&mut s, KeyCode::Char(c));
    }
    let effects = press(&mut s, KeyCode::Enter);
    assert!(
        matches!(&effects[..], [Effect::ChangeFlag { reason: Some(r), action: FlagAction::Rollout(25), .. }] if r == "incident fix"),
        "{effects:?}"
    );
    // A flag service that cannot be read refuses with its reason.
    let effects = press(&mut s, KeyCode::Char('-'));
    let [Effect::PlanFlag { op, .. }] = &effects[..] else {
        panic!("{effects:?}");
    };
    update(
        &mut s,
        Msg::OpFinished {
            op: *op,
            result: OpResult::FlagPlan(Err(
                "flag service `demo-flags` is unreachable: connection refused; nothing was changed"
                    .into(),
            )),
        },
    );
    assert!(s.overlay.is_none());
    assert!(last_toast(&s).contains("nothing was changed"));
}
