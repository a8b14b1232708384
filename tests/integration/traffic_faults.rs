//! Faults mid-rollout, through an `http` router the test serves: a router that answers garbage
//! or too slowly pauses the rollout and says so (nothing assumed, nothing recorded for the
//! step); a new slot whose probe is unreachable fails analysis.

use crate::traffic_support::{
    RouterMode, Slots, kinds, project, shipdeck, spawn, stderr, stdout, wait_weights,
};

const USER: &str = "dana@shop.example";

fn shifts(dir: &std::path::Path) -> usize {
    kinds(dir)
        .iter()
        .filter(|k| *k == "traffic-shifted")
        .count()
}

#[test]
fn a_router_answering_garbage_mid_rollout_pauses_it_and_resume_finishes_once_it_recovers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let steps = "  steps = [{ weight = 10, pause = \"2s\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, &slots.http_table(steps), "");
    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    wait_weights("the 10% step", &[("blue", 90), ("green", 10)], || {
        slots.router()
    });
    slots.set_router_mode(RouterMode::Garbage);
    let status = child.wait().expect("promote ends");
    assert_eq!(status.code(), Some(1));
    let err = std::fs::read_to_string(dir.path().join("bg.err")).unwrap_or_default();
    assert!(
        err.contains("makes no sense") && err.contains("paused"),
        "{err}"
    );
    // The router was never written for the next step, and the log has only the first shift.
    assert_eq!(slots.router()["green"], 10);
    assert_eq!(shifts(dir.path()), 1);
    let t = shipdeck(
        dir.path(),
        USER,
        &["traffic", "web", "--env", "prod", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&t)).expect("json");
    assert!(
        v["router_error"]
            .as_str()
            .is_some_and(|e| e.contains("makes no sense")),
        "{v}"
    );
    assert_eq!(v["rollout"]["state"], "paused: nobody driving");

    slots.set_router_mode(RouterMode::Fine);
    let o = shipdeck(
        dir.path(),
        USER,
        &["rollout", "web", "--env", "prod", "--resume", "--yes"],
    );
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert_eq!(slots.router()["green"], 100);
    assert_eq!(shifts(dir.path()), 2);
}

#[test]
fn a_slow_router_pauses_the_rollout_without_assuming_the_shift() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let steps = "  steps = [{ weight = 10, pause = \"1s\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, &slots.http_table(steps), "");
    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    wait_weights("the 10% step", &[("blue", 90), ("green", 10)], || {
        slots.router()
    });
    slots.set_router_mode(RouterMode::Slow);
    let status = child.wait().expect("promote ends");
    assert_eq!(status.code(), Some(1));
    let err = std::fs::read_to_string(dir.path().join("bg.err")).unwrap_or_default();
    assert!(err.contains("did not answer within"), "{err}");
    assert_eq!(shifts(dir.path()), 1);
    assert!(!kinds(dir.path()).iter().any(|k| k == "deploy-succeeded"));
}

#[test]
fn a_new_slot_whose_probe_is_unreachable_fails_analysis() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let steps = "  steps = [{ weight = 10, pause = \"30s\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, &slots.http_table(steps), "");
    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    wait_weights("the 10% step", &[("blue", 90), ("green", 10)], || {
        slots.router()
    });
    slots.set_unreachable("green");
    let status = child.wait().expect("promote ends");
    assert_eq!(status.code(), Some(4));
    assert_eq!(slots.router()["blue"], 100);
    assert!(kinds(dir.path()).contains(&"rollout-aborted".to_string()));
    let err = std::fs::read_to_string(dir.path().join("bg.err")).unwrap_or_default();
    assert!(err.contains("unreachable"), "{err}");
}
