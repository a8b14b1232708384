//! Issue 16's Insights view, end to end: the release binary in tmux against `shipdeck demo
//! serve`. `8` opens the view, which reads the figures the engine computed from the demo's log
//! and git — the same ones `shipdeck insights --json` prints; `]` switches to 90 days, `j`
//! narrows to one service, `r` computes again. Every wait polls for a condition with a
//! deadline.

use std::process::Command;
use std::time::Duration;

use serde_json::Value;

use crate::e2e_support::{DemoServer, binary};

/// `shipdeck insights --json` on the demo.
fn insights_json(demo: &DemoServer, args: &[&str]) -> Value {
    let out = Command::new(binary())
        .arg("--config")
        .arg(demo.config())
        .arg("insights")
        .args(args)
        .arg("--json")
        .env("SHIPDECK_DATA_DIR", demo.data_dir())
        .env("SHIPDECK_USER", "you@shop.example")
        .output()
        .expect("shipdeck insights runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

fn n(v: &Value) -> u64 {
    v.as_u64().expect("a count")
}

fn plural(count: u64, one: &str, many: &str) -> String {
    format!("{count} {}", if count == 1 { one } else { many })
}

/// What the view says the change failure rate and the lead time rest on, as the JSON has it.
fn counts(json: &Value) -> (String, String) {
    let cf = &json["change_failure"];
    let failed = n(&cf["failed"]) + n(&cf["rolled_back"]);
    let lt = &json["lead_time"];
    (
        format!(
            "{failed} of {}",
            plural(n(&cf["deployments"]), "deployment", "deployments")
        ),
        format!(
            "{} in {}",
            plural(n(&lt["spread"]["samples"]), "commit", "commits"),
            plural(n(&lt["deployments"]), "deployment", "deployments")
        ),
    )
}

#[test]
fn insights_walk_on_the_demo_shows_the_engines_figures_per_period_and_service() {
    let demo = DemoServer::start();
    let t = demo.console(&demo.config(), (160, 45));
    t.wait_screen("the board", Duration::from_secs(30), |s| {
        s.contains("SERVICE") && s.contains("8 Insights")
    });
    t.send(&["8"]);
    let json = insights_json(&demo, &["--since", "30d"]);
    let (failures, lead) = counts(&json);
    let screen = t.wait_screen("the 30-day figures", Duration::from_secs(30), |s| {
        s.contains("THE FOUR KEYS in prod") && s.contains("computed")
    });
    assert!(screen.contains("every service · last 30 days"), "{screen}");
    assert!(screen.contains(&failures), "{failures}:\n{screen}");
    assert!(screen.contains(&lead), "{lead}:\n{screen}");
    for part in [
        "WAITS PER STAGE",
        "staging → prod",
        "WAITS PER GATE",
        "approval",
    ] {
        assert!(screen.contains(part), "{part}:\n{screen}");
    }
    // 90 days: the demo's whole past, its failed release and its restore among it.
    t.send(&["]"]);
    let json = insights_json(&demo, &["--since", "90d"]);
    assert_eq!(n(&json["restore"]["spread"]["samples"]), 1, "{json}");
    let (failures, lead) = counts(&json);
    let screen = t.wait_screen("the 90-day figures", Duration::from_secs(30), |s| {
        s.contains("[90d]") && s.contains("last 90 days") && s.contains(&failures)
    });
    assert!(screen.contains(&lead), "{lead}:\n{screen}");
    assert!(
        screen.contains("1 incident restored, 0 open"),
        "web-v2.0.0's rollback:\n{screen}"
    );
    // One service: web, the one whose release failed.
    t.send(&["j"]);
    t.send(&["j"]);
    let json = insights_json(&demo, &["--since", "90d", "--service", "web"]);
    let (failures, _) = counts(&json);
    let screen = t.wait_screen("web's figures", Duration::from_secs(30), |s| {
        s.contains("Insights — web · last 90 days") && s.contains("computed")
    });
    assert!(screen.contains(&failures), "{failures}:\n{screen}");
    // r computes again; the figures stay what the log says.
    t.send(&["r"]);
    t.wait_screen("web's figures again", Duration::from_secs(30), |s| {
        s.contains("Insights — web") && s.contains("computed") && s.contains(&failures)
    });
    t.send(&["q"]);
    t.assert_restored();
}
