//! Releases read from packed and loose refs and the peel cache give exactly what libgit2 and git
//! give: the same tags, commits and dates, a loose tag winning over a packed one, a tag moved
//! after it was cached seen at its new commit; `--read-only` (a cache that may not be written)
//! writes nothing.

use crate::git_support;

use git_support::TestRepo;
use shipdeck::git::{Repo, tag_cache};

/// api-v1.0.0 (annotated, then packed), api-v1.1.0 (lightweight, loose), api-v1.2.0 (annotated,
/// loose) and web-v1.0.0 (another service's).
fn repo_with_tags() -> TestRepo {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "one"]);
    repo.git(&["tag", "-a", "-m", "api 1.0.0", "api-v1.0.0"]);
    repo.git(&["tag", "-a", "-m", "web 1.0.0", "web-v1.0.0"]);
    repo.git(&["pack-refs", "--all"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    repo.git(&["tag", "api-v1.1.0"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "three"]);
    repo.git(&["tag", "-a", "-m", "api 1.2.0", "api-v1.2.0"]);
    repo
}

fn listed(repo: &TestRepo) -> Vec<(String, String, String)> {
    Repo::open(repo.path())
        .expect("opens")
        .releases("api-v*", "api-v")
        .expect("lists")
        .into_iter()
        .map(|r| (r.name, r.commit, r.date.to_string()))
        .collect()
}

/// What git itself says: name, peeled commit, and the tagger's date else the commit's.
fn by_git(repo: &TestRepo) -> Vec<(String, String, String)> {
    let out = repo.git(&[
        "for-each-ref",
        "--sort=-v:refname",
        "--format=%(refname:short) %(*objectname)%(objectname) %(*objecttype)%(objecttype) %(taggerdate:unix)%(committerdate:unix)",
        "refs/tags/api-v*",
    ]);
    out.lines()
        .map(|l| {
            let parts: Vec<&str> = l.split(' ').collect();
            // An annotated tag prints its commit then its own id: the first 40 are the commit.
            let commit = parts[1][..40].to_string();
            let secs: i64 = parts[3].parse().expect("a date");
            let date = jiff::Timestamp::from_second(secs)
                .expect("time")
                .to_string();
            (parts[0].to_string(), commit, date)
        })
        .collect()
}

#[test]
fn releases_from_refs_and_cache_match_git_and_a_moved_tag_is_seen_moved() {
    let repo = repo_with_tags();
    let data = tempfile::tempdir().expect("data dir");
    tag_cache::set_dir(Some(data.path()), true);
    let first = listed(&repo);
    assert_eq!(first, by_git(&repo));
    let cache = data.path().join("cache/tag-peels");
    let cached = std::fs::read_to_string(&cache).expect("the cache was written");
    assert_eq!(cached.lines().count(), 3, "{cached}");
    // From the cache now: the same answer.
    assert_eq!(listed(&repo), first);
    // A loose ref of the same name wins over the packed one (git's rule): move api-v1.0.0.
    repo.git(&[
        "tag",
        "-f",
        "-a",
        "-m",
        "api 1.0.0 again",
        "api-v1.0.0",
        "HEAD",
    ]);
    let moved = listed(&repo);
    assert_eq!(moved, by_git(&repo));
    assert_ne!(moved, first);
}

#[test]
fn a_cache_that_may_not_be_written_is_not_written() {
    let repo = repo_with_tags();
    let data = tempfile::tempdir().expect("data dir");
    tag_cache::set_dir(Some(data.path()), false);
    assert_eq!(listed(&repo), by_git(&repo));
    assert!(!data.path().join("cache").exists());
}
