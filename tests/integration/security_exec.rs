//! Security (#10): code execution from an untrusted checkout, through git's repository-local
//! settings and through a race on the trust check; real git, real files, the real binary.

use crate::common;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{git, shipdeck, stderr};

fn script(path: &Path, body: &str) {
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Item 2: a checkout commits `shipdeck.toml` with the git backend on `fixtures/log.git`, a bare
/// repository whose `config` names a program as `remote.origin.uploadpack` (and receivepack,
/// sshCommand, fsmonitor and hooks): `status`, `log`, `sync` and `--read-only` must run none.
#[test]
fn security_hostile_repository_git_settings_run_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let repo = common::repo_with_releases(d, &[(1, "1.0.0")], 2);
    let fixtures = repo.join("fixtures");
    std::fs::create_dir_all(&fixtures).expect("fixtures");
    let marker = d.join("pwned");
    let hook = fixtures.join("hook.sh");
    script(
        &hook,
        &format!("echo \"$0 $*\" >> '{}'; exit 1", marker.display()),
    );
    let upstream = d.join("upstream.git");
    git(
        d,
        &["init", "-q", "--bare", upstream.to_str().expect("utf-8")],
    );
    let log = fixtures.join("log.git");
    git(d, &["init", "-q", "--bare", log.to_str().expect("utf-8")]);
    let hook_path = hook.display().to_string();
    for (key, value) in [
        ("remote.origin.url", upstream.display().to_string()),
        ("remote.origin.uploadpack", "./../hook.sh".to_string()),
        ("remote.origin.receivepack", hook_path.clone()),
        ("core.sshCommand", hook_path.clone()),
        ("core.fsmonitor", hook_path.clone()),
        ("core.hooksPath", fixtures.display().to_string()),
        ("credential.helper", format!("!{hook_path}")),
    ] {
        git(&log, &["config", key, &value]);
    }
    for name in ["reference-transaction", "pre-push", "post-update"] {
        script(
            &fixtures.join(name),
            &format!("echo {name} >> '{}'", marker.display()),
        );
    }
    std::fs::write(
        repo.join("shipdeck.toml"),
        r#"[project]
name = "shop"
state_dir = ".shipdeck"
state = { backend = "git", repo = "fixtures/log.git", fetch_timeout = "10s" }

[[environments]]
name = "dev"
gates = [{ kind = "approval", count = 1 }]

[[services]]
name = "api"
repo = "."
tags = "api-v*"
"#,
    )
    .expect("config");
    for args in [
        &["status"][..],
        &["log"][..],
        &["--read-only", "status"][..],
        &["sync"][..],
        &["approve", "api", "api-v1.0.0", "--env", "dev"][..],
        &["log", "--verify"][..],
    ] {
        let out = shipdeck(&repo, "alice@x", args);
        assert!(
            !marker.exists(),
            "{args:?} ran the repository's program: {} (stderr: {})",
            std::fs::read_to_string(&marker).unwrap_or_default(),
            stderr(&out)
        );
    }
    // The log still works: the approval reached the upstream through git's own programs.
    git(
        &upstream,
        &["rev-parse", "--verify", "refs/heads/shipdeck/log"],
    );
}

