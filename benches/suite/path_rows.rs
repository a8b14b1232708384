//! The path row: `shipdeck changelog` of a service with `paths` between the oldest and newest of
//! the release tags of a 20,000-commit monorepo (five services in folders, a shared library,
//! side branches merged back) against `git log --oneline A..B -- PATH`. Both are whole
//! processes writing to a pipe, and both list the same commits.

use std::path::Path;

use super::project::{Layout, Project, shown};
use super::repo::{git, mono_repo};
use super::report::{Budget, Peer, Row};
use super::timing::{best_interleaved, ms, run};

const RUNS: usize = 7;
/// The service's folder: what both sides are limited to.
const PATH: &str = "services/svc0";

pub fn rows(root: &Path, binary: &Path) -> Vec<Row> {
    let repo = mono_repo(root);
    let project = Project::write(
        binary,
        &root.join("bench-paths"),
        &Layout {
            services: 1,
            environments: &["dev"],
            repo: &repo.dir,
            tags: "svc-v*",
            health: None,
        },
    );
    let toml = std::fs::read_to_string(&project.config).expect("config");
    std::fs::write(
        &project.config,
        toml.replace(
            "tags = \"svc-v*\"\n",
            &format!("tags = \"svc-v*\"\npaths = [\"{PATH}\"]\n"),
        ),
    )
    .expect("paths written");
    let (first, last) = (
        repo.tags.first().expect("tags").as_str(),
        repo.tags.last().expect("tags").as_str(),
    );
    let range = format!("{first}..{last}");
    let git_args = ["log", "--oneline", range.as_str(), "--", PATH];

    // The first run starts with no tree-same answers kept (the data dir's cache), as on a
    // fresh machine; it is timed for the row's note, and checked against git.
    if let Ok(cached) = std::fs::read_dir(project.dir.join("data").join("cache")) {
        for file in cached.flatten() {
            if file.file_name().to_string_lossy().starts_with("tree-same-") {
                let _ = std::fs::remove_file(file.path());
            }
        }
    }
    let started = std::time::Instant::now();
    let cold_output = run(&mut project.shipdeck(&["changelog", "svc", first, last]));
    let cold = started.elapsed();
    let ours = String::from_utf8_lossy(&cold_output)
        .lines()
        .skip(1)
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .collect::<Vec<_>>();
    let theirs = String::from_utf8_lossy(&run(git(&repo.dir).args(git_args)))
        .lines()
        .map(|l| l.split(' ').next().unwrap_or("").to_string())
        .collect::<Vec<_>>();
    let short = |v: &[String]| v.iter().map(|c| c[..7].to_string()).collect::<Vec<_>>();
    assert_eq!(
        short(&ours),
        short(&theirs),
        "changelog and git log -- PATH disagree"
    );
    let (ours_t, theirs_t) = best_interleaved(
        RUNS,
        || {
            run(&mut project.shipdeck(&["changelog", "svc", first, last]));
        },
        || {
            run(git(&repo.dir).args(git_args));
        },
    );
    vec![Row {
        what: format!(
            "changelog of `{PATH}` ({} of {} commits) between two tags",
            theirs.len(),
            super::repo::COMMITS
        ),
        ours: ms(ours_t),
        unit: "ms",
        peer: Peer::Measured {
            name: "git log --oneline A..B -- PATH".into(),
            value: ms(theirs_t),
        },
        budget: Some(Budget::Ratio(1.0)),
        rerun: "scripts/bench paths".into(),
        timed: format!(
            "Best of {RUNS}, alternating: `{}` (the service has `paths = [\"{PATH}\"]`) against \
             `git -C {} log --oneline {range} -- {PATH}`, each writing to a pipe. Whether a \
             commit's tree differs from its parent's within the paths is kept in the data dir \
             (`cache/tree-same-…`, like git's changed-path filters), so these runs read only \
             the commits; the first run, with nothing kept, took {:.0} ms ({:.2}× git's best).",
            project.command_line(&["changelog", "svc", first, last]),
            shown(&repo.dir),
            ms(cold),
            ms(cold) / ms(theirs_t)
        ),
    }]
}
