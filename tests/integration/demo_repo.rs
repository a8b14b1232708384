//! The demo's git repository, checked with the git CLI (not the code that wrote it).

use crate::demo_support;

use demo_support::git;
use shipdeck::demo;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repository_has_annotated_release_tags_on_release_commits() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let repo = demo.repo.clone();

    let tags: Vec<String> = git(&repo, &["tag", "--list"])
        .lines()
        .map(str::to_string)
        .collect();
    let mut expected = vec![
        "api-v1.2.0",
        "api-v1.3.0",
        "api-v1.4.0",
        "api-v1.5.0",
        "api-v1.6.0",
        "web-v1.8.0",
        "web-v1.9.0",
        "web-v2.0.0",
        "web-v2.1.0",
        "worker-v0.8.0",
        "worker-v0.9.0",
        "worker-v0.9.1",
        "worker-v0.10.0",
    ];
    expected.sort_unstable();
    assert_eq!(tags, expected);

    for tag in &expected {
        assert_eq!(
            git(&repo, &["cat-file", "-t", tag]),
            "tag",
            "{tag} is annotated"
        );
        let (service, version) = tag.split_once("-v").expect("prefix");
        let subject = git(
            &repo,
            &["log", "-1", "--format=%s", &format!("{tag}^{{commit}}")],
        );
        assert_eq!(subject, format!("chore({service}): release {version}"));
        let file = git(&repo, &["show", &format!("{tag}:{service}/VERSION")]);
        assert_eq!(file, version);
        let commit = git(&repo, &["rev-parse", &format!("{tag}^{{commit}}")]);
        assert_eq!(demo.release(tag).expect("known release").commit, commit);
    }
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_history_is_a_believable_few_weeks_of_conventional_commits_on_main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let repo = demo.repo.clone();

    assert_eq!(git(&repo, &["symbolic-ref", "HEAD"]), "refs/heads/main");
    let count: usize = git(&repo, &["rev-list", "--count", "main"])
        .parse()
        .expect("a number");
    assert!((40..=60).contains(&count), "{count} commits");

    let subjects = git(&repo, &["log", "--format=%s"]);
    let conventional = [
        "feat(", "fix(", "perf(", "docs(", "docs:", "chore(", "chore:",
    ];
    for subject in subjects.lines() {
        assert!(
            conventional.iter().any(|p| subject.starts_with(p)),
            "not conventional: {subject}"
        );
    }
    assert_eq!(
        subjects.lines().filter(|s| s.contains(")!:")).count(),
        1,
        "one breaking change"
    );
    let bodies = git(&repo, &["log", "--format=%b"]);
    assert!(bodies.contains("BREAKING CHANGE:"));

    let authors = git(&repo, &["log", "--format=%an <%ae>|%cn <%ce>"]);
    assert!(authors.contains("Dana Reyes <dana@shop.example>"));
    for line in authors.lines() {
        let (author, committer) = line.split_once('|').expect("two fields");
        assert!(author.ends_with("@shop.example>"), "{author}");
        assert_eq!(author, committer);
    }

    let now = jiff::Timestamp::now().as_second();
    let times: Vec<i64> = git(&repo, &["log", "--format=%ct"])
        .lines()
        .map(|t| t.parse().expect("unix time"))
        .collect();
    assert!(
        times.iter().all(|t| *t < now && *t > now - 60 * 86_400),
        "dates in the last weeks"
    );
    assert!(
        times.iter().max().expect("commits") - times.iter().min().expect("commits") > 21 * 86_400
    );

    for service in ["api/", "web/", "worker/"] {
        let files = git(&repo, &["ls-files", service]);
        assert!(files.lines().count() >= 4, "{service}: {files}");
    }
    assert_eq!(
        git(&repo, &["status", "--porcelain"]),
        "",
        "the working tree is checked out"
    );
    // The failure story's fix is on main but not released yet.
    let unreleased = git(
        &repo,
        &["log", "--format=%s", "api-v1.6.0..main", "--", "api/"],
    );
    assert!(
        unreleased.contains("fix(api): return pooled connections"),
        "{unreleased}"
    );
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_directory_holding_some_other_repository_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q"]);
    let err = demo::start(dir.path()).await.err().expect("refused");
    let message = format!("{err:#}");
    assert!(
        message.contains("not a shipdeck demo repository"),
        "{message}"
    );
    assert!(!dir.path().join("shipdeck.toml").exists());
}
