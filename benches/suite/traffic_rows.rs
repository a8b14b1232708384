//! A rollout step: `shipdeck switch` of a slotted target through a real HAProxy (the whole
//! command: configuration, both slots probed, the router read, the write, the read-back, the
//! events recorded) against one raw runtime-API command making the same change.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::report::{Budget, Peer, Row};
use super::timing::{best_interleaved, ms, on_path, run, wait_for};

const RUNS: usize = 9;

/// HAProxy, killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a loopback port")
}

/// A slot that answers every request healthy, running `web-v1.0.0`.
fn slot_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("bound").port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream));
        }
    });
    port
}

fn answer(mut stream: TcpStream) {
    let mut buf = [0u8; 4096];
    let _ = stream.read(&mut buf);
    let body = r#"{"status":"pass","version":"web-v1.0.0"}"#;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn raw(api: u16, line: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", api)).expect("runtime API");
    s.write_all(format!("{line}\n").as_bytes()).expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).expect("read");
    out
}

fn git(dir: &Path, args: &[&str]) {
    run(Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com"));
}

pub fn rows(root: &Path, binary: &Path) -> Vec<Row> {
    let what = "rollout step: `switch` through HAProxy".to_string();
    let rerun = "scripts/bench traffic".to_string();
    let timed = "the whole `shipdeck switch web --env prod --yes` process (configuration, both \
                 slots probed, the router read, `set server` written and read back, the events \
                 recorded and fsync'd) against one raw `set server web/A weight 100; set server \
                 web/B weight 0` on the runtime API socket"
        .to_string();
    if !on_path("haproxy") {
        return vec![Row {
            what,
            ours: f64::NAN,
            unit: "ms",
            peer: Peer::Missing {
                name: "raw runtime-API command".into(),
                why: "haproxy is not installed (scripts/test installs it)".into(),
            },
            budget: None,
            rerun,
            timed,
        }];
    }
    let dir = root.join("bench-traffic");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("the previous run is removed");
    }
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("bench dir");
    git(&repo, &["init", "-q", "-b", "main"]);
    std::fs::write(repo.join("web.txt"), "1").expect("write");
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "feat: web"]);
    git(&repo, &["tag", "-a", "web-v1.0.0", "-m", "release"]);
    let (blue, green) = (slot_server(), slot_server());
    let (api, frontend) = (free_port(), free_port());
    let cfg = format!(
        "global\n  stats socket ipv4@127.0.0.1:{api} level admin\n\
         defaults\n  mode http\n  timeout connect 2s\n  timeout client 10s\n  timeout server 10s\n\
         frontend fe\n  bind 127.0.0.1:{frontend}\n  default_backend web\n\
         backend web\n  balance roundrobin\n  server {blue} 127.0.0.1:{blue} weight 100\n  server {green} 127.0.0.1:{green} weight 0\n"
    );
    std::fs::write(dir.join("haproxy.cfg"), cfg).expect("haproxy.cfg");
    let _haproxy = Proc(
        Command::new("haproxy")
            .arg("-f")
            .arg(dir.join("haproxy.cfg"))
            .arg("-db")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("haproxy starts"),
    );
    wait_for("HAProxy's runtime API", Duration::from_secs(20), || {
        TcpStream::connect(("127.0.0.1", api)).ok()
    });
    let config = dir.join("shipdeck.toml");
    std::fs::write(
        &config,
        format!(
            "[project]\nname = \"bench\"\nstate_dir = \".shipdeck\"\n\n\
             [[environments]]\nname = \"prod\"\n\n\
             [[services]]\nname = \"web\"\nrepo = \"repo\"\ntags = \"web-v*\"\n\
             health = \"http://127.0.0.1:{{{{slot}}}}/health\"\n\n\
             [services.env.prod.traffic]\n\
             kind = \"haproxy\"\naddress = \"127.0.0.1:{api}\"\nbackend = \"web\"\n\
             slots = [\"{blue}\", \"{green}\"]\n"
        ),
    )
    .expect("config");
    // The slots are named by their ports, so `{{slot}}` reaches each one's own server; the
    // servers of HAProxy's backend carry the same names.
    let switch = || {
        let mut cmd = Command::new(binary);
        cmd.arg("--config")
            .arg(&config)
            .args(["switch", "web", "--env", "prod", "--yes"])
            .current_dir(&dir)
            .env("SHIPDECK_DATA_DIR", dir.join("data"))
            .env("SHIPDECK_USER", "bench@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null");
        cmd
    };
    let mut peer_live_blue = true;
    let (ours, peer) = best_interleaved(
        RUNS,
        || {
            run(&mut switch());
        },
        || {
            let (to, from) = if peer_live_blue {
                (green, blue)
            } else {
                (blue, green)
            };
            peer_live_blue = !peer_live_blue;
            let answer = raw(
                api,
                &format!("set server web/{to} weight 100; set server web/{from} weight 0"),
            );
            assert!(answer.trim().is_empty(), "HAProxy answered: {answer}");
        },
    );
    let switch_row = Row {
        what,
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "one raw runtime-API command".into(),
            value: ms(peer),
        },
        // DESIGN.md: a rollout step costs the router's own call plus under 50 ms.
        budget: Some(Budget::Max(ms(peer) + 50.0)),
        rerun: rerun.clone(),
        timed,
    };
    vec![switch_row, board_row(&config, api, (blue, green), rerun)]
}

