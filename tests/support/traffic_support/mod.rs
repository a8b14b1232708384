//! Real traffic routers on loopback for the rollout tests: two HTTP slot servers (each says
//! which slot and release answered), a control server with each slot's health and a deploy
//! endpoint per slot, and HAProxy (runtime API on a 127.0.0.1 port) or Caddy (admin API on
//! another) in front of the slots.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path as UrlPath, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;

pub use crate::common::{bin, git, shipdeck, stderr, stdout, wait_for};

/// What each slot runs and whether it is healthy; the deploy requests seen.
#[derive(Default)]
pub struct World {
    pub releases: BTreeMap<String, String>,
    pub healthy: BTreeMap<String, bool>,
    pub deploys: Vec<(String, String)>,
    /// The `http` router's weights (`GET`/`PUT /router` on the control server).
    pub router: BTreeMap<String, u32>,
    pub router_mode: RouterMode,
    /// Slots whose health never answers (a probe of them times out: unreachable).
    pub hung: std::collections::BTreeSet<String>,
}

/// How the test's `http` router answers.
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub enum RouterMode {
    #[default]
    Fine,
    /// HTML instead of JSON.
    Garbage,
    /// Answers after 10 s.
    Slow,
}

async fn router_read(State(world): State<Shared>) -> axum::response::Response {
    let (mode, weights) = {
        let w = world.lock().expect("not poisoned");
        (w.router_mode, w.router.clone())
    };
    match mode {
        RouterMode::Fine => serde_json::to_string(&weights)
            .unwrap_or_default()
            .into_response(),
        RouterMode::Garbage => "<html>502 Bad Gateway</html>".into_response(),
        RouterMode::Slow => {
            tokio::time::sleep(Duration::from_secs(10)).await;
            "{}".into_response()
        }
    }
}

async fn router_write(State(world): State<Shared>, body: String) -> axum::response::Response {
    let mode = world.lock().expect("not poisoned").router_mode;
    if mode == RouterMode::Slow {
        tokio::time::sleep(Duration::from_secs(10)).await;
    }
    let Ok(weights) = serde_json::from_str::<BTreeMap<String, u32>>(&body) else {
        return (StatusCode::BAD_REQUEST, "weights as JSON").into_response();
    };
    world.lock().expect("not poisoned").router = weights;
    (StatusCode::OK, "ok").into_response()
}

pub type Shared = Arc<Mutex<World>>;

/// The slot servers and the control server, on a runtime of their own.
pub struct Slots {
    pub runtime: tokio::runtime::Runtime,
    pub world: Shared,
    /// Slot name → its own address (what the router sends traffic to).
    pub addrs: BTreeMap<String, SocketAddr>,
    /// Health and deploy endpoints: `/SLOT/health`, `POST /deploy/SLOT`.
    pub control: SocketAddr,
}

async fn slot_page(State((world, slot)): State<(Shared, String)>) -> impl IntoResponse {
    let w = world.lock().expect("not poisoned");
    let release = w.releases.get(&slot).cloned().unwrap_or_default();
    format!("{slot} {release}")
}

async fn health(State(world): State<Shared>, UrlPath(slot): UrlPath<String>) -> impl IntoResponse {
    let hung = world.lock().expect("not poisoned").hung.contains(&slot);
    if hung {
        tokio::time::sleep(Duration::from_mins(1)).await;
    }
    let w = world.lock().expect("not poisoned");
    let release = w.releases.get(&slot).cloned().unwrap_or_default();
    let ok = w.healthy.get(&slot).copied().unwrap_or(false);
    let body = format!(
        r#"{{"status":"{}","version":"{release}"}}"#,
        if ok { "pass" } else { "fail" }
    );
    (
        if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        },
        body,
    )
}

async fn deploy(
    State(world): State<Shared>,
    UrlPath(slot): UrlPath<String>,
    body: String,
) -> impl IntoResponse {
    let json: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let release = json["release"].as_str().unwrap_or_default().to_string();
    world
        .lock()
        .expect("not poisoned")
        .deploys
        .push((slot.clone(), release.clone()));
    // The slot takes a moment to run the release, as a real deploy does.
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let mut w = world.lock().expect("not poisoned");
        w.releases.insert(slot.clone(), release);
        w.healthy.insert(slot, true);
    });
    (StatusCode::ACCEPTED, "queued")
}

