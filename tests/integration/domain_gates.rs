//! Gate evaluation: approvals, checklists, freezes, health, soak, external gates and overrides.

use crate::domain_support;

use std::collections::BTreeMap;
use std::time::Duration;

use domain_support::*;
use jiff::Timestamp;
use shipdeck::domain::config::{Config, Freeze, Gate, GateRule};
use shipdeck::domain::event::Fact;
use shipdeck::domain::gates::{
    External, GateInputs, GateOutcome, GateReport, GateStatus, evaluate,
};
use shipdeck::domain::ledger::Ledger;
use shipdeck::domain::observation::{Health, Observation};

const ALICE: &str = "alice@example.com";
const BOB: &str = "bob@example.com";
const CAROL: &str = "carol@example.com";
const DAVE: &str = "dave@example.com";

struct World {
    config: Config,
    log: Log,
    observations: Vec<Observation>,
    external: BTreeMap<String, External>,
}

impl World {
    fn new(prod_gates: Vec<Gate>) -> World {
        World {
            config: config(prod_gates, vec![]),
            log: Log::default(),
            observations: vec![],
            external: BTreeMap::new(),
        }
    }

    fn eval_as(&self, env: &str, release_name: &str, actor: &str, now: &str) -> GateReport {
        let ledger: Ledger = self.log.ledger();
        let release = release(release_name, COMMIT);
        let signatures = BTreeMap::new();
        let inputs = GateInputs {
            config: &self.config,
            service: &self.config.services[0],
            env: self.config.environment(env).expect("environment exists"),
            release: &release,
            actor,
            ledger: &ledger,
            observations: &self.observations,
            external: &self.external,
            signatures: &signatures,
        };
        evaluate(&inputs, ts(now))
    }

    fn prod(&self, actor: &str) -> GateReport {
        self.eval_as("prod", "api-v1.4.2", actor, "2026-03-02T12:00:00Z")
    }

    fn approve(&mut self, who: &str, release: &str, commit: &str) {
        self.log.add(
            "2026-03-02T10:00:00Z",
            who,
            &approved(commit),
            release,
            "prod",
        );
    }
}

fn only(report: &GateReport) -> &GateOutcome {
    assert_eq!(report.gates.len(), 1, "{report:?}");
    &report.gates[0]
}

fn approval(count: u32, from: &[&str]) -> Gate {
    gate(GateRule::Approval {
        count,
        from: from.iter().map(ToString::to_string).collect(),
        signed: false,
    })
}

#[test]
fn approvals_by_two_distinct_people_pass() {
    let mut w = World::new(vec![approval(2, &[])]);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    w.approve(BOB, "api-v1.4.2", COMMIT);
    let report = w.prod(CAROL);
    assert_eq!(only(&report).status, GateStatus::Pass);
    assert!(report.allowed());
    assert!(report.blocking().is_empty());
}

#[test]
fn the_same_person_approving_twice_counts_once() {
    let mut w = World::new(vec![approval(2, &[])]);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    let report = w.prod(CAROL);
    let g = only(&report);
    assert_eq!(g.status, GateStatus::Pending);
    assert!(
        g.reason.starts_with("1 of 2 approvals (alice@example.com)"),
        "{}",
        g.reason
    );
    assert!(!report.allowed());
    assert_eq!(report.blocking().len(), 1);
}

#[test]
fn the_promoters_own_approval_does_not_count() {
    let mut w = World::new(vec![approval(2, &[])]);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    w.approve(BOB, "api-v1.4.2", COMMIT);
    let g = only(&w.prod(BOB)).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert!(
        g.reason.contains("your own approval does not count"),
        "{}",
        g.reason
    );
    assert_eq!(g.who.as_deref(), Some("anyone but bob@example.com"));
}

