//! The board and the target: drift after shipdeck's own deployment, deployed-at from the log,
//! a refused deploy that changed nothing.

use std::fmt::Write as _;

use shipdeck::app::board::board;
use shipdeck::domain::drift::{drift, drift_of};
use shipdeck::domain::observation::Health;

use crate::common::{project, shipdeck, stderr, stdout};
use crate::domain_support::{
    COMMIT, Log, OTHER_COMMIT, config, deploy_requested, failed, observation, succeeded, ts,
};

#[test]
fn a_failed_or_in_flight_deployment_of_shipdecks_own_is_not_drift() {
    let mut log = Log::default();
    let first = log.add(
        "2026-03-01T10:00:00Z",
        "dana",
        &deploy_requested(OTHER_COMMIT),
        "api-v1.0.0",
        "dev",
    );
    log.add(
        "2026-03-01T10:01:00Z",
        "dana",
        &succeeded(&first),
        "api-v1.0.0",
        "dev",
    );
    let second = log.add(
        "2026-03-01T11:00:00Z",
        "dana",
        &deploy_requested(COMMIT),
        "api-v1.1.0",
        "dev",
    );
    log.add(
        "2026-03-01T11:01:00Z",
        "dana",
        &failed(
            &second,
            "not verified within 30s: dev reports api-v1.1.0 (fail)",
        ),
        "api-v1.1.0",
        "dev",
    );
    let ledger = log.ledger();
    let seen = observation(
        "dev",
        Some("api-v1.1.0"),
        Health::Fail,
        "2026-03-01T11:02:00Z",
    );
    assert!(
        drift(&seen, ledger.last_successful("api", "dev")),
        "the old rule"
    );
    assert!(
        !drift_of(&seen, &ledger, "api", "dev"),
        "shipdeck put it there"
    );
    let other = observation(
        "dev",
        Some("api-v1.2.0"),
        Health::Pass,
        "2026-03-01T11:02:00Z",
    );
    assert!(
        drift_of(&other, &ledger, "api", "dev"),
        "someone else's is drift"
    );
    let b = board(&config(vec![], vec![]), &ledger, &[seen]);
    let dev = &b.services[0].targets[0];
    assert!(!dev.drift);
}

#[test]
fn the_board_says_when_and_by_whom_a_release_was_deployed_else_when_first_seen() {
    let mut log = Log::default();
    let id = log.add(
        "2026-03-01T10:00:00Z",
        "dana@x",
        &deploy_requested(COMMIT),
        "api-v1.1.0",
        "staging",
    );
    log.add(
        "2026-03-01T10:02:00Z",
        "dana@x",
        &succeeded(&id),
        "api-v1.1.0",
        "staging",
    );
    let ledger = log.ledger();
    let observations = [
        observation(
            "staging",
            Some("api-v1.1.0"),
            Health::Pass,
            "2026-03-01T10:05:00Z",
        ),
        observation(
            "prod",
            Some("api-v1.0.0"),
            Health::Pass,
            "2026-03-01T09:00:00Z",
        ),
        observation(
            "prod",
            Some("api-v1.0.0"),
            Health::Pass,
            "2026-03-01T10:05:00Z",
        ),
    ];
    let b = board(&config(vec![], vec![]), &ledger, &observations);
    let targets = &b.services[0].targets;
    let staging = targets
        .iter()
        .find(|t| t.env == "staging")
        .expect("staging");
    assert_eq!(staging.deployed_at, Some(ts("2026-03-01T10:02:00Z")));
    assert_eq!(staging.deployed_by.as_deref(), Some("dana@x"));
    assert_eq!(staging.first_seen, None);
    let prod = targets.iter().find(|t| t.env == "prod").expect("prod");
    assert_eq!(prod.deployed_at, None);
    assert_eq!(prod.first_seen, Some(ts("2026-03-01T09:00:00Z")));
    let json = serde_json::to_value(&b).expect("json");
    assert!(
        json["services"][0]["targets"][1]
            .get("deployed_at")
            .is_some(),
        "{json}"
    );
    assert!(
        json["services"][0]["targets"][1]
            .get("deployed_by")
            .is_some(),
        "{json}"
    );
}

#[test]
fn a_deploy_refused_with_a_4xx_changed_nothing_and_offers_no_backout() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let endpoint = crate::truth_server::serve(409, r#"{"error":"a deployment is running"}"#);
    let mut text = std::fs::read_to_string(&config).expect("config");
    let _ = writeln!(
        text,
        "deploy = {{ kind = \"http\", url = \"http://127.0.0.1:{}/deploy\" }}",
        endpoint.port
    );
    std::fs::write(&config, text).expect("write");
    let out = shipdeck(
        dir.path(),
        "dana@x",
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
    );
    assert_eq!(out.status.code(), Some(4), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("refused, nothing changed"), "{err}");
    assert!(err.contains("no backout needed"), "{err}");
    assert!(!err.contains("roll back"), "{err}");
    assert_eq!(
        endpoint.hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "called once, never retried"
    );
    let log = std::fs::read_to_string(dir.path().join(".shipdeck/events.jsonl")).expect("log");
    assert!(log.contains("refused, nothing changed"), "{log}");
}