impl Slots {
    /// `blue` and `green`, both running `release` healthy.
    pub fn start(release: &str) -> Slots {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let world: Shared = Arc::default();
        let mut addrs = BTreeMap::new();
        for slot in ["blue", "green"] {
            {
                let mut w = world.lock().expect("not poisoned");
                w.releases.insert(slot.to_string(), release.to_string());
                w.healthy.insert(slot.to_string(), true);
                w.router
                    .insert(slot.to_string(), if slot == "blue" { 100 } else { 0 });
            }
            let app = Router::new()
                .fallback(slot_page)
                .with_state((world.clone(), slot.to_string()));
            let addr = runtime.block_on(async {
                let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("port");
                let a = l.local_addr().expect("addr");
                tokio::spawn(async move { axum::serve(l, app).await });
                a
            });
            addrs.insert(slot.to_string(), addr);
        }
        let app = Router::new()
            .route("/{slot}/health", axum::routing::get(health))
            .route("/deploy/{slot}", axum::routing::post(deploy))
            .route("/router", axum::routing::get(router_read).put(router_write))
            .with_state(world.clone());
        let control = runtime.block_on(async {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("port");
            let a = l.local_addr().expect("addr");
            tokio::spawn(async move { axum::serve(l, app).await });
            a
        });
        Slots {
            runtime,
            world,
            addrs,
            control,
        }
    }

    pub fn deploys(&self) -> Vec<(String, String)> {
        self.world.lock().expect("not poisoned").deploys.clone()
    }

    pub fn set_healthy(&self, slot: &str, ok: bool) {
        self.world
            .lock()
            .expect("not poisoned")
            .healthy
            .insert(slot.to_string(), ok);
    }

    pub fn set_unreachable(&self, slot: &str) {
        self.world
            .lock()
            .expect("not poisoned")
            .hung
            .insert(slot.to_string());
    }

    pub fn set_router_mode(&self, mode: RouterMode) {
        self.world.lock().expect("not poisoned").router_mode = mode;
    }

    /// The `http` router's weights as the test's router holds them.
    pub fn router(&self) -> BTreeMap<String, u32> {
        self.world.lock().expect("not poisoned").router.clone()
    }

    /// The `traffic` table of an `http` router served by the control server.
    pub fn http_table(&self, steps: &str) -> String {
        let c = self.control;
        format!(
            "  kind = \"http\"\n  url = \"http://{c}/router\"\n  write = {{ url = \"http://{c}/router\" }}\n  slots = [\"blue\", \"green\"]\n  timeout = \"1s\"\n{steps}"
        )
    }

    pub fn set_release(&self, slot: &str, release: &str) {
        self.world
            .lock()
            .expect("not poisoned")
            .releases
            .insert(slot.to_string(), release.to_string());
    }
}

/// A free loopback port (bound, then let go).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("port")
        .local_addr()
        .expect("addr")
        .port()
}

/// A router process, killed when dropped.
pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// HAProxy in front of the slots: frontend on `frontend`, runtime API on `api`.
pub struct Haproxy {
    pub frontend: u16,
    pub api: u16,
    _proc: Proc,
}

impl Haproxy {
    pub fn start(dir: &Path, slots: &Slots, live: &str) -> Haproxy {
        let (frontend, api) = (free_port(), free_port());
        let mut servers = String::new();
        for (name, addr) in &slots.addrs {
            let w = if name == live { 100 } else { 0 };
            let _ = writeln!(servers, "  server {name} {addr} weight {w}");
        }
        let cfg = format!(
            "global\n  stats socket ipv4@127.0.0.1:{api} level admin\n\n\
             defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n\n\
             frontend fe\n  bind 127.0.0.1:{frontend}\n  default_backend web\n\n\
             backend web\n  balance roundrobin\n{servers}"
        );
        let path = dir.join("haproxy.cfg");
        std::fs::write(&path, cfg).expect("write haproxy.cfg");
        let child = Command::new("haproxy")
            .arg("-f")
            .arg(&path)
            .arg("-db")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy runs (scripts/test installs it)");
        let h = Haproxy {
            frontend,
            api,
            _proc: Proc(child),
        };
        wait_for("HAProxy's runtime API", Duration::from_secs(20), || {
            TcpStream::connect(("127.0.0.1", api)).is_ok()
                && TcpStream::connect(("127.0.0.1", frontend)).is_ok()
        });
        h
    }

    /// One raw runtime API command, as an operator would send it.
    pub fn command(&self, line: &str) -> String {
        let mut s = TcpStream::connect(("127.0.0.1", self.api)).expect("runtime API");
        s.write_all(format!("{line}\n").as_bytes()).expect("write");
        let mut out = String::new();
        s.read_to_string(&mut out).expect("read");
        out
    }