/// The console's half of the budget: "the board shows the new weights at once when shipdeck
/// made the change". A shift recorded in the log reaches the console (`Msg::LogChanged`), which
/// asks its backend to read the router at once; timed until the board cell's reading holds the
/// new weights, against one raw `show servers state` read of the same router.
fn board_row(config: &Path, api: u16, (blue, green): (u16, u16), rerun: String) -> Row {
    use shipdeck::console::msg::Msg;
    use shipdeck::console::state::{State, TargetKey};
    use shipdeck::console::update::update;
    use shipdeck::tui::runner::Backend;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let (ours, peer) = runtime.block_on(async {
        let (mut ctx, _) = shipdeck::app::Context::load(Some(config), false).expect("config");
        ctx.actor = "bench@example.com".into();
        ctx.warn_on_stderr = false;
        let ctx = std::sync::Arc::new(ctx);
        let events = ctx.log.events().expect("the log");
        let mut state = State::new(
            ctx.config.clone(),
            &ctx.actor,
            false,
            events.clone(),
            jiff::Timestamp::now(),
        );
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let backend = shipdeck::tui::backend::Live::new(ctx.clone());
        backend.start(&tx);
        let key = TargetKey::new("web", "prod");
        let green_weight = |s: &State| {
            s.traffic
                .get(&key)
                .and_then(|t| t.reading.as_ref())
                .and_then(|r| r.weights.as_ref().ok())
                .and_then(|w| w.get(&green.to_string()).copied())
        };
        // Applies messages, performing their effects, until `done` holds.
        macro_rules! pump {
            ($done:expr) => {
                loop {
                    if $done(&state) {
                        break;
                    }
                    let msg = tokio::time::timeout(Duration::from_secs(20), rx.recv())
                        .await
                        .expect("the console hears from its backend")
                        .expect("the channel is open");
                    for effect in update(&mut state, msg) {
                        backend.perform(effect, &tx);
                    }
                }
            };
        }
        pump!(|s: &State| green_weight(s).is_some());
        let mut all = events;
        let mut best = Duration::MAX;
        for i in 0..RUNS {
            let (to, from, weight) = if i % 2 == 0 {
                (green, blue, 100)
            } else {
                (blue, green, 0)
            };
            let answer = raw(
                api,
                &format!("set server web/{to} weight 100; set server web/{from} weight 0"),
            );
            assert!(answer.trim().is_empty(), "HAProxy answered: {answer}");
            all.push(shifted(
                all.len() as u64 + 1,
                &blue.to_string(),
                &green.to_string(),
                weight,
            ));
            let started = std::time::Instant::now();
            for effect in update(&mut state, Msg::LogChanged(all.clone())) {
                backend.perform(effect, &tx);
            }
            pump!(|s: &State| green_weight(s) == Some(weight));
            best = best.min(started.elapsed());
        }
        let peer = super::timing::best_of(RUNS, || {
            let answer = raw(api, "show servers state web");
            assert!(
                answer.contains(&green.to_string()),
                "HAProxy answered: {answer}"
            );
        });
        (best, peer)
    });
    Row {
        what: "board: new weights after a recorded shift".into(),
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "one raw `show servers state`".into(),
            value: ms(peer),
        },
        // DESIGN.md: the board shows the new weights at once when shipdeck made the change; at
        // once = the router's own read (the slots are probed alongside) plus under 50 ms.
        budget: Some(Budget::Max(ms(peer) + 50.0)),
        rerun,
        timed: "in process: a `traffic-shifted` event reaching the console's state \
                (`Msg::LogChanged`) → the backend reads the router and probes both slots → \
                `Msg::TrafficRead` → the board cell's reading holds the new weights; the router \
                was changed just before by a raw runtime-API command"
            .to_string(),
    }
}

/// A `traffic-shifted` event as the console receives it from the log (the bench's own).
fn shifted(seq: u64, blue: &str, green: &str, green_weight: u32) -> shipdeck::domain::event::Event {
    use shipdeck::domain::event::{Event, EventBody, Fact};
    let after: std::collections::BTreeMap<String, u32> = [
        (blue.to_string(), 100 - green_weight),
        (green.to_string(), green_weight),
    ]
    .into();
    let body = EventBody::new(
        shipdeck::store::new_event_id(),
        jiff::Timestamp::now(),
        "bench@example.com",
        &Fact::TrafficShifted {
            deployment: None,
            slot: green.to_string(),
            before: after.clone(),
            after,
            step: None,
            call: "bench".into(),
        },
        Some("web"),
        Some("web-v1.0.0"),
        Some("prod"),
    );
    Event {
        seq,
        id: body.id,
        at: body.at,
        actor: body.actor,
        kind: body.kind,
        service: body.service,
        release: body.release,
        env: body.env,
        data: body.data,
        prev: "0".repeat(64),
        hash: "f".repeat(64),
        sig: None,
    }
}
