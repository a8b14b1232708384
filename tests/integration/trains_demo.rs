//! The demo's train `shop` through the demo's own servers: the plan for api lists only api's
//! commits; a train cut from staging goes to prod, every member in order and verified; with one
//! member failing, the later ones are not called and the backout restores the moved ones in
//! reverse order; the log verifies.

use crate::common;

use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{bin, stderr, stdout, wait_for};

/// `shipdeck demo serve --dir DIR`, killed when dropped.
struct Demo {
    child: Child,
    dir: tempfile::TempDir,
}

impl Demo {
    fn start() -> Demo {
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
        Demo { child, dir }
    }

    fn repo(&self) -> PathBuf {
        self.dir.path().join("demo/repo")
    }

    fn run(&self, user: &str, args: &[&str]) -> Output {
        Command::new(bin())
            .arg("--config")
            .arg(self.dir.path().join("demo/shipdeck.toml"))
            .args(args)
            .env("SHIPDECK_USER", user)
            .env("SHIPDECK_DATA_DIR", self.dir.path().join(".data"))
            .env("NO_COLOR", "1")
            .output()
            .expect("shipdeck runs")
    }

    fn ok(&self, user: &str, args: &[&str]) -> String {
        let out = self.run(user, args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}\n{}\n{}",
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }

    fn running(&self, service: &str, env: &str) -> String {
        let status: serde_json::Value =
            serde_json::from_str(&self.ok("me@shop.example", &["status", "--json"])).expect("JSON");
        status["services"]
            .as_array()
            .expect("services")
            .iter()
            .find(|s| s["name"] == service)
            .and_then(|s| s["targets"].as_array())
            .and_then(|t| t.iter().find(|t| t["env"] == env))
            .and_then(|t| t["release"].as_str())
            .unwrap_or_default()
            .to_string()
    }

    fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join("demo/.shipdeck/events.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn cut_from(demo: &Demo, env: &str) -> String {
    let out = demo.ok(
        "lena@shop.example",
        &["train", "cut", "shop", "--from", env, "--json"],
    );
    let json: serde_json::Value = serde_json::from_str(&out).expect("cut JSON");
    json["release"].as_str().expect("release").to_string()
}

#[test]
fn the_demo_plan_for_api_lists_only_apis_commits() {
    let demo = Demo::start();
    let staging = demo.running("api", "staging");
    let dev = demo.running("api", "dev");
    let out = demo.run(
        "me@shop.example",
        &["plan", "api", &dev, "--to", "staging", "--json"],
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("plan JSON");
    let listed: Vec<&str> = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| c["commit"].as_str().expect("commit"))
        .collect();
    let expected = crate::demo_support::git(
        &demo.repo(),
        &[
            "log",
            "--format=%H",
            &format!("{staging}..{dev}"),
            "--",
            "api/**",
        ],
    );
    let expected: Vec<&str> = expected.lines().collect();
    assert!(!expected.is_empty());
    assert_eq!(listed, expected);
    let all = crate::demo_support::git(
        &demo.repo(),
        &["log", "--oneline", &format!("{staging}..{dev}")],
    );
    assert!(
        all.contains("feat(web)!"),
        "the range does hold web's work: {all}"
    );
    let text = stdout(&out);
    assert!(
        !text.contains("feat(web)") && !text.contains("(worker)"),
        "{text}"
    );
}

#[test]
fn a_train_cut_from_staging_goes_to_prod_in_order_each_member_verified() {
    let demo = Demo::start();
    // What runs in dev goes to staging as one train, then that train goes on to prod.
    let from_dev = cut_from(&demo, "dev");
    demo.ok(
        "me@shop.example",
        &[
            "train", "promote", "shop", &from_dev, "--to", "staging", "--yes",
        ],
    );
    let name = cut_from(&demo, "staging");
    let shown: serde_json::Value = serde_json::from_str(&demo.ok(
        "me@shop.example",
        &["train", "show", "shop", &name, "--json"],
    ))
    .expect("show JSON");
    let members = shown["releases"][0]["members"]
        .as_array()
        .expect("members")
        .clone();
    let order: Vec<&str> = members
        .iter()
        .map(|m| m["service"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(order, ["worker", "api", "web"]);

    // Prod: two approvals of the train, every member's checklist, the soak.
    for who in ["sam@shop.example", "priya@shop.example"] {
        demo.ok(who, &["approve", "--train", "shop", &name, "--env", "prod"]);
    }
    for m in &members {
        let (service, release) = (
            m["service"].as_str().expect("s"),
            m["release"].as_str().expect("r"),
        );
        for item in [
            "controls",
            "infrastructure",
            "plan",
            "backout",
            "communications",
        ] {
            demo.ok(
                "lena@shop.example",
                &[
                    "checklist",
                    service,
                    release,
                    "--env",
                    "prod",
                    "tick",
                    item,
                    "--note",
                    "done for the train",
                ],
            );
        }
    }
    demo.ok(
        "lena@shop.example",
        &[
            "checklist",
            "--train",
            "shop",
            &name,
            "--env",
            "prod",
            "tick",
            "backout",
            "--note",
            "train rollback, reverse order",
        ],
    );
    wait_for(
        "the train's prod gates to pass",
        Duration::from_secs(90),
        || {
            demo.run(
                "me@shop.example",
                &["train", "plan", "shop", &name, "--to", "prod"],
            )
            .status
            .code()
                == Some(0)
        },
    );
    // The demo's seeded history has deployments of its own: only what the train did counts.
    let seeded = demo.events().len();
    let out = demo.ok(
        "me@shop.example",
        &[
            "train", "promote", "shop", &name, "--to", "prod", "--yes", "--json",
        ],
    );
    let run: serde_json::Value = serde_json::from_str(&out).expect("run JSON");
    assert_eq!(run["ok"], true, "{run}");
    assert_eq!(run["moved"], serde_json::json!(["worker", "api", "web"]));
    for m in &members {
        assert_eq!(
            demo.running(m["service"].as_str().expect("s"), "prod"),
            m["release"].as_str().expect("r")
        );
    }
    // In order, each verified before the next was requested.
    let events = demo.events();
    let prod: Vec<(String, String)> = events[seeded..]
        .iter()
        .filter(|e| e["env"] == "prod")
        .filter(|e| e["kind"] == "deploy-requested" || e["kind"] == "deploy-succeeded")
        .map(|e| {
            (
                e["kind"].as_str().unwrap_or("").to_string(),
                e["service"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let expect: Vec<(String, String)> = ["worker", "api", "web"]
        .iter()
        .flat_map(|s| {
            [
                ("deploy-requested".to_string(), (*s).to_string()),
                ("deploy-succeeded".to_string(), (*s).to_string()),
            ]
        })
        .collect();
    assert_eq!(prod, expect);
    assert!(
        events
            .iter()
            .any(|e| e["kind"] == "train-promotion-finished"
                && e["env"] == "prod"
                && e["data"]["ok"] == true)
    );
    demo.ok("me@shop.example", &["log", "--verify"]);
}

#[test]
fn a_failing_member_stops_the_train_and_the_backout_restores_the_moved_ones_in_reverse() {
    let demo = Demo::start();
    let before: Vec<String> = ["worker", "api", "web"]
        .iter()
        .map(|s| demo.running(s, "dev"))
        .collect();
    // worker goes back a release, api takes the release that fails its health check, web would
    // go back a release too: it must never be called.
    let name = {
        let out = demo.ok(
            "lena@shop.example",
            &[
                "train",
                "cut",
                "shop",
                "--releases",
                "worker=worker-v0.9.1,api=api-v1.6.0,web=web-v2.0.0",
                "--json",
            ],
        );
        let json: serde_json::Value = serde_json::from_str(&out).expect("cut JSON");
        json["release"].as_str().expect("release").to_string()
    };
    // The demo's seeded history has deployments of its own: only what the train did counts.
    let seeded = demo.events().len();
    let out = demo.run(
        "me@shop.example",
        &["train", "promote", "shop", &name, "--to", "dev", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(err.contains("api (api-v1.6.0) failed"), "{err}");
    assert!(
        err.contains(&format!("shipdeck train rollback shop {name} --to dev")),
        "{err}"
    );
    assert!(
        err.contains("api → api-v1.5.0, worker → worker-v0.10.0"),
        "{err}"
    );
    let requested = |events: &[serde_json::Value], service: &str| {
        events
            .iter()
            .filter(|e| {
                e["kind"] == "deploy-requested" && e["env"] == "dev" && e["service"] == service
            })
            .count()
    };
    assert_eq!(
        requested(&demo.events()[seeded..], "web"),
        0,
        "web was never called"
    );
    assert_eq!(demo.running("worker", "dev"), "worker-v0.9.1");

    // The backout, headless: api first, then worker; web untouched.
    let out = demo.ok(
        "me@shop.example",
        &[
            "train", "rollback", "shop", &name, "--to", "dev", "--yes", "--json",
        ],
    );
    let run: serde_json::Value = serde_json::from_str(&out).expect("run JSON");
    assert_eq!(run["ok"], true, "{run}");
    assert_eq!(run["moved"], serde_json::json!(["api", "worker"]));
    let after: Vec<String> = ["worker", "api", "web"]
        .iter()
        .map(|s| demo.running(s, "dev"))
        .collect();
    assert_eq!(after, before);
    let events = demo.events();
    let rollbacks: Vec<&str> = events[seeded..]
        .iter()
        .filter(|e| e["kind"] == "deploy-requested" && e["data"]["rollback"] == true)
        .map(|e| e["service"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(rollbacks, ["api", "worker"]);
    assert_eq!(requested(&events[seeded..], "web"), 0);
    demo.ok("me@shop.example", &["log", "--verify"]);
}