#[test]
fn an_approval_for_another_release_does_not_count() {
    let mut w = World::new(vec![approval(1, &[])]);
    w.approve(ALICE, "api-v1.4.1", COMMIT);
    assert_eq!(only(&w.prod(CAROL)).status, GateStatus::Pending);
}

#[test]
fn a_moved_tag_voids_earlier_approvals() {
    let mut w = World::new(vec![approval(1, &[])]);
    w.approve(ALICE, "api-v1.4.2", OTHER_COMMIT);
    let g = only(&w.prod(CAROL)).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert!(
        g.reason
            .contains("1 approval for another commit ignored (the tag moved)"),
        "{}",
        g.reason
    );
}

#[test]
fn from_restricts_who_may_approve_and_the_reason_names_who_can_still() {
    let mut w = World::new(vec![approval(2, &[ALICE, BOB, CAROL])]);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    w.approve(DAVE, "api-v1.4.2", COMMIT);
    let g = only(&w.prod("erin@example.com")).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(
        g.reason,
        "1 of 2 approvals (alice@example.com); needs one more from bob@example.com, \
         carol@example.com; 1 approval from people not in the approver list ignored"
    );
    assert_eq!(g.who.as_deref(), Some("bob@example.com, carol@example.com"));
}

#[test]
fn the_promoter_is_never_listed_as_a_possible_approver() {
    let mut w = World::new(vec![approval(2, &[ALICE, BOB, CAROL])]);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    let g = only(&w.prod(BOB)).clone();
    assert_eq!(g.who.as_deref(), Some("carol@example.com"));
}

#[test]
fn when_too_few_approvers_remain_the_reason_says_someone_else_must_promote() {
    let mut w = World::new(vec![approval(2, &[ALICE, BOB])]);
    w.approve(ALICE, "api-v1.4.2", COMMIT);
    let g = only(&w.prod(BOB)).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert!(
        g.reason
            .contains("nobody can still approve: someone else must promote"),
        "{}",
        g.reason
    );
    assert_eq!(g.who, None);
}

#[test]
fn an_approval_gate_can_never_be_overridden() {
    let mut w = World::new(vec![approval(1, &[])]);
    let fact = Fact::Overridden {
        gate: "approval".into(),
        reason: "trust me".into(),
    };
    w.log
        .add("2026-03-02T10:00:00Z", CAROL, &fact, "api-v1.4.2", "prod");
    let report = w.prod(CAROL);
    let g = only(&report);
    assert_eq!(g.status, GateStatus::Pending);
    assert!(
        g.reason
            .contains("1 override ignored: approvals can never be overridden"),
        "{}",
        g.reason
    );
    assert!(!report.allowed());
}

#[test]
fn an_override_turns_a_blocking_gate_into_overridden_with_reason_and_who() {
    let mut w = World::new(vec![gate(GateRule::Ancestor {
        branch: "main".into(),
    })]);
    let fact = Fact::Overridden {
        gate: "ancestor".into(),
        reason: "hotfix branch".into(),
    };
    w.log
        .add("2026-03-02T10:00:00Z", CAROL, &fact, "api-v1.4.2", "prod");
    let report = w.prod(ALICE);
    let g = only(&report);
    assert_eq!(g.status, GateStatus::Overridden);
    assert_eq!(g.who.as_deref(), Some(CAROL));
    assert_eq!(
        g.reason,
        "overridden by carol@example.com: hotfix branch (was: not observed yet)"
    );
    assert!(report.allowed());
}

#[test]
fn an_override_for_another_release_does_not_apply() {
    let mut w = World::new(vec![gate(GateRule::Ancestor {
        branch: "main".into(),
    })]);
    let fact = Fact::Overridden {
        gate: "ancestor".into(),
        reason: "hotfix".into(),
    };
    w.log
        .add("2026-03-02T10:00:00Z", CAROL, &fact, "api-v1.4.1", "prod");
    assert_eq!(only(&w.prod(ALICE)).status, GateStatus::Pending);
}

