//! The fold of events into state.

use crate::domain_support;

use domain_support::*;
use shipdeck::domain::event::Fact;
use shipdeck::domain::ledger::{DeploymentState, Ledger};

#[test]
fn first_outcome_wins_and_later_outcomes_are_ignored() {
    let mut log = Log::default();
    let d = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        "api-v1.4.2",
        "staging",
    );
    log.add(
        "2026-03-02T10:01:00Z",
        "console",
        &succeeded(&d),
        "api-v1.4.2",
        "staging",
    );
    log.add(
        "2026-03-02T10:02:00Z",
        "cli",
        &failed(&d, "timed out"),
        "api-v1.4.2",
        "staging",
    );
    let ledger = log.ledger();
    let dep = ledger.deployment(&d).expect("deployment recorded");
    assert_eq!(
        dep.state,
        DeploymentState::Succeeded {
            at: ts("2026-03-02T10:01:00Z")
        }
    );
    assert_eq!(
        ledger
            .last_successful("api", "staging")
            .map(|d| d.id.as_str()),
        Some(d.as_str())
    );
}

#[test]
fn a_failure_recorded_first_is_not_replaced_by_a_late_success() {
    let mut log = Log::default();
    let d = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        "api-v1.4.2",
        "staging",
    );
    log.add(
        "2026-03-02T10:06:00Z",
        "cli",
        &failed(&d, "not verified in 5m"),
        "api-v1.4.2",
        "staging",
    );
    log.add(
        "2026-03-02T10:07:00Z",
        "console",
        &succeeded(&d),
        "api-v1.4.2",
        "staging",
    );
    let ledger = log.ledger();
    assert!(matches!(
        &ledger.deployment(&d).expect("recorded").state,
        DeploymentState::Failed { reason, .. } if reason == "not verified in 5m"
    ));
    assert!(ledger.last_successful("api", "staging").is_none());
}

#[test]
fn outcomes_for_unknown_deployments_are_ignored() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:01:00Z",
        "console",
        &succeeded("nope"),
        "api-v1.4.2",
        "staging",
    );
    let ledger = log.ledger();
    assert!(ledger.deployments().is_empty());
    assert!(ledger.last_successful("api", "staging").is_none());
}

#[test]
fn a_deployment_is_in_flight_until_its_outcome_and_has_a_verify_deadline() {
    let mut log = Log::default();
    let d = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    log.add(
        "2026-03-02T10:00:02Z",
        "alice",
        &Fact::DeployAccepted {
            deployment: d.clone(),
            detail: "202".into(),
        },
        "api-v1.4.2",
        "prod",
    );
    let ledger = log.ledger();
    let dep = ledger.in_flight("api", "prod").expect("in flight");
    assert_eq!(dep.requested_by, "alice");
    assert_eq!(dep.accepted_at, Some(ts("2026-03-02T10:00:02Z")));
    assert_eq!(dep.verify_deadline, ts("2026-03-02T10:05:00Z"));
    assert!(!dep.is_overdue(ts("2026-03-02T10:04:59Z")));
    assert!(dep.is_overdue(ts("2026-03-02T10:05:00Z")));
    assert!(ledger.in_flight("api", "staging").is_none());

    log.add(
        "2026-03-02T10:01:00Z",
        "alice",
        &succeeded(&d),
        "api-v1.4.2",
        "prod",
    );
    assert!(log.ledger().in_flight("api", "prod").is_none());
}

#[test]
fn last_successful_is_the_latest_success_and_first_success_of_is_the_earliest() {
    let mut log = Log::default();
    let a = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        "api-v1.4.2",
        "staging",
    );
    log.add(
        "2026-03-02T10:01:00Z",
        "alice",
        &succeeded(&a),
        "api-v1.4.2",
        "staging",
    );
    let b = log.add(
        "2026-03-02T11:00:00Z",
        "bob",
        &deploy_requested(OTHER_COMMIT),
        "api-v1.4.1",
        "staging",
    );
    log.add(
        "2026-03-02T11:01:00Z",
        "bob",
        &succeeded(&b),
        "api-v1.4.1",
        "staging",
    );
    let c = log.add(
        "2026-03-02T12:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        "api-v1.4.2",
        "staging",
    );
    log.add(
        "2026-03-02T12:01:00Z",
        "alice",
        &succeeded(&c),
        "api-v1.4.2",
        "staging",
    );
    let ledger = log.ledger();
    assert_eq!(
        ledger
            .last_successful("api", "staging")
            .map(|d| d.id.clone()),
        Some(c)
    );
    assert_eq!(
        ledger
            .first_success_of("api", "api-v1.4.2", "staging")
            .map(|d| d.id.clone()),
        Some(a)
    );
    assert_eq!(ledger.deployments().len(), 3);
    assert!(ledger.last_successful("api", "prod").is_none());
}

