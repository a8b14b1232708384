//! Blue-green through a real Caddy (admin API on a loopback port): Caddy 2.6 has no weighted
//! balancing, so a `caddy` router switches whole, and `check` refuses canary steps for it.

use crate::traffic_support;

use traffic_support::{Caddy, Slots, kinds, project, shipdeck, stderr, stdout, through};

const USER: &str = "dana@shop.example";

fn caddy_table(c: &Caddy, slots: &Slots, steps: &str) -> String {
    format!(
        "  kind = \"caddy\"\n  admin = \"http://127.0.0.1:{}\"\n  route = \"web\"\n  slots = [\"blue\", \"green\"]\n  dials = {{ blue = \"{}\", green = \"{}\" }}\n{steps}",
        c.admin, slots.addrs["blue"], slots.addrs["green"]
    )
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
fn blue_green_through_caddy_switches_and_switches_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let c = Caddy::start(dir.path(), &slots, "blue");
    project(dir.path(), &slots, &caddy_table(&c, &slots, ""), "");
    assert_eq!(through(c.frontend), "blue web-v1.0.0");

    ok(&shipdeck(
        dir.path(),
        USER,
        &["promote", "web", "web-v1.1.0", "--to", "prod", "--yes"],
    ));
    for _ in 0..10 {
        assert_eq!(through(c.frontend), "green web-v1.1.0");
    }
    let t = shipdeck(
        dir.path(),
        USER,
        &["traffic", "web", "--env", "prod", "--json"],
    );
    ok(&t);
    let v: serde_json::Value = serde_json::from_str(&stdout(&t)).expect("json");
    assert_eq!(v["live"], "green");
    assert_eq!(v["weights"]["green"], 100);
    assert_eq!(v["slots"][0]["release"], "web-v1.0.0");

    // blue still runs the previous release: `switch` moves everything back, no deploy call.
    let o = shipdeck(
        dir.path(),
        USER,
        &["switch", "web", "--env", "prod", "--yes"],
    );
    ok(&o);
    assert!(stdout(&o).contains("a switch back"), "{}", stdout(&o));
    assert_eq!(slots.deploys().len(), 1);
    for _ in 0..10 {
        assert_eq!(through(c.frontend), "blue web-v1.0.0");
    }
    assert_eq!(
        kinds(dir.path())
            .iter()
            .filter(|k| *k == "traffic-shifted")
            .count(),
        2
    );
    ok(&shipdeck(dir.path(), USER, &["log", "--verify"]));
}

#[test]
fn check_refuses_canary_steps_for_a_caddy_router_and_says_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slots = Slots::start("web-v1.0.0");
    let table = "  kind = \"caddy\"\n  admin = \"http://127.0.0.1:2019\"\n  route = \"web\"\n  slots = [\"blue\", \"green\"]\n  dials = { blue = \"127.0.0.1:1\", green = \"127.0.0.1:2\" }\n  steps = [{ weight = 10, pause = \"1m\" }, { weight = 100 }]\n";
    project(dir.path(), &slots, table, "");
    let o = shipdeck(dir.path(), USER, &["check"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("shipdeck.toml:"), "{err}");
    assert!(err.contains("services[0].env.prod.traffic.steps"), "{err}");
    assert!(
        err.contains("Caddy 2.6 has no weighted load balancing"),
        "{err}"
    );
}
