//! `shipdeck verify-approvals` on its own: approvals signed by the real binary with real keys,
//! checked from stdin, a file or SHIPDECK_APPROVALS against an allowed_signers file or a
//! repository's committed default branch; altered, misdirected and self-approvals refused.

use crate::sign_support;

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use sign_support::*;

/// The stored approval events of the log, as a JSON array (stored events carry `sig`).
fn approvals(dir: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(dir.join("state/events.jsonl"))
        .expect("log")
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("event"))
        .filter(|e| e["kind"] == "approved")
        .collect()
}

fn commit_of(approvals: &[serde_json::Value]) -> String {
    approvals[0]["data"]["commit"]
        .as_str()
        .expect("commit")
        .to_string()
}

/// Runs verify-approvals with `input` on stdin and `args` after the fixed ones.
fn verify(dir: &Path, input: &str, args: &[&str]) -> Output {
    let mut child = Command::new(bin())
        .arg("verify-approvals")
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("SHIPDECK_APPROVALS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shipdeck runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    child.wait_with_output().expect("shipdeck ends")
}

fn setup() -> (
    tempfile::TempDir,
    std::path::PathBuf,
    Vec<serde_json::Value>,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    for (user, key) in [(ALICE, &team.alice), (BOB, &team.bob)] {
        let out = as_user(
            &repo,
            user,
            Some(key),
            &["approve", "api", "api-v1.2.0", "--env", "prod"],
        );
        assert_code(&out, 0);
    }
    std::fs::write(dir.path().join("signers"), team.allowed_signers()).expect("signers");
    let list = approvals(dir.path());
    (dir, repo, list)
}

#[test]
fn two_signed_approvals_verify_from_stdin_a_file_or_the_environment() {
    let (dir, repo, list) = setup();
    let d = dir.path();
    let commit = commit_of(&list);
    let json = serde_json::Value::Array(list).to_string();
    let base = [
        "--service",
        "api",
        "--env",
        "prod",
        "--release",
        "api-v1.2.0",
        "--commit",
        &commit,
        "--count",
        "2",
        "--from",
        "alice@shop.example,bob@shop.example",
    ];

    let with_file = [&base[..], &["--allowed-signers", "signers"]].concat();
    let out = verify(d, &json, &with_file);
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("2 of 2 approvals (alice@shop.example, bob@shop.example)"),
        "{}",
        stdout(&out)
    );

    std::fs::write(d.join("approvals.json"), &json).expect("file");
    let from_file = [&with_file[..], &["--approvals-file", "approvals.json"]].concat();
    assert_code(&verify(d, "", &from_file), 0);

    // From the environment, against the repository's committed default branch.
    let repo_arg = repo.to_str().expect("utf-8");
    let from_repo = [&base[..], &["--repo", repo_arg]].concat();
    let out = Command::new(bin())
        .arg("verify-approvals")
        .args(&from_repo)
        .current_dir(d)
        .env("SHIPDECK_DATA_DIR", d.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("SHIPDECK_APPROVALS", &json)
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains("as committed on refs/remotes/origin/HEAD"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_approval_changed_after_signing_is_refused() {
    let (dir, _repo, mut list) = setup();
    let commit = commit_of(&list);
    // Bob's approval, moved to staging after he signed it for prod.
    list[1]["env"] = serde_json::json!("staging");
    let json = serde_json::Value::Array(list).to_string();
    let out = verify(
        dir.path(),
        &json,
        &[
            "--service",
            "api",
            "--env",
            "staging",
            "--commit",
            &commit,
            "--count",
            "1",
            "--allowed-signers",
            "signers",
        ],
    );
    assert_code(&out, 3);
    let why = stderr(&out);
    assert!(
        why.contains("approval 1 by alice@shop.example: approves environment prod, not staging"),
        "{why}"
    );
    assert!(
        why.contains("approval 2 by bob@shop.example: the signature does not match the event"),
        "{why}"
    );
    assert!(why.contains("refused api - ("), "{why}");
}

#[test]
fn another_commit_the_promoters_own_approval_and_missing_bodies_do_not_count() {
    let (dir, _repo, list) = setup();
    let commit = commit_of(&list);
    let json = serde_json::Value::Array(list.clone()).to_string();
    let signers = ["--allowed-signers", "signers"];

    let other = "0123456789abcdef0123456789abcdef01234567";
    let out = verify(
        dir.path(),
        &json,
        &[
            &["--service", "api", "--env", "prod", "--commit", other][..],
            &signers[..],
        ]
        .concat(),
    );
    assert_code(&out, 3);
    assert!(stderr(&out).contains("approves commit"), "{}", stderr(&out));

    let out = verify(
        dir.path(),
        &json,
        &[
            &[
                "--service",
                "api",
                "--env",
                "prod",
                "--commit",
                &commit[..10],
                "--count",
                "2",
            ][..],
            &["--promoter", "bob@shop.example"][..],
            &signers[..],
        ]
        .concat(),
    );
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains("bob@shop.example: the promoter's own approval never counts"),
        "{}",
        stderr(&out)
    );

    // The convenience fields alone (no event body, no signature) prove nothing.
    let bare = serde_json::json!([{ "actor": "alice@shop.example", "commit": commit }]).to_string();
    let out = verify(
        dir.path(),
        &bare,
        &[
            &["--service", "api", "--env", "prod", "--commit", &commit][..],
            &signers[..],
        ]
        .concat(),
    );
    assert_code(&out, 3);
    assert!(
        stderr(&out).contains("no event body to verify"),
        "{}",
        stderr(&out)
    );

    let out = verify(
        dir.path(),
        "not json",
        &[
            &["--service", "api", "--env", "prod", "--commit", &commit][..],
            &signers[..],
        ]
        .concat(),
    );
    assert_code(&out, 2);
}

#[test]
fn the_command_after_the_double_dash_runs_only_once_verified() {
    let (dir, _repo, list) = setup();
    let d = dir.path();
    let commit = commit_of(&list);
    let json = serde_json::Value::Array(list).to_string();
    let args = |count: &'static str| {
        vec![
            "--service".to_string(),
            "api".into(),
            "--env".into(),
            "prod".into(),
            "--commit".into(),
            commit.clone(),
            "--count".into(),
            count.into(),
            "--allowed-signers".into(),
            "signers".into(),
            "--".into(),
            "touch".into(),
            format!("ran-{count}"),
        ]
    };
    let two: Vec<String> = args("2");
    let three: Vec<String> = args("3");
    assert_code(
        &verify(
            d,
            &json,
            &two.iter().map(String::as_str).collect::<Vec<_>>(),
        ),
        0,
    );
    assert!(d.join("ran-2").exists());
    assert_code(
        &verify(
            d,
            &json,
            &three.iter().map(String::as_str).collect::<Vec<_>>(),
        ),
        3,
    );
    assert!(!d.join("ran-3").exists());
}

#[test]
fn next_to_a_signing_project_the_projects_committed_signers_are_used() {
    let (_dir, repo, list) = setup();
    let commit = commit_of(&list);
    let json = serde_json::Value::Array(list).to_string();
    let out = verify(
        &repo,
        &json,
        &[
            "--service",
            "api",
            "--env",
            "prod",
            "--commit",
            &commit,
            "--count",
            "2",
        ],
    );
    assert_code(&out, 0);
    assert!(
        stdout(&out).contains(
            "allowed signers: .shipdeck/allowed_signers as committed on refs/remotes/origin/HEAD"
        ),
        "{}",
        stdout(&out)
    );
}
