//! Signed approvals end to end with real keys and a real repository: verified ones count,
//! forged ones (a key nobody allowed, or someone signing in another's name) do not and are
//! named by `log --verify`, and allowed_signers counts only as committed on origin's default
//! branch.

use crate::sign_support;

use sign_support::*;

const PROD: [&str; 5] = ["plan", "api", "api-v1.2.0", "--to", "prod"];

fn approve(repo: &std::path::Path, user: &str, key: Option<&std::path::Path>) {
    let out = as_user(
        repo,
        user,
        key,
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_code(&out, 0);
}

fn plan_as_dana(repo: &std::path::Path) -> std::process::Output {
    as_user(
        repo,
        DANA,
        None,
        &[PROD[0], PROD[1], PROD[2], PROD[3], PROD[4], "--json"],
    )
}

#[test]
fn signed_approvals_verify_and_count_and_log_verify_reports_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    approve(&repo, ALICE, Some(&team.alice));
    approve(&repo, BOB, Some(&team.bob));

    let plan = plan_as_dana(&repo);
    assert_code(&plan, 0);
    let reason = approval_reason(&plan);
    assert!(reason.starts_with("2 of 2 approvals"), "{reason}");

    let events = std::fs::read_to_string(dir.path().join("state/events.jsonl")).expect("log");
    assert_eq!(events.matches("BEGIN SSH SIGNATURE").count(), 2, "{events}");

    let verify = as_user(&repo, DANA, None, &["log", "--verify"]);
    assert_code(&verify, 0);
    let text = stdout(&verify);
    assert!(text.contains("hash chain intact"), "{text}");
    assert!(
        text.contains("signatures: 2 verified, 0 unsigned, 0 failed"),
        "{text}"
    );
    assert!(
        text.contains(".shipdeck/allowed_signers as committed on refs/remotes/origin/HEAD"),
        "{text}"
    );
}

#[test]
fn forged_approvals_do_not_count_and_log_verify_names_each() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    approve(&repo, ALICE, Some(&team.alice));
    // Carol's name, mallory's key: a key nobody allowed.
    approve(&repo, CAROL, Some(&team.mallory));
    // Carol's key, but claiming to be bob: someone signing in another's name.
    approve(&repo, BOB, Some(&team.carol));

    let plan = plan_as_dana(&repo);
    assert_code(&plan, 3);
    let reason = approval_reason(&plan);
    assert!(
        reason.starts_with("1 of 2 approvals (alice@shop.example)"),
        "{reason}"
    );
    assert!(
        reason.contains("not counted: carol@shop.example (signature by ED25519 key SHA256:"),
        "{reason}"
    );
    assert!(reason.contains("not in allowed_signers"), "{reason}");
    assert!(
        reason.contains("bob@shop.example (signed with ED25519 key SHA256:")
            && reason.contains("allowed for carol@shop.example and not for bob@shop.example"),
        "{reason}"
    );

    let verify = as_user(&repo, DANA, None, &["log", "--verify"]);
    assert_code(&verify, 5);
    assert!(
        stdout(&verify).contains("signatures: 1 verified, 0 unsigned, 2 failed"),
        "{}",
        stdout(&verify)
    );
    let why = stderr(&verify);
    assert!(
        why.contains(":2: event ") && why.contains(":3: event "),
        "{why}"
    );
    assert!(
        why.contains("(approved by carol@shop.example for api api-v1.2.0 → prod)")
            && why.contains("(approved by bob@shop.example for api api-v1.2.0 → prod)"),
        "{why}"
    );
}

