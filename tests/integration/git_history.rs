//! Changelogs, resolving names to commits, ancestry and sanitizing, against real repositories.

use crate::git_support;

use git_support::{FastCommit, TestRepo};
use shipdeck::git::{GitError, Repo};

const BASE_TIME: i64 = 1_700_000_000;

/// A tangled history: 240 commits on five branches with merges between them, commit dates that
/// often tie and sometimes run backwards (clock skew). Branches are `b0` … `b4`.
fn tangled() -> TestRepo {
    let repo = TestRepo::new();
    let mut stream = Vec::new();
    let mut heads: [Option<usize>; 5] = [None; 5];
    let mut seed: u64 = 42;
    let mut next = || {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(seed >> 33).expect("fits")
    };
    for mark in 1..=240 {
        let k = if mark == 1 { 0 } else { next() % 5 };
        let first = heads[k].or(heads[0]);
        let mut parents: Vec<usize> = first.into_iter().collect();
        if next() % 4 == 0 {
            let other = heads[next() % 5];
            if let Some(other) = other
                && Some(other) != first
            {
                parents.push(other);
            }
        }
        let skew = [-120, 0, 0, 0, 60][next() % 5];
        let step = i64::try_from(mark / 4).expect("small");
        FastCommit {
            branch: &format!("b{k}"),
            mark,
            author: ["Ann", "Bo", "Cy"][mark % 3],
            time: BASE_TIME + step * 60 + skew,
            message: format!("change {mark} on b{k}").as_bytes(),
            parents: &parents,
            file: &format!("f{k}.txt"),
        }
        .write(&mut stream);
        heads[k] = Some(mark);
    }
    stream.extend_from_slice(b"done\n");
    repo.fast_import(&stream);
    repo
}

#[test]
fn changelog_lists_exactly_what_git_log_lists_in_the_same_order() {
    let repo = tangled();
    let opened = Repo::open(repo.path()).expect("opens");
    let all: Vec<String> = repo
        .git(&["rev-list", "--all", "--date-order"])
        .lines()
        .map(str::to_string)
        .collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    for a in 0..5 {
        for b in 0..5 {
            pairs.push((repo.rev(&format!("b{a}")), repo.rev(&format!("b{b}"))));
        }
    }
    for (i, j) in [(200, 0), (100, 3), (239, 1), (50, 60), (0, 0)] {
        pairs.push((all[i].clone(), all[j].clone()));
    }
    let merges = repo.git(&["rev-list", "--merges", "--all"]).lines().count();
    assert!(merges > 20, "the history has merges ({merges})");
    let mut nonempty = 0;
    for (from, to) in pairs {
        let expected = repo.git(&[
            "log",
            "--format=%H%x1f%an%x1f%at%x1f%s",
            &format!("{from}..{to}"),
        ]);
        let got: Vec<String> = opened
            .changelog(&from, &to)
            .expect("walks")
            .iter()
            .map(|c| {
                format!(
                    "{}\u{1f}{}\u{1f}{}\u{1f}{}",
                    c.commit,
                    c.author,
                    c.date.as_second(),
                    c.summary
                )
            })
            .collect();
        let expected: Vec<&str> = expected.lines().collect();
        assert_eq!(got, expected, "{from}..{to}");
        nonempty += usize::from(!got.is_empty());
    }
    assert!(nonempty > 15);
}

#[test]
fn changelog_takes_only_full_commit_ids() {
    let repo = tangled();
    let opened = Repo::open(repo.path()).expect("opens");
    let tip = repo.rev("b0");
    assert!(matches!(
        opened.changelog("b1", &tip),
        Err(GitError::NotFound { .. })
    ));
}