#[test]
fn external_gates_are_pending_until_run_and_then_report_their_result() {
    let check = gate(GateRule::Ancestor {
        branch: "main".into(),
    });
    let mut w = World::new(vec![check]);
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(
        (g.status, g.reason.as_str()),
        (GateStatus::Pending, "not observed yet")
    );
    w.external.insert(
        "ancestor".into(),
        External::Pass("abcdef1 is on main".into()),
    );
    assert_eq!(only(&w.prod(ALICE)).status, GateStatus::Pass);
    w.external.insert(
        "ancestor".into(),
        External::Fail("abcdef1 is not on main\nat all".into()),
    );
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(
        (g.status, g.reason.as_str()),
        (GateStatus::Fail, "abcdef1 is not on main at all")
    );
}

fn checklist_world() -> World {
    World::new(vec![gate(GateRule::Checklist {
        name: "production-release".into(),
    })])
}

#[test]
fn a_checklist_with_one_required_item_unticked_is_pending_and_names_it() {
    let mut w = checklist_world();
    w.log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &ticked("controls"),
        "api-v1.4.2",
        "prod",
    );
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(g.reason, "production-release: 1 of 2 done; missing backout");
}

#[test]
fn a_checklist_passes_when_every_required_before_item_is_ticked() {
    let mut w = checklist_world();
    w.log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &ticked("controls"),
        "api-v1.4.2",
        "prod",
    );
    w.log.add(
        "2026-03-02T10:00:00Z",
        BOB,
        &ticked("backout"),
        "api-v1.4.2",
        "prod",
    );
    assert_eq!(only(&w.prod(ALICE)).status, GateStatus::Pass);
}

#[test]
fn an_untick_after_a_tick_counts() {
    let mut w = checklist_world();
    w.log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &ticked("controls"),
        "api-v1.4.2",
        "prod",
    );
    w.log.add(
        "2026-03-02T10:00:00Z",
        BOB,
        &ticked("backout"),
        "api-v1.4.2",
        "prod",
    );
    w.log.add(
        "2026-03-02T10:01:00Z",
        BOB,
        &unticked("backout"),
        "api-v1.4.2",
        "prod",
    );
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert!(g.reason.ends_with("missing backout"), "{}", g.reason);
}

#[test]
fn ticks_for_another_environment_do_not_count() {
    let mut w = checklist_world();
    w.log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &ticked("controls"),
        "api-v1.4.2",
        "staging",
    );
    w.log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &ticked("backout"),
        "api-v1.4.2",
        "staging",
    );
    assert_eq!(only(&w.prod(ALICE)).status, GateStatus::Pending);
}

fn year_end(envs: &[&str]) -> Freeze {
    Freeze {
        name: "year-end".into(),
        from: ts("2026-12-20T00:00:00+01:00"),
        until: ts("2027-01-04T00:00:00+01:00"),
        environments: envs.iter().map(ToString::to_string).collect(),
    }
}

fn freeze_world(listed: bool, freezes: Vec<Freeze>) -> World {
    let mut w = World::new(if listed {
        vec![gate(GateRule::Freeze)]
    } else {
        vec![]
    });
    w.config = config(w.config.environments[2].gates.clone(), freezes);
    w
}

#[test]
fn promote_is_blocked_during_a_freeze_from_its_first_instant() {
    let w = freeze_world(true, vec![year_end(&["prod"])]);
    let report = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-12-19T23:00:00Z");
    let g = only(&report);
    assert_eq!(g.status, GateStatus::Fail);
    assert_eq!(g.until, Some(ts("2027-01-03T23:00:00Z")));
    assert_eq!(g.reason, "frozen: year-end until 2027-01-03 23:00 UTC");
    let before = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-12-19T22:59:59Z");
    assert_eq!(only(&before).status, GateStatus::Pass);
    assert!(only(&before).reason.contains("next freeze year-end"));
}

