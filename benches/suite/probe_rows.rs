//! The refresh rows: one refresh of 200 and 1,000 loopback targets that each answer after
//! 100 ms, against one request (budget: under 1.5×) and against the sequential curl loop people
//! write today. Measured twice: the console's refresh in process (`refresh_all` over warm
//! connections, as every interval after the first), and `shipdeck status --json` as a whole
//! process (new connections, configuration, git, event log and all).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use shipdeck::domain::config::{ProbeFormat, ProbeSource, ProbeSpec};
use shipdeck::domain::observation::Health;
use shipdeck::domain::release::Release;
use shipdeck::probe::{Target, http_client, probe_concurrency, probe_once, refresh_all};

use super::project::{Layout, Project, shown};
use super::repo::small_repo;
use super::report::{Budget, Peer, Row};
use super::targets::{BODY, Targets};
use super::timing::{best_interleaved, best_of, ms, on_path, run};

const DELAY: Duration = Duration::from_millis(100);
const ENVIRONMENTS: [&str; 5] = ["dev", "test", "staging", "canary", "prod"];
const RUNS: usize = 5;

pub fn rows(root: &Path, binary: &Path, with_curl_loop: bool) -> Vec<Row> {
    let server = Targets::start(DELAY);
    let mut rows = Vec::new();
    for count in [200, 1000] {
        rows.push(in_process(&server, count));
        rows.extend(cli(root, binary, &server, count, with_curl_loop));
    }
    rows
}

fn target(server: &Targets, service: &str, env: &str) -> Target {
    Target {
        service: service.into(),
        env: env.into(),
        spec: ProbeSpec {
            source: ProbeSource::Http {
                url: server.url(service, env),
            },
            format: ProbeFormat::Auto,
            version_pointer: None,
            version_url: None,
            interval: None,
            timeout: Duration::from_secs(10),
        },
        prefix: "svc-v".into(),
        releases: Arc::new(vec![Release {
            name: "svc-v1.4.2".into(),
            version: "1.4.2".into(),
            commit: "a".repeat(40),
            date: Timestamp::UNIX_EPOCH,
        }]),
    }
}

/// The console's refresh: `refresh_all` with the console's concurrency, over the one shared
/// client, after a first refresh has opened the connections.
fn in_process(server: &Targets, count: usize) -> Row {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    shipdeck::probe::raise_open_file_limit();
    let targets: Vec<Target> = (0..count)
        .map(|i| {
            target(
                server,
                &format!("svc-{:03}", i / ENVIRONMENTS.len()),
                ENVIRONMENTS[i % ENVIRONMENTS.len()],
            )
        })
        .collect();
    let one = target(server, "svc-000", "dev");
    let client = http_client();
    let concurrency = probe_concurrency();
    let (all, single) = runtime.block_on(async {
        let seen = refresh_all(&client, &targets, false, concurrency).await;
        let passed = seen.iter().filter(|o| o.health == Health::Pass).count();
        assert_eq!(passed, count, "every target answers pass");
        let mut all = Duration::MAX;
        let mut single = Duration::MAX;
        for _ in 0..RUNS {
            let started = Instant::now();
            refresh_all(&client, &targets, false, concurrency).await;
            all = all.min(started.elapsed());
            let started = Instant::now();
            let o = probe_once(&client, &one, false).await;
            single = single.min(started.elapsed());
            assert_eq!(o.health, Health::Pass, "{}", o.detail);
        }
        (all, single)
    });
    Row {
        what: format!("console refresh of {count} targets (warm)"),
        ours: ms(all),
        unit: "ms",
        peer: Peer::Measured {
            name: "one request".into(),
            value: ms(single),
        },
        budget: Some(Budget::Ratio(1.5)),
        rerun: "scripts/bench probe".into(),
        timed: format!(
            "Best of {RUNS}, alternating, in one process: `probe::refresh_all` of {count} targets \
             (concurrency {concurrency}, the shared client, connections kept from the previous \
             refresh) against `probe::probe_once` of one; targets answer after {} ms from a \
             separate process.",
            DELAY.as_millis()
        ),
    }
}