#[test]
fn resolve_names_tags_commits_and_branches() {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "one"]);
    repo.git(&["tag", "-m", "annotated", "api-v1.0.0"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    repo.git(&["tag", "api-v1.1.0"]);
    let one = repo.rev("api-v1.0.0");
    let two = repo.rev("main");
    let opened = Repo::open(repo.path()).expect("opens");

    assert_eq!(opened.resolve("api-v1.0.0").expect("annotated tag"), one);
    assert_eq!(opened.resolve("api-v1.1.0").expect("lightweight tag"), two);
    assert_eq!(opened.resolve(&one[..7]).expect("short commit"), one);
    assert_eq!(
        opened
            .resolve(&one.to_ascii_uppercase())
            .expect("full commit"),
        one
    );
    assert_eq!(opened.resolve("main").expect("branch"), two);
    assert_eq!(opened.head_commit().expect("head"), two);
    assert!(matches!(
        opened.resolve("no-such-thing"),
        Err(GitError::NotFound { .. })
    ));
    assert!(matches!(
        opened.resolve(&"0".repeat(40)),
        Err(GitError::NotFound { .. })
    ));
    repo.git(&["tag", "tree-tag", "HEAD^{tree}"]);
    assert!(matches!(
        opened.resolve("tree-tag"),
        Err(GitError::NotACommit { .. })
    ));
}

#[test]
fn an_ambiguous_short_commit_is_refused_with_the_count_of_candidates() {
    let repo = TestRepo::new();
    let mut stream = Vec::new();
    for mark in 1..=1500 {
        let parents: Vec<usize> = if mark == 1 { vec![] } else { vec![mark - 1] };
        FastCommit {
            branch: "main",
            mark,
            author: "Ann",
            time: BASE_TIME + i64::try_from(mark).expect("small"),
            message: format!("c{mark}").as_bytes(),
            parents: &parents,
            file: "f",
        }
        .write(&mut stream);
    }
    stream.extend_from_slice(b"done\n");
    repo.fast_import(&stream);
    let mut commits: Vec<String> = repo
        .git(&["rev-list", "main"])
        .lines()
        .map(str::to_string)
        .collect();
    commits.sort();
    let shared = commits
        .windows(2)
        .find(|w| w[0][..4] == w[1][..4])
        .map(|w| w[0][..4].to_string())
        .expect("1500 commits share some 4-digit prefix");
    let count = commits.iter().filter(|c| c.starts_with(&shared)).count();
    let opened = Repo::open(repo.path()).expect("opens");
    assert_eq!(
        opened.resolve(&shared),
        Err(GitError::Ambiguous {
            prefix: shared.clone(),
            count
        })
    );
    let message = opened.resolve(&shared).expect_err("ambiguous").to_string();
    assert!(message.contains(&format!("{count} commits")), "{message}");
}

#[test]
fn is_ancestor_follows_the_local_branch_else_origin() {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "base"]);
    let base = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "-b", "feature"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "feature work"]);
    let feature = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "main work"]);
    let main = repo.rev("HEAD");
    // Only a remote-tracking `origin/release` exists for `release`.
    repo.git(&["update-ref", "refs/remotes/origin/release", &feature]);

    let opened = Repo::open(repo.path()).expect("opens");
    assert!(opened.is_ancestor(&base, "main").expect("checks"));
    assert!(opened.is_ancestor(&main, "main").expect("tip itself"));
    assert!(!opened.is_ancestor(&feature, "main").expect("checks"));
    assert!(opened.is_ancestor(&feature, "release").expect("via origin"));
    assert!(!opened.is_ancestor(&main, "release").expect("via origin"));
    assert_eq!(
        opened.is_ancestor(&base, "nope"),
        Err(GitError::NoBranch {
            branch: "nope".into()
        })
    );
}

