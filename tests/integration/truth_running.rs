//! "What runs here" is one rule (`domain::running`): for a target reporting a version that
//! matches no release, the console's board, `status` (text and `--json`) and `plan` (text and
//! `--json`) all say that version, marked unmatched, and none passes it off as a release. Real
//! parts: a real repository, a real HTTP health endpoint on loopback, the real binary, and the
//! console's Elm core with the live backend it runs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use shipdeck::app::Context;
use shipdeck::console::cell::board_cell;
use shipdeck::console::effect::Effect;
use shipdeck::console::model::{self, Deploys};
use shipdeck::console::msg::Msg;
use shipdeck::console::state::State;
use shipdeck::console::update::update;
use shipdeck::domain::running::Running;
use shipdeck::tui::backend::Live;
use shipdeck::tui::runner::Backend;
use tokio::sync::mpsc::unbounded_channel;

use crate::common::{repo_with_releases, shipdeck, stderr, stdout};

const DEADLINE: Duration = Duration::from_secs(90);

/// A health endpoint on loopback: `/staging/health` reports 1.0.0 (a release), `/prod/health`
/// 9.9.9 (none), both healthy, without a commit.
fn health_server() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let line = String::from_utf8_lossy(&request);
            let version = if line.starts_with("GET /prod/") {
                "9.9.9"
            } else {
                "1.0.0"
            };
            let body = format!(r#"{{"status":"ok","version":"{version}"}}"#);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    addr
}

fn project(dir: &Path, addr: SocketAddr) -> std::path::PathBuf {
    repo_with_releases(dir, &[(2, "1.0.0"), (5, "1.1.0")], 7);
    let config = dir.join("shipdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"[project]
name = "shop"
state_dir = ".shipdeck"

[[environments]]
name = "staging"

[[environments]]
name = "prod"

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
health = "http://{addr}/{{{{env}}}}/health"
"#
        ),
    )
    .expect("write config");
    config
}

fn json(out: &std::process::Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", stderr(out));
    serde_json::from_str(&stdout(out)).expect("JSON")
}

#[test]
fn board_status_and_plan_agree_on_a_version_that_matches_no_release() {
    let addr = health_server();
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path(), addr);
    let unmatched = serde_json::json!({"kind": "unmatched", "version": "9.9.9", "commit": null});

    // status --json: the old fields as they were, and what runs by the one rule.
    let status = json(&shipdeck(dir.path(), "dana@x", &["status", "--json"]));
    let targets = &status["services"][0]["targets"];
    let prod = targets
        .as_array()
        .expect("targets")
        .iter()
        .find(|t| t["env"] == "prod")
        .expect("prod");
    assert_eq!(prod["release"], serde_json::Value::Null, "{prod}");
    assert_eq!(prod["reported_version"], "9.9.9", "{prod}");
    assert_eq!(prod["running_here"], unmatched, "{prod}");
    assert_eq!(
        targets[0]["running_here"]["kind"], "release",
        "staging runs a release: {status}"
    );
    assert_eq!(targets[0]["running_here"]["name"], "api-v1.0.0");

    // status: the table says it as reported, marked.
    let table = stdout(&shipdeck(dir.path(), "dana@x", &["status"]));
    assert!(table.contains("9.9.9 (unmatched)"), "{table}");

    // plan --json: `running` is the version as reported (as before); running_here says it
    // matches no release, the same object as status.
    let plan = json(&shipdeck(
        dir.path(),
        "dana@x",
        &["plan", "api", "api-v1.1.0", "--to", "prod", "--json"],
    ));
    assert_eq!(plan["running"], "9.9.9", "{plan}");
    assert_eq!(plan["running_here"], unmatched, "{plan}");
    assert_eq!(
        plan["downgrade"], false,
        "an unmatched version is no release to compare"
    );
    let text = stdout(&shipdeck(
        dir.path(),
        "dana@x",
        &["plan", "api", "api-v1.1.0", "--to", "prod"],
    ));
    assert!(text.contains("running now: 9.9.9 (unmatched)"), "{text}");

    // The console's board, probing through its live backend: the same words, the same value.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let state = runtime.block_on(board(&config));
    let deploys = Deploys::new(&state);
    let cell = board_cell(&state, &deploys, "api", "prod");
    let head: String = cell.head.iter().map(|b| b.text.clone()).collect();
    assert!(head.contains("9.9.9 (unmatched)"), "{head}");
    let running = model::cell(&state, "api", "prod").running;
    assert_eq!(
        running,
        Running::Unmatched {
            version: "9.9.9".into(),
            commit: None
        }
    );
    assert_eq!(serde_json::to_value(&running).expect("json"), unmatched);
    assert_eq!(
        model::cell(&state, "api", "prod").release,
        None,
        "the board does not name a release for it"
    );
}

/// The console's state once both targets answered their probes and the releases are read.
async fn board(config: &Path) -> State {
    let (mut ctx, _) = Context::load(Some(config), true).expect("loads");
    ctx.actor = "dana@x".into();
    ctx.warn_on_stderr = false;
    let events = ctx.log.events().expect("log");
    let mut state = State::new(
        ctx.config.clone(),
        &ctx.actor,
        true,
        events,
        Timestamp::now(),
    );
    let (tx, mut rx) = unbounded_channel();
    let backend = Live::new(std::sync::Arc::new(ctx));
    backend.start(&tx);
    let start = Instant::now();
    let answered = |s: &State| {
        s.releases.contains_key("api")
            && ["staging", "prod"]
                .iter()
                .all(|e| s.observation("api", e).is_some())
    };
    while !answered(&state) {
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for the probes and releases"
        );
        let msg = match tokio::time::timeout(Duration::from_millis(100), rx.recv()).await {
            Ok(Some(msg)) => msg,
            _ => Msg::Tick(Timestamp::now()),
        };
        for effect in update(&mut state, msg) {
            if effect != Effect::Quit && !effect.needs_terminal() {
                backend.perform(effect, &tx);
            }
        }
    }
    state
}
