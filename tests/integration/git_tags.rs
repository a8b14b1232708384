//! Creating and pushing release tags: never over an existing tag, locally or on the remote.

use crate::git_support;

use git_support::TestRepo;
use shipdeck::git::{GitError, Repo, config_user_email, push_tag};

/// A repository with two commits and a bare `origin` that has `main`.
fn with_origin() -> (TestRepo, tempfile::TempDir, String, String) {
    let repo = TestRepo::new();
    repo.git(&["commit", "-q", "--allow-empty", "-m", "one"]);
    let one = repo.rev("HEAD");
    repo.git(&["commit", "-q", "--allow-empty", "-m", "two"]);
    let two = repo.rev("HEAD");
    let remote = tempfile::tempdir().expect("temp dir");
    repo.git(&[
        "init",
        "-q",
        "--bare",
        remote.path().to_str().expect("utf-8 path"),
    ]);
    repo.git(&[
        "remote",
        "add",
        "origin",
        remote.path().to_str().expect("utf-8 path"),
    ]);
    repo.git(&["push", "-q", "origin", "main"]);
    (repo, remote, one, two)
}

fn remote_tag(repo: &TestRepo, tag: &str) -> String {
    repo.git(&["ls-remote", "origin", &format!("refs/tags/{tag}^{{}}")])
}

#[test]
fn create_tag_makes_an_annotated_tag_on_the_commit() {
    let (repo, _remote, one, _) = with_origin();
    let opened = Repo::open(repo.path()).expect("opens");
    opened
        .create_tag(
            "api-v1.0.0",
            &one,
            "Release api-v1.0.0\n\n- first\n",
            "Rel Ease",
            "rel@example.com",
        )
        .expect("creates");
    assert_eq!(repo.git(&["cat-file", "-t", "api-v1.0.0"]).trim(), "tag");
    assert_eq!(repo.rev("api-v1.0.0"), one);
    let shown = repo.git(&[
        "for-each-ref",
        "refs/tags/api-v1.0.0",
        "--format=%(taggername) %(taggeremail)|%(contents)",
    ]);
    assert_eq!(
        shown.trim_end(),
        "Rel Ease <rel@example.com>|Release api-v1.0.0\n\n- first"
    );
}

#[test]
fn create_tag_refuses_an_existing_tag_wherever_it_points() {
    let (repo, _remote, one, two) = with_origin();
    repo.git(&["tag", "api-v1.0.0", &one]);
    let opened = Repo::open(repo.path()).expect("opens");
    for commit in [&one, &two] {
        let err = opened
            .create_tag("api-v1.0.0", commit, "again", "R", "r@example.com")
            .expect_err("refused");
        assert_eq!(
            err,
            GitError::TagExists {
                tag: "api-v1.0.0".into(),
                commit: one.clone()
            }
        );
        assert!(err.to_string().contains("never moves a tag"));
    }
    assert_eq!(repo.rev("api-v1.0.0"), one);
}

#[test]
fn create_tag_refuses_names_git_or_a_terminal_would_misread() {
    let (repo, _remote, one, _) = with_origin();
    let opened = Repo::open(repo.path()).expect("opens");
    for name in [
        "",
        "has space",
        "-rf",
        "a..b",
        "x\u{1b}[2J",
        "v1\u{202e}",
        "v1^",
    ] {
        assert!(
            matches!(
                opened.create_tag(name, &one, "m", "R", "r@example.com"),
                Err(GitError::InvalidTagName { .. })
            ),
            "{name:?}"
        );
    }
}

#[test]
fn push_tag_pushes_once_and_then_finds_it_already_there() {
    let (repo, _remote, one, _) = with_origin();
    let opened = Repo::open(repo.path()).expect("opens");
    opened
        .create_tag("api-v1.0.0", &one, "Release", "R", "r@example.com")
        .expect("creates");
    push_tag(repo.path(), "origin", "api-v1.0.0", &one).expect("pushes");
    assert!(remote_tag(&repo, "api-v1.0.0").starts_with(&one));
    // Already there at the same commit: succeeds without moving anything.
    push_tag(repo.path(), "origin", "api-v1.0.0", &one).expect("already there");
    assert!(remote_tag(&repo, "api-v1.0.0").starts_with(&one));
}

#[test]
fn push_tag_refuses_when_the_remote_has_the_tag_at_another_commit() {
    let (repo, remote, one, two) = with_origin();
    // Someone else released api-v2.0.0 on `two`, as an annotated tag.
    let other = TestRepo::new();
    other.git(&[
        "fetch",
        "-q",
        remote.path().to_str().expect("utf-8"),
        "main",
    ]);
    other.git(&["tag", "-m", "theirs", "api-v2.0.0", &two]);
    other.git(&[
        "push",
        "-q",
        remote.path().to_str().expect("utf-8"),
        "refs/tags/api-v2.0.0",
    ]);

    let opened = Repo::open(repo.path()).expect("opens");
    opened
        .create_tag("api-v2.0.0", &one, "ours", "R", "r@example.com")
        .expect("creates locally");
    let err = push_tag(repo.path(), "origin", "api-v2.0.0", &one).expect_err("refused");
    assert_eq!(
        err,
        GitError::RemoteTagDiffers {
            remote: "origin".into(),
            tag: "api-v2.0.0".into(),
            remote_commit: two.clone(),
            commit: one.clone(),
        }
    );
    assert!(remote_tag(&repo, "api-v2.0.0").starts_with(&two));
}

#[test]
fn push_tag_shows_gits_error_when_the_remote_is_unreachable() {
    let (repo, _remote, one, _) = with_origin();
    repo.git(&["tag", "api-v1.0.0", &one]);
    let err = push_tag(repo.path(), "no-such-remote", "api-v1.0.0", &one).expect_err("fails");
    let GitError::CommandFailed { command, stderr } = &err else {
        panic!("expected a failed command, got {err:?}");
    };
    assert!(command.starts_with("git ls-remote"), "{command}");
    assert!(stderr.contains("no-such-remote"), "{stderr}");
    assert!(matches!(
        push_tag(repo.path(), "--upload-pack=evil", "api-v1.0.0", &one),
        Err(GitError::InvalidRemote { .. })
    ));
}

#[test]
fn config_user_email_reads_the_repository_config() {
    let repo = TestRepo::new();
    repo.git(&["config", "user.email", "dev@example.com"]);
    std::fs::create_dir(repo.path().join("sub")).expect("mkdir");
    assert_eq!(
        config_user_email(repo.path()).as_deref(),
        Some("dev@example.com")
    );
    assert_eq!(
        config_user_email(&repo.path().join("sub")).as_deref(),
        Some("dev@example.com")
    );
}
