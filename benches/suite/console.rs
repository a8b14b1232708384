//! The console as users run it: the release binary in tmux, watching loopback targets. Idle CPU
//! over 30 s with 50 targets (budget: 1 % of one core), read from `/proc/<pid>/stat`; resident
//! memory with 1,000 targets (budget: 50 MiB), read from `/proc/<pid>/status`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use super::project::{Layout, Project};
use super::repo::small_repo;
use super::report::{Budget, Peer, Row};
use super::targets::Targets;
use super::timing::{cpu_ticks, on_path, status_kib, ticks_per_second, wait_for};

const ENVIRONMENTS: [&str; 5] = ["dev", "test", "staging", "canary", "prod"];
const IDLE: Duration = Duration::from_secs(30);

/// A tmux server of our own (its own socket) running the console in one pane; killed on drop.
struct Console {
    socket: String,
    pid: u32,
}

impl Console {
    fn start(project: &Project) -> Console {
        // A server of its own per console: a server still shutting down is never reused.
        let socket = format!(
            "shipdeck-bench-{}-{}",
            std::process::id(),
            project
                .dir
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
        );
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"])
            .args(["-x", "200", "-y", "50", "-s", "bench", "env", "-i"])
            .arg(format!(
                "PATH={}",
                std::env::var("PATH").unwrap_or_default()
            ))
            .arg("TERM=xterm-256color")
            .arg(format!("HOME={}", project.dir.display()))
            .arg(format!(
                "SHIPDECK_DATA_DIR={}",
                project.dir.join("data").display()
            ))
            .arg("SHIPDECK_USER=bench@example.com")
            .arg(&project.binary)
            .arg("--config")
            .arg(&project.config);
        // tmux once failed to start its server here ("server exited unexpectedly"); try again
        // before giving up.
        let started = (0..3).any(|_| cmd.status().expect("tmux runs").success());
        assert!(started, "tmux new-session failed three times");
        let pid = String::from_utf8_lossy(
            &Command::new("tmux")
                .args(["-L", &socket, "display-message", "-p", "-t", "bench"])
                .arg("#{pane_pid}")
                .output()
                .expect("tmux answers")
                .stdout,
        )
        .trim()
        .parse()
        .expect("the console's pid");
        Console { socket, pid }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

fn project(root: &Path, binary: &Path, server: &Targets, targets: usize) -> Project {
    let repo = small_repo(root);
    let template = server.template();
    Project::write(
        binary,
        &root.join(format!("bench-console-{targets}")),
        &Layout {
            services: targets / ENVIRONMENTS.len(),
            environments: &ENVIRONMENTS,
            repo: &repo.dir,
            tags: "svc-v*",
            health: Some(&template),
        },
    )
}

/// Starts the console on `targets` targets and waits until it has probed every one of them.
fn watching(project: &Project, server: &Targets, targets: u64) -> Console {
    let before = server.answered();
    let console = Console::start(project);
    wait_for(
        "the console's first refresh of every target",
        Duration::from_mins(1),
        || (server.answered() >= before + targets).then_some(()),
    );
    console
}

pub fn rows(root: &Path, binary: &Path) -> Vec<Row> {
    if !on_path("tmux") {
        let missing = |what: &str, unit, max| Row {
            what: what.to_string(),
            ours: f64::NAN,
            unit,
            peer: Peer::Missing {
                name: "the budget".into(),
                why: "tmux is not installed".into(),
            },
            budget: Some(Budget::Max(max)),
            rerun: "scripts/bench console".into(),
            timed: "Needs tmux to run the console in a terminal.".into(),
        };
        return vec![
            missing("idle console watching 50 targets, CPU", "% of a core", 1.0),
            missing(
                "console with 1,000 targets, peak resident memory",
                "MiB",
                50.0,
            ),
        ];
    }
    let server = Targets::start(Duration::from_millis(100));
    vec![
        idle_cpu(root, binary, &server),
        memory(root, binary, &server),
    ]
}

fn idle_cpu(root: &Path, binary: &Path, server: &Targets) -> Row {
    let project = project(root, binary, server, 50);
    let console = watching(&project, server, 50);
    let before = cpu_ticks(console.pid).expect("the console's CPU time");
    let started = Instant::now();
    let probes_before = server.answered();
    std::thread::sleep(IDLE);
    let after = cpu_ticks(console.pid).expect("the console is still running");
    let wall = started.elapsed();
    let probes = server.answered() - probes_before;
    let cpu = Duration::from_millis((after - before) * 1000 / ticks_per_second());
    Row {
        what: "idle console watching 50 targets, CPU".into(),
        ours: cpu.as_secs_f64() / wall.as_secs_f64() * 100.0,
        unit: "% of a core",
        peer: Peer::Budget,
        budget: Some(Budget::Max(1.0)),
        rerun: "scripts/bench console".into(),
        timed: format!(
            "`{}` in tmux (200×50), after its first refresh: user + system time from \
             `/proc/<pid>/stat` over {:.0} s of wall time, during which it made {probes} probes \
             (10 s interval).",
            project.command_line(&[]),
            wall.as_secs_f64()
        ),
    }
}

fn memory(root: &Path, binary: &Path, server: &Targets) -> Row {
    let project = project(root, binary, server, 1000);
    let console = watching(&project, server, 1000);
    // Resident memory settles once the answers are folded and drawn.
    let mut last = 0;
    let rss = wait_for("resident memory to settle", Duration::from_secs(20), || {
        std::thread::sleep(Duration::from_millis(250));
        let now = status_kib(console.pid, "VmRSS")?;
        let settled = now == last;
        last = now;
        settled.then_some(now)
    });
    let peak = status_kib(console.pid, "VmHWM").expect("the console's peak memory");
    let mib = |kib: u64| f64::from(u32::try_from(kib).unwrap_or(u32::MAX)) / 1024.0;
    Row {
        what: "console with 1,000 targets, peak resident memory".into(),
        ours: mib(peak),
        unit: "MiB",
        peer: Peer::Budget,
        budget: Some(Budget::Max(50.0)),
        rerun: "scripts/bench console".into(),
        timed: format!(
            "`{}` (200 services × 5 environments) in tmux, after its first refresh: `VmHWM` from \
             `/proc/<pid>/status` (resident now: {:.1} MiB).",
            project.command_line(&[]),
            mib(rss)
        ),
    }
}
