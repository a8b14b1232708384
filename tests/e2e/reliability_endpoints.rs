//! Endpoints that misbehave — hang, reset the connection, answer one byte at a time, answer
//! 64 MiB, answer bytes that are not HTTP — against the real binary: `status` comes back within
//! its timeout and says per target what is wrong; the console stays responsive (a key lands
//! while probes hang) and shows it.

use crate::reliability_support;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::e2e_support::{Tmux, binary};
use reliability_support::{Behaviour, Endpoint};

/// The environments, one per fault, and a healthy one to show the others are not delayed.
const ENVS: &[&str] = &["healthy", "hang", "reset", "slow", "huge", "garbage"];
/// The probe timeout configured below.
const TIMEOUT: Duration = Duration::from_secs(3);

/// What the board says about each faulty target.
const REASONS: &[(&str, &str)] = &[
    ("hang", "timed out"),
    ("reset", "reset"),
    ("slow", "timed out"),
    ("garbage", "invalid http"),
];

fn behaviour(path: &str) -> Behaviour {
    let env = path.trim_start_matches('/').split('/').next().unwrap_or("");
    match env {
        "healthy" => Behaviour::Json(r#"{"status":"pass","version":"1.0.0"}"#.into()),
        "hang" => Behaviour::Hang,
        "reset" => Behaviour::Reset,
        "slow" => Behaviour::Slow {
            body: format!(
                r#"{{"status":"pass","version":"1.0.0","pad":"{}"}}"#,
                "x".repeat(400)
            ),
            every: Duration::from_millis(50),
        },
        "huge" => Behaviour::Huge(64 * 1024 * 1024),
        _ => Behaviour::Garbage(b"\x00\xff\xfeSSH-2.0-not-http\r\n\x1b[2J\r\n\r\n".to_vec()),
    }
}

fn project(dir: &Path, port: u16) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(&repo)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Dana")
            .env("GIT_AUTHOR_EMAIL", "dana@shop.example")
            .env("GIT_COMMITTER_NAME", "Dana")
            .env("GIT_COMMITTER_EMAIL", "dana@shop.example")
            .output()
            .expect("git")
            .status
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "-b", "main"]);
    git(&["commit", "-q", "--allow-empty", "-m", "feat: one"]);
    git(&["tag", "-a", "api-v1.0.0", "-m", "release"]);
    let mut config = String::from(
        "[project]\nname = \"shop\"\nstate_dir = \".shipdeck\"\nprobe_interval = \"1s\"\n\n",
    );
    for env in ENVS {
        let _ = write!(config, "[[environments]]\nname = \"{env}\"\n\n");
    }
    let _ = write!(
        config,
        "[[services]]\nname = \"api\"\nrepo = \"repo\"\ntags = \"api-v*\"\n\
         health = {{ url = \"http://127.0.0.1:{port}/{{{{env}}}}/health\", timeout = \"{}s\" }}\n",
        TIMEOUT.as_secs()
    );
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
        .env("NO_COLOR", "1")
        .output()
        .expect("shipdeck runs")
}

#[test]
fn status_returns_within_its_timeout_and_names_each_faulty_target() {
    let endpoint = Endpoint::start(behaviour);
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
    // The probe timeout plus process start and git: never the 64 MiB or the byte-by-byte pace.
    assert!(
        took < TIMEOUT + Duration::from_secs(4),
        "status took {took:?} with a {TIMEOUT:?} probe timeout"
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("status --json");
    let targets = json["services"][0]["targets"].as_array().expect("targets");
    let health = |env: &str| -> String {
        targets
            .iter()
            .find(|t| t["env"] == env)
            .map(|t| t["health"].as_str().unwrap_or_default().to_string())
            .expect("every environment is reported")
    };
    assert_eq!(health("healthy"), "pass");
    for env in ["hang", "reset", "slow", "garbage"] {
        assert_eq!(health(env), "unreachable", "{env}: {targets:?}");
    }
    // 64 MiB of `x` is not JSON; read up to the cap, it is a 200 with an unreadable body.
    // 64 MiB of `x` behind a 200: read up to the 64 KiB cap, the status code decides.
    assert_eq!(health("huge"), "pass", "{targets:?}");

    // The plain board says why, per target.
    let out = run(dir.path(), &config, &["status"]);
    let text = String::from_utf8_lossy(&out.stdout).to_lowercase();
    for (env, why) in REASONS {
        let line = text
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(env))
            .unwrap_or_default();
        assert!(line.contains(why), "{env} does not say `{why}`:\n{text}");
    }
    eprintln!(
        "endpoint faults: hang, reset, slow, 64 MiB, garbage in one status run of {took:.1?} \
         (timeout {TIMEOUT:?})"
    );
}

#[test]
fn the_console_answers_keys_while_targets_hang_and_shows_what_is_wrong() {
    let endpoint = Endpoint::start(behaviour);
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
        (200, 40),
    );
    tmux.wait_screen("the board", Duration::from_secs(20), |s| {
        s.contains("HANG") || s.contains("hang")
    });
    // Each step: one key, and the view it opens shows the target under the cursor, while the
    // hung, slow and huge probes are still in the air. Each must land within two seconds; then
    // the view says what is wrong once the probe gave up.
    for env in ["hang", "reset", "slow", "huge", "garbage"] {
        tmux.send(&["l"]);
        let pressed = Instant::now();
        tmux.send(&["3"]);
        tmux.wait_screen(
            &format!("the target view of {env}"),
            Duration::from_secs(5),
            |s| s.lines().take(3).any(|l| l.contains(env)),
        );
        let took = pressed.elapsed();
        assert!(
            took < Duration::from_secs(2),
            "the key took {took:?} to land on {env}"
        );
        if let Some((_, why)) = REASONS.iter().find(|(e, _)| *e == env) {
            tmux.wait_screen(
                &format!("{env}'s fault: {why}"),
                TIMEOUT + Duration::from_secs(10),
                |s| s.to_lowercase().contains(why),
            );
        }
        tmux.send(&["1"]);
        tmux.wait_screen("the board again", Duration::from_secs(5), |s| {
            s.contains("SERVICE")
        });
    }
    tmux.send(&["q"]);
}