#[test]
fn hostile_commit_text_comes_back_sanitized() {
    let repo = TestRepo::new();
    let mut stream = Vec::new();
    FastCommit {
        branch: "main",
        mark: 1,
        author: "Ann",
        time: BASE_TIME,
        message: b"base",
        parents: &[],
        file: "f",
    }
    .write(&mut stream);
    FastCommit {
        branch: "main",
        mark: 2,
        author: "Eve\x1b]0;owned\x07 Evil",
        time: BASE_TIME + 1,
        message: b"fix: \x1b[31mred\x1b[0m alert\x1b[2J \xe2\x80\xaeevil\n\nbody \x1b[5m",
        parents: &[1],
        file: "f",
    }
    .write(&mut stream);
    stream.extend_from_slice(b"done\n");
    repo.fast_import(&stream);
    let opened = Repo::open(repo.path()).expect("opens");
    let from = repo.rev("main~1");
    let to = repo.rev("main");
    let log = opened.changelog(&from, &to).expect("walks");
    assert_eq!(log.len(), 1);
    // Escapes and controls are gone; the bidi override shows visibly (issue 10 item 11).
    assert_eq!(log[0].summary, "fix: red alert \\u{202e}evil");
    assert_eq!(log[0].author, "Eve Evil");
    assert_eq!(opened.commit_info(&to).expect("reads"), log[0]);
}

#[test]
fn a_repo_can_move_to_a_blocking_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<Repo>();
}

#[test]
fn opening_a_directory_outside_any_repository_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = Repo::open(&dir.path().join("missing"))
        .err()
        .expect("fails");
    assert!(matches!(err, GitError::Open { .. }));
    assert!(err.to_string().contains("check the service's `repo` path"));
}

#[test]
fn changelog_stops_at_a_shallow_clones_boundary_as_git_does() {
    let origin = TestRepo::new();
    origin.git(&["commit", "-q", "--allow-empty", "-m", "root"]);
    origin.git(&["branch", "other"]);
    for n in 0..6 {
        origin.git(&["commit", "-q", "--allow-empty", "-m", &format!("main {n}")]);
    }
    origin.git(&["checkout", "-q", "other"]);
    origin.git(&["commit", "-q", "--allow-empty", "-m", "other work"]);
    let url = format!("file://{}", origin.path().display());
    let clone = TestRepo::new();
    clone.git(&[
        "fetch",
        "-q",
        "--depth",
        "3",
        &url,
        "main:refs/heads/m",
        "other:refs/heads/o",
    ]);
    let from = clone.rev("o");
    let to = clone.rev("m");
    let expected: Vec<String> = clone
        .git(&["log", "--format=%H", &format!("{from}..{to}")])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(
        expected.len(),
        3,
        "git sees main's commits down to the boundary"
    );
    let got: Vec<String> = Repo::open(clone.path())
        .expect("opens")
        .changelog(&from, &to)
        .expect("walks a shallow clone")
        .into_iter()
        .map(|c| c.commit)
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn summaries_are_gits_subject_line() {
    let repo = TestRepo::new();
    let messages: [&[u8]; 5] = [
        b"plain subject",
        b"\n\n  leading blank lines and indent  \nsecond line of the paragraph\n\nbody",
        b"subject   \n \t \nbody after a whitespace-only line",
        b"one\ntwo\nthree",
        b"",
    ];
    let mut stream = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let parents: Vec<usize> = if i == 0 { vec![] } else { vec![i] };
        FastCommit {
            branch: "main",
            mark: i + 1,
            author: "Ann",
            time: BASE_TIME + i64::try_from(i).expect("small"),
            message,
            parents: &parents,
            file: "f",
        }
        .write(&mut stream);
    }
    stream.extend_from_slice(b"done\n");
    repo.fast_import(&stream);
    let root = repo.rev("main~4");
    let tip = repo.rev("main");
    let expected = repo.git(&["log", "--format=%s", &format!("{root}..{tip}")]);
    let got: Vec<String> = Repo::open(repo.path())
        .expect("opens")
        .changelog(&root, &tip)
        .expect("walks")
        .into_iter()
        .map(|c| c.summary)
        .collect();
    assert_eq!(got, expected.lines().collect::<Vec<_>>());
}
