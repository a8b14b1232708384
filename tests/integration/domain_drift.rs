//! Drift: a target reports a version its last successful deployment did not put there.

use crate::domain_support;

use domain_support::*;
use shipdeck::domain::drift::drift;
use shipdeck::domain::ledger::Deployment;
use shipdeck::domain::observation::{Health, Observation};

fn last_deployment(release: &str, commit: &str) -> Deployment {
    let mut log = Log::default();
    let d = log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &deploy_requested(commit),
        release,
        "prod",
    );
    log.add(
        "2026-03-02T10:01:00Z",
        "alice",
        &succeeded(&d),
        release,
        "prod",
    );
    log.ledger()
        .last_successful("api", "prod")
        .expect("succeeded")
        .clone()
}

fn reports(version: Option<&str>, release: Option<&str>, commit: Option<&str>) -> Observation {
    let mut o = observation("prod", release, Health::Pass, "2026-03-02T11:00:00Z");
    o.reported_version = version.map(str::to_string);
    o.commit = commit.map(str::to_string);
    o
}

#[test]
fn the_release_last_deployed_is_not_drift() {
    let d = last_deployment("api-v1.4.2", COMMIT);
    assert!(!drift(
        &reports(Some("1.4.2"), Some("api-v1.4.2"), None),
        Some(&d)
    ));
}

#[test]
fn another_release_than_the_last_deployed_is_drift() {
    let d = last_deployment("api-v1.4.2", COMMIT);
    assert!(drift(
        &reports(Some("1.4.1"), Some("api-v1.4.1"), Some(OTHER_COMMIT)),
        Some(&d)
    ));
}

#[test]
fn an_unknown_version_is_drift_unless_it_names_the_deployed_release() {
    let d = last_deployment("api-v1.4.2", COMMIT);
    assert!(drift(&reports(Some("hotfix-7"), None, None), Some(&d)));
    assert!(!drift(&reports(Some("v1.4.2"), None, None), Some(&d)));
}

#[test]
fn another_tag_of_the_same_commit_is_not_drift() {
    let d = last_deployment("api-v1.4.2", COMMIT);
    assert!(!drift(
        &reports(Some("1.4.2-final"), Some("api-v1.4.2-final"), Some(COMMIT)),
        Some(&d)
    ));
    assert!(!drift(
        &reports(Some("abcdef1"), None, Some("abcdef1")),
        Some(&d)
    ));
}

#[test]
fn with_no_deployment_history_the_first_observation_is_the_baseline() {
    assert!(!drift(
        &reports(Some("1.4.1"), Some("api-v1.4.1"), None),
        None
    ));
}

#[test]
fn an_observation_without_a_version_is_never_drift() {
    let d = last_deployment("api-v1.4.2", COMMIT);
    let mut o = reports(None, None, None);
    o.health = Health::Unreachable;
    assert!(!drift(&o, Some(&d)));
}
