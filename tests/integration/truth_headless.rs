//! Headless: closed pipes, `status --check`, help text for everything, `log` filters.

use std::path::Path;
use std::process::{Command, Stdio};

use clap::CommandFactory;

use crate::common::{bin, project, shipdeck, stderr, stdout};

/// Runs shipdeck with its stdout a pipe whose reader is gone before anything is written.
fn into_closed_pipe(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", "lead@x")
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("shipdeck runs");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("shipdeck ends");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_every_command_quietly() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    for item in ["controls", "plan"] {
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
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    for args in [
        &["log"][..],
        &["log", "--json"],
        &["check"],
        &["status"],
        &["releases", "api"],
        &["plan", "api", "api-v1.2.0", "--to", "staging"],
        &["checklist", "api", "api-v1.2.0", "--env", "prod"],
        &["notes", "api", "api-v1.2.0"],
        &["changelog", "api", "api-v1.0.0", "api-v1.2.0"],
    ] {
        let (code, err) = into_closed_pipe(d, args);
        assert!(!err.contains("panicked"), "{args:?} printed a panic: {err}");
        assert!(!err.contains("Broken pipe"), "{args:?}: {err}");
        assert_ne!(code, Some(101), "{args:?} exited like a panic: {err}");
    }
}

#[test]
fn status_check_exits_1_naming_every_target_not_healthy() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let plain = shipdeck(dir.path(), "a@x", &["status"]);
    assert_eq!(plain.status.code(), Some(0), "{}", stderr(&plain));
    let out = shipdeck(dir.path(), "a@x", &["status", "--check"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    for env in ["dev", "staging", "prod"] {
        assert!(err.contains(&format!("api in {env} is unknown")), "{err}");
    }
    assert!(stdout(&out).contains("RUNNING SINCE"), "{}", stdout(&out));
}

/// Every flag and positional argument of every command says what it is.
#[test]
fn every_flag_and_argument_has_help_text() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        let here = format!("{path} {}", cmd.get_name());
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if id == "help" || id == "version" {
                continue;
            }
            if arg.get_help().is_none() && arg.get_long_help().is_none() {
                missing.push(format!("{here} {id}"));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            if sub.get_about().is_none() {
                missing.push(format!("{here} {} (the command)", sub.get_name()));
            }
            walk(sub, &here, missing);
        }
    }
    let mut missing = Vec::new();
    walk(&shipdeck::cli::Cli::command(), "", &mut missing);
    assert!(missing.is_empty(), "without help text: {missing:#?}");
    let help = shipdeck::cli::Cli::command()
        .find_subcommand_mut("log")
        .expect("log")
        .render_help()
        .to_string();
    assert!(help.contains("JSON Lines"), "{help}");
}

#[test]
fn notes_json_joins_format_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let a = shipdeck(dir.path(), "a@x", &["notes", "api", "api-v1.2.0", "--json"]);
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    let b = shipdeck(
        dir.path(),
        "a@x",
        &["notes", "api", "api-v1.2.0", "--format", "json"],
    );
    let a: serde_json::Value = serde_json::from_str(&stdout(&a)).expect("--json is JSON");
    let b: serde_json::Value = serde_json::from_str(&stdout(&b)).expect("json");
    assert_eq!(a["markdown"], b["markdown"]);
}

#[test]
fn log_filters_by_service_env_and_since_and_shows_short_ids_and_times() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    for (env, item) in [("prod", "controls"), ("prod", "plan")] {
        let out = shipdeck(
            d,
            "lead@x",
            &["checklist", "api", "api-v1.2.0", "--env", env, "tick", item],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let out = shipdeck(d, "a@x", &["approve", "api", "api-v1.2.0", "--env", "prod"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let count = |args: &[&str]| {
        let mut all = vec!["log"];
        all.extend_from_slice(args);
        let out = shipdeck(d, "a@x", &all);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
        stdout(&out).lines().count()
    };
    assert_eq!(count(&[]), 3);
    assert_eq!(count(&["--service", "api", "--env", "prod"]), 3);
    assert_eq!(count(&["--env", "staging"]), 0);
    assert_eq!(count(&["--since", "1h"]), 3);
    assert_eq!(count(&["--since", "2999-01-01T00:00:00Z"]), 0);
    assert_eq!(count(&["--json", "--since", "10m"]), 3);
    let bad = shipdeck(d, "a@x", &["log", "--service", "nope"]);
    assert_eq!(bad.status.code(), Some(2));

    let json = stdout(&shipdeck(d, "a@x", &["log", "--json"]));
    let first: serde_json::Value =
        serde_json::from_str(json.lines().next().expect("a line")).expect("JSON Lines");
    let id = first["id"].as_str().expect("id");
    let human = stdout(&shipdeck(d, "a@x", &["log"]));
    let line = human.lines().next().expect("a line");
    assert!(line.contains(&id[..8]) && !line.contains(id), "{line}");
    assert!(line.contains(" ago") || line.contains("just now"), "{line}");
}
