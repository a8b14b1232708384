//! The git-backed shared log: one clone records 1,000 events offline, `sync` pushes them to a
//! bare remote, a second clone's `sync` fetches and takes them in and reads them back. Each
//! beside plain `git push` / `git fetch` of the same commits between fresh clones.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use shipdeck::domain::config::GitState;
use shipdeck::domain::event::{EventBody, Fact};
use shipdeck::gitlog::{GitLog, Mode};

use super::project::shown;
use super::report::{Budget, Peer, Row};
use super::timing::{ms, run};

const EVENTS: usize = 1_000;
const RUNS: usize = 3;

fn git(dir: &Path, args: &[&str]) {
    run(Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com"));
}

fn open(clone: &Path, state: &Path) -> GitLog {
    let settings = GitState {
        repo: clone.to_path_buf(),
        remote: "origin".into(),
        ref_name: "refs/heads/shipdeck/log".into(),
        fetch_timeout: Duration::from_mins(2),
        fetch_interval: Duration::from_secs(30),
    };
    GitLog::open(&settings, state).expect("the shared log opens")
}

fn body(i: usize) -> EventBody {
    let fact = Fact::Approved {
        commit: format!("{i:040x}"),
        note: Some(format!("release {i} looks good")),
    };
    EventBody::new(
        shipdeck::store::new_event_id(),
        jiff::Timestamp::now(),
        "alice@example.com",
        &fact,
        Some("api"),
        Some("api-v1.4.2"),
        Some("prod"),
    )
}

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let out = f();
    (started.elapsed(), out)
}

/// One run in a fresh directory: (push, git push, take in, git fetch, read).
fn once(d: &Path) -> [Duration; 5] {
    if d.exists() {
        std::fs::remove_dir_all(d).expect("the previous run is removed");
    }
    std::fs::create_dir_all(d.join("seed")).expect("mkdir");
    git(&d.join("seed"), &["init", "-q", "-b", "main"]);
    git(
        &d.join("seed"),
        &["commit", "-q", "--allow-empty", "-m", "start"],
    );
    git(d, &["clone", "-q", "--bare", "seed", "origin.git"]);
    git(d, &["clone", "-q", "origin.git", "a"]);
    git(d, &["clone", "-q", "origin.git", "b"]);

    let a = open(&d.join("a"), &d.join("state-a"));
    let now = jiff::Timestamp::now();
    for i in 0..EVENTS {
        a.append_local(body(i), None, now).expect("append");
    }
    let (push, report) = timed(|| a.sync(Mode::Full));
    assert!(report.pushed && report.unpushed == 0, "{report:?}");
    let b = open(&d.join("b"), &d.join("state-b"));
    let (take_in, report) = timed(|| b.sync(Mode::Full));
    assert_eq!(report.pulled, EVENTS, "{report:?}");
    let (read, events) = timed(|| b.events().expect("events"));
    assert_eq!(events.len(), EVENTS);

    git(d, &["clone", "-q", "origin.git", "c"]);
    git(d, &["clone", "-q", "--bare", "seed", "empty.git"]);
    let (git_push, ()) = timed(|| {
        git(
            &d.join("c"),
            &[
                "push",
                "-q",
                "../empty.git",
                "origin/shipdeck/log:refs/heads/shipdeck/log",
            ],
        );
    });
    git(d, &["clone", "-q", "seed", "e"]);
    let (git_fetch, ()) = timed(|| {
        git(
            &d.join("e"),
            &[
                "fetch",
                "-q",
                "../empty.git",
                "+refs/heads/shipdeck/log:refs/x",
            ],
        );
    });
    [push, git_push, take_in, git_fetch, read]
}

pub fn rows(root: &Path) -> Vec<Row> {
    let dir = root.join("shared-log");
    let mut best = [Duration::MAX; 5];
    for _ in 0..RUNS {
        for (b, t) in best.iter_mut().zip(once(&dir)) {
            *b = (*b).min(t);
        }
    }
    let [push, git_push, take_in, git_fetch, read] = best;
    let rerun = "scripts/bench shared-log".to_string();
    vec![
        Row {
            what: format!("shared log: push {EVENTS} events recorded offline"),
            ours: ms(push),
            unit: "ms",
            peer: Peer::Measured {
                name: "git push of the same commits".into(),
                value: ms(git_push),
            },
            budget: Some(Budget::Ratio(2.0)),
            rerun: rerun.clone(),
            timed: format!(
                "Best of {RUNS}: `GitLog::sync` of a clone holding {EVENTS} events recorded \
                 offline as loose objects: the fetch, taking in, packing the unpushed events \
                 in-process (one pack for the batch) and `git push`, against `git push` of the \
                 same commits from a fresh clone (packed), to a bare repository ({}).",
                shown(&dir)
            ),
        },
        Row {
            what: format!("shared log: another clone takes in {EVENTS} events"),
            ours: ms(take_in + read),
            unit: "ms",
            peer: Peer::Measured {
                name: "git fetch of the same commits".into(),
                value: ms(git_fetch),
            },
            budget: None,
            rerun,
            timed: format!(
                "Best of {RUNS}: a second clone's `GitLog::sync` (fetch, fast-forward) plus \
                 reading all {EVENTS} events ({:.0} ms of it), against `git fetch` of the same \
                 commits into a fresh clone.",
                ms(read)
            ),
        },
    ]
}
