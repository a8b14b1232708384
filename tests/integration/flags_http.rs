//! The generic `http` flag service: the demo's own flag service end to end through the binary,
//! and the fault shapes (down, slow, garbage, a write whose read-back differs) on wiremock; the
//! observer backing off and recovering by itself.

use crate::common;

use std::net::SocketAddr;
use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use shipdeck::domain::flag::{FlagFault, FlagKind, FlagService};
use shipdeck::flags::{FlagObserver, FlagObserverEvent};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "flags-bearer-7c1d0e93";

fn config_text(base: &str, timeout: &str) -> String {
    format!(
        r#"[project]
name = "shop"
state_dir = "state"

[[environments]]
name = "dev"

[[environments]]
name = "prod"
protected = true

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"

[[flags]]
name = "home"
kind = "http"
timeout = "{timeout}"
interval = "50ms"
read = {{ url = "{base}/flags", list = "/flags", name = "/name", enabled = "/environments/{{{{env}}}}/enabled", percent = "/environments/{{{{env}}}}/rollout" }}
write = {{ method = "PUT", url = "{base}/flags/{{{{flag}}}}/{{{{env}}}}", body = '{{"enabled": {{{{enabled}}}}, "rollout": {{{{percent}}}}}}' }}
auth = {{ bearer_env = "FLAGS_TOKEN" }}
services = {{ api = ["search-v2"] }}
"#
    )
}

struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new(base: &str, timeout: &str) -> Project {
        let dir = tempfile::tempdir().expect("temp dir");
        common::repo_with_releases(dir.path(), &[(1, "1.0.0")], 2);
        std::fs::write(dir.path().join("shipdeck.toml"), config_text(base, timeout))
            .expect("config");
        Project { dir }
    }

    async fn run(&self, args: &[&str]) -> (Option<i32>, String, String) {
        let mut cmd = Command::new(common::bin());
        cmd.arg("--config")
            .arg(self.dir.path().join("shipdeck.toml"))
            .args(args)
            .current_dir(self.dir.path())
            .env("SHIPDECK_USER", "dana@shop.example")
            .env("SHIPDECK_DATA_DIR", self.dir.path().join(".data"))
            .env("FLAGS_TOKEN", TOKEN)
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("shipdeck runs"))
            .await
            .expect("joined");
        let (o, e) = (common::stdout(&out), common::stderr(&out));
        assert!(
            !o.contains(TOKEN) && !e.contains(TOKEN),
            "the token leaked: {o}{e}"
        );
        assert!(!e.contains("panicked"), "{e}");
        (out.status.code(), o, e)
    }

    fn events(&self) -> Vec<Value> {
        std::fs::read_to_string(self.dir.path().join("state/events.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("event"))
            .collect()
    }

    fn service(&self) -> FlagService {
        shipdeck::config::load(&self.dir.path().join("shipdeck.toml"))
            .expect("config")
            .flags
            .remove(0)
    }
}

fn flags_body(enabled: bool, rollout: u8) -> Value {
    json!({"flags": [
        {"name": "search-v2", "environments": {
            "dev": {"enabled": true, "rollout": 100},
            "prod": {"enabled": enabled, "rollout": rollout}}},
        {"name": "orphan", "environments": {"prod": {"enabled": false}}},
    ]})
}

async fn demo_flag_server() -> SocketAddr {
    let (stop_tx, stop) = tokio::sync::watch::channel(false);
    let (addr, _handle) = shipdeck::demo::flag_server::spawn(stop)
        .await
        .expect("serves");
    // The server lives as long as the test's runtime (its stop sender is leaked on purpose).
    std::mem::forget(stop_tx);
    addr
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_flag_service_is_read_and_changed_through_the_http_kind() {
    let addr = demo_flag_server().await;
    let p = Project::new(&format!("http://{addr}"), "5s");
    let (code, out, _) = p.run(&["flags", "--env", "prod", "--json"]).await;
    assert_eq!(code, Some(0));
    let doc: Value = serde_json::from_str(&out).expect("json");
    let search = doc["flags"]
        .as_array()
        .expect("flags")
        .iter()
        .find(|r| r["flag"] == "search-v2")
        .expect("search-v2")
        .clone();
    assert_eq!(search["rollout"], 10, "the demo's dark launch: {doc}");
    assert_eq!(search["service"], "api");
    let (code, out, err) = p
        .run(&[
            "flag",
            "search-v2",
            "--env",
            "prod",
            "rollout",
            "50",
            "--yes",
            "--note",
            "dark launch",
        ])
        .await;
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("will call: PUT http://"), "{out}");
    assert!(out.contains("Authorization: Bearer ••••••"), "{out}");
    assert!(out.contains("\"rollout\": 50"), "{out}");
    let (_, out, _) = p.run(&["flags", "--env", "prod", "--service", "api"]).await;
    assert!(
        out.contains("search-v2") && out.contains("on at 50%"),
        "{out}"
    );
    assert!(!out.contains("new-checkout"), "--service filters: {out}");
    let events = p.events();
    let e = events.last().expect("an event");
    assert_eq!(e["kind"], "flag-changed");
    assert_eq!(e["data"]["before"], json!({"enabled": true, "rollout": 10}));
    assert_eq!(
        e["data"]["read_back"],
        json!({"enabled": true, "rollout": 50})
    );
    assert_eq!(e["data"]["note"], "dark launch");
    assert!(!e.to_string().contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_write_whose_read_back_differs_is_recorded_as_failed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/flags"))
        .respond_with(ResponseTemplate::new(200).set_body_json(flags_body(false, 10)))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/flags/search-v2/prod"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    let p = Project::new(&server.uri(), "5s");
    let (code, _, err) = p
        .run(&["flag", "search-v2", "--env", "prod", "on", "--yes"])
        .await;
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("did not take") && err.contains("recorded as failed"),
        "{err}"
    );
    let events = p.events();
    let e = events.last().expect("the failure is recorded");
    assert_eq!(e["data"]["ok"], false);
    assert_eq!(e["data"]["read_back"]["enabled"], false);
    let put = &server
        .received_requests()
        .await
        .expect("requests")
        .into_iter()
        .find(|r| r.method.as_str() == "PUT")
        .expect("the write was sent");
    assert_eq!(
        put.headers
            .get("authorization")
            .map(|v| v.to_str().unwrap_or_default().to_string()),
        Some(format!("Bearer {TOKEN}"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_service_answering_garbage_is_shown_and_changes_are_refused() {
    let server = MockServer::start().await;
    // It echoes the credential, as a broken proxy might: masked wherever it is shown.
    Mock::given(method("GET"))
        .and(path("/flags"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!("<html>{TOKEN}</html>")))
        .mount(&server)
        .await;
    let p = Project::new(&server.uri(), "5s");
    let (code, out, _) = p.run(&["flags", "--json"]).await;
    assert_eq!(code, Some(0));
    let doc: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["flag_services"][0]["status"], "garbage", "{doc}");
    assert!(
        doc["flag_services"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("••••••")
    );
    let (code, _, err) = p
        .run(&["flag", "search-v2", "--env", "prod", "on", "--yes"])
        .await;
    assert_eq!(code, Some(1));
    assert!(
        err.contains("answered garbage") && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(p.events().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_service_is_shown_as_slow_and_changes_are_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/flags"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(flags_body(true, 10))
                .set_delay(Duration::from_secs(30)),
        )
        .mount(&server)
        .await;
    let p = Project::new(&server.uri(), "300ms");
    let (code, out, _) = p.run(&["flags", "--json"]).await;
    assert_eq!(code, Some(0));
    let doc: Value = serde_json::from_str(&out).expect("json");
    assert_eq!(doc["flag_services"][0]["status"], "slow", "{doc}");
    let (code, _, err) = p
        .run(&["flag", "search-v2", "--env", "prod", "off", "--yes"])
        .await;
    assert_eq!(code, Some(1));
    assert!(
        err.contains("slow") && err.contains("nothing was changed"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_observer_backs_off_while_down_and_recovers_by_itself() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let p = Project::new(&format!("http://127.0.0.1:{port}"), "1s");
    let mut service = p.service();
    // This process has no FLAGS_TOKEN (edition 2024 sets no variables): read without auth.
    if let FlagKind::Http(h) = &mut service.kind {
        h.auth = None;
    }
    assert!(matches!(
        shipdeck::flags::read(&shipdeck::flags::client(), &service)
            .await
            .result,
        Err(FlagFault::Unreachable(_))
    ));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let observer = FlagObserver::spawn(&shipdeck::flags::client(), vec![service], &tx);
    let mut attempts = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while attempts.len() < 3 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(FlagObserverEvent::Retrying {
                attempt, next_in, ..
            })) => {
                attempts.push((attempt, next_in));
            }
            Ok(Some(FlagObserverEvent::Read(r))) => assert!(r.result.is_err()),
            other => panic!("no retry reported: {other:?}"),
        }
    }
    assert_eq!(
        attempts.iter().map(|a| a.0).collect::<Vec<_>>(),
        [1, 2, 3],
        "failures in a row are counted"
    );
    assert!(attempts[2].1 > attempts[0].1, "it backs off: {attempts:?}");
    // The service comes up on its port: the next read sees it, without anyone asking.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .expect("bind");
    let app = axum::Router::new().route(
        "/flags",
        axum::routing::get(|| async { axum::Json(flags_body(true, 25)) }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    observer.refresh_now();
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(FlagObserverEvent::Read(r))) if r.result.is_ok() => {
                assert_eq!(
                    r.state("search-v2", "prod").map(|s| s.value.rollout),
                    Some(Some(25))
                );
                break;
            }
            Ok(Some(_)) => {}
            other => panic!("the observer did not recover: {other:?}"),
        }
    }
}
