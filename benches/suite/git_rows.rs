//! The git rows: `shipdeck changelog` between the oldest and newest of 1,237 release tags
//! (about 20,000 commits) against `git log --oneline A..B`, and `shipdeck releases` over those
//! tags against `git tag --sort=-v:refname`. Both sides are whole processes writing to a pipe.

use std::path::Path;

use super::project::{Layout, Project, shown};
use super::repo::{bench_repo, git};
use super::report::{Budget, Peer, Row};
use super::timing::{best_interleaved, ms, run};

const RUNS: usize = 7;

pub fn rows(root: &Path, binary: &Path) -> Vec<Row> {
    let repo = bench_repo(root);
    let project = Project::write(
        binary,
        &root.join("bench-git"),
        &Layout {
            services: 1,
            environments: &["dev"],
            repo: &repo.dir,
            tags: "svc-v*",
            health: None,
        },
    );
    let (first, last) = (
        repo.tags.first().expect("tags").as_str(),
        repo.tags.last().expect("tags").as_str(),
    );
    let range = format!("{first}..{last}");

    // Both list the same commits: shipdeck prints a header line, then one line a commit.
    let ours_lines = lines(&run(&mut project.shipdeck(&[
        "changelog",
        "svc",
        first,
        last,
    ])));
    let git_lines = lines(&run(git(&repo.dir).args(["log", "--oneline", &range])));
    assert_eq!(ours_lines, git_lines + 1, "changelog and git log disagree");
    let (ours, theirs) = best_interleaved(
        RUNS,
        || {
            run(&mut project.shipdeck(&["changelog", "svc", first, last]));
        },
        || {
            run(git(&repo.dir).args(["log", "--oneline", &range]));
        },
    );
    let changelog = Row {
        what: format!("changelog of {git_lines} commits between two tags"),
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "git log --oneline A..B".into(),
            value: ms(theirs),
        },
        budget: Some(Budget::Ratio(1.0)),
        rerun: "scripts/bench git".into(),
        timed: format!(
            "Best of {RUNS}, alternating: `{}` against `git -C {} log --oneline {range}`, each \
             writing to a pipe.",
            project.command_line(&["changelog", "svc", first, last]),
            shown(&repo.dir)
        ),
    };

    let pattern = "svc-v*";
    let ours_lines = lines(&run(&mut project.shipdeck(&["releases", "svc"])));
    let git_lines = lines(&run(git(&repo.dir).args([
        "tag",
        "--list",
        pattern,
        "--sort=-v:refname",
    ])));
    assert_eq!(ours_lines, git_lines, "releases and git tag disagree");
    let (ours, theirs) = best_interleaved(
        RUNS,
        || {
            run(&mut project.shipdeck(&["releases", "svc"]));
        },
        || {
            run(git(&repo.dir).args(["tag", "--list", pattern, "--sort=-v:refname"]));
        },
    );
    let releases = Row {
        what: format!("releases over {git_lines} tags"),
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "git tag --sort=-v:refname".into(),
            value: ms(theirs),
        },
        budget: Some(Budget::Ratio(2.0)),
        rerun: "scripts/bench git".into(),
        timed: format!(
            "Best of {RUNS}, alternating: `{}` (each tag peeled to its commit and dated: the refs \
             read from `packed-refs` and `refs/tags/`, the peels from the data dir's cache, \
             which the first run fills) against `git -C {} tag --list '{pattern}' \
             --sort=-v:refname` (names only).",
            project.command_line(&["releases", "svc"]),
            shown(&repo.dir)
        ),
    };
    vec![changelog, releases]
}

fn lines(bytes: &[u8]) -> usize {
    String::from_utf8_lossy(bytes).lines().count()
}
