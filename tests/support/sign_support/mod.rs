//! Shared by the signing tests: real SSH keys made by ssh-keygen in temp dirs, a service
//! repository with a bare `origin` whose default branch holds `allowed_signers`, and the real
//! binary run as different people with different keys.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;

#[allow(unused_imports)] // each test binary uses a subset
pub use common::{bin, git, repo_with_releases, stderr, stdout, wait_for};

pub const ALICE: &str = "alice@shop.example";
pub const BOB: &str = "bob@shop.example";
pub const CAROL: &str = "carol@shop.example";
pub const DANA: &str = "dana@shop.example";

/// A fresh ed25519 key pair `dir/keys/NAME` (no passphrase); the private key's path.
pub fn keygen(dir: &Path, name: &str) -> PathBuf {
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).expect("keys dir");
    let key = keys.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .expect("ssh-keygen runs");
    assert!(out.status.success(), "{}", stderr(&out));
    key
}

/// `principal <public key>`: one allowed_signers line.
pub fn signer_line(principal: &str, key: &Path) -> String {
    let public = std::fs::read_to_string(key.with_extension("pub")).expect("public key");
    let mut parts = public.split_whitespace();
    let (kind, blob) = (parts.next().expect("type"), parts.next().expect("key"));
    format!("{principal} namespaces=\"shipdeck\" {kind} {blob}\n")
}

/// The people of a signing test: alice, bob and carol have keys in allowed_signers; mallory has
/// a key nobody allowed.
pub struct Team {
    pub alice: PathBuf,
    pub bob: PathBuf,
    pub carol: PathBuf,
    pub mallory: PathBuf,
}

impl Team {
    pub fn new(dir: &Path) -> Team {
        Team {
            alice: keygen(dir, "alice"),
            bob: keygen(dir, "bob"),
            carol: keygen(dir, "carol"),
            mallory: keygen(dir, "mallory"),
        }
    }

    pub fn allowed_signers(&self) -> String {
        [
            signer_line(ALICE, &self.alice),
            signer_line(BOB, &self.bob),
            signer_line(CAROL, &self.carol),
        ]
        .concat()
    }
}

/// `dir/repo`: releases api-v1.0.0 … api-v1.2.0, `.shipdeck/allowed_signers` committed and
/// pushed to the bare `dir/origin.git`, fetched back as `refs/remotes/origin/*`, and
/// `shipdeck.toml` (not committed) with a prod gate of two signed approvals from alice, bob
/// and carol. The event log lives in `dir/state`.
pub fn signed_project(dir: &Path, team: &Team, prod_extra: &str) -> PathBuf {
    let repo = repo_with_releases(dir, &[(1, "1.0.0"), (3, "1.1.0"), (5, "1.2.0")], 6);
    std::fs::create_dir_all(repo.join(".shipdeck")).expect("mkdir");
    std::fs::write(
        repo.join(".shipdeck/allowed_signers"),
        team.allowed_signers(),
    )
    .expect("allowed_signers");
    git(&repo, &["add", ".shipdeck/allowed_signers"]);
    git(&repo, &["commit", "-q", "-m", "chore: allowed signers"]);
    let origin = dir.join("origin.git");
    git(
        dir,
        &[
            "clone",
            "-q",
            "--bare",
            "repo",
            origin.to_str().expect("utf-8"),
        ],
    );
    git(
        &repo,
        &["remote", "add", "origin", origin.to_str().expect("utf-8")],
    );
    git(&repo, &["fetch", "-q", "origin"]);
    git(&repo, &["remote", "set-head", "origin", "main"]);
    std::fs::write(
        repo.join("shipdeck.toml"),
        format!(
            r#"[project]
name = "shop"
state_dir = "../state"
signing = {{ allowed_signers = ".shipdeck/allowed_signers" }}

[[environments]]
name = "dev"

[[environments]]
name = "prod"
gates = [{{ kind = "approval", count = 2, from = ["{ALICE}", "{BOB}", "{CAROL}"], signed = true }}]
{prod_extra}
[[services]]
name = "api"
repo = "."
tags = "api-v*"
"#
        ),
    )
    .expect("config");
    repo
}

/// Runs shipdeck in `repo` as `user`, signing with `key` (none: no key at all).
pub fn as_user(repo: &Path, user: &str, key: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(repo)
        .env("SHIPDECK_USER", user)
        .env("SHIPDECK_DATA_DIR", repo.join("../.data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("SHIPDECK_SIGNING_KEY");
    if let Some(key) = key {
        cmd.env("SHIPDECK_SIGNING_KEY", key);
    }
    cmd.output().expect("shipdeck runs")
}

/// Asserts `out` exited with `code`, showing both streams otherwise.
pub fn assert_code(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        stdout(out),
        stderr(out)
    );
}

/// The approval gate's reason from `plan --json`.
pub fn approval_reason(out: &Output) -> String {
    let plan: serde_json::Value = serde_json::from_str(&stdout(out)).expect("plan --json");
    plan["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["kind"] == "approval")
        .and_then(|g| g["reason"].as_str())
        .expect("an approval gate")
        .to_string()
}
