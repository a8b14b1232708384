//! Issue 14's console walk, end to end: the release binary in tmux against `shipdeck demo
//! serve`. On the train row above the services, `C` on dev cuts what runs there; `p` on
//! staging lists every member's plan; Enter promotes the train, every member in order and
//! verified, and the cell says so. Every wait polls for a condition with a deadline.

use std::time::Duration;

use crate::common::wait_for;
use crate::e2e_support::DemoServer;

#[test]
fn the_demo_train_is_cut_and_promoted_to_staging_from_the_board() {
    let demo = DemoServer::start();
    let t = demo.console(&demo.config(), (160, 45));
    let board = t.wait_screen(
        "the board with the train row",
        Duration::from_secs(30),
        |s| s.contains("train · 3") && s.contains("SERVICE"),
    );
    let train_at = board.lines().position(|l| l.contains("train · 3"));
    let api_at = board.lines().position(|l| l.contains("api"));
    assert!(
        train_at < api_at,
        "the train row is above the services:\n{board}"
    );

    // Up onto the train row (the cursor starts on the first service), dev: cut.
    t.send(&["k"]);
    t.send(&["C"]);
    let cut = wait_for("the train-cut event", Duration::from_secs(20), || {
        demo.events().into_iter().find(|e| {
            e["kind"] == "train-cut" && e["actor"] == "you@shop.example" && e["env"] == "dev"
        })
    });
    let name = cut["release"].as_str().expect("the cut's name").to_string();
    // The train row's dev cell now names it (what runs there is the cut) — the cell, not the
    // toast that says it was cut: the console has read the cut from the log.
    t.wait_screen("the cut on the train row", Duration::from_secs(20), |s| {
        s.lines()
            .any(|l| l.starts_with("│shop ") && l.contains(&name))
    });

    // Staging: p lists every member's plan, in order.
    t.send(&["l"]);
    t.send(&["p"]);
    // Planned with what the console has observed; the dialog re-plans as the probes report, so
    // a gate waiting for a first observation opens by itself.
    let dialog = t.wait_screen(
        "the train's plan, nothing blocking",
        Duration::from_secs(30),
        |s| s.contains("Promote train shop") && s.contains("3. web") && !s.contains("— blocked"),
    );
    let at = |needle: &str| dialog.find(needle).unwrap_or(usize::MAX);
    assert!(
        at("1. worker") < at("2. api") && at("2. api") < at("3. web"),
        "members in the train's order:\n{dialog}"
    );
    assert!(dialog.contains("ready — calls"), "{dialog}");
    t.send(&["Enter"]);

    // Every member moves and verifies; the staging cell says the train is there.
    t.wait_screen(
        "the train promotion to finish",
        Duration::from_mins(3),
        |_| {
            demo.events().iter().any(|e| {
                e["kind"] == "train-promotion-finished"
                    && e["actor"] == "you@shop.example"
                    && e["data"]["ok"] == true
            })
        },
    );
    let done = t.wait_screen("the staging cell", Duration::from_secs(30), |s| {
        s.contains(&format!("✔ {name}"))
    });
    let row = done.lines().find(|l| l.contains("✔")).unwrap_or_default();
    assert!(row.contains(&format!("✔ {name}")), "{done}");
    // The demo's seeded history has deployments of its own: only those after the cut count.
    let order: Vec<String> = demo
        .events()
        .iter()
        .skip_while(|e| e["id"] != cut["id"])
        .filter(|e| e["kind"] == "deploy-succeeded" && e["env"] == "staging")
        .filter_map(|e| e["service"].as_str().map(str::to_string))
        .collect();
    assert_eq!(order, ["worker", "api", "web"], "members verified in order");
    t.send(&["q"]);
    t.assert_restored();
}