    /// The servers' user weights, read by the test itself from `show servers state web`.
    pub fn weights(&self) -> BTreeMap<String, u32> {
        let answer = self.command("show servers state web");
        let mut cols: Vec<String> = Vec::new();
        let mut out = BTreeMap::new();
        for line in answer.lines() {
            if let Some(h) = line.strip_prefix('#') {
                cols = h.split_whitespace().map(str::to_string).collect();
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let at = |n: &str| cols.iter().position(|c| c == n);
            if let (Some(n), Some(w)) = (at("srv_name"), at("srv_uweight"))
                && f.len() > w
            {
                out.insert(f[n].to_string(), f[w].parse().unwrap_or(0));
            }
        }
        out
    }
}

/// Caddy in front of the slots: frontend on `frontend`, admin API on `admin`, route `@id` web.
pub struct Caddy {
    pub frontend: u16,
    pub admin: u16,
    _proc: Proc,
}

impl Caddy {
    pub fn start(dir: &Path, slots: &Slots, live: &str) -> Caddy {
        let (frontend, admin) = (free_port(), free_port());
        let cfg = serde_json::json!({
            "admin": { "listen": format!("127.0.0.1:{admin}") },
            "apps": { "http": { "servers": { "fe": {
                "listen": [format!("127.0.0.1:{frontend}")],
                "automatic_https": { "disable": true },
                "routes": [{
                    "@id": "web",
                    "handle": [{
                        "handler": "reverse_proxy",
                        "upstreams": [{ "dial": slots.addrs[live].to_string() }]
                    }]
                }]
            }}}}
        });
        let path = dir.join("caddy.json");
        std::fs::write(&path, cfg.to_string()).expect("write caddy.json");
        let child = Command::new("caddy")
            .args(["run", "--config"])
            .arg(&path)
            .env("HOME", dir)
            .env("XDG_DATA_HOME", dir.join("caddy-data"))
            .env("XDG_CONFIG_HOME", dir.join("caddy-config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("caddy runs (scripts/test installs it)");
        let c = Caddy {
            frontend,
            admin,
            _proc: Proc(child),
        };
        wait_for("Caddy's admin API", Duration::from_secs(20), || {
            TcpStream::connect(("127.0.0.1", admin)).is_ok()
                && TcpStream::connect(("127.0.0.1", frontend)).is_ok()
        });
        c
    }
}

/// One GET through a frontend: the answering slot's page (`green web-v1.1.0`).
pub fn through(port: u16) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("frontend");
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .expect("timeout");
    s.write_all(b"GET / HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
        .expect("write");
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// A project: `web` with releases web-v1.0.0, web-v1.1.0, web-v1.2.0; one environment, prod,
/// whose traffic table is `traffic` (TOML lines under `[services.env.prod.traffic]`).
pub fn project(dir: &Path, slots: &Slots, traffic: &str, extra_gates: &str) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"]);
    for v in ["1.0.0", "1.1.0", "1.2.0"] {
        std::fs::write(repo.join("web.txt"), v).expect("write");
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", &format!("feat(web): {v}")]);
        git(&repo, &["tag", "-a", &format!("web-v{v}"), "-m", "release"]);
    }
    let control = slots.control;
    let config = dir.join("shipdeck.toml");
    std::fs::write(
        &config,
        format!(
            r#"[project]
name = "shop"
state_dir = ".shipdeck"
verify_timeout = "20s"

[[environments]]
name = "prod"
gates = [{extra_gates}]

[[services]]
name = "web"
repo = "repo"
tags = "web-v*"
health = "http://{control}/{{{{slot}}}}/health"
deploy = {{ kind = "webhook", url = "http://{control}/deploy/{{{{slot}}}}" }}

  [services.env.prod.traffic]
{traffic}
"#
        ),
    )
    .expect("write config");
    config
}

/// `shipdeck` started in the background (its output to files in `dir`).
pub fn spawn(dir: &Path, args: &[&str]) -> Child {
    let out = std::fs::File::create(dir.join("bg.out")).expect("out");
    let err = std::fs::File::create(dir.join("bg.err")).expect("err");
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", "dana@shop.example")
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .spawn()
        .expect("shipdeck runs")
}

/// Waits for the router to hold `want` (read by `weights`), with a deadline.
pub fn wait_weights(
    what: &str,
    want: &[(&str, u32)],
    mut weights: impl FnMut() -> BTreeMap<String, u32>,
) {
    let want: BTreeMap<String, u32> = want.iter().map(|(s, w)| ((*s).to_string(), *w)).collect();
    let start = Instant::now();
    loop {
        let now = weights();
        if now == want {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_mins(1),
            "timed out waiting for {what}: router holds {now:?}, want {want:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The kinds of the events in the log, in order.
pub fn kinds(dir: &Path) -> Vec<String> {
    let o = shipdeck(dir, "dana@shop.example", &["log", "--json"]);
    stdout(&o)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|e| e["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}
