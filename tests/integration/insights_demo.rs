//! The demo's past and `shipdeck insights` on it, through the real binary: the history ends
//! where the demo starts, is true to its repository's tag times, and carries one failed prod
//! release and its restore.

use crate::common;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{bin, stderr, stdout, wait_for};
use serde_json::Value;

/// `shipdeck demo serve --dir DIR`, killed when dropped.
struct DemoServer {
    child: Child,
    dir: tempfile::TempDir,
}

impl DemoServer {
    fn start() -> DemoServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let child = Command::new(bin())
            .args(["demo", "serve", "--dir"])
            .arg(dir.path().join("demo"))
            .env("SHIPDECK_DATA_DIR", dir.path().join(".data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("demo starts");
        let config = dir.path().join("demo/shipdeck.toml");
        wait_for("the demo's config", Duration::from_mins(1), || {
            config.exists()
        });
        DemoServer { child, dir }
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(bin())
            .arg("--config")
            .arg(self.dir.path().join("demo/shipdeck.toml"))
            .args(args)
            .env("SHIPDECK_USER", "me@shop.example")
            .env("SHIPDECK_DATA_DIR", self.dir.path().join(".data"))
            .env("NO_COLOR", "1")
            .output()
            .expect("shipdeck runs")
    }

    fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("demo/.shipdeck/events.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("an event"))
            .collect()
    }

    fn tag_time(&self, tag: &str) -> jiff::Timestamp {
        let out = Command::new("git")
            .arg("-C")
            .arg(self.dir.path().join("demo/repo"))
            .args(["log", "-1", "--format=%ct", tag])
            .output()
            .expect("git runs");
        let secs: i64 = stdout(&out).trim().parse().expect("a commit time");
        jiff::Timestamp::from_second(secs).expect("a time")
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn at(e: &Value) -> jiff::Timestamp {
    e["at"].as_str().expect("at").parse().expect("a time")
}

#[test]
fn the_demo_past_ends_where_the_demo_starts_and_follows_its_tags() {
    let demo = DemoServer::start();
    let events = demo.events();
    let now = jiff::Timestamp::now();
    assert!(
        events.iter().all(|e| at(e) < now),
        "nothing from the future"
    );
    // Requests by id, then the last successful release per (service, env).
    let requests: BTreeMap<&str, &Value> = events
        .iter()
        .filter(|e| e["kind"] == "deploy-requested")
        .map(|e| (e["id"].as_str().expect("id"), e))
        .collect();
    let mut last: BTreeMap<(String, String), String> = BTreeMap::new();
    for e in events.iter().filter(|e| e["kind"] == "deploy-succeeded") {
        let d = requests[e["data"]["deployment"].as_str().expect("deployment")];
        last.insert(
            (
                d["service"].as_str().unwrap().into(),
                d["env"].as_str().unwrap().into(),
            ),
            d["release"].as_str().unwrap().into(),
        );
    }
    // What the demo's environments run at start (README: dev the newest good release,
    // staging the one before, prod the one before that).
    let status = demo.run(&["status", "--json"]);
    assert_eq!(status.status.code(), Some(0), "{}", stderr(&status));
    let status: Value = serde_json::from_str(&stdout(&status)).expect("JSON");
    for service in status["services"].as_array().expect("services") {
        for t in service["targets"].as_array().expect("targets") {
            let key = (
                service["name"].as_str().unwrap().to_string(),
                t["env"].as_str().unwrap().to_string(),
            );
            assert_eq!(
                last.get(&key).map(String::as_str),
                t["release"].as_str(),
                "{key:?}: the log's last success is what runs"
            );
        }
    }
    // Every deployment of a release comes after its tag's commit.
    for d in requests.values() {
        let tag = d["release"].as_str().unwrap();
        assert!(
            at(d) > demo.tag_time(tag),
            "{tag} deployed before it was tagged"
        );
    }
    // One failed prod deployment, web-v2.0.0, and the rollback to web-v1.9.0.
    let failed: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "deploy-failed")
        .collect();
    assert_eq!(failed.len(), 1);
    let bad = requests[failed[0]["data"]["deployment"].as_str().unwrap()];
    assert_eq!(
        (bad["release"].as_str(), bad["env"].as_str()),
        (Some("web-v2.0.0"), Some("prod"))
    );
    let rollbacks: Vec<&&Value> = requests
        .values()
        .filter(|d| d["data"]["rollback"] == true)
        .collect();
    assert_eq!(rollbacks.len(), 1);
    assert_eq!(rollbacks[0]["release"], "web-v1.9.0");
    // The log is whole.
    let out = demo.run(&["log", "--verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn insights_on_the_demo_shows_its_failed_release_and_the_restore() {
    let demo = DemoServer::start();
    let out = demo.run(&["insights", "--since", "90d", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let i: Value = serde_json::from_str(&stdout(&out)).expect("insights JSON");
    assert_eq!(i["shape"], 1);
    assert_eq!(i["env"], "prod");
    // Prod: api 1.2.0 and 1.3.0, web 1.8.0 and 1.9.0, worker 0.8.0 and 0.9.0 succeeded, web
    // 2.0.0 failed and the rollback to 1.9.0 succeeded: 7 successes, one a rollback.
    let prod = i["frequency"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["env"] == "prod")
        .expect("prod");
    assert_eq!(
        (prod["deployments"].as_u64(), prod["rollbacks"].as_u64()),
        (Some(7), Some(1))
    );
    // 7 changes to prod (the rollback is none), one failed: 1/7.
    let cf = &i["change_failure"];
    assert_eq!(
        (cf["deployments"].as_u64(), cf["failed"].as_u64()),
        (Some(7), Some(1))
    );
    assert_eq!(cf["rate"].as_f64(), Some(1.0 / 7.0));
    // Its restore: the failure (30 s after the request) → the rollback eleven minutes later
    // succeeded after its 4 s roll-out: 11m 4s.
    let r = &i["restore"];
    assert_eq!(
        (r["incidents"].as_u64(), r["open"].as_u64()),
        (Some(1), Some(0))
    );
    assert_eq!(r["spread"]["median_secs"].as_f64(), Some(11.0 * 60.0 + 4.0));
    // Commits reached prod: lead time rests on them.
    assert!(
        i["lead_time"]["spread"]["samples"].as_u64().unwrap() > 10,
        "{i}"
    );
    assert!(i["lead_time"]["spread"]["p90_secs"].as_f64().is_some());
    // Approvals held every prod promotion: 7 promotions (web 2.0.0's included).
    let approval = i["gates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "approval")
        .expect("approval gate");
    assert_eq!(approval["promotions"].as_u64(), Some(7));
    assert_eq!(approval["spread"]["samples"].as_u64(), Some(7));

    // The text report names the same, with its sample sizes.
    let out = demo.run(&["insights", "--since", "90d", "--service", "web"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("1 of 3 deployments (1 failed, 0 rolled back)"),
        "{text}"
    );
    assert!(
        text.contains("over 1 restored incident (0 still open)"),
        "{text}"
    );

    // Unknown names are bad usage.
    let out = demo.run(&["insights", "--service", "nope"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = demo.run(&["insights", "--since", "soon"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