#[test]
fn allowed_signers_count_only_once_committed_and_on_origins_default_branch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    approve(&repo, ALICE, Some(&team.alice));
    approve(&repo, BOB, Some(&team.bob));
    // Mallory adds her key for carol in the working tree and approves as carol with it.
    let signers = repo.join(".shipdeck/allowed_signers");
    let mut text = std::fs::read_to_string(&signers).expect("signers");
    text.push_str(&signer_line(CAROL, &team.mallory));
    std::fs::write(&signers, &text).expect("edit");
    approve(&repo, CAROL, Some(&team.mallory));

    // Alice and bob are enough for the gate; carol's forged one must be named, not counted.
    let reason = approval_reason(&plan_as_dana(&repo));
    assert!(
        reason.contains("not counted: carol@shop.example (signature by"),
        "{reason}"
    );

    // Committed locally but not on origin: still not counted.
    git(
        &repo,
        &["commit", "-q", "-am", "chore: add mallory as carol"],
    );
    let reason = approval_reason(&plan_as_dana(&repo));
    assert!(
        reason.contains("not counted: carol@shop.example"),
        "{reason}"
    );

    // Pushed and fetched (reviewed, in a real team): now it counts.
    git(&repo, &["push", "-q", "origin", "main"]);
    git(&repo, &["fetch", "-q", "origin"]);
    let reason = approval_reason(&plan_as_dana(&repo));
    assert!(reason.starts_with("3 of 2 approvals"), "{reason}");
    assert!(!reason.contains("not counted"), "{reason}");
}

#[test]
fn without_a_key_events_are_recorded_unsigned_with_a_warning_and_do_not_count() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    let out = as_user(
        &repo,
        ALICE,
        None,
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_code(&out, 0);
    assert!(
        stderr(&out).contains("you have no signing key"),
        "{}",
        stderr(&out)
    );
    approve(&repo, BOB, Some(&team.bob));
    let reason = approval_reason(&plan_as_dana(&repo));
    assert!(
        reason.contains("not counted: alice@shop.example (unsigned)"),
        "{reason}"
    );
    let verify = as_user(&repo, DANA, None, &["log", "--verify"]);
    assert_code(&verify, 0);
    assert!(
        stdout(&verify).contains("signatures: 1 verified, 1 unsigned, 0 failed"),
        "{}",
        stdout(&verify)
    );
}

#[test]
fn a_key_that_needs_a_passphrase_fails_the_action_without_prompting() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    let locked = dir.path().join("keys/locked");
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "a passphrase", "-f"])
        .arg(&locked)
        .output()
        .expect("ssh-keygen");
    assert!(made.status.success());
    let out = as_user(
        &repo,
        ALICE,
        Some(&locked),
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_code(&out, 1);
    let why = stderr(&out);
    assert!(why.contains("could not sign the event"), "{why}");
    assert!(why.contains("ssh-agent"), "{why}");
    let events = std::fs::read_to_string(dir.path().join("state/events.jsonl")).unwrap_or_default();
    assert!(
        !events.contains("\"approved\""),
        "nothing recorded: {events}"
    );
}

#[test]
fn missing_allowed_signers_say_which_ref_and_commit_were_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    let team = Team::new(dir.path());
    let repo = signed_project(dir.path(), &team, "");
    approve(&repo, ALICE, Some(&team.alice));

    // Removed from origin's default branch: the ref and commit read are named.
    git(&repo, &["rm", "-q", ".shipdeck/allowed_signers"]);
    git(&repo, &["commit", "-q", "-m", "chore: drop signers"]);
    git(&repo, &["push", "-q", "origin", "main"]);
    git(&repo, &["fetch", "-q", "origin"]);
    let reason = approval_reason(&plan_as_dana(&repo));
    assert!(
        reason.contains(".shipdeck/allowed_signers is not committed on refs/remotes/origin/HEAD → refs/remotes/origin/main at "),
        "{reason}"
    );
    let verify = as_user(&repo, DANA, None, &["log", "--verify"]);
    assert_code(&verify, 1);
    assert!(
        stderr(&verify).contains("could not check signatures"),
        "{}",
        stderr(&verify)
    );

    // No remote-tracking refs at all: every ref tried is named.
    git(&repo, &["remote", "remove", "origin"]);
    let reason = approval_reason(&plan_as_dana(&repo));
    assert!(
        reason.contains("none of refs/shipdeck/remote-default, refs/remotes/origin/HEAD, refs/remotes/origin/main, refs/remotes/origin/master exists"),
        "{reason}"
    );
}
