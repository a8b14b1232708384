//! Blue-green and canary rollouts through a real HAProxy (runtime API on a loopback port), with
//! two real HTTP slot servers behind it; the test reads the router itself.

use crate::traffic_support;

use traffic_support::{
    Haproxy, Slots, kinds, project, shipdeck, spawn, stderr, stdout, through, wait_weights,
};

const USER: &str = "dana@shop.example";

fn haproxy_table(h: &Haproxy, steps: &str) -> String {
    format!(
        "  kind = \"haproxy\"\n  address = \"127.0.0.1:{}\"\n  backend = \"web\"\n  slots = [\"blue\", \"green\"]\n{steps}",
        h.api
    )
}

fn run(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    shipdeck(dir, USER, args)
}

fn ok(o: &std::process::Output) {
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status.code(),
        stdout(o),
        stderr(o)
    );
}

#[test]
fn blue_green_promote_switches_and_rollback_switches_back_without_a_deploy() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let h = Haproxy::start(dir.path(), &slots, "blue");
    project(dir.path(), &slots, &haproxy_table(&h, ""), "");
    assert_eq!(through(h.frontend), "blue web-v1.0.0");

    let o = run(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    ok(&o);
    assert!(
        stdout(&o).contains("set server web/green weight 100"),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        slots.deploys(),
        vec![("green".to_string(), "web-v1.1.0".to_string())]
    );
    let w = h.weights();
    assert_eq!((w["blue"], w["green"]), (0, 100));
    for _ in 0..10 {
        assert_eq!(through(h.frontend), "green web-v1.1.0");
    }

    let o = run(dir.path(), &["rollback", "web", "--env", "prod", "--yes"]);
    ok(&o);
    assert!(stdout(&o).contains("backout is a switch"), "{}", stdout(&o));
    // The deploy endpoint saw the promotion's one request and nothing more.
    assert_eq!(slots.deploys().len(), 1);
    let w = h.weights();
    assert_eq!((w["blue"], w["green"]), (100, 0));
    for _ in 0..10 {
        assert_eq!(through(h.frontend), "blue web-v1.0.0");
    }
    let k = kinds(dir.path());
    assert_eq!(k.iter().filter(|k| *k == "traffic-shifted").count(), 2);
    assert_eq!(k.iter().filter(|k| *k == "deploy-succeeded").count(), 2);
    ok(&run(dir.path(), &["log", "--verify"]));
}

#[test]
fn a_canary_walks_its_steps_and_the_frontend_follows_the_weights() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let h = Haproxy::start(dir.path(), &slots, "blue");
    let steps = "  steps = [{ weight = 10, pause = \"4s\" }, { weight = 50, pause = \"2s\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, &haproxy_table(&h, steps), "");
    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    wait_weights("the 10% step", &[("blue", 90), ("green", 10)], || {
        h.weights()
    });
    let green = (0..200)
        .filter(|_| through(h.frontend).starts_with("green"))
        .count();
    assert!(
        (10..=40).contains(&green),
        "{green} of 200 reached green at 10%"
    );
    wait_weights("the 50% step", &[("blue", 50), ("green", 50)], || {
        h.weights()
    });
    wait_weights("the 100% step", &[("blue", 0), ("green", 100)], || {
        h.weights()
    });
    let status = child.wait().expect("promote ends");
    assert!(
        status.success(),
        "{}",
        std::fs::read_to_string(dir.path().join("bg.err")).unwrap_or_default()
    );
    let k = kinds(dir.path());
    assert_eq!(k.iter().filter(|k| *k == "traffic-shifted").count(), 3);
    assert_eq!(k.last().map(String::as_str), Some("deploy-succeeded"));
    let t = run(dir.path(), &["traffic", "web", "--env", "prod", "--json"]);
    ok(&t);
    let v: serde_json::Value = serde_json::from_str(&stdout(&t)).expect("json");
    assert_eq!(v["live"], "green");
    assert_eq!(v["drift"], false);
    assert_eq!(v["rollout"]["outcome"], "succeeded");
}

