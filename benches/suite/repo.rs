//! The large repository the git rows run against: 20,000 commits with merges and 1,237 release
//! tags (`svc-v…`, every other one annotated), made with `git fast-import` from a fixed stream,
//! so every clone of shipdeck builds the same history. Cached under
//! `<target>/bench-repos/suite-20000`; a marker written last tells a complete build from an
//! interrupted one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Commits in the history.
pub const COMMITS: usize = 20_000;
/// A release tag every this many commits on the main line.
const TAG_EVERY: usize = 16;

/// The repository, built on first use.
pub struct BenchRepo {
    pub dir: PathBuf,
    /// Release tags, oldest first.
    pub tags: Vec<String>,
}

/// `git` in `dir`, with the machine's config kept out so git and shipdeck see the same
/// repository and nothing else.
pub fn git(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PAGER", "cat");
    cmd
}

/// The large repository under `bench_root`, built there when missing.
pub fn bench_repo(bench_root: &Path) -> BenchRepo {
    build(bench_root, COMMITS)
}

/// A monorepo of the same shape: five services in `services/svcN/`, a shared `libs/common/`
/// (every seventh commit), the same side branches and tags.
pub fn mono_repo(bench_root: &Path) -> BenchRepo {
    build_with(
        bench_root,
        &format!("mono-{COMMITS}"),
        COMMITS,
        mono_history,
    )
}

/// A small repository (100 commits, 6 release tags) that the many services of the probe and
/// console rows share: their figures are about probing, not about reading tags.
pub fn small_repo(bench_root: &Path) -> BenchRepo {
    build(bench_root, 100)
}

fn build(bench_root: &Path, commits: usize) -> BenchRepo {
    build_with(bench_root, &format!("suite-{commits}"), commits, history)
}

fn build_with(
    bench_root: &Path,
    name: &str,
    commits: usize,
    history: fn(usize) -> Vec<u8>,
) -> BenchRepo {
    let dir = bench_root.join("bench-repos").join(name);
    let tags = tag_names(commits);
    let marker = dir.join("complete");
    if marker.exists() {
        return BenchRepo { dir, tags };
    }
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("an interrupted bench repo is removed");
    }
    std::fs::create_dir_all(&dir).expect("bench repo dir");
    let started = Instant::now();
    let init = git(&dir)
        .args(["-c", "init.defaultBranch=main", "init", "-q"])
        .status()
        .expect("git init runs");
    assert!(init.success(), "git init failed");
    let mut child = git(&dir)
        .args(["fast-import", "--quiet", "--done"])
        .stdin(Stdio::piped())
        .spawn()
        .expect("git fast-import starts");
    child
        .stdin
        .take()
        .expect("fast-import stdin")
        .write_all(&history(commits))
        .expect("the history is streamed to fast-import");
    assert!(
        child.wait().expect("fast-import ends").success(),
        "git fast-import failed"
    );
    // Packed refs, as a cloned repository has them.
    let packed = git(&dir)
        .args(["pack-refs", "--all"])
        .status()
        .expect("git pack-refs runs");
    assert!(packed.success(), "git pack-refs failed");
    std::fs::write(&marker, b"").expect("marker written");
    eprintln!(
        "built {} ({commits} commits, {} tags) in {:.1} s",
        dir.display(),
        tags.len(),
        started.elapsed().as_secs_f64()
    );
    BenchRepo { dir, tags }
}

/// The version of the `n`th release (1-based): 0.0.1, 0.0.2 … 0.1.0 … 12.4.9, so semver order
/// and tag-name order disagree, as they do in real repositories.
fn version(n: usize) -> String {
    format!("{}.{}.{}", n / 100, (n / 10) % 10, n % 10)
}

fn tag_names(commits: usize) -> Vec<String> {
    (1..=main_commits(commits).len() / TAG_EVERY)
        .map(|n| format!("svc-v{}", version(n)))
        .collect()
}

/// The marks of the commits on the main line, in order.
fn main_commits(commits: usize) -> Vec<usize> {
    (1..=commits).filter(|m| !is_side(*m)).collect()
}

fn is_side(mark: usize) -> bool {
    mark > 50 && mark % 100 == 50
}

/// A main line of commits touching 50 files, with a side commit merged back every 100 commits.
fn history(commits: usize) -> Vec<u8> {
    stream(commits, |mark| format!("src/module{}.rs", mark % 50))
}

/// [`history`]'s shape, its files in service folders and a shared library.
fn mono_history(commits: usize) -> Vec<u8> {
    stream(commits, |mark| {
        if mark % 7 == 0 {
            format!("libs/common/lib{}.rs", mark % 3)
        } else {
            format!("services/svc{}/src/module{}.rs", mark % 5, mark % 10)
        }
    })
}

/// The fast-import stream: each commit changes the one file `file` names for its mark.
fn stream(commits: usize, file: fn(usize) -> String) -> Vec<u8> {
    let mut s = String::with_capacity(commits * 300);
    let mut last_main = 0;
    for mark in 1..=commits {
        let time = 1_600_000_000 + mark * 60;
        let (branch, parents) = if is_side(mark) {
            ("side", vec![last_main - 5])
        } else if mark > 51 && mark % 100 == 51 {
            ("main", vec![last_main, mark - 1])
        } else if mark == 1 {
            ("main", vec![])
        } else {
            ("main", vec![last_main])
        };
        let message = format!(
            "change {mark}: adjust module {} for the release train\n\nDetails of change {mark}.\n",
            mark % 50
        );
        let who = mark % 7;
        let _ = write!(s, "commit refs/heads/{branch}\nmark :{mark}\n");
        let _ = writeln!(s, "author Dev {who} <dev{who}@example.com> {time} +0000");
        let _ = writeln!(s, "committer CI <ci@example.com> {time} +0000");
        let _ = write!(s, "data {}\n{message}", message.len());
        for (i, parent) in parents.iter().enumerate() {
            let verb = if i == 0 { "from" } else { "merge" };
            let _ = writeln!(s, "{verb} :{parent}");
        }
        let body = format!("line {mark}\n");
        let _ = write!(
            s,
            "M 644 inline {}\ndata {}\n{body}\n",
            file(mark),
            body.len()
        );
        if branch == "main" {
            last_main = mark;
        }
    }
    let main = main_commits(commits);
    for (i, name) in tag_names(commits).iter().enumerate() {
        let mark = main[(i + 1) * TAG_EVERY - 1];
        if i % 2 == 0 {
            let time = 1_600_000_000 + mark * 60 + 30;
            let message = format!("release {name}\n");
            let _ = write!(
                s,
                "tag {name}\nfrom :{mark}\ntagger CI <ci@example.com> {time} +0000\ndata {}\n{message}",
                message.len()
            );
        } else {
            let _ = write!(s, "reset refs/tags/{name}\nfrom :{mark}\n\n");
        }
    }
    s.push_str("done\n");
    s.into_bytes()
}
