//! Issue 12's canary in the console, end to end: the binary the user runs in tmux at 160×45
//! against `shipdeck demo serve`, whose prod `web` sits behind the demo's own `http` router.
//! `p` on web in prod shows the rollout's steps and router calls, the typed name starts it, the
//! board reads the weights and the next step's countdown, `x` aborts it with one confirmation
//! and the board reads blue 100 % again — checked against the router itself (`traffic --json`).
//! Every wait polls for a condition with a deadline.

use std::process::Command;
use std::time::Duration;

use crate::common::wait_for;
use crate::e2e_support::{DemoServer, binary};

/// The router's weights as `shipdeck traffic web --env prod --json` reads them.
fn router(demo: &DemoServer) -> Option<(u64, u64)> {
    let out = Command::new(binary())
        .args(["--config"])
        .arg(demo.config())
        .args(["traffic", "web", "--env", "prod", "--json"])
        .env("SHIPDECK_USER", "you@shop.example")
        .env("SHIPDECK_DATA_DIR", demo.data_dir())
        .output()
        .ok()?;
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).ok()?;
    Some((
        v["weights"]["blue"].as_u64()?,
        v["weights"]["green"].as_u64()?,
    ))
}

#[test]
fn traffic_console_walks_the_demo_canary_and_reads_the_weights_on_the_board() {
    let demo = DemoServer::start();
    let t = demo.console(&demo.config(), (160, 45));
    t.wait_screen(
        "blue live on prod's web cell",
        Duration::from_mins(1),
        |s| s.contains("⇄ blue 100%"),
    );
    // web is the second row, prod the third column.
    t.send(&["j", "l", "l", "p"]);
    let dialog = t.wait_screen(
        "the promote dialog with the rollout's steps",
        Duration::from_mins(1),
        |s| s.contains("step 3: green 100%") && s.contains("type its name to confirm"),
    );
    assert!(dialog.contains("rollout   blue → green"), "{dialog}");
    assert!(
        dialog.contains("step 1: green 10%, then 10s with analysis — PUT http://"),
        "{dialog}"
    );
    t.type_text("prod");
    t.send(&["Enter"]);
    let board = t.wait_screen(
        "the 10 % step and its countdown on the board",
        Duration::from_mins(1),
        |s| s.contains("⇄ blue 90%") && s.contains("green 10% → 50% in"),
    );
    assert!(board.contains("rolling out web-v2.0.0 to prod"), "{board}");
    assert_eq!(router(&demo), Some((90, 10)), "the board reads the router");
    // x: one confirmation, no typed name, even in protected prod.
    t.send(&["x"]);
    let confirm = t.wait_screen("the abort dialog", Duration::from_secs(10), |s| {
        s.contains("Abort the rollout of web-v2.0.0 in prod")
    });
    assert!(!confirm.contains("type its name"), "{confirm}");
    t.send(&["Enter"]);
    t.wait_screen(
        "all traffic back on blue, on the board",
        Duration::from_mins(1),
        |s| s.contains("⇄ blue 100%") && s.contains("web-v2.0.0 aborted"),
    );
    wait_for("the router back on blue", Duration::from_secs(10), || {
        router(&demo) == Some((100, 0))
    });
    assert!(demo.recorded("rollout-aborted", "you@shop.example"));
    // The driver stops at its next look at the log; then nothing is in flight and q quits.
    t.wait_screen("the driver to stop", Duration::from_secs(30), |s| {
        !s.contains("rolling out web-v2.0.0 to prod")
    });
    t.send(&["q"]);
    t.assert_restored();
}
