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
    vec![Row {
        what,
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "one raw runtime-API command".into(),
            value: ms(peer),
        },
        // DESIGN.md: a rollout step costs the router's own call plus under 50 ms.
        budget: Some(Budget::Max(ms(peer) + 50.0)),
        rerun,
        timed,
    }]
}
