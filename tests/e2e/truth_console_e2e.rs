//! Issue 11's demo walk, end to end: the release binary in tmux at 160×45 and at 80×24 against
//! `shipdeck demo serve`, one of its targets probed at a port nothing listens on. The board
//! reads why it is down, the target view's retry countdown counts down, and a note typed on a
//! checklist item reads as a note. Every wait polls for a condition with a deadline.

use std::time::Duration;

use crate::common::wait_for;
use crate::e2e_support::DemoServer;

/// A port that was free a moment ago: connecting to it is refused.
fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

/// The demo's configuration with worker in dev probed at a closed port, written beside it (so
/// its relative paths still hold).
fn with_worker_down(demo: &DemoServer, port: u16) -> std::path::PathBuf {
    let text = std::fs::read_to_string(demo.config()).expect("demo config");
    // dev is the first environment: the first worker health URL is dev's.
    let line = text
        .lines()
        .find(|l| l.contains("health = ") && l.contains("/worker/health"))
        .expect("worker's dev health line")
        .to_string();
    let down = text.replacen(
        &line,
        &format!("  health = \"http://127.0.0.1:{port}/worker/health\""),
        1,
    );
    let path = demo.dir.path().join("worker-down.toml");
    std::fs::write(&path, down).expect("write config");
    path
}

/// `↻ probe failing (N in a row); next probe in Xs` → (N, X).
fn retry_line(screen: &str) -> Option<(u32, String)> {
    let line = screen
        .lines()
        .find(|l| l.contains("in a row); next probe in"))?;
    let attempt = line
        .split("probe failing (")
        .nth(1)?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    let left = line
        .split("next probe in ")
        .nth(1)?
        .split(|c: char| c == '│' || c.is_whitespace())
        .next()?
        .to_string();
    Some((attempt, left))
}

fn walk(size: (u16, u16)) {
    let demo = DemoServer::start();
    let port = closed_port();
    let config = with_worker_down(&demo, port);
    let t = demo.console(&config, size);
    // The board says why worker in dev is down, and the status bar counts it.
    let board = t.wait_screen(
        "the unreachable reason on the board",
        Duration::from_secs(30),
        |s| s.contains("connection refused") && s.contains("1 unreachable in dev"),
    );
    assert!(board.contains("unreachable"), "{board}");
    assert!(board.contains("q quit"), "the key hints stay:\n{board}");
    assert!(
        board.contains("PROD"),
        "every environment column stays:\n{board}"
    );
    if size.0 >= 120 {
        assert!(board.contains("unreachable: connection refused"), "{board}");
    }
    // The target view: what is probed, and a retry countdown that counts down.
    t.send(&["j"]);
    t.send(&["j"]);
    t.send(&["Enter"]);
    let target = t.wait_screen("worker's target view", Duration::from_secs(10), |s| {
        s.contains("worker in dev") && retry_line(s).is_some()
    });
    assert!(
        target.contains(&format!("http://127.0.0.1:{port}/worker/health")),
        "the probed URL:\n{target}"
    );
    let first = retry_line(&target).expect("a countdown");
    let counted = wait_for(
        "the countdown to count down within one attempt",
        Duration::from_secs(20),
        || {
            let now = retry_line(&t.screen())?;
            (now.0 == first.0 && now.1 != first.1).then_some(now)
        },
    );
    eprintln!("retry countdown at {size:?}: {first:?} then {counted:?}");
    // Back to the board.
    t.send(&["1"]);
    t.wait_screen("the board", Duration::from_secs(5), |s| {
        s.contains("SERVICE")
    });
    // api in prod: its checklist, a note on the backout item.
    t.send(&["k"]);
    t.send(&["k"]);
    t.send(&["l"]);
    t.send(&["l"]);
    t.send(&["4"]);
    t.wait_screen("api's prod checklist", Duration::from_secs(10), |s| {
        s.contains("Develop backout plan") && s.contains("for api in prod")
    });
    // backout is the fourth item of the built-in checklist.
    for _ in 0..3 {
        t.send(&["j"]);
    }
    t.send(&["e"]);
    t.wait_screen("the note prompt", Duration::from_secs(5), |s| {
        s.contains("note on backout")
    });
    t.type_text("r goes back to what staging ran");
    t.send(&["Enter"]);
    wait_for("the note to be recorded", Duration::from_secs(10), || {
        demo.events()
            .iter()
            .any(|e| e["kind"] == "item-noted" && e["actor"] == "you@shop.example")
    });
    // A note is wrapped, never cut: read it across the lines it takes.
    let flat = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '│')
            .collect()
    };
    let checklist = t.wait_screen("the note on the item", Duration::from_secs(10), |s| {
        s.contains("✎ you@shop.example (") && flat(s).contains("rgoesbacktowhatstagingran")
    });
    let backout = checklist
        .lines()
        .find(|l| l.contains("Develop backout plan"))
        .unwrap_or_default();
    assert!(
        !backout.contains("unticked"),
        "a note is not an untick:\n{checklist}"
    );
    t.send(&["q"]);
    t.assert_restored();
}

#[test]
fn truth_walk_at_160x45_reads_the_unreachable_reason_a_live_countdown_and_a_note() {
    walk((160, 45));
}

#[test]
fn truth_walk_at_80x24_reads_the_unreachable_reason_a_live_countdown_and_a_note() {
    walk((80, 24));
}
