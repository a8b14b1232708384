//! Security (#10): attacks on the event log by someone who can write it (push access to the
//! shared ref, or write access to the file), each through the real binary on real git
//! repositories and real files.

use crate::{common, gitlog_support};

use std::path::{Path, PathBuf};
use std::process::Command;

use gitlog_support::{Team, git, stderr, stdout};

const SIGNED: &str = r#"[project]
name = "shop"
state_dir = ".shipdeck"
state = { backend = "git", fetch_timeout = "10s" }
signing = { allowed_signers = "allowed_signers" }

[[environments]]
name = "dev"

[[environments]]
name = "prod"
gates = [{ kind = "approval", count = 2, signed = true }]

[[services]]
name = "api"
repo = "."
tags = "api-v*"
"#;

fn keygen(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(format!("key-{name}"));
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success(), "{}", stderr(&out));
    key
}

fn signer_line(principal: &str, key: &Path) -> String {
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    let mut parts = public.split_whitespace();
    let (kind, blob) = (parts.next().expect("type"), parts.next().expect("key"));
    format!("{principal} namespaces=\"shipdeck\" {kind} {blob}\n")
}

const LOG_REF: &str = "refs/heads/shipdeck/log";

/// The `event.json` of the tip of the log ref in the bare repository `origin`.
fn tip_event(origin: &Path) -> serde_json::Value {
    let text = git(origin, &["show", &format!("{LOG_REF}:event.json")]);
    serde_json::from_str(&text).expect("event json")
}

/// Pushes (as an attacker with push access would) a commit holding `event` on top of the log
/// ref of the bare repository `origin`, written with git's own plumbing.
fn push_forged(origin: &Path, event: &serde_json::Value) {
    let dir = origin.parent().expect("parent");
    let file = dir.join("forged-event.json");
    std::fs::write(&file, serde_json::to_vec(event).expect("json")).expect("write");
    let blob = git(
        origin,
        &["hash-object", "-w", file.to_str().expect("utf-8")],
    );
    let tree_line = format!("100644 blob {}\tevent.json\n", blob.trim());
    let tree = run_with_stdin(origin, &["mktree"], &tree_line);
    let parent = git(origin, &["rev-parse", LOG_REF]);
    let commit = git(
        origin,
        &[
            "commit-tree",
            tree.trim(),
            "-p",
            parent.trim(),
            "-m",
            "approved api api-v1.2.0 prod",
        ],
    );
    git(origin, &["update-ref", LOG_REF, commit.trim()]);
}