#[test]
fn an_unhealthy_new_slot_during_a_pause_aborts_and_puts_traffic_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let h = Haproxy::start(dir.path(), &slots, "blue");
    let steps = "  steps = [{ weight = 10, pause = \"30s\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, &haproxy_table(&h, steps), "");
    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    wait_weights("the 10% step", &[("blue", 90), ("green", 10)], || {
        h.weights()
    });
    slots.set_healthy("green", false);
    let status = child.wait().expect("promote ends");
    assert_eq!(status.code(), Some(4));
    let w = h.weights();
    assert_eq!((w["blue"], w["green"]), (100, 0));
    let k = kinds(dir.path());
    assert!(k.contains(&"rollout-aborted".to_string()), "{k:?}");
    assert_eq!(k.last().map(String::as_str), Some("deploy-failed"));
    ok(&run(dir.path(), &["log", "--verify"]));
}

#[test]
fn kill_9_of_the_driver_leaves_it_paused_and_another_run_resumes_or_aborts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let h = Haproxy::start(dir.path(), &slots, "blue");
    let steps = "  steps = [{ weight = 10, pause = \"3s\" }, { weight = 50, pause = \"1s\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, &haproxy_table(&h, steps), "");

    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    wait_weights("the 10% step", &[("blue", 90), ("green", 10)], || {
        h.weights()
    });
    child.kill().expect("kill -9");
    let _ = child.wait();
    // The router keeps its weight; the log has the step; nobody advances it.
    let t = run(dir.path(), &["traffic", "web", "--env", "prod", "--json"]);
    ok(&t);
    let v: serde_json::Value = serde_json::from_str(&stdout(&t)).expect("json");
    assert_eq!(v["rollout"]["state"], "paused: nobody driving", "{v}");
    assert_eq!(v["rollout"]["paused"], true);
    assert_eq!(v["weights"]["green"], 10);
    assert_eq!(v["weights"]["blue"], 90);
    assert_eq!(v["drift"], false);
    ok(&run(
        dir.path(),
        &["rollout", "web", "--env", "prod", "--resume", "--yes"],
    ));
    let w = h.weights();
    assert_eq!((w["blue"], w["green"]), (0, 100));

    // A second rollout, killed in its first pause, then aborted by another run.
    let mut child = spawn(
        dir.path(),
        &["promote", "web", "web-v1.2.0", "--to", "prod", "--yes"],
    );
    wait_weights("the next 10% step", &[("blue", 10), ("green", 90)], || {
        h.weights()
    });
    child.kill().expect("kill -9");
    let _ = child.wait();
    ok(&run(
        dir.path(),
        &["rollout", "web", "--env", "prod", "--abort", "--yes"],
    ));
    let w = h.weights();
    assert_eq!((w["blue"], w["green"]), (0, 100));
    assert_eq!(through(h.frontend), "green web-v1.1.0");
    let t = run(dir.path(), &["traffic", "web", "--env", "prod", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&t)).expect("json");
    assert_eq!(v["rollout"]["outcome"], "aborted");
    ok(&run(dir.path(), &["log", "--verify"]));
}

#[test]
fn an_unreachable_router_stops_the_rollout_before_anything_is_recorded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let port = traffic_support::free_port();
    let table = format!(
        "  kind = \"haproxy\"\n  address = \"127.0.0.1:{port}\"\n  backend = \"web\"\n  slots = [\"blue\", \"green\"]\n  timeout = \"1s\"\n"
    );
    project(dir.path(), &slots, &table, "");
    let o = run(
        dir.path(),
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("unreachable"), "{}", stderr(&o));
    assert!(slots.deploys().is_empty());
    assert!(!kinds(dir.path()).iter().any(|k| k == "deploy-requested"));
}
