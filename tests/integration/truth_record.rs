//! The record: reading writes nothing, notes are notes, after-items wait for the release.

use std::path::Path;

use shipdeck::app::{Context, actions};
use shipdeck::domain::event::Fact;

use crate::common::{project, shipdeck, stderr, stdout};

fn log_text(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(".shipdeck/events.jsonl")).unwrap_or_default()
}

fn checklist(dir: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["checklist", "api", "api-v1.2.0", "--env", "prod"];
    all.extend_from_slice(args);
    shipdeck(dir, "lead@x", &all)
}

fn line_of<'a>(text: &'a str, item: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(&format!("] {item} ")))
        .unwrap_or_else(|| panic!("no {item} line in:\n{text}"))
}

#[test]
fn plan_checklist_show_and_a_refused_rollback_write_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    let plan = shipdeck(
        d,
        "viewer@x",
        &["plan", "api", "api-v1.2.0", "--to", "prod"],
    );
    assert_eq!(plan.status.code(), Some(3), "{}", stderr(&plan));
    let show = checklist(d, &["show"]);
    assert_eq!(show.status.code(), Some(0), "{}", stderr(&show));
    let refused = shipdeck(
        d,
        "viewer@x",
        &["rollback", "api", "--env", "prod", "--to", "api-v1.0.0"],
    );
    assert_ne!(refused.status.code(), Some(0));
    assert_eq!(log_text(d), "", "reading recorded events");

    // The automatic item is a fact derived from git, shown as such, and counts for the gate.
    let text = stdout(&show);
    let package = line_of(&text, "package");
    assert!(package.contains("[x]"), "{package}");
    assert!(
        package.contains("auto: tagged api-v1.2.0 at ")
            && (package.contains(" ago") || package.contains("just now")),
        "{package}"
    );
    let out = shipdeck(
        d,
        "viewer@x",
        &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"],
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let gate = plan["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["kind"] == "checklist")
        .expect("checklist gate");
    assert!(
        gate["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("1 of 6 done"),
        "{gate}"
    );
}

#[test]
fn a_note_is_shown_as_a_note_and_checklist_show_prints_every_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let (ctx, _) = Context::load(Some(&config), false).expect("context");
    let release = actions::resolve_release(&ctx, "api", "api-v1.2.0").expect("release");
    actions::note_item(
        &ctx,
        "api",
        &release,
        "prod",
        "backout",
        "back to api-v1.1.0 if errors double",
    )
    .expect("note");
    let show = checklist(dir.path(), &[]);
    let text = stdout(&show);
    let backout = line_of(&text, "backout");
    assert!(backout.contains("[ ]"), "{backout}");
    assert!(
        !backout.contains("unticked"),
        "a note is not an untick: {backout}"
    );
    assert!(
        text.contains("✎") && text.contains("back to api-v1.1.0 if errors double"),
        "{text}"
    );
    // The note written before is the plan: ticking backout now needs no other.
    let tick = checklist(dir.path(), &["tick", "backout"]);
    assert_eq!(tick.status.code(), Some(0), "{}", stderr(&tick));
}

#[test]
fn ticking_backout_needs_the_plan_as_a_note() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let bare = checklist(dir.path(), &["tick", "backout"]);
    assert_eq!(bare.status.code(), Some(2), "{}", stdout(&bare));
    assert!(stderr(&bare).contains("needs a note"), "{}", stderr(&bare));
    assert_eq!(log_text(dir.path()), "");
    let with = checklist(
        dir.path(),
        &["tick", "backout", "--note", "rollback to api-v1.1.0"],
    );
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    let text = stdout(&with);
    assert!(
        line_of(&text, "backout").contains("ticked by lead@x"),
        "{text}"
    );
    assert!(text.contains("rollback to api-v1.1.0"), "{text}");
}

#[test]
fn after_items_wait_until_the_release_runs_there() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let early = checklist(dir.path(), &["tick", "announce"]);
    assert_eq!(early.status.code(), Some(2), "{}", stdout(&early));
    assert!(
        stderr(&early).contains("does not run there yet"),
        "{}",
        stderr(&early)
    );
    assert_eq!(log_text(dir.path()), "");

    // Once a deployment of it succeeded there, the after items can be ticked, and the
    // automatic ones follow from that deployment (nobody ticks them).
    let (ctx, _) = Context::load(Some(&config), false).expect("context");
    let release = actions::resolve_release(&ctx, "api", "api-v1.2.0").expect("release");
    let requested = ctx
        .record(
            &Fact::DeployRequested {
                commit: release.commit.clone(),
                previous_release: None,
                rollback: false,
                call: "POST http://deploy".into(),
                verify_timeout_secs: 30,
            },
            Some("api"),
            Some("api-v1.2.0"),
            Some("prod"),
        )
        .expect("record");
    ctx.record(
        &Fact::DeploySucceeded {
            deployment: requested.id.clone(),
        },
        Some("api"),
        Some("api-v1.2.0"),
        Some("prod"),
    )
    .expect("record");
    let late = checklist(dir.path(), &["tick", "announce"]);
    assert_eq!(late.status.code(), Some(0), "{}", stderr(&late));
    let text = stdout(&late);
    let execute = line_of(&text, "execute");
    assert!(
        execute.contains("[x]") && execute.contains("auto: deployed by "),
        "{execute}"
    );
    assert!(execute.contains(&requested.id[..8]), "{execute}");
    let kinds = log_text(dir.path())
        .lines()
        .filter(|l| l.contains("\"item-ticked\""))
        .count();
    assert_eq!(kinds, 1, "only the person's tick is recorded");
}
