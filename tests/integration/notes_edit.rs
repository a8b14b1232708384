//! `notes --edit` with `EDITOR` set to a small script that edits the file, against the real
//! binary: the edit is recorded, shown from then on (who and when), unchanged text records
//! nothing, a failing editor keeps nothing, `--read-only` never opens the editor.

use crate::notes_support;

use notes_support::{events, project_with, run, script, stderr, stdout};

const USER: &str = "dana@shop.example";

fn edits(dir: &std::path::Path) -> Vec<serde_json::Value> {
    events(dir)
        .into_iter()
        .filter(|e| e["kind"] == "notes-edited")
        .collect()
}

fn editor(dir: &std::path::Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    script(&path, body);
    path.to_string_lossy().into_owned()
}

#[test]
fn an_edit_is_recorded_and_notes_shows_it_with_who_and_when() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    let ed = editor(
        dir.path(),
        "ed.sh",
        "printf '\\nRollout note: watch the queue depth.\\n' >> \"$1\"",
    );
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--edit"],
        &[("EDITOR", &ed)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("recorded your edit"),
        "{}",
        stderr(&out)
    );
    let recorded = edits(dir.path());
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0]["actor"], USER);
    assert_eq!(recorded[0]["release"], "api-v1.2.0");

    let shown = run(
        dir.path(),
        "sam@shop.example",
        &["notes", "api", "api-v1.2.0"],
        &[],
    );
    assert_eq!(shown.status.code(), Some(0), "{}", stderr(&shown));
    let text = stdout(&shown);
    assert!(text.contains("# api api-v1.2.0"), "{text}");
    assert!(
        text.contains("Rollout note: watch the queue depth."),
        "{text}"
    );
    assert!(
        stderr(&shown).contains(&format!("notes edited by {USER} at ")),
        "{}",
        stderr(&shown)
    );
    let json = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--format", "json"],
        &[],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("json");
    assert_eq!(v["edited_by"], USER);
    assert_eq!(v["edit_event"], recorded[0]["id"]);
}

#[test]
fn a_second_edit_starts_from_the_first_and_replaces_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    let ed = editor(
        dir.path(),
        "ed.sh",
        "echo \"line from $SHIPDECK_TEST_ROUND\" >> \"$1\"",
    );
    for round in ["one", "two"] {
        let out = run(
            dir.path(),
            USER,
            &["notes", "api", "api-v1.2.0", "--edit"],
            &[("EDITOR", &ed), ("SHIPDECK_TEST_ROUND", round)],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let recorded = edits(dir.path());
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1]["data"]["replaces"], recorded[0]["id"]);
    let md = recorded[1]["data"]["markdown"].as_str().expect("markdown");
    assert!(
        md.contains("line from one") && md.contains("line from two"),
        "{md}"
    );
}

#[test]
fn an_unchanged_text_records_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--edit"],
        &[("EDITOR", "true")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unchanged; nothing recorded"),
        "{}",
        stderr(&out)
    );
    assert!(edits(dir.path()).is_empty());
}

#[test]
fn visual_wins_over_editor_and_is_split_into_argv() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    let ed = editor(dir.path(), "ed.sh", "echo \"added by $1\" >> \"$2\"");
    let visual = format!("{ed} 'the visual one'");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--edit"],
        &[("VISUAL", &visual), ("EDITOR", "false")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let md = edits(dir.path())[0]["data"]["markdown"]
        .as_str()
        .expect("markdown")
        .to_string();
    assert!(md.contains("added by the visual one"), "{md}");
}

#[test]
fn a_failing_editor_keeps_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    let ed = editor(dir.path(), "ed.sh", "echo changed >> \"$1\"\nexit 3");
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--edit"],
        &[("EDITOR", &ed)],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("exited with status 3"),
        "{}",
        stderr(&out)
    );
    assert!(edits(dir.path()).is_empty());
}

#[test]
fn read_only_refuses_to_edit_without_opening_the_editor() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    let marker = dir.path().join("editor-ran");
    let ed = editor(
        dir.path(),
        "ed.sh",
        &format!("touch '{}'", marker.display()),
    );
    let out = run(
        dir.path(),
        USER,
        &["--read-only", "notes", "api", "api-v1.2.0", "--edit"],
        &[("EDITOR", &ed)],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert!(!marker.exists());
    assert!(edits(dir.path()).is_empty());
}

#[test]
fn edit_then_publish_sends_the_edited_text() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"notes-file\"\nkind = \"file\"\npath = \"out.md\"\n",
    );
    let ed = editor(
        dir.path(),
        "ed.sh",
        "echo 'Hand-written summary.' >> \"$1\"",
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--edit",
            "--publish",
            "--yes",
        ],
        &[("EDITOR", &ed)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let sent = std::fs::read_to_string(dir.path().join("out.md")).expect("published");
    assert!(sent.contains("Hand-written summary."), "{sent}");
}

#[test]
fn ctrl_c_in_the_editor_does_not_kill_shipdeck_and_the_edit_is_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(dir.path(), "");
    // What Ctrl-C does to the foreground group, aimed at shipdeck alone (the editor's parent).
    let ed = editor(
        dir.path(),
        "ed.sh",
        "trap '' INT\nkill -INT $PPID\nkill -QUIT $PPID\necho 'After the interrupt.' >> \"$1\"",
    );
    let out = run(
        dir.path(),
        USER,
        &["notes", "api", "api-v1.2.0", "--edit"],
        &[("EDITOR", &ed)],
    );
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let recorded = edits(dir.path());
    assert_eq!(recorded.len(), 1);
    assert!(
        recorded[0]["data"]["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("After the interrupt."))
    );
}
