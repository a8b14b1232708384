//! Releases from real tags: git's own listing and version order, annotated and lightweight tags,
//! several services' tags in one repository.

use crate::git_support;

use std::collections::BTreeSet;

use git_support::{FastCommit, TestRepo};
use shipdeck::git::Repo;

const COMMITS: usize = 60;
const BASE_TIME: i64 = 1_700_000_000;

/// Deterministic shuffle (an LCG) so tags are created out of version order.
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let j = usize::try_from(seed >> 33).expect("fits") % (i + 1);
        items.swap(i, j);
    }
}

/// 60 commits on main; 300 `api-v*` tags created in shuffled order (two in three annotated,
/// with tagger dates unrelated to their version), and 60 `web-v*` tags.
fn monorepo() -> TestRepo {
    let repo = TestRepo::new();
    let mut stream = Vec::new();
    for mark in 1..=COMMITS {
        let parents: Vec<usize> = if mark == 1 { vec![] } else { vec![mark - 1] };
        FastCommit {
            branch: "main",
            mark,
            author: "Ann",
            time: BASE_TIME + i64::try_from(mark).expect("small") * 60,
            message: format!("change {mark}").as_bytes(),
            parents: &parents,
            file: "f.txt",
        }
        .write(&mut stream);
    }
    let mut api: Vec<String> = Vec::new();
    for major in 0..3 {
        for minor in 0..10 {
            for patch in 0..10 {
                api.push(format!("api-v{major}.{minor}.{patch}"));
            }
        }
    }
    shuffle(&mut api, 7);
    let web: Vec<String> = (0..60).map(|p| format!("web-v1.0.{p}")).collect();
    for (i, name) in api.iter().chain(web.iter()).enumerate() {
        let mark = i % COMMITS + 1;
        if i % 3 == 0 {
            stream
                .extend_from_slice(format!("reset refs/tags/{name}\nfrom :{mark}\n\n").as_bytes());
        } else {
            let when = BASE_TIME + 100_000 + i64::try_from(i * 37 % 500).expect("small");
            let msg = format!("release {name}");
            stream.extend_from_slice(
                format!(
                    "tag {name}\nfrom :{mark}\ntagger T <t@example.com> {when} +0000\ndata {}\n{msg}\n",
                    msg.len()
                )
                .as_bytes(),
            );
        }
    }
    stream.extend_from_slice(b"done\n");
    repo.fast_import(&stream);
    repo
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).collect()
}

#[test]
fn releases_list_exactly_what_git_lists_in_version_order() {
    let repo = monorepo();
    let expected = lines(&repo.git(&["tag", "--list", "api-v*", "--sort=-v:refname"]));
    assert_eq!(expected.len(), 300);

    let releases = Repo::open(repo.path())
        .expect("opens")
        .releases("api-v*", "api-v")
        .expect("lists releases");
    let names: Vec<String> = releases.iter().map(|r| r.name.clone()).collect();
    assert_eq!(names, expected);
    assert_eq!(releases[0].name, "api-v2.9.9");
    assert_eq!(releases[0].version, "2.9.9");
}

#[test]
fn annotated_tags_are_peeled_and_dated_by_tagger_lightweight_by_commit() {
    let repo = monorepo();
    // name, peeled commit, the ref's own object, tagger date (empty when lightweight), commit date.
    let refs = repo.git(&[
        "for-each-ref",
        "refs/tags/api-v*",
        "--format=%(refname:strip=2)\t%(*objectname)\t%(objectname)\t%(taggerdate:unix)\t%(committerdate:unix)",
    ]);
    let releases = Repo::open(repo.path())
        .expect("opens")
        .releases("api-v*", "api-v")
        .expect("lists releases");
    let mut annotated = 0;
    for line in refs.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let release = releases
            .iter()
            .find(|r| r.name == f[0])
            .expect("every tag is a release");
        let (commit, date) = if f[1].is_empty() {
            (f[2], f[4])
        } else {
            annotated += 1;
            (f[1], f[3])
        };
        assert_eq!(release.commit, commit, "{}", f[0]);
        assert_eq!(release.date.as_second().to_string(), date, "{}", f[0]);
    }
    assert_eq!(annotated, 200);
}

#[test]
fn services_in_one_repository_never_mix() {
    let repo = monorepo();
    let repo = Repo::open(repo.path()).expect("opens");
    let web = repo.releases("web-v*", "web-v").expect("lists");
    assert_eq!(web.len(), 60);
    assert!(web.iter().all(|r| r.name.starts_with("web-v")));
    assert_eq!(web[0].version, "1.0.59");
    let api = repo.releases("api-v*", "api-v").expect("lists");
    assert!(api.iter().all(|r| r.name.starts_with("api-v")));
}

#[test]
fn patterns_select_the_same_tags_as_git_tag_list() {
    let repo = monorepo();
    let opened = Repo::open(repo.path()).expect("opens");
    for pattern in [
        "api-v1.*",
        "api-v?.1.*",
        "*-v2.[0-3].?",
        "[aw]*-v0.0.[!0-4]",
        "web-v1.0.[[:digit:]]",
        "*.5",
        "*",
        "api-v1.2.3",
        "api-v1.2",
        "nothing*",
    ] {
        let expected: BTreeSet<String> = lines(&repo.git(&["tag", "--list", pattern]))
            .into_iter()
            .collect();
        let got: BTreeSet<String> = opened
            .releases(pattern, "")
            .expect("lists")
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(got, expected, "pattern {pattern}");
    }
}

#[test]
fn tags_that_cannot_be_shown_safely_or_are_not_commits_are_left_out() {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "first"]);
    repo.git(&["tag", "api-v1.0.0"]);
    // A right-to-left override would let the name display as something else.
    repo.git(&["tag", "api-v1.0.1\u{202e}1.0.9"]);
    repo.git(&["tag", "api-v2.0.0-tree", "HEAD^{tree}"]);
    let releases = Repo::open(repo.path())
        .expect("opens")
        .releases("api-v*", "api-v")
        .expect("lists");
    let names: Vec<&str> = releases.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["api-v1.0.0"]);
}

#[test]
fn prereleases_sort_below_their_release_by_semver() {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "first"]);
    for tag in ["v1.0.0-rc.2", "v1.0.0", "v1.0.0-rc.10", "v0.9.0"] {
        repo.git(&["tag", "-m", tag, tag]);
    }
    let releases = Repo::open(repo.path())
        .expect("opens")
        .releases("v*", "")
        .expect("lists");
    let versions: Vec<&str> = releases.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["1.0.0", "1.0.0-rc.10", "1.0.0-rc.2", "0.9.0"]);
}

#[test]
fn one_release_by_name_is_the_same_release_the_whole_list_holds() {
    let repo = monorepo();
    repo.git(&["tag", "api-v9.9.9-tree", "HEAD^{tree}"]);
    let opened = Repo::open(repo.path()).expect("opens");
    let all = opened.releases("api-v*", "api-v").expect("lists");
    for release in &all {
        let alone = opened
            .release("api-v*", "api-v", &release.name)
            .expect("reads");
        assert_eq!(alone.as_ref(), Some(release), "{}", release.name);
    }
    for absent in [
        "web-v1.0.3",
        "api-v7.0.0",
        "api-v9.9.9-tree",
        "1.2.3",
        "main",
        "..",
        "",
    ] {
        assert_eq!(
            opened.release("api-v*", "api-v", absent).expect("reads"),
            None,
            "{absent}"
        );
    }
}
