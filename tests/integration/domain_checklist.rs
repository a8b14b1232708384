//! Checklist progress and automatic ticks.

use crate::domain_support;

use domain_support::*;
use shipdeck::domain::checklist::{auto_ticks, progress};
use shipdeck::domain::config::{AutoTick, ChecklistTemplate, Stage};
use shipdeck::domain::event::Fact;
use shipdeck::domain::observation::Health;

const R: &str = "api-v1.4.2";

fn auto_template() -> ChecklistTemplate {
    let auto = |id: &str, stage: Stage, a: AutoTick| {
        let mut i = item(id, stage, true);
        i.auto = Some(a);
        i
    };
    ChecklistTemplate {
        name: "production-release".into(),
        items: vec![
            item("controls", Stage::Before, true),
            auto("package", Stage::Before, AutoTick::Tagged),
            auto("execute", Stage::After, AutoTick::Deployed),
            auto("verify", Stage::After, AutoTick::Healthy),
            auto("announce", Stage::After, AutoTick::Published),
        ],
    }
}

#[test]
fn progress_counts_required_items_per_stage_in_template_order() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &ticked("controls"),
        R,
        "prod",
    );
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &ticked("optional"),
        R,
        "prod",
    );
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &ticked("verify"),
        R,
        "prod",
    );
    let p = progress(&production_release(), &log.ledger(), "api", R, "prod");
    assert_eq!((p.before_done, p.before_required), (1, 2));
    assert_eq!((p.after_done, p.after_required), (1, 1));
    assert!(!p.before_complete());
    let missing: Vec<&str> = p
        .missing_before()
        .iter()
        .map(|i| i.item.id.as_str())
        .collect();
    assert_eq!(missing, ["backout"]);
    let ids: Vec<&str> = p.items.iter().map(|i| i.item.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "controls",
            "backout",
            "optional",
            "verify",
            "backout-executed"
        ]
    );
    let who = p.items[0].tick.as_ref().map(|t| t.actor.as_str());
    assert_eq!(who, Some("alice"));
}

#[test]
fn progress_is_complete_when_every_required_before_item_is_ticked() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &ticked("controls"),
        R,
        "prod",
    );
    log.add("2026-03-02T10:00:00Z", "bob", &ticked("backout"), R, "prod");
    assert!(progress(&production_release(), &log.ledger(), "api", R, "prod").before_complete());
    log.add(
        "2026-03-02T10:05:00Z",
        "bob",
        &unticked("backout"),
        R,
        "prod",
    );
    assert!(!progress(&production_release(), &log.ledger(), "api", R, "prod").before_complete());
}

#[test]
fn nothing_is_auto_ticked_before_the_world_satisfies_it() {
    let ledger = Log::default().ledger();
    assert!(auto_ticks(&auto_template(), &ledger, "api", R, "prod", None, false).is_empty());
}

#[test]
fn tagged_deployed_healthy_and_published_items_become_due() {
    let mut log = Log::default();
    let d = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        R,
        "prod",
    );
    log.add("2026-03-02T10:01:00Z", "alice", &succeeded(&d), R, "prod");
    let published = Fact::NotesPublished {
        channel: "slack".into(),
        detail: String::new(),
        ok: true,
        deliveries: Vec::new(),
        markdown: String::new(),
    };
    log.add("2026-03-02T10:02:00Z", "alice", &published, R, "prod");
    let obs = observation("prod", Some(R), Health::Pass, "2026-03-02T10:02:00Z");
    let due = auto_ticks(
        &auto_template(),
        &log.ledger(),
        "api",
        R,
        "prod",
        Some(&obs),
        true,
    );
    assert_eq!(due, ["package", "execute", "verify", "announce"]);
}

#[test]
fn an_unhealthy_or_other_release_observation_does_not_tick_healthy() {
    let ledger = Log::default().ledger();
    let sick = observation("prod", Some(R), Health::Warn, "2026-03-02T10:02:00Z");
    let other = observation(
        "prod",
        Some("api-v1.4.1"),
        Health::Pass,
        "2026-03-02T10:02:00Z",
    );
    let elsewhere = observation("staging", Some(R), Health::Pass, "2026-03-02T10:02:00Z");
    for obs in [sick, other, elsewhere] {
        assert!(
            auto_ticks(
                &auto_template(),
                &ledger,
                "api",
                R,
                "prod",
                Some(&obs),
                false
            )
            .is_empty()
        );
    }
}

#[test]
fn a_failed_deployment_does_not_tick_deployed() {
    let mut log = Log::default();
    let d = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        R,
        "prod",
    );
    log.add(
        "2026-03-02T10:06:00Z",
        "alice",
        &failed(&d, "timed out"),
        R,
        "prod",
    );
    assert!(
        auto_ticks(
            &auto_template(),
            &log.ledger(),
            "api",
            R,
            "prod",
            None,
            false
        )
        .is_empty()
    );
}

#[test]
fn ticked_items_and_items_a_person_unticked_are_not_auto_ticked_again() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "shipdeck",
        &ticked("package"),
        R,
        "prod",
    );
    let due = auto_ticks(
        &auto_template(),
        &log.ledger(),
        "api",
        R,
        "prod",
        None,
        true,
    );
    assert!(due.is_empty());
    log.add(
        "2026-03-02T10:05:00Z",
        "bob",
        &unticked("package"),
        R,
        "prod",
    );
    let due = auto_ticks(
        &auto_template(),
        &log.ledger(),
        "api",
        R,
        "prod",
        None,
        true,
    );
    assert!(due.is_empty(), "an untick by a person stands: {due:?}");
}
