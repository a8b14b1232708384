//! End-to-end: `e` in the real console, in tmux, hands the terminal to `$EDITOR` (a script that
//! proves it has a cooked terminal outside the alternate screen and reads a line typed into
//! it), then takes it back: the edit is recorded, the release view shows it, `P` publishes it
//! through the demo's file channel, and quitting still restores the terminal. Every wait polls
//! with a deadline.

use std::time::Duration;

use crate::common::wait_for;
use crate::e2e_support::{DemoServer, Tmux, binary};

#[test]
fn e_hands_the_terminal_to_the_editor_and_takes_it_back_with_the_edit_recorded() {
    use std::os::unix::fs::PermissionsExt as _;
    let demo = DemoServer::start();
    let editor = demo.dir.path().join("editor.sh");
    // Says whether the terminal is cooked, reads one typed line, appends it to the notes.
    std::fs::write(
        &editor,
        "#!/bin/sh\n\
         mode=$(stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\{0,1\\}icanon')\n\
         echo \"EDITOR-HERE mode=$mode\"\n\
         read line\n\
         printf '\\n%s\\n' \"$line\" >> \"$1\"\n",
    )
    .expect("write editor");
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let t = Tmux::shell(
        &[
            ("SHIPDECK_USER", "you@shop.example".to_string()),
            (
                "SHIPDECK_DATA_DIR",
                demo.dir.path().join("data").display().to_string(),
            ),
            ("EDITOR", editor.display().to_string()),
        ],
        (160, 45),
    );
    t.line(&format!(
        "{} --config {}",
        binary().display(),
        demo.dir.path().join("shipdeck.toml").display()
    ));
    // Every target answered, so the cell has a release to write notes for.
    t.wait_screen(
        "the board with probe answers",
        Duration::from_secs(30),
        |s| s.contains("Board") && s.contains("⇡ ready") && !s.contains("checking"),
    );
    // Staging of the first service, the release view, then edit.
    t.send(&["l"]);
    t.send(&["5"]);
    t.wait_screen("the release view", Duration::from_secs(10), |s| {
        s.contains("edit (e)")
    });
    t.send(&["e"]);
    let screen = t.wait_screen("the editor", Duration::from_secs(20), |s| {
        s.contains("EDITOR-HERE")
    });
    assert!(
        screen.contains("mode=icanon"),
        "the editor got a raw terminal:\n{screen}"
    );
    assert!(
        !t.alternate_on(),
        "the editor runs outside the alternate screen"
    );

    t.line("Typed into the editor by hand.");
    wait_for("the edit to be recorded", Duration::from_secs(10), || {
        demo.events().iter().any(|e| e["kind"] == "notes-edited")
    });
    let edits: Vec<serde_json::Value> = demo
        .events()
        .into_iter()
        .filter(|e| e["kind"] == "notes-edited")
        .collect();
    let edit = &edits[0];
    assert_eq!(edit["actor"], "you@shop.example");
    assert!(
        edit["data"]["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("Typed into the editor by hand.")),
        "{edit}"
    );
    // Back in the console, redrawn, showing the edit.
    t.wait_screen(
        "the console again, with the edit",
        Duration::from_secs(10),
        |s| s.contains("edited by you@shop.example") && s.contains("# api api-v"),
    );
    assert!(
        t.alternate_on(),
        "the console is back on the alternate screen"
    );

    // P publishes the edited text through the demo's file channel, after a confirmation.
    t.send(&["P"]);
    t.wait_screen("the publish confirmation", Duration::from_secs(5), |s| {
        s.contains("notes-file (file)")
    });
    t.send(&["y"]);
    let release = edit["release"].as_str().expect("release").to_string();
    let written = demo
        .dir
        .path()
        .join(format!("release-notes/api-{release}.md"));
    wait_for("the notes file", Duration::from_secs(10), || {
        written.exists()
    });
    let text = std::fs::read_to_string(&written).expect("read notes");
    assert!(text.contains("Typed into the editor by hand."), "{text}");
    t.wait_screen("the published toast", Duration::from_secs(5), |s| {
        s.contains("published")
    });

    t.send(&["q"]);
    wait_for("the console to quit", Duration::from_secs(10), || {
        !t.alternate_on()
    });
    t.line("stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\{0,1\\}icanon'; echo done-$((6*7))");
    let screen = t.wait_screen("stty output", Duration::from_secs(5), |s| {
        s.contains("done-42")
    });
    assert!(!screen.contains("-icanon"), "terminal left raw:\n{screen}");
}
