//! Shared helpers of the integration tests: real git repositories in temp dirs and the real
//! binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs `git` in `dir` with an isolated configuration and fixed identity.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Dana Reyes")
        .env("GIT_AUTHOR_EMAIL", "dana@shop.example")
        .env("GIT_COMMITTER_NAME", "Dana Reyes")
        .env("GIT_COMMITTER_EMAIL", "dana@shop.example")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository with `n` commits on main, tagging every commit `i` in `tags` as `api-v<version>`.
pub fn repo_with_releases(dir: &Path, releases: &[(usize, &str)], n: usize) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    for i in 0..n {
        std::fs::write(repo.join("file.txt"), format!("{i}\n")).expect("write");
        git(&repo, &["add", "."]);
        let kind = if i % 3 == 0 { "feat(api)" } else { "fix" };
        git(
            &repo,
            &["commit", "-q", "-m", &format!("{kind}: change number {i}")],
        );
        for (at, version) in releases {
            if *at == i {
                git(
                    &repo,
                    &["tag", "-a", &format!("api-v{version}"), "-m", "release"],
                );
            }
        }
    }
    repo
}

/// A project with dev → staging → prod (protected, approvals from anyone, checklist).
pub fn project(dir: &Path) -> PathBuf {
    repo_with_releases(dir, &[(2, "1.0.0"), (5, "1.1.0"), (8, "1.2.0")], 10);
    let config = dir.join("shipdeck.toml");
    std::fs::write(
        &config,
        r#"[project]
name = "shop"
state_dir = ".shipdeck"

[[environments]]
name = "dev"

[[environments]]
name = "staging"
gates = [{ kind = "healthy" }]

[[environments]]
name = "prod"
protected = true
gates = [
  { kind = "approval", count = 2 },
  { kind = "checklist", name = "production-release" },
]

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
"#,
    )
    .expect("write config");
    config
}

/// The binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shipdeck"))
}

/// Runs shipdeck with `args` as `user`, its data dir inside `dir`.
pub fn shipdeck(dir: &Path, user: &str, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", user)
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .output()
        .expect("shipdeck runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a condition polled by [`wait_for`] answers: `bool` (met or not), or `Option<T>` (the
/// value once there).
pub trait Ready {
    type Value;
    fn ready(self) -> Option<Self::Value>;
}

impl Ready for bool {
    type Value = ();
    fn ready(self) -> Option<()> {
        self.then_some(())
    }
}

impl<T> Ready for Option<T> {
    type Value = T;
    fn ready(self) -> Option<T> {
        self
    }
}

/// Polls `check` until it is met (`true`, or `Some(value)`: returned), or panics naming `what`
/// after `deadline`. The one way a test waits: never a fixed sleep.
pub fn wait_for<R: Ready>(
    what: &str,
    deadline: Duration,
    mut check: impl FnMut() -> R,
) -> R::Value {
    let start = Instant::now();
    loop {
        if let Some(v) = check().ready() {
            return v;
        }
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