#[test]
fn a_freeze_ends_at_its_until_instant() {
    let w = freeze_world(true, vec![year_end(&["prod"])]);
    assert_eq!(
        only(&w.eval_as("prod", "api-v1.4.2", ALICE, "2027-01-03T22:59:59Z")).status,
        GateStatus::Fail
    );
    assert_eq!(
        only(&w.eval_as("prod", "api-v1.4.2", ALICE, "2027-01-03T23:00:00Z")).status,
        GateStatus::Pass
    );
}

#[test]
fn a_freeze_applies_even_when_no_freeze_gate_is_listed() {
    let w = freeze_world(false, vec![year_end(&["prod"])]);
    let report = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-12-24T12:00:00Z");
    let g = only(&report);
    assert_eq!(
        (g.id.as_str(), g.kind, g.status),
        ("freeze", "freeze", GateStatus::Fail)
    );
    assert!(!report.allowed());
}

#[test]
fn a_freeze_for_another_environment_does_not_apply() {
    let w = freeze_world(true, vec![year_end(&["staging"])]);
    let report = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-12-24T12:00:00Z");
    assert_eq!(only(&report).status, GateStatus::Pass);
    let unlisted = freeze_world(false, vec![year_end(&["staging"])]);
    assert!(
        unlisted
            .eval_as("prod", "api-v1.4.2", ALICE, "2026-12-24T12:00:00Z")
            .gates
            .is_empty()
    );
}

#[test]
fn back_to_back_freezes_block_until_the_last_one_ends() {
    let mut extra = year_end(&["prod"]);
    extra.name = "inventory".into();
    extra.from = ts("2027-01-03T12:00:00Z");
    extra.until = ts("2027-01-10T00:00:00Z");
    let w = freeze_world(true, vec![year_end(&["prod"]), extra]);
    let g = only(&w.eval_as("prod", "api-v1.4.2", ALICE, "2026-12-24T12:00:00Z")).clone();
    assert_eq!(g.until, Some(ts("2027-01-10T00:00:00Z")));
    assert_eq!(
        g.reason,
        "frozen: year-end, inventory until 2027-01-10 00:00 UTC"
    );
}

#[test]
fn a_freeze_can_be_overridden_with_a_reason() {
    let mut w = freeze_world(false, vec![year_end(&["prod"])]);
    let fact = Fact::Overridden {
        gate: "freeze".into(),
        reason: "security fix".into(),
    };
    w.log
        .add("2026-12-24T10:00:00Z", CAROL, &fact, "api-v1.4.2", "prod");
    let report = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-12-24T12:00:00Z");
    assert_eq!(only(&report).status, GateStatus::Overridden);
    assert!(report.allowed());
}

fn healthy_world() -> World {
    World::new(vec![gate(GateRule::Healthy)])
}

#[test]
fn healthy_with_no_observation_is_pending_never_pass() {
    let w = healthy_world();
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert!(g.reason.contains("not observed yet"));
}

#[test]
fn healthy_passes_when_the_previous_environment_runs_the_release_healthy() {
    let mut w = healthy_world();
    w.observations.push(observation(
        "staging",
        Some("api-v1.4.2"),
        Health::Pass,
        "2026-03-02T11:59:00Z",
    ));
    w.observations.push(observation(
        "prod",
        Some("api-v1.4.1"),
        Health::Pass,
        "2026-03-02T11:59:00Z",
    ));
    assert_eq!(only(&w.prod(ALICE)).status, GateStatus::Pass);
}

#[test]
fn healthy_fails_when_the_previous_environment_runs_another_release() {
    let mut w = healthy_world();
    w.observations.push(observation(
        "staging",
        Some("api-v1.4.1"),
        Health::Pass,
        "2026-03-02T11:59:00Z",
    ));
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(
        (g.status, g.reason.as_str()),
        (GateStatus::Fail, "staging runs api-v1.4.1")
    );
}

