//! Scale: a generated configuration of 300 services × 6 environments, 1,800 targets answering on
//! loopback. `status` completes within a deadline with every target reported; the console under
//! tmux scrolls to the last service, filters, and refreshes, each within a deadline.

use crate::reliability_support;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::e2e_support::{Tmux, binary};
use reliability_support::{Behaviour, Endpoint};

const SERVICES: usize = 300;
const ENVS: &[&str] = &["dev", "test", "qa", "staging", "canary", "prod"];

fn name(i: usize) -> String {
    format!("svc{i:03}")
}

/// One repository with one commit and a release tag per service; a configuration naming them.
fn project(dir: &Path, port: u16) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let git = |args: &[&str], stdin: Option<&str>| -> String {
        let mut child = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Dana")
            .env("GIT_AUTHOR_EMAIL", "dana@shop.example")
            .env("GIT_COMMITTER_NAME", "Dana")
            .env("GIT_COMMITTER_EMAIL", "dana@shop.example")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("git");
        if let Some(input) = stdin {
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(input.as_bytes())
                .expect("feed git");
        }
        let out = child.wait_with_output().expect("git ran");
        assert!(out.status.success(), "git {args:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q", "-b", "main"], None);
    git(
        &["commit", "-q", "--allow-empty", "-m", "feat: all services"],
        None,
    );
    let head = git(&["rev-parse", "HEAD"], None);
    // Every tag in one process: 300 `git tag` runs would dominate the test.
    let mut refs = String::new();
    for i in 0..SERVICES {
        let _ = writeln!(refs, "create refs/tags/{}-v1.0.0 {head}", name(i));
    }
    git(&["update-ref", "--stdin"], Some(&refs));

    let mut config = String::from(
        "[project]\nname = \"fleet\"\nstate_dir = \".shipdeck\"\n\
         # Only the first probe and `R`, so the test sees what `R` did; a generous probe\n\
         # timeout, so a loaded test machine is not mistaken for 1,800 failing targets.\n\
         probe_interval = \"1h\"\n\n",
    );
    for env in ENVS {
        let _ = write!(config, "[[environments]]\nname = \"{env}\"\n\n");
    }
    for i in 0..SERVICES {
        let s = name(i);
        let _ = write!(
            config,
            "[[services]]\nname = \"{s}\"\nrepo = \"repo\"\ntags = \"{s}-v*\"\n\
             health = {{ url = \"http://127.0.0.1:{port}/{s}/{{{{env}}}}/health\", timeout = \"30s\" }}\n\n"
        );
    }
    let path = dir.join("shipdeck.toml");
    std::fs::write(&path, config).expect("config");
    path
}

fn run(dir: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(binary())
        .arg("--config")
        .arg(config)
        .args(args)
        .env("SHIPDECK_USER", "oncall@shop.example")
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("shipdeck runs")
}