#[test]
fn a_replayed_deploy_request_does_not_make_a_second_deployment() {
    let mut log = Log::default();
    log.add_with_id(
        "d1",
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        Some("api-v1.4.2"),
        Some("prod"),
    );
    log.add_with_id(
        "d1",
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(COMMIT),
        Some("api-v1.4.2"),
        Some("prod"),
    );
    assert_eq!(log.ledger().deployments().len(), 1);
}

#[test]
fn approvals_and_overrides_are_kept_per_service_release_and_environment() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    log.add(
        "2026-03-02T10:00:00Z",
        "bob",
        &approved(COMMIT),
        "api-v1.4.1",
        "prod",
    );
    log.add(
        "2026-03-02T10:00:00Z",
        "carol",
        &Fact::Overridden {
            gate: "window".into(),
            reason: "hotfix".into(),
        },
        "api-v1.4.2",
        "prod",
    );
    let ledger = log.ledger();
    let approvals = ledger.approvals("api", "api-v1.4.2", "prod");
    assert_eq!(approvals.len(), 1);
    assert_eq!(approvals[0].actor, "alice");
    assert_eq!(approvals[0].commit, COMMIT);
    assert!(ledger.approvals("api", "api-v1.4.2", "staging").is_empty());
    let overrides = ledger.overrides("api", "api-v1.4.2", "prod");
    assert_eq!(overrides.len(), 1);
    assert_eq!(
        (overrides[0].gate.as_str(), overrides[0].reason.as_str()),
        ("window", "hotfix")
    );
}

#[test]
fn ticks_keep_the_latest_state_and_every_note() {
    let mut log = Log::default();
    let tick_with_note = Fact::ItemTicked {
        checklist: "production-release".into(),
        item: "backout".into(),
        note: Some("redeploy api-v1.4.1".into()),
        by_event: None,
    };
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &tick_with_note,
        "api-v1.4.2",
        "prod",
    );
    log.add(
        "2026-03-02T10:05:00Z",
        "bob",
        &Fact::ItemNoted {
            checklist: "production-release".into(),
            item: "backout".into(),
            note: "checked".into(),
        },
        "api-v1.4.2",
        "prod",
    );
    log.add(
        "2026-03-02T10:10:00Z",
        "carol",
        &unticked("backout"),
        "api-v1.4.2",
        "prod",
    );
    let ticks = log
        .ledger()
        .ticks("api", "api-v1.4.2", "prod", "production-release");
    let t = &ticks["backout"];
    assert!(!t.ticked);
    assert!(t.unticked);
    assert_eq!(t.actor, "carol");
    assert_eq!(t.note, None);
    let notes: Vec<&str> = t.notes.iter().map(|(_, _, n)| n.as_str()).collect();
    assert_eq!(notes, ["redeploy api-v1.4.1", "checked"]);
}

#[test]
fn unknown_kinds_and_events_without_scope_are_ignored() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &approved(COMMIT),
        "api-v1.4.2",
        "prod",
    );
    let mut odd = log.events[0].clone();
    odd.kind = "from-the-future".into();
    let mut unscoped = log.events[0].clone();
    unscoped.env = None;
    let ledger = Ledger::from_events(&[odd, unscoped]);
    assert!(ledger.approvals("api", "api-v1.4.2", "prod").is_empty());
}

#[test]
fn published_notes_count_for_the_environment_or_for_all() {
    let mut log = Log::default();
    let fact = Fact::NotesPublished {
        channel: "slack".into(),
        detail: String::new(),
        ok: true,
        deliveries: Vec::new(),
        markdown: String::new(),
    };
    log.add_with_id(
        "n1",
        "2026-03-02T10:00:00Z",
        "alice",
        &fact,
        Some("api-v1.4.2"),
        None,
    );
    log.add_with_id(
        "n2",
        "2026-03-02T10:00:00Z",
        "alice",
        &fact,
        Some("api-v1.4.3"),
        Some("staging"),
    );
    let ledger = log.ledger();
    assert!(ledger.notes_published("api", "api-v1.4.2", "prod"));
    assert!(ledger.notes_published("api", "api-v1.4.3", "staging"));
    assert!(!ledger.notes_published("api", "api-v1.4.3", "prod"));
}

#[test]
fn free_text_from_the_log_is_sanitized_when_folded() {
    let mut log = Log::default();
    let fact = Fact::Overridden {
        gate: "window".into(),
        reason: "\u{1b}[31mhotfix\u{1b}[0m\nnow".into(),
    };
    log.add(
        "2026-03-02T10:00:00Z",
        "eve\u{1b}]0;pwned\u{7}",
        &fact,
        "api-v1.4.2",
        "prod",
    );
    let ledger = log.ledger();
    let o = &ledger.overrides("api", "api-v1.4.2", "prod")[0];
    assert_eq!(o.reason, "hotfix now");
    assert_eq!(o.actor, "eve");
}
