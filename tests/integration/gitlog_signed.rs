//! Signed approvals travelling through the shared log: allowed_signers as committed on the
//! remote's default branch, verified in another person's clone; a forged approval refused by
//! the gate and named by `log --verify`.

use crate::gitlog_support;

use std::path::{Path, PathBuf};
use std::process::Command;

use gitlog_support::{Team, stderr, stdout};

const CONFIG: &str = r#"[project]
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

fn approval(plan: &str) -> serde_json::Value {
    let plan: serde_json::Value = serde_json::from_str(plan).expect("plan json");
    plan["gates"][0].clone()
}

#[test]
fn signed_approvals_from_two_clones_verify_in_a_third_and_a_forged_one_does_not() {
    let keys = tempfile::tempdir().expect("keys");
    let [alice_key, bob_key, carol_key, mallory_key] =
        ["alice", "bob", "carol", "mallory"].map(|n| keygen(keys.path(), n));
    let signers = [
        ("alice", &alice_key),
        ("bob", &bob_key),
        ("carol", &carol_key),
    ]
    .iter()
    .map(|(n, k)| signer_line(&format!("{n}@shop.example"), k))
    .collect::<String>();
    let team = Team::with(CONFIG, &[("allowed_signers", signers)]);
    let mut alice = team.join("alice", None);
    alice.key = Some(alice_key);
    let mut bob = team.join("bob", None);
    bob.key = Some(bob_key);
    let mut carol = team.join("carol", None);
    carol.key = Some(carol_key);
    // Mallory has a clone and a key, but no line in allowed_signers, and claims to be bob.
    let mut mallory = team.join("mallory", None);
    mallory.key = Some(mallory_key);
    mallory.email = "bob@shop.example".into();

    alice.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    bob.expect(0, &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    let plan = carol.expect(0, &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"]);
    assert_eq!(approval(&plan)["status"], "pass", "{plan}");
    let verified = carol.expect(0, &["log", "--verify"]);
    assert!(verified.contains("2 verified"), "{verified}");

    alice.expect(0, &["approve", "api", "api-v1.1.0", "--env", "prod"]);
    mallory.expect(0, &["approve", "api", "api-v1.1.0", "--env", "prod"]);
    let out = carol.shipdeck(&["plan", "api", "api-v1.1.0", "--to", "prod", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the forged approval does not count"
    );
    let gate = approval(&stdout(&out));
    assert_eq!(gate["status"], "pending", "{gate}");
    assert!(
        gate["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("not counted"),
        "{gate}"
    );
    let out = carol.shipdeck(&["log", "--verify"]);
    assert_eq!(out.status.code(), Some(5), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(
        err.contains("bob@shop.example") && err.contains("failed signature verification"),
        "names the forged approval: {err}"
    );
    assert!(stdout(&out).contains("3 verified"), "{}", stdout(&out));
}
