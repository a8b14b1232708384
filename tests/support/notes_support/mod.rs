//! Helpers of the release-notes tests: a project with channels, the binary with extra
//! environment variables, and a real HTTP server on loopback that keeps what it received.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;

use crate::common;

pub use common::{bin, project, stderr, stdout};

/// Writes the common project and appends `channels` (TOML) to its configuration.
pub fn project_with(dir: &Path, channels: &str) -> PathBuf {
    let config = project(dir);
    let mut text = std::fs::read_to_string(&config).expect("read config");
    text.push('\n');
    text.push_str(channels);
    std::fs::write(&config, text).expect("write config");
    config
}

/// Runs shipdeck in `dir` as `user` with extra environment variables.
pub fn run(dir: &Path, user: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", user)
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .env_remove("VISUAL")
        .envs(envs.iter().copied())
        .output()
        .expect("shipdeck runs")
}

/// One request the hook server received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: HeaderMap,
    pub body: String,
}

/// A real HTTP server on loopback: `POST /hook` answers 200 `ok`, `POST /fail` answers 500
/// (both keep what they received), `GET /health` reports version 1.0.0 healthy, `POST /echo` answers 403 with the Authorization header it got
/// in its body (an endpoint that echoes secrets), `POST /redirect` sends to `/hook` with a 307. Lives until the
/// test process ends.
pub struct Hook {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<Received>>>,
}

impl Hook {
    pub fn start() -> Hook {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let keep = |received: Arc<Mutex<Vec<Received>>>, path: &'static str, status: StatusCode| {
            post(move |headers: HeaderMap, body: String| async move {
                received.lock().expect("lock").push(Received {
                    path: path.to_string(),
                    headers,
                    body,
                });
                (status, if status.is_success() { "ok" } else { "boom" })
            })
        };
        let app = axum::Router::new()
            .route(
                "/health",
                axum::routing::get(|| async { r#"{"status":"pass","version":"1.0.0"}"# }),
            )
            .route("/hook", keep(received.clone(), "/hook", StatusCode::OK))
            .route(
                "/fail",
                keep(received.clone(), "/fail", StatusCode::INTERNAL_SERVER_ERROR),
            )
            .route(
                "/echo",
                post(|headers: HeaderMap| async move {
                    let auth = headers
                        .get("authorization")
                        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                        .unwrap_or_default();
                    (StatusCode::FORBIDDEN, format!("refused {auth}"))
                }),
            )
            .route(
                "/redirect",
                post(|| async { axum::response::Redirect::temporary("/hook") }),
            );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        Hook { addr, received }
    }

    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("lock").clone()
    }
}

/// The events of the project's log, as JSON values.
pub fn events(dir: &Path) -> Vec<serde_json::Value> {
    let out = run(dir, "a@x", &["log", "--json"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("event json"))
        .collect()
}

/// Writes an executable shell script.
pub fn script(path: &Path, body: &str) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).expect("write script");
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Accepts connections and never answers: a hanging webhook. Returns its port.
pub fn hanging_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// The notes `notes api api-v1.2.0 --env prod` prints now.
pub fn current_notes(dir: &Path, user: &str) -> String {
    let out = run(
        dir,
        user,
        &["notes", "api", "api-v1.2.0", "--env", "prod"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// `checklist api api-v1.2.0 --env prod show`.
pub fn checklist(dir: &Path, user: &str) -> String {
    let out = run(
        dir,
        user,
        &["checklist", "api", "api-v1.2.0", "--env", "prod", "show"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

/// The `announce` line of a checklist as `checklist … show` prints it.
pub fn announce_line(checklist: &str) -> String {
    checklist
        .lines()
        .find(|l| l.contains(" announce "))
        .unwrap_or_else(|| panic!("no announce item in:\n{checklist}"))
        .to_string()
}
