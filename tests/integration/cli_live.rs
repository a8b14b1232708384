//! The live story on the built-in demo, through the real binary: real HTTP servers on loopback,
//! a real repository, the real event log.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{bin, stderr, stdout, wait_for};

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

    fn config(&self) -> PathBuf {
        self.dir.path().join("demo/shipdeck.toml")
    }

    fn run(&self, user: &str, args: &[&str]) -> std::process::Output {
        Command::new(bin())
            .arg("--config")
            .arg(self.config())
            .args(args)
            .env("SHIPDECK_USER", user)
            .env("SHIPDECK_DATA_DIR", self.dir.path().join(".data"))
            .env("NO_COLOR", "1")
            .output()
            .expect("shipdeck runs")
    }

    fn status(&self) -> serde_json::Value {
        let out = self.run("me@shop.example", &["status", "--json"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_str(&stdout(&out)).expect("status is JSON")
    }

    fn log_path(&self) -> PathBuf {
        self.dir.path().join("demo/.shipdeck/events.jsonl")
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn target<'a>(status: &'a serde_json::Value, service: &str, env: &str) -> &'a serde_json::Value {
    status["services"]
        .as_array()
        .expect("services")
        .iter()
        .find(|s| s["name"] == service)
        .and_then(|s| s["targets"].as_array())
        .and_then(|t| t.iter().find(|t| t["env"] == env))
        .expect("target present")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn the_demo_story_promote_block_approve_fail_and_roll_back() {
    let demo = DemoServer::start();

    // Every target answers with a version and health pass.
    let status = demo.status();
    for svc in status["services"].as_array().expect("services") {
        for t in svc["targets"].as_array().expect("targets") {
            assert_eq!(t["health"], "pass", "{t}");
            assert!(t["release"].is_string(), "{t}");
        }
    }
    let dev = target(&status, "api", "dev")["release"]
        .as_str()
        .expect("dev release")
        .to_string();

    // What dev runs goes to staging.
    let out = demo.run(
        "me@shop.example",
        &["promote", "api", &dev, "--to", "staging", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        target(&demo.status(), "api", "staging")["release"],
        dev.as_str()
    );

    // Prod is blocked by soak, approvals and the checklist.
    let out = demo.run(
        "me@shop.example",
        &["promote", "api", &dev, "--to", "prod", "--yes"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("approval") && err.contains("checklist"),
        "{err}"
    );

    // A second person approves (the demo seeded a colleague's), the lead ticks the rest.
    let out = demo.run(
        "sam@shop.example",
        &["approve", "api", &dev, "--env", "prod"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for item in [
        "controls",
        "infrastructure",
        "plan",
        "backout",
        "communications",
    ] {
        let out = demo.run(
            "lena@shop.example",
            &[
                "checklist",
                "api",
                &dev,
                "--env",
                "prod",
                "tick",
                item,
                "--note",
                "done: roll back with shipdeck rollback if it fails",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    // The soak is a few seconds: wait for the plan to allow it, then promote.
    wait_for("prod's gates to pass", Duration::from_secs(90), || {
        demo.run("me@shop.example", &["plan", "api", &dev, "--to", "prod"])
            .status
            .code()
            == Some(0)
    });
    let out = demo.run(
        "me@shop.example",
        &["promote", "api", &dev, "--to", "prod", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(
        target(&demo.status(), "api", "prod")["release"],
        dev.as_str()
    );

    // The bad release deploys, then fails its health check: exit 4.
    let releases: serde_json::Value = serde_json::from_str(&stdout(
        &demo.run("me@shop.example", &["releases", "api", "--json"]),
    ))
    .expect("releases JSON");
    let newest = releases[0]["release"].as_str().expect("newest").to_string();
    assert_ne!(newest, dev, "the bad release is newer than what dev runs");
    let out = demo.run(
        "me@shop.example",
        &["promote", "api", &newest, "--to", "dev", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stderr(&out).contains("rollback"), "{}", stderr(&out));

    // Rollback restores the previous release.
    let out = demo.run(
        "me@shop.example",
        &["rollback", "api", "--env", "dev", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let dev_now = demo.status();
    assert_eq!(target(&dev_now, "api", "dev")["release"], dev.as_str());
    assert_eq!(target(&dev_now, "api", "dev")["health"], "pass");

    // Everything was recorded, and the chain holds.
    let log = read(&demo.log_path());
    for kind in [
        "deploy-requested",
        "deploy-succeeded",
        "deploy-failed",
        "approved",
        "item-ticked",
    ] {
        assert!(
            log.contains(&format!("\"kind\":\"{kind}\"")),
            "{kind} recorded"
        );
    }
    let out = demo.run("me@shop.example", &["log", "--verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn no_wait_leaves_the_deployment_to_whoever_looks_next_and_blocks_a_second_one() {
    let demo = DemoServer::start();
    // The demo's past has its own successes; count the new one only.
    let succeeded = || {
        read(&demo.log_path())
            .matches("\"kind\":\"deploy-succeeded\"")
            .count()
    };
    let before = succeeded();
    let status = demo.status();
    let dev = target(&status, "web", "dev")["release"]
        .as_str()
        .expect("dev release")
        .to_string();
    let out = demo.run(
        "me@shop.example",
        &[
            "promote",
            "web",
            &dev,
            "--to",
            "staging",
            "--yes",
            "--no-wait",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // Another promote of the same target is refused while this one is in flight.
    let out = demo.run(
        "kim@shop.example",
        &["promote", "web", &dev, "--to", "staging", "--yes"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("me@shop.example"),
        "names who: {}",
        stderr(&out)
    );

    // Two observers finish it: one outcome only.
    wait_for("the rollout to be verified", Duration::from_mins(1), || {
        let a = demo.run("a@x", &["status", "--json"]);
        let b = demo.run("b@x", &["status", "--json"]);
        assert_eq!(a.status.code(), Some(0));
        assert_eq!(b.status.code(), Some(0));
        succeeded() > before
    });
    assert_eq!(succeeded(), before + 1, "{}", read(&demo.log_path()));
    assert_eq!(
        target(&demo.status(), "web", "staging")["release"],
        dev.as_str()
    );
}

#[test]
fn read_only_status_records_nothing_even_with_a_deployment_to_finish() {
    let demo = DemoServer::start();
    let before = read(&demo.log_path());
    let out = demo.run("me@shop.example", &["--read-only", "status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = demo.run(
        "me@shop.example",
        &[
            "--read-only",
            "promote",
            "api",
            "api-v1.5.0",
            "--to",
            "staging",
            "--yes",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("read-only"));
    assert_eq!(read(&demo.log_path()), before);
}
