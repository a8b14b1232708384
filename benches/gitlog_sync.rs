//! The git-backed log: one clone records 1,000 events offline, then syncs them to a bare
//! remote; a second clone fetches and reads them. Each beside plain `git push` / `git fetch`
//! of the same 1,000 commits, as a ratio. Run with `cargo bench --bench gitlog_sync`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use shipdeck::domain::config::GitState;
use shipdeck::domain::event::{EventBody, Fact};
use shipdeck::gitlog::{GitLog, Mode};

const EVENTS: u32 = 1_000;

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .expect("git runs")
        .status
        .success();
    assert!(ok, "git {args:?}");
}

fn open(clone: &Path, state: &Path) -> GitLog {
    let settings = GitState {
        repo: clone.to_path_buf(),
        remote: "origin".into(),
        ref_name: "refs/heads/shipdeck/log".into(),
        fetch_timeout: Duration::from_mins(2),
        fetch_interval: Duration::from_secs(30),
    };
    GitLog::open(&settings, state).expect("open")
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
    let start = Instant::now();
    let out = f();
    (start.elapsed(), out)
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
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
    let (record, ()) = timed(|| {
        for i in 0..EVENTS as usize {
            a.append_local(body(i), None, now).expect("append");
        }
    });
    let (push, report) = timed(|| a.sync(Mode::Full));
    assert!(report.pushed && report.unpushed == 0, "{report:?}");

    let b = open(&d.join("b"), &d.join("state-b"));
    let (pull, report) = timed(|| b.sync(Mode::Full));
    assert_eq!(report.pulled, EVENTS as usize, "{report:?}");
    let (read, events) = timed(|| b.events().expect("events"));
    assert_eq!(events.len(), EVENTS as usize);

    // The peers: the same commits moved by plain git between two fresh clones.
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

    let ms = |t: Duration| t.as_secs_f64() * 1e3;
    println!("shared log sync of {EVENTS} events between two clones");
    println!(
        "  record locally            {:>8.1} ms ({:.2} ms/event)",
        ms(record),
        ms(record) / f64::from(EVENTS)
    );
    println!(
        "  push (shipdeck sync)      {:>8.1} ms   git push of the same commits {:>7.1} ms   ratio {:.2}",
        ms(push),
        ms(git_push),
        ms(push) / ms(git_push)
    );
    println!(
        "  fetch + take in (sync)    {:>8.1} ms   git fetch of the same commits {:>6.1} ms   ratio {:.2}",
        ms(pull),
        ms(git_fetch),
        ms(pull) / ms(git_fetch)
    );
    println!("  read all {EVENTS} events        {:>8.1} ms", ms(read));
    println!(
        "  end to end (push + fetch + read) {:.1} ms",
        ms(push + pull + read)
    );
}
