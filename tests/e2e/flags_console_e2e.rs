//! Issue 13's console, end to end: the release binary in tmux (160×45) against `shipdeck demo
//! serve`. The Flags view shows the demo's flags by service; Space on web's `dark-mode` in dev
//! shows the exact call, Enter turns it off in the demo's flag service (read back, recorded as
//! `flag-changed`), and the board cell of web in dev reads one flag on fewer. Every wait polls
//! for a condition with a deadline.

use std::time::Duration;

use crate::common::wait_for;
use crate::e2e_support::{DemoServer, Tmux, binary, right_column};

/// The flags badge of `service`'s first (dev) cell on the board: `⚑ 2 on`, up to the next gap.
fn dev_flags_badge(screen: &str, service: &str) -> Option<String> {
    let line = screen.lines().find(|l| {
        l.trim_start_matches('│')
            .starts_with(&format!("{service} "))
    })?;
    let after = line.split('⚑').nth(1)?;
    let badge: String = after
        .split("  ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    Some(format!("⚑ {badge}"))
}

/// The line under the Flags view that names the cell under the cursor (`search-v2 in dev: …`).
fn selected_cell(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains(" in dev: ") && l.contains("Enter history"))
        .map(|l| l.trim_start_matches('│').trim().to_string())
        .unwrap_or_default()
}

#[test]
fn space_in_the_flags_view_turns_a_demo_flag_off_and_the_board_cell_counts_it() {
    let demo = DemoServer::start();
    let argv = [
        binary().display().to_string(),
        "--config".to_string(),
        demo.config().display().to_string(),
    ];
    let t = Tmux::start(
        &argv,
        &[
            ("SHIPDECK_USER", "you@shop.example".to_string()),
            ("SHIPDECK_DATA_DIR", demo.data_dir().display().to_string()),
        ],
        (160, 45),
    );
    // The board: web in dev has new-checkout and dark-mode on.
    let board = t.wait_screen("web's flags on the board", Duration::from_secs(30), |s| {
        dev_flags_badge(s, "web").as_deref() == Some("⚑ 2 on")
    });
    assert!(board.contains("q quit"), "{board}");
    // The Flags view, grouped by service; the demo's dark launch is there.
    t.send(&["7"]);
    let view = t.wait_screen("the Flags view", Duration::from_secs(10), |s| {
        s.contains("✓ demo-flags (http)") && s.contains("dark-mode")
    });
    assert!(
        view.contains("search-v2") && view.contains("on at 10%"),
        "{view}"
    );
    assert!(view.contains("(flags of no service)"), "{view}");
    // Down to dark-mode (dev is the first column), one row at a time: each `j` is seen to move
    // the cursor (the line under the view says which cell it is on) before the next.
    let mut footer = selected_cell(&t.screen());
    for _ in 0..10 {
        if footer.starts_with("dark-mode in dev: on") {
            break;
        }
        t.send(&["j"]);
        let before = footer.clone();
        let screen = t.wait_screen("the cursor to move", Duration::from_secs(10), |s| {
            selected_cell(s) != before
        });
        footer = selected_cell(&screen);
    }
    assert!(footer.starts_with("dark-mode in dev: on"), "{footer}");
    t.send(&["Space"]);
    let dialog = t.wait_screen("the plan of Space", Duration::from_secs(15), |s| {
        s.contains("will call: PUT") && s.contains("Enter confirms")
    });
    assert!(dialog.contains("dark-mode in dev: on → off"), "{dialog}");
    assert!(
        dialog.contains("/flags/dark-mode/dev"),
        "the exact call: {dialog}"
    );
    let confirmed = std::time::Instant::now();
    t.send(&["Enter"]);
    wait_for(
        "flag-changed in the demo's log",
        Duration::from_secs(15),
        || {
            demo.events().iter().any(|e| {
                e["kind"] == "flag-changed"
                    && e["actor"] == "you@shop.example"
                    && e["data"]["flag"] == "dark-mode"
                    && e["data"]["ok"] == true
            })
        },
    );
    eprintln!(
        "Enter (from before tmux sends it) → flag-changed in the log: {} ms (polled every 20 ms)",
        confirmed.elapsed().as_millis()
    );
    t.wait_screen("the read-back said", Duration::from_secs(10), |s| {
        right_column(s, 64).contains("dark-modeindevisoff(readback)")
    });
    eprintln!(
        "Enter → the read-back on screen: {} ms",
        confirmed.elapsed().as_millis()
    );
    // Back on the board, web in dev counts one flag on.
    t.send(&["Escape"]);
    t.send(&["1"]);
    let board = t.wait_screen(
        "web's dev cell to count one on",
        Duration::from_secs(15),
        |s| dev_flags_badge(s, "web").as_deref() == Some("⚑ 1 on"),
    );
    eprintln!(
        "web in dev after the toggle: {:?}",
        dev_flags_badge(&board, "web")
    );
    t.send(&["q"]);
    wait_for("the console to quit", Duration::from_secs(10), || {
        !t.alternate_on()
    });
}
