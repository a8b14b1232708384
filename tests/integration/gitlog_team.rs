//! The git state backend through the real binary: three people, three clones, one bare
//! repository as the team's remote.

use crate::gitlog_support;

use gitlog_support::{Team, remote_event_ids, stderr};

fn approval_gate(plan: &str) -> serde_json::Value {
    let plan: serde_json::Value = serde_json::from_str(plan).expect("plan json");
    plan["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["kind"] == "approval")
        .cloned()
        .expect("an approval gate")
}

#[test]
fn two_approvals_from_two_clones_pass_the_gate_for_the_third() {
    let team = Team::new();
    let alice = team.join("alice", None);
    let bob = team.join("bob", None);
    let carol = team.join("carol", None);

    let plan = carol.expect(3, &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"]);
    assert_eq!(approval_gate(&plan)["status"], "pending");

    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    bob.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);

    // Carol's plan fetches first: both approvals are there, the gate passes.
    let plan = carol.expect(0, &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"]);
    assert_eq!(approval_gate(&plan)["status"], "pass", "{plan}");

    let log = carol.expect(0, &["log", "--json"]);
    let actors: Vec<String> = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("event")["actor"].to_string())
        .collect();
    assert_eq!(
        actors,
        ["\"alice@shop.example\"", "\"bob@shop.example\""],
        "in the order they were recorded"
    );
    assert_eq!(remote_event_ids(&team.origin()).len(), 2);
    let verified = carol.expect(0, &["log", "--verify"]);
    assert!(verified.contains("2 events"), "{verified}");
}

#[test]
fn an_offline_approval_is_kept_and_pushed_once_the_remote_is_back() {
    let team = Team::new();
    let alice = team.join("alice", None);
    let bob = team.join("bob", None);
    let away = team.dir.path().join("origin-away.git");
    std::fs::rename(team.origin(), &away).expect("take the remote away");

    let out = alice.shipdeck(&["approve", "api", "api-v1.2.0", "--env", "prod"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "recorded locally: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("unreachable"),
        "says the remote is unreachable: {err}"
    );
    assert!(
        err.contains("1 event recorded here not yet in origin"),
        "{err}"
    );
    let log = alice.expect(0, &["log"]);
    assert!(log.contains("approved"), "kept locally: {log}");
    let status: serde_json::Value =
        serde_json::from_str(&alice.expect(0, &["status", "--json"])).expect("status json");
    assert_eq!(status["shared_log"]["unpushed"], 1, "{status}");
    assert_eq!(status["shared_log"]["reachable"], false, "{status}");
    // Not in step while offline.
    assert_eq!(alice.shipdeck(&["sync"]).status.code(), Some(1));

    std::fs::rename(&away, team.origin()).expect("bring it back");
    let synced = alice.expect(0, &["sync"]);
    assert!(synced.contains("pushed"), "{synced}");
    assert_eq!(remote_event_ids(&team.origin()).len(), 1);
    let seen = bob.expect(0, &["log"]);
    assert!(seen.contains("alice@shop.example"), "{seen}");
}

#[test]
fn a_rewritten_remote_log_is_reported_loudly_and_nothing_is_lost() {
    let team = Team::new();
    let alice = team.join("alice", None);
    let bob = team.join("bob", None);
    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    bob.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    alice.expect(0, &["sync"]);
    let ids = remote_event_ids(&team.origin());
    assert_eq!(ids.len(), 2);

    // Someone force-pushes the log back to its first event.
    let first = gitlog_support::git(
        &team.origin(),
        &["rev-list", "--max-parents=0", "refs/heads/shipdeck/log"],
    );
    gitlog_support::git(
        &team.origin(),
        &["update-ref", "refs/heads/shipdeck/log", first.trim()],
    );

    let out = alice.shipdeck(&["sync"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("THE SHARED LOG WAS REWRITTEN"), "{err}");
    assert!(err.contains(&ids[1]), "names the missing event: {err}");
    let log = alice.expect(0, &["log", "--json"]);
    assert_eq!(log.lines().count(), 2, "alice still has both");

    let restored = alice.expect(0, &["sync", "--restore"]);
    assert!(restored.contains("pushed"), "{restored}");
    let mut now = remote_event_ids(&team.origin());
    now.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(now, want, "both events are back on the remote");
    // Bob, who also saw both, is in step again without a warning.
    let out = bob.shipdeck(&["sync"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn read_only_looks_at_the_remote_but_moves_nothing() {
    let team = Team::new();
    let alice = team.join("alice", None);
    let bob = team.join("bob", None);
    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    let before = gitlog_support::git(&bob.clone_dir(), &["for-each-ref", "refs/heads"]);
    let log = bob.expect(0, &["--read-only", "log"]);
    assert!(
        log.contains("alice@shop.example"),
        "sees what was fetched: {log}"
    );
    let after = gitlog_support::git(&bob.clone_dir(), &["for-each-ref", "refs/heads"]);
    assert_eq!(before, after, "bob's branches are untouched");
    let out = bob.shipdeck(&[
        "--read-only",
        "approve",
        "api",
        "api-v1.2.0",
        "--env",
        "prod",
    ]);
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(remote_event_ids(&team.origin()).len(), 1);
}

#[test]
fn a_misspelt_state_backend_names_the_place_and_the_fix() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("shipdeck.toml");
    std::fs::write(
        &config,
        gitlog_support::CONFIG.replace("backend = \"git\"", "backend = \"gti\", reff = \"x\""),
    )
    .expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_shipdeck"))
        .args(["check", "--config"])
        .arg(&config)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("shipdeck.toml:4:"), "{err}");
    assert!(err.contains("did you mean `ref`?"), "{err}");
}