/// `shipdeck status --json` over `count` targets against one `curl` and a sequential curl loop.
fn cli(root: &Path, binary: &Path, server: &Targets, count: usize, with_loop: bool) -> Vec<Row> {
    let repo = small_repo(root);
    let template = server.template();
    let project = Project::write(
        binary,
        &root.join(format!("bench-status-{count}")),
        &Layout {
            services: count / ENVIRONMENTS.len(),
            environments: &ENVIRONMENTS,
            repo: &repo.dir,
            tags: "svc-v*",
            health: Some(&template),
        },
    );
    let args = ["status", "--json"];
    let json = run(&mut project.shipdeck(&args));
    let passes = String::from_utf8_lossy(&json).matches("\"pass\"").count();
    assert_eq!(passes, count, "status sees every target pass");
    let one_url = server.url("svc-000", "dev");
    let rerun = "scripts/bench probe".to_string();
    if !on_path("curl") {
        let missing = |what: &str| Row {
            what: format!("`status --json` over {count} targets"),
            ours: ms(best_of(RUNS, || {
                run(&mut project.shipdeck(&args));
            })),
            unit: "ms",
            peer: Peer::Missing {
                name: what.into(),
                why: "curl is not installed".into(),
            },
            budget: None,
            rerun: rerun.clone(),
            timed: format!("`{}`; curl missing.", project.command_line(&args)),
        };
        return vec![
            missing("curl, one request"),
            missing("sequential curl loop"),
        ];
    }
    let (ours, single) = best_interleaved(
        RUNS,
        || {
            run(&mut project.shipdeck(&args));
        },
        || {
            let body = run(curl().arg(&one_url));
            assert_eq!(body, BODY.as_bytes());
        },
    );
    let urls: Vec<(String, &str)> = (0..count)
        .map(|i| {
            (
                format!("svc-{:03}", i / ENVIRONMENTS.len()),
                ENVIRONMENTS[i % ENVIRONMENTS.len()],
            )
        })
        .collect();
    let (_, floor) = best_interleaved(
        RUNS,
        || {
            run(&mut project.shipdeck(&args));
        },
        || raw_requests(server.port, &urls),
    );
    let mut rows = vec![Row {
        what: format!("`status --json` over {count} targets"),
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "curl, one request".into(),
            value: ms(single),
        },
        budget: Some(Budget::Ratio(1.5)),
        rerun: rerun.clone(),
        timed: format!(
            "Best of {RUNS}, alternating: `{}` (a new process: configuration, {} services' \
             releases from git, the event log, {count} probes on new connections) against `curl \
             -sS {one_url}`.",
            project.command_line(&args),
            count / ENVIRONMENTS.len()
        ),
    }];
    rows.push(Row {
        what: format!("`status --json` over {count} targets"),
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: format!("{count} raw requests at once"),
            value: ms(floor),
        },
        budget: None,
        rerun: rerun.clone(),
        timed: format!(
            "The same `status --json`, best of {RUNS}, alternating with the floor the targets \
             set on this machine: {count} bare HTTP/1.1 GETs written on {count} plain TCP \
             connections opened at once from one thread (no HTTP client, no TLS stack, no \
             parsing), to the same server process, which shares the 2 cores."
        ),
    });
    if with_loop {
        let urls: Vec<String> = urls
            .iter()
            .map(|(service, env)| server.url(service, env))
            .collect();
        let list = project.dir.join("urls.txt");
        std::fs::write(&list, urls.join("\n") + "\n").expect("url list written");
        let script = format!(
            "while read -r url; do curl -sS \"$url\" >/dev/null || exit 1; done < {}",
            list.display()
        );
        let started = Instant::now();
        run(Command::new("sh").args(["-c", &script]));
        let looped = started.elapsed();
        rows.push(Row {
            what: format!("`status --json` over {count} targets"),
            ours: ms(ours),
            unit: "ms",
            peer: Peer::Measured {
                name: "sequential curl loop".into(),
                value: ms(looped),
            },
            budget: None,
            rerun,
            timed: format!(
                "The same `status --json` against one run of `while read -r url; do curl -sS \
                 \"$url\" >/dev/null; done < {}` ({count} URLs).",
                shown(&list)
            ),
        });
    }
    rows
}

/// `GET /health/SERVICE/ENV` to every target at once on plain sockets, each read to the end:
/// what answering that many requests costs the targets' server (and the kernel), with as
/// little client as there can be.
fn raw_requests(port: u16, targets: &[(String, &str)]) {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    runtime.block_on(async {
        let mut answers = tokio::task::JoinSet::new();
        for (service, env) in targets {
            let request = format!(
                "GET /health/{service}/{env} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            );
            answers.spawn(async move {
                let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
                    .await
                    .expect("the target server accepts");
                stream
                    .write_all(request.as_bytes())
                    .await
                    .expect("the request is written");
                let mut answer = Vec::new();
                stream
                    .read_to_end(&mut answer)
                    .await
                    .expect("the answer is read");
                answer.ends_with(BODY.as_bytes())
            });
        }
        while let Some(answered) = answers.join_next().await {
            assert!(answered.expect("no request panics"), "every target answers");
        }
    });
}

fn curl() -> Command {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "--max-time", "10"]);
    cmd
}
