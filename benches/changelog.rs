//! Changelog speed: `Repo::open` + `Repo::changelog(A, B)` against `git log --oneline A..B` on a
//! repository of ~20,000 commits with merges, built once with `git fast-import` and cached under
//! `target/bench-repos/`. Budget: no slower than git.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use shipdeck::git::Repo;

const COMMITS: usize = 20_000;
const RUNS: usize = 9;

fn main() {
    if cfg!(debug_assertions) {
        eprintln!(
            "note: built without optimizations; figures from this build say little about speed"
        );
    }
    let dir = bench_repo();
    let start = rev(&dir, "bench-start");
    let end = rev(&dir, "bench-end");

    let (ours, our_count) = best_of(|| {
        let repo = Repo::open(&dir).expect("bench repo opens");
        repo.changelog(&start, &end).expect("changelog walks").len()
    });
    let (theirs, git_count) = best_of(|| {
        let out = git(&dir)
            .args(["log", "--oneline", &format!("{start}..{end}")])
            .output()
            .expect("git log runs");
        assert!(out.status.success(), "git log failed");
        String::from_utf8_lossy(&out.stdout).lines().count()
    });
    assert_eq!(our_count, git_count, "both list the same commits");

    let ratio = ours.as_secs_f64() / theirs.as_secs_f64();
    println!("changelog over {our_count} commits (best of {RUNS}):");
    println!("  shipdeck Repo::open + changelog: {:>8.2} ms", ms(ours));
    println!("  git log --oneline A..B:          {:>8.2} ms", ms(theirs));
    println!(
        "  ratio shipdeck/git: {ratio:.2} ({})",
        if ratio <= 1.0 {
            "within budget"
        } else {
            "OVER BUDGET"
        }
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The fastest of `RUNS` timed runs (after one warm-up), and what the run returned.
fn best_of(mut run: impl FnMut() -> usize) -> (Duration, usize) {
    let result = run();
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let started = Instant::now();
        let again = run();
        best = best.min(started.elapsed());
        assert_eq!(again, result);
    }
    (best, result)
}

/// `git` in `dir`, with the machine's config kept out so both sides do the same work.
fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["-c", "init.defaultBranch=main"]);
    cmd
}

fn rev(dir: &Path, name: &str) -> String {
    let out = git(dir)
        .args(["rev-parse", &format!("{name}^{{commit}}")])
        .output()
        .expect("git rev-parse runs");
    assert!(out.status.success(), "{name} resolves");
    String::from_utf8(out.stdout)
        .expect("hex")
        .trim()
        .to_string()
}

/// `target/bench-repos/changelog-20000`, built on first use. A marker file written last tells a
/// complete repository from an interrupted build.
fn bench_repo() -> PathBuf {
    let exe = std::env::current_exe().expect("bench executable path");
    // target/<profile>/deps/changelog-<hash>
    let target = exe
        .ancestors()
        .nth(3)
        .expect("bench runs from a cargo target dir");
    let dir = target
        .join("bench-repos")
        .join(format!("changelog-{COMMITS}"));
    let marker = dir.join("complete");
    if marker.exists() {
        return dir;
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("stale bench repo removed");
    }
    std::fs::create_dir_all(&dir).expect("bench repo dir");
    let started = Instant::now();
    let init = git(&dir).args(["init", "-q"]).status().expect("git init");
    assert!(init.success());
    let mut child = git(&dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import starts");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&history())
        .expect("stream written");
    assert!(child.wait().expect("fast-import ends").success());
    std::fs::write(&marker, b"").expect("marker written");
    eprintln!(
        "built {} in {:.1} s",
        dir.display(),
        started.elapsed().as_secs_f64()
    );
    dir
}

/// A main line of commits touching 50 files, with a side commit merged back every 100 commits;
/// `bench-start` (annotated) on the first commit, `bench-end` on the last.
fn history() -> Vec<u8> {
    let mut s = Vec::new();
    let mut last_main = 0;
    for mark in 1..=COMMITS {
        let time = 1_600_000_000 + mark * 60;
        let (branch, parents) = match mark % 100 {
            50 if mark > 50 => ("side", vec![last_main - 5]),
            51 if mark > 51 => ("main", vec![last_main, mark - 1]),
            _ if mark == 1 => ("main", vec![]),
            _ => ("main", vec![last_main]),
        };
        let message = format!(
            "change {mark}: adjust module {} for the release train\n\nDetails of change {mark}.\n",
            mark % 50
        );
        s.extend_from_slice(format!("commit refs/heads/{branch}\nmark :{mark}\n").as_bytes());
        s.extend_from_slice(
            format!(
                "author Dev {} <dev{}@example.com> {time} +0000\n",
                mark % 7,
                mark % 7
            )
            .as_bytes(),
        );
        s.extend_from_slice(format!("committer CI <ci@example.com> {time} +0000\n").as_bytes());
        s.extend_from_slice(format!("data {}\n{message}", message.len()).as_bytes());
        for (i, parent) in parents.iter().enumerate() {
            let verb = if i == 0 { "from" } else { "merge" };
            s.extend_from_slice(format!("{verb} :{parent}\n").as_bytes());
        }
        let body = format!("line {mark}\n");
        s.extend_from_slice(
            format!(
                "M 644 inline src/module{}.rs\ndata {}\n{body}\n",
                mark % 50,
                body.len()
            )
            .as_bytes(),
        );
        if branch == "main" {
            last_main = mark;
        }
    }
    s.extend_from_slice(
        b"tag bench-start\nfrom :1\ntagger CI <ci@example.com> 1600000000 +0000\ndata 5\nstart\n",
    );
    s.extend_from_slice(format!("reset refs/tags/bench-end\nfrom :{last_main}\n\n").as_bytes());
    s.extend_from_slice(b"done\n");
    s
}