#[test]
fn healthy_fails_with_the_health_when_the_release_is_unhealthy() {
    let mut w = healthy_world();
    let mut o = observation(
        "staging",
        Some("api-v1.4.2"),
        Health::Fail,
        "2026-03-02T11:59:00Z",
    );
    o.detail = "HTTP 503".into();
    w.observations.push(o);
    let g = only(&w.prod(ALICE)).clone();
    assert_eq!(
        (g.status, g.reason.as_str()),
        (GateStatus::Fail, "api-v1.4.2 in staging is fail: HTTP 503")
    );
}

#[test]
fn healthy_in_the_first_environment_passes() {
    let mut w = healthy_world();
    w.config.environments[0].gates = vec![gate(GateRule::Healthy)];
    let report = w.eval_as("dev", "api-v1.4.2", ALICE, "2026-03-02T12:00:00Z");
    assert_eq!(
        (only(&report).status, only(&report).reason.as_str()),
        (GateStatus::Pass, "first environment")
    );
}

fn soak_world() -> World {
    let mut w = World::new(vec![gate(GateRule::Soak {
        duration: Duration::from_mins(30),
    })]);
    let d = w.log.add(
        "2026-03-02T09:58:00Z",
        ALICE,
        &deploy_requested(COMMIT),
        "api-v1.4.2",
        "staging",
    );
    w.log.add(
        "2026-03-02T10:00:00Z",
        ALICE,
        &succeeded(&d),
        "api-v1.4.2",
        "staging",
    );
    w
}

#[test]
fn soak_counts_down_from_the_first_successful_deployment() {
    let w = soak_world();
    let report = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-03-02T10:10:00Z");
    let g = only(&report);
    assert_eq!(g.status, GateStatus::Pending);
    assert_eq!(g.until, Some(ts("2026-03-02T10:30:00Z")));
    assert_eq!(
        g.reason,
        "soaking in staging: 20m left of 30m (until 2026-03-02 10:30 UTC)"
    );
}

#[test]
fn soak_passes_once_elapsed_and_healthy_there_now() {
    let mut w = soak_world();
    w.observations.push(observation(
        "staging",
        Some("api-v1.4.2"),
        Health::Pass,
        "2026-03-02T10:29:00Z",
    ));
    let report = w.eval_as("prod", "api-v1.4.2", ALICE, "2026-03-02T10:30:00Z");
    assert_eq!(only(&report).status, GateStatus::Pass);
}

#[test]
fn soak_elapsed_without_an_observation_is_pending() {
    let w = soak_world();
    let g = only(&w.eval_as("prod", "api-v1.4.2", ALICE, "2026-03-02T11:00:00Z")).clone();
    assert_eq!(g.status, GateStatus::Pending);
    assert!(g.reason.contains("not observed yet"), "{}", g.reason);
}

#[test]
fn soak_fails_when_the_release_never_deployed_to_the_previous_environment() {
    let w = soak_world();
    let g = only(&w.eval_as("prod", "api-v1.4.3", ALICE, "2026-03-02T11:00:00Z")).clone();
    assert_eq!(g.status, GateStatus::Fail);
    assert_eq!(
        g.reason,
        "api-v1.4.3 never deployed successfully to staging, nor seen running healthy there"
    );
}

#[test]
fn an_environment_without_gates_accepts_any_release() {
    let w = World::new(vec![]);
    let report = w.eval_as("dev", "api-v0.0.1", ALICE, "2026-03-02T12:00:00Z");
    assert!(report.gates.is_empty());
    assert!(report.allowed());
}

#[test]
fn the_report_serializes_statuses_in_lowercase() {
    let w = healthy_world();
    let json = serde_json::to_value(w.prod(ALICE)).expect("serializable");
    assert_eq!(json["gates"][0]["status"], "pending");
    assert_eq!(json["gates"][0]["kind"], "healthy");
    let _: Timestamp = ts("2026-03-02T12:00:00Z");
}