fn healthy_fleet() -> Endpoint {
    Endpoint::start(|_| Behaviour::Json(r#"{"status":"pass","version":"1.0.0"}"#.into()))
}

#[test]
fn status_of_1800_loopback_targets_completes_within_a_deadline() {
    let endpoint = healthy_fleet();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path(), endpoint.port);
    let started = Instant::now();
    let out = run(dir.path(), &config, &["status", "--json"]);
    let took = started.elapsed();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let services = json["services"].as_array().expect("services");
    assert_eq!(services.len(), SERVICES);
    let mut passing = 0;
    for service in services {
        let targets = service["targets"].as_array().expect("targets");
        assert_eq!(targets.len(), ENVS.len());
        passing += targets.iter().filter(|t| t["health"] == "pass").count();
    }
    assert_eq!(passing, SERVICES * ENVS.len(), "every target answered");
    assert!(
        took < Duration::from_secs(30),
        "status of {} targets took {took:?}",
        SERVICES * ENVS.len()
    );
    eprintln!(
        "scale: status of {} targets in {took:.1?}",
        SERVICES * ENVS.len()
    );
}

#[test]
fn the_console_scrolls_filters_and_refreshes_300_services_without_stalling() {
    let endpoint = healthy_fleet();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path(), endpoint.port);
    let argv = vec![
        binary().display().to_string(),
        "--config".to_string(),
        config.display().to_string(),
    ];
    let tmux = Tmux::start(
        &argv,
        &[
            ("SHIPDECK_USER", "oncall@shop.example".to_string()),
            (
                "SHIPDECK_DATA_DIR",
                dir.path().join(".data").display().to_string(),
            ),
            ("GIT_CONFIG_GLOBAL", "/dev/null".to_string()),
        ],
        (200, 50),
    );
    let step = Duration::from_secs(10);
    let started = Instant::now();
    tmux.wait_screen("the board of 300 services", Duration::from_mins(1), |s| {
        s.contains("svc000") && s.contains("1.0.0")
    });
    let board = started.elapsed();
    let targets = SERVICES * ENVS.len();
    let mut seen = 0;
    let mut last_report = Instant::now();
    crate::common::wait_for(
        "the first probe of every target",
        Duration::from_secs(90),
        || {
            seen = endpoint.requests();
            if last_report.elapsed() > Duration::from_secs(5) {
                last_report = Instant::now();
                eprintln!(
                    "scale: {seen} of {targets} targets probed after {:.1?}",
                    started.elapsed()
                );
            }
            (seen >= targets).then_some(())
        },
    );
    let first_round = started.elapsed();
    // And the board shows them: no cell is still waiting for its first answer.
    tmux.wait_screen(
        "every visible cell observed",
        Duration::from_secs(30),
        |s| !s.contains("checking"),
    );
    assert!(
        !tmux.screen().contains(&name(SERVICES - 1)),
        "the last service fits already"
    );

    // Scroll: the cursor to the last service, then its target view names it.
    let scroll = Instant::now();
    let downs = vec!["j"; SERVICES - 1];
    tmux.send(&downs);
    tmux.wait_screen("the last service on the board", step, |s| {
        s.contains(&name(SERVICES - 1)) && !s.contains("svc000")
    });
    tmux.send(&["3"]);
    tmux.wait_screen("the last service's target view", step, |s| {
        s.lines().take(3).any(|l| l.contains(&name(SERVICES - 1)))
    });
    let scroll = scroll.elapsed();
    tmux.send(&["1"]);
    tmux.wait_screen("the board again", step, |s| s.contains("SERVICE"));

    // Filter: only the services whose name has `svc17` stay.
    let filter = Instant::now();
    tmux.send(&["/"]);
    tmux.type_text("svc17");
    tmux.send(&["Enter"]);
    let screen = tmux.wait_screen("the filtered board", step, |s| {
        // The filter prompt closed too: its line also starts with the text typed.
        s.contains("svc170") && s.contains("svc179") && !s.contains("svc299") && !s.contains('▏')
    });
    let filter = filter.elapsed();
    let rows = screen
        .lines()
        .filter(|l| l.trim_start_matches('│').starts_with("svc"))
        .count();
    assert_eq!(rows, 10, "svc170..svc179 only:\n{screen}");

    // Refresh: `R` probes all 1,800 again (the interval is an hour, so nothing else does), and
    // the console answers a key while it does.
    let before = endpoint.requests();
    let refresh = Instant::now();
    tmux.send(&["R"]);
    tmux.send(&["3"]);
    tmux.wait_screen("a target view during the refresh", step, |s| {
        s.lines().take(3).any(|l| l.contains("svc17"))
    });
    let key_during_refresh = refresh.elapsed();
    crate::common::wait_for("every target probed again", Duration::from_secs(30), || {
        (endpoint.requests() >= before + targets).then_some(())
    });
    let refresh = refresh.elapsed();
    tmux.send(&["q"]);
    eprintln!(
        "scale: 300×6 board shown in {board:.1?}, every target probed by {first_round:.1?}; \
         scrolled to the last service in {scroll:.1?}, filtered in {filter:.1?}; `R` probed all \
         {targets} again in {refresh:.1?}, a key answered {key_during_refresh:.1?} into it"
    );
}
