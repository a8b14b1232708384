//! The headless command line against real repositories: the core issue's promises.

use crate::common;

use common::{git, project, shipdeck, stderr, stdout};

#[test]
fn example_config_passes_check() {
    let dir = tempfile::tempdir().expect("tempdir");
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = shipdeck(
        dir.path(),
        "dana@shop.example",
        &["check", "--config", example],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn a_misspelt_key_exits_2_naming_the_place_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("shipdeck.toml"),
        "[project]\nname = \"shop\"\n\n[[enviroments]]\nname = \"dev\"\n",
    )
    .expect("write");
    let out = shipdeck(dir.path(), "dana@shop.example", &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("shipdeck.toml:4:"), "{err}");
    assert!(err.contains("did you mean `environments`?"), "{err}");
}

#[test]
fn config_flag_is_accepted_after_the_subcommand_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let other = tempfile::tempdir().expect("tempdir");
    let path = config.to_str().expect("utf-8 path");
    let before = shipdeck(other.path(), "a@x", &["--config", path, "releases", "api"]);
    let after = shipdeck(other.path(), "a@x", &["releases", "api", "--config", path]);
    assert_eq!(before.status.code(), Some(0), "{}", stderr(&before));
    assert_eq!(stdout(&before), stdout(&after));
}

#[test]
fn changelog_json_lists_exactly_what_git_log_lists() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let out = shipdeck(
        dir.path(),
        "a@x",
        &["changelog", "api", "api-v1.0.0", "api-v1.2.0", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let ours: Vec<String> = v["commits"]
        .as_array()
        .expect("commits")
        .iter()
        .map(|c| c["commit"].as_str().expect("commit").to_string())
        .collect();
    let theirs: Vec<String> = git(
        &dir.path().join("repo"),
        &["log", "--format=%H", "api-v1.0.0..api-v1.2.0"],
    )
    .lines()
    .map(str::to_string)
    .collect();
    assert_eq!(ours, theirs);
    assert_eq!(v["from"], "api-v1.0.0");
    assert_eq!(v["to"], "api-v1.2.0");
}

fn gate<'a>(plan: &'a serde_json::Value, kind: &str) -> &'a serde_json::Value {
    plan["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["kind"] == kind)
        .expect("gate present")
}

#[test]
fn two_distinct_approvers_pass_the_approval_gate_the_same_one_twice_does_not() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    let plan = |user: &str| {
        let out = shipdeck(
            d,
            user,
            &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"],
        );
        assert_eq!(out.status.code(), Some(3), "blocked: {}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).expect("json")
    };
    assert_eq!(gate(&plan("pat@x"), "approval")["status"], "pending");

    let approve =
        |user: &str| shipdeck(d, user, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    assert_eq!(approve("alice@x").status.code(), Some(0));
    assert_eq!(approve("alice@x").status.code(), Some(0));
    assert_eq!(
        gate(&plan("pat@x"), "approval")["status"],
        "pending",
        "same approver twice"
    );

    assert_eq!(approve("bob@x").status.code(), Some(0));
    assert_eq!(gate(&plan("pat@x"), "approval")["status"], "pass");
    // The promoter's own approval never counts.
    assert_eq!(gate(&plan("bob@x"), "approval")["status"], "pending");
}

#[test]
fn plan_prints_every_gate_with_status_and_why() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let out = shipdeck(
        dir.path(),
        "pat@x",
        &["plan", "api", "api-v1.2.0", "--to", "prod"],
    );
    assert_eq!(out.status.code(), Some(3));
    let text = stdout(&out);
    assert!(text.contains("approval"), "{text}");
    assert!(text.contains("checklist"), "{text}");
    assert!(text.contains("pending"), "{text}");
    assert!(text.contains("blocked by"), "{text}");
}

#[test]
fn editing_one_byte_of_the_log_fails_verification_naming_the_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    for user in ["alice@x", "bob@x", "carol@x"] {
        let out = shipdeck(d, user, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let ok = shipdeck(d, "a@x", &["log", "--verify"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));

    let path = d.join(".shipdeck/events.jsonl");
    let mut bytes = std::fs::read(&path).expect("read log");
    let second_line = bytes.iter().position(|b| *b == b'\n').expect("a line") + 1;
    let at = bytes[second_line..]
        .windows(5)
        .position(|w| w == b"bob@x")
        .expect("bob's line")
        + second_line;
    bytes[at] = b'r';
    std::fs::write(&path, bytes).expect("write log");

    let bad = shipdeck(d, "a@x", &["log", "--verify"]);
    assert_eq!(bad.status.code(), Some(5));
    assert!(stderr(&bad).contains("events.jsonl:2:"), "{}", stderr(&bad));
}

#[test]
fn checklist_ticks_count_and_an_override_never_passes_approvals() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    for item in [
        "controls",
        "infrastructure",
        "plan",
        "backout",
        "communications",
    ] {
        let out = shipdeck(
            d,
            "lead@x",
            &[
                "checklist",
                "api",
                "api-v1.2.0",
                "--env",
                "prod",
                "tick",
                item,
                "--note",
                "done: back to api-v1.1.0 with shipdeck rollback if it fails",
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = shipdeck(
        d,
        "pat@x",
        &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"],
    );
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    // `package` is ticked automatically: the release is a tag.
    assert_eq!(gate(&plan, "checklist")["status"], "pass", "{plan}");

    let refused = shipdeck(
        d,
        "lead@x",
        &[
            "override",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--gate",
            "approval",
            "--reason",
            "urgent",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("never be overridden"),
        "{}",
        stderr(&refused)
    );
}

#[test]
fn read_only_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    let out = shipdeck(
        d,
        "a@x",
        &[
            "--read-only",
            "approve",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("read-only"));
    let log = std::fs::read_to_string(d.join(".shipdeck/events.jsonl")).unwrap_or_default();
    assert!(log.is_empty(), "nothing recorded: {log}");
}

#[test]
fn status_without_probes_shows_the_logged_release_and_unknown_health() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let out = shipdeck(dir.path(), "a@x", &["status", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let targets = v["services"][0]["targets"].as_array().expect("targets");
    assert_eq!(targets.len(), 3);
    for t in targets {
        assert_eq!(t["health"], "unknown");
        assert!(t["release"].is_null());
        assert_eq!(t["drift"], false);
    }
}