fn run_with_stdin(dir: &Path, args: &[&str], input: &str) -> String {
    use std::io::Write as _;
    let mut child = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");
    let out = child.wait_with_output().expect("git ends");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Item 1: alice's signed approval copied with the signature removed and the actor changed to
/// carol (same id), then alice's verbatim: neither `plan` nor `promote` may count carol, and
/// `log --verify` names the duplicate.
#[test]
fn security_forged_duplicate_of_a_signed_approval_is_not_counted() {
    let keys = tempfile::tempdir().expect("keys");
    let [alice_key, bob_key] = ["alice", "bob"].map(|n| keygen(keys.path(), n));
    let signers = [("alice", &alice_key), ("bob", &bob_key)]
        .iter()
        .map(|(n, k)| signer_line(&format!("{n}@shop.example"), k))
        .collect::<String>();
    let team = Team::with(SIGNED, &[("allowed_signers", signers)]);
    let mut alice = team.join("alice", None);
    alice.key = Some(alice_key);
    let mut bob = team.join("bob", None);
    bob.key = Some(bob_key);

    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    let signed = tip_event(&team.origin());
    assert!(signed.get("sig").is_some(), "alice's approval is signed");
    let mut forged = signed.clone();
    forged.as_object_mut().expect("object").remove("sig");
    forged["actor"] = "carol@shop.example".into();
    push_forged(&team.origin(), &forged);
    push_forged(&team.origin(), &signed);

    let out = bob.shipdeck(&["plan", "api", "api-v1.2.0", "--to", "prod", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "a log with a duplicated id is refused: {} {}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("\"pass\""),
        "carol is not counted: {}",
        stdout(&out)
    );
    assert!(stderr(&out).contains("already used"), "{}", stderr(&out));
    let out = bob.shipdeck(&["promote", "api", "api-v1.2.0", "--to", "prod", "--yes"]);
    assert_eq!(
        out.status.code(),
        Some(5),
        "promote refuses: {}",
        stderr(&out)
    );
    let out = bob.shipdeck(&["log", "--verify"]);
    assert_eq!(out.status.code(), Some(5), "{}", stdout(&out));
    assert!(stderr(&out).contains("already used"), "{}", stderr(&out));
}

/// Item 1, the other half: an unsigned event that reuses a real approval's id, pushed before
/// anyone counts, makes the log refuse to decide (exit 5) instead of voiding or replacing it.
#[test]
fn security_unsigned_copy_reusing_an_approval_id_is_refused_not_counted() {
    let keys = tempfile::tempdir().expect("keys");
    let alice_key = keygen(keys.path(), "alice");
    let signers = signer_line("alice@shop.example", &alice_key);
    let team = Team::with(SIGNED, &[("allowed_signers", signers)]);
    let mut alice = team.join("alice", None);
    alice.key = Some(alice_key);
    let bob = team.join("bob", None);
    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    let mut copy = tip_event(&team.origin());
    copy.as_object_mut().expect("object").remove("sig");
    copy["kind"] = "item-ticked".into();
    push_forged(&team.origin(), &copy);
    let out = bob.shipdeck(&["approve", "api", "api-v1.2.0", "--env", "prod"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("FAILED VERIFICATION"),
        "{}",
        stderr(&out)
    );
}

/// The file-backend project of the other tests (`tests/common`), with two releases' worth of
/// approvals recorded by alice and bob.
fn file_project() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    common::project(dir.path());
    let log = dir.path().join(".shipdeck/events.jsonl");
    (dir, log)
}

fn sd(dir: &Path, user: &str, args: &[&str]) -> std::process::Output {
    common::shipdeck(dir, user, args)
}

/// Item 6: an approval whose actor was edited in the file makes `plan` and `approve` refuse
/// with exit 5 (and count nothing from that line on); deleted, reordered and duplicated lines
/// too.
#[test]
fn security_gates_do_not_count_a_log_that_fails_verification() {
    for tamper in ["edit", "delete", "reorder", "duplicate"] {
        let (dir, log) = file_project();
        let d = dir.path();
        for user in ["alice@x", "bob@x", "erin@x"] {
            let out = sd(d, user, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let text = std::fs::read_to_string(&log).expect("log");
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        match tamper {
            "edit" => lines[1] = lines[1].replace("bob@x", "carol@x"),
            "delete" => {
                lines.remove(0);
            }
            "reorder" => lines.swap(1, 2),
            _ => {
                let copy = lines[1].clone();
                lines.push(copy);
            }
        }
        std::fs::write(&log, lines.join("\n") + "\n").expect("tamper");
        let out = sd(d, "dana@x", &["plan", "api", "api-v1.2.0", "--to", "prod"]);
        assert_eq!(out.status.code(), Some(5), "{tamper}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("FAILED VERIFICATION"),
            "{tamper}: {}",
            stderr(&out)
        );
        let before = std::fs::read(&log).expect("log");
        let out = sd(
            d,
            "dana@x",
            &["approve", "api", "api-v1.2.0", "--env", "prod"],
        );
        assert_eq!(out.status.code(), Some(5), "{tamper}: {}", stderr(&out));
        assert_eq!(
            std::fs::read(&log).expect("log"),
            before,
            "{tamper}: nothing appended"
        );
        // Showing still works, up to the bad line, and says so.
        let out = sd(d, "dana@x", &["log"]);
        assert_eq!(out.status.code(), Some(0), "{tamper}: {}", stderr(&out));
        assert!(stderr(&out).contains("FAILED VERIFICATION"), "{tamper}");
    }
}

/// Item 10: a checkout shipping `.shipdeck/events.jsonl` as a symlink to someone's file: no
/// command truncates or writes it; a complete line that does not parse is corruption named
/// by `log --verify`, never set aside as a torn tail.
#[test]
fn security_symlinked_event_log_is_refused_and_garbage_is_corruption() {
    let (dir, log) = file_project();
    let d = dir.path();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "precious\nno newline at the end").expect("victim");
    std::fs::create_dir_all(log.parent().expect("dir")).expect("state dir");
    std::os::unix::fs::symlink(&victim, &log).expect("symlink");
    for args in [
        &["status"][..],
        &["approve", "api", "api-v1.2.0", "--env", "prod"][..],
        &["--read-only", "status"][..],
        &["log", "--verify"][..],
    ] {
        let out = sd(d, "mallory@x", args);
        assert_ne!(out.status.code(), Some(0), "{args:?} refuses");
        assert!(
            stderr(&out).contains("symlink"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious\nno newline at the end",
        "the victim is untouched"
    );

    std::fs::remove_file(&log).expect("unlink");
    let out = sd(
        d,
        "alice@x",
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut text = std::fs::read_to_string(&log).expect("log");
    text.push_str("{\"this is\": \"not an event\"}\n");
    std::fs::write(&log, &text).expect("garbage");
    let out = sd(d, "bob@x", &["status"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(&log).expect("log"),
        text,
        "a complete bad line is not set aside as torn"
    );
    let out = sd(d, "bob@x", &["log", "--verify"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains(":2:"),
        "names line 2: {}",
        stderr(&out)
    );
}

/// Rewrites every commit of the log ref in `origin` with `edit` applied to its event (ids
/// kept), and force-moves the ref: what a force-push that keeps ids would leave.
fn rewrite_remote(origin: &Path, edit: impl Fn(&mut serde_json::Value)) {
    let commits = git(origin, &["rev-list", "--reverse", LOG_REF]);
    let mut parent: Option<String> = None;
    let file = origin.parent().expect("parent").join("rewritten.json");
    for commit in commits.lines() {
        let text = git(origin, &["show", &format!("{commit}:event.json")]);
        let mut event: serde_json::Value = serde_json::from_str(&text).expect("event");
        edit(&mut event);
        std::fs::write(&file, serde_json::to_vec(&event).expect("json")).expect("write");
        let blob = git(
            origin,
            &["hash-object", "-w", file.to_str().expect("utf-8")],
        );
        let tree = run_with_stdin(
            origin,
            &["mktree"],
            &format!("100644 blob {}\tevent.json\n", blob.trim()),
        );
        let mut args = vec!["commit-tree", tree.trim(), "-m", "rewritten"];
        if let Some(p) = &parent {
            args.extend(["-p", p.as_str()]);
        }
        parent = Some(git(origin, &args).trim().to_string());
    }
    git(
        origin,
        &["update-ref", LOG_REF, parent.as_deref().expect("a commit")],
    );
}

/// Item 4: a force-push that keeps every event id but changes bodies (an actor, a release, a
/// note) is noticed: `sync` and `log --verify` fail and say the events changed.
#[test]
fn security_rewritten_bodies_on_the_shared_log_are_noticed() {
    let team = Team::new();
    let alice = team.join("alice", None);
    let bob = team.join("bob", None);
    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    bob.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    alice.expect(0, &["sync"]);
    rewrite_remote(&team.origin(), |event| {
        if event["actor"] == "bob@shop.example" {
            event["actor"] = "carol@shop.example".into();
        }
    });
    let out = alice.shipdeck(&["sync"]);
    assert_ne!(out.status.code(), Some(0), "sync fails: {}", stdout(&out));
    assert!(stderr(&out).contains("changed"), "{}", stderr(&out));
    let out = alice.shipdeck(&["log", "--verify"]);
    assert_eq!(out.status.code(), Some(5), "{}", stdout(&out));
    let out = alice.shipdeck(&["log"]);
    assert!(
        !stdout(&out).contains("carol@"),
        "the changed body is not taken in: {}",
        stdout(&out)
    );
}

/// Item 5: the file log cut at a line boundary, or rewritten with its whole chain recomputed,
/// no longer holds the head this user last saw: every command warns and `log --verify` fails.
#[test]
fn security_truncated_or_recomputed_file_log_is_noticed_by_its_anchor() {
    for attack in ["truncate", "recompute"] {
        let (dir, log) = file_project();
        let d = dir.path();
        for user in ["alice@x", "bob@x"] {
            let out = sd(d, user, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let out = sd(d, "dana@x", &["log", "--verify"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        if attack == "truncate" {
            let text = std::fs::read_to_string(&log).expect("log");
            let first = text.lines().next().expect("a line").to_string() + "\n";
            std::fs::write(&log, first).expect("cut");
        } else {
            std::fs::remove_file(&log).expect("rm");
            let (fresh, _) =
                shipdeck::store::EventLog::open(log.parent().expect("dir")).expect("a new log");
            for actor in ["alice@x", "carol@x"] {
                let now = jiff::Timestamp::now();
                let body = shipdeck::domain::event::EventBody::new(
                    shipdeck::store::new_event_id(),
                    now,
                    actor,
                    &shipdeck::domain::event::Fact::Approved {
                        commit: "0".repeat(40),
                        note: None,
                    },
                    Some("api"),
                    Some("api-v1.2.0"),
                    Some("prod"),
                );
                fresh.append(body, now).expect("append");
            }
        }
        let out = sd(d, "dana@x", &["log", "--verify"]);
        assert_eq!(out.status.code(), Some(5), "{attack}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("REWRITTEN"),
            "{attack}: {}",
            stderr(&out)
        );
        let out = sd(d, "dana@x", &["status"]);
        assert!(
            stderr(&out).contains("REWRITTEN"),
            "{attack}: {}",
            stderr(&out)
        );
    }
}

/// Writes an event with `actor` straight into the file log (as anyone who can append could).
fn append_as(log: &Path, actor: &str, note: Option<String>) -> Result<(), String> {
    let (events, _) =
        shipdeck::store::EventLog::open(log.parent().expect("dir")).map_err(|e| e.to_string())?;
    let now = jiff::Timestamp::now();
    let body = shipdeck::domain::event::EventBody::new(
        shipdeck::store::new_event_id(),
        now,
        actor,
        &shipdeck::domain::event::Fact::Approved {
            commit: "0".repeat(40),
            note,
        },
        Some("api"),
        Some("api-v1.2.0"),
        Some("prod"),
    );
    events
        .append(body, now)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Item 12: an actor carrying an unterminated OSC sequence does not hide the rest of its line.
#[test]
fn security_a_crafted_field_does_not_hide_the_rest_of_a_log_line() {
    let (dir, log) = file_project();
    append_as(&log, &format!("mallory@x\u{1b}]{}", "A".repeat(200)), None).expect("append");
    let out = sd(dir.path(), "dana@x", &["log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line = stdout(&out);
    assert!(line.contains("mallory@x"), "{line}");
    assert!(
        line.contains("approved") && line.contains("api-v1.2.0") && line.contains("prod"),
        "the rest of the line is shown: {line}"
    );
}

/// Item 14: an event's size is capped on write and on read (a huge `event.json` on the shared
/// ref is named, never loaded); a commit that is not an event is reported by `log` and
/// `status`; `--read-only` creates no data dir; a config that is not UTF-8 gets line:col.
#[test]
fn security_oversized_and_malformed_events_and_read_only_leave_no_trace() {
    let (dir, log) = file_project();
    let err = append_as(&log, "mallory@x", Some("x".repeat(2 << 20))).expect_err("refused");
    assert!(err.contains("at most"), "{err}");

    let team = Team::new();
    let alice = team.join("alice", None);
    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    let mut huge = tip_event(&team.origin());
    huge["id"] = "huge-event".into();
    huge["data"]["note"] = "x".repeat(3 << 20).into();
    push_forged(&team.origin(), &huge);
    let origin = team.origin();
    let huge_commit = git(&origin, &["rev-parse", LOG_REF]).trim().to_string();
    let tree = run_with_stdin(&origin, &["mktree"], "");
    let parent = git(&origin, &["rev-parse", LOG_REF]);
    let empty = git(
        &origin,
        &[
            "commit-tree",
            tree.trim(),
            "-p",
            parent.trim(),
            "-m",
            "not an event",
        ],
    );
    git(&origin, &["update-ref", LOG_REF, empty.trim()]);
    let bob = team.join("bob", None);
    for args in [&["log"][..], &["status"][..]] {
        let out = bob.shipdeck(args);
        let err = stderr(&out);
        assert!(err.contains("not an event"), "{args:?}: {err}");
        assert!(
            err.contains(empty.trim()),
            "{args:?} names the commit: {err}"
        );
    }
    let out = bob.shipdeck(&["log", "--verify"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("bytes") && stderr(&out).contains(&huge_commit),
        "the huge one is named with its commit: {}",
        stderr(&out)
    );

    // In the file log, a line over the cap is corruption, named by `log --verify`.
    let (big, big_log) = file_project();
    let out = sd(
        big.path(),
        "alice@x",
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&big_log).expect("log");
    let mut event: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a line")).expect("event");
    event["id"] = "huge-line".into();
    event["seq"] = 2.into();
    event["data"]["note"] = "x".repeat(2 << 20).into();
    let mut text = text.clone();
    text.push_str(&serde_json::to_string(&event).expect("json"));
    text.push('\n');
    std::fs::write(&big_log, &text).expect("write");
    let out = sd(big.path(), "dana@x", &["log", "--verify"]);
    assert_eq!(out.status.code(), Some(5), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(":2:") && stderr(&out).contains("bytes"),
        "line 2 named as too large: {}",
        stderr(&out)
    );

    // --read-only creates no data dir and no shipdeck.log.
    let data = dir.path().join("fresh-data");
    let out = std::process::Command::new(common::bin())
        .args(["--read-only", "status"])
        .current_dir(dir.path())
        .env("SHIPDECK_USER", "dana@x")
        .env("SHIPDECK_DATA_DIR", &data)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!data.exists(), "--read-only created {}", data.display());

    // A configuration that is not UTF-8 is refused at its line and column.
    let config = dir.path().join("shipdeck.toml");
    let mut bytes = std::fs::read(&config).expect("config");
    bytes.extend_from_slice(b"\n# caf\xe9\n");
    std::fs::write(&config, &bytes).expect("write");
    let out = sd(dir.path(), "dana@x", &["check"]);
    assert_eq!(out.status.code(), Some(2));
    let lines = bytes.split(|&b| b == b'\n').count() - 1;
    assert!(
        stderr(&out).contains(&format!("shipdeck.toml:{lines}:6:")),
        "line:col of the bad byte: {}",
        stderr(&out)
    );
}