/// Item 7: the configuration is swapped between a trusted harmless one and an untrusted one
/// whose probe command writes a file, while `status` runs again and again: the untrusted
/// command never runs, because trust is decided on the bytes that were parsed.
#[test]
fn security_trust_check_cannot_be_raced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    common::repo_with_releases(d, &[(1, "1.0.0")], 2);
    let marker = d.join("pwned");
    script(&d.join("ok.sh"), "echo ok");
    script(
        &d.join("evil.sh"),
        &format!("touch '{}'; echo ok", marker.display()),
    );
    let config = |program: &str| {
        format!(
            r#"[project]
name = "shop"
state_dir = ".shipdeck"

[[environments]]
name = "dev"

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
health = {{ command = ["./{program}"], format = "status", timeout = "5s" }}
"#
        )
    };
    let path = d.join("shipdeck.toml");
    let (good, evil) = (config("ok.sh"), config("evil.sh"));
    std::fs::write(&path, &good).expect("config");
    let out = shipdeck(d, "alice@x", &["trust"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let stop = Arc::new(AtomicBool::new(false));
    let swapper = {
        let (stop, path) = (Arc::clone(&stop), path.clone());
        std::thread::spawn(move || {
            let mut flip = false;
            let mut swaps = 0u32;
            while !stop.load(Ordering::SeqCst) {
                let tmp = path.with_extension("tmp");
                std::fs::write(&tmp, if flip { &good } else { &evil }).expect("write");
                std::fs::rename(&tmp, &path).expect("swap");
                flip = !flip;
                swaps += 1;
                std::thread::yield_now();
            }
            swaps
        })
    };
    for _ in 0..40 {
        let _ = shipdeck(d, "alice@x", &["status"]);
    }
    stop.store(true, Ordering::SeqCst);
    let swaps = swapper.join().expect("swapper");
    assert!(
        swaps > 40,
        "the file was swapped while status ran ({swaps})"
    );
    assert!(
        !marker.exists(),
        "an untrusted configuration's probe ran through the trust of another's bytes"
    );
}

/// Item 2, the GitOps deployer: a checkout whose `shipdeck.toml` deploys through a config
/// repository it ships itself (`fixtures/config.git`, a bare repository on this machine with
/// receive hooks and a `core.hooksPath` of its own). Promoting runs none of them, and the value
/// still reaches the repository.
#[test]
fn security_gitops_deployer_runs_no_program_of_a_hostile_config_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let repo = common::repo_with_releases(d, &[(1, "1.0.0")], 2);
    let fixtures = repo.join("fixtures");
    std::fs::create_dir_all(&fixtures).expect("fixtures");
    let marker = d.join("pwned");
    // The config repository: one values file on main, then bare.
    let work = d.join("config-work");
    git(
        d,
        &["init", "-q", "-b", "main", work.to_str().expect("utf-8")],
    );
    std::fs::write(work.join("values.yaml"), "image:\n  tag: 0.0.1\n").expect("values");
    git(&work, &["add", "values.yaml"]);
    git(
        &work,
        &[
            "-c",
            "user.name=ops",
            "-c",
            "user.email=ops@x",
            "commit",
            "-q",
            "-m",
            "values",
        ],
    );
    let config_repo = fixtures.join("config.git");
    git(
        d,
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().expect("utf-8"),
            config_repo.to_str().expect("utf-8"),
        ],
    );
    let hooks = fixtures.join("hooks");
    std::fs::create_dir_all(&hooks).expect("hooks");
    for name in [
        "pre-receive",
        "update",
        "post-receive",
        "post-update",
        "reference-transaction",
        "push-to-checkout",
    ] {
        for place in [&hooks, &config_repo.join("hooks")] {
            script(
                &place.join(name),
                &format!("echo {name} >> '{}'", marker.display()),
            );
        }
    }
    git(
        &config_repo,
        &["config", "core.hooksPath", hooks.to_str().expect("utf-8")],
    );
    git(
        &config_repo,
        &[
            "config",
            "core.fsmonitor",
            hooks.join("post-update").to_str().expect("utf-8"),
        ],
    );
    std::fs::write(
        repo.join("shipdeck.toml"),
        r#"[project]
name = "shop"
state_dir = ".shipdeck"

[[environments]]
name = "dev"

[[services]]
name = "api"
repo = "."
tags = "api-v*"
deploy = { kind = "git", repo = "fixtures/config.git", file = "values.yaml", key = "image.tag" }
"#,
    )
    .expect("config");
    let out = shipdeck(
        &repo,
        "alice@x",
        &[
            "promote",
            "api",
            "api-v1.0.0",
            "--to",
            "dev",
            "--yes",
            "--no-wait",
        ],
    );
    assert!(
        !marker.exists(),
        "promote ran the config repository's program: {} (stderr: {})",
        std::fs::read_to_string(&marker).unwrap_or_default(),
        stderr(&out)
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The value reached the config repository through git's own programs.
    let values = git(&config_repo, &["show", "main:values.yaml"]);
    assert!(values.contains("tag: 1.0.0"), "{values}");
}
