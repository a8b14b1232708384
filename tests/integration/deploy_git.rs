//! The `git` (GitOps) deployer against a real bare repository served by `git daemon` on loopback:
//! the commit changes exactly the one value, is authored by the actor with the message template,
//! the same value commits nothing, and a missing file or key fails naming both with nothing
//! pushed. YAML, JSON and TOML. (The race with someone else's push, through the binary and the
//! user's own hooks, is in cli_gitops.rs.)

use crate::{deploy_support, git_support};

use std::path::Path;
use std::time::Duration;

use shipdeck::deploy::{call, describe};
use shipdeck::domain::config::{DeployerSpec, GitDeployer};
use tokio::sync::mpsc::unbounded_channel;

use deploy_support::request;
use git_support::TestRepo;
use git_support::daemon::{Daemon, bare_git};

fn git_spec(url: &str, file: &str, key: &str, clones: &Path) -> DeployerSpec {
    DeployerSpec::Git(GitDeployer {
        repo: url.to_string(),
        branch: "main".into(),
        file: file.into(),
        key: key.into(),
        value: "{{version}}".into(),
        message: "deploy {{service}} {{release}} to {{env}}".into(),
        timeout: Duration::from_secs(30),
        clones: clones.to_path_buf(),
    })
}

const VALUES: &str = "# api in prod: Argo CD watches this file\nreplicas: 3\nimage:\n  repository: ghcr.io/shop/api   # the registry\n  tag: 1.4.1   # written by shipdeck\nresources:\n  limits: {cpu: 500m}\n";

async fn deploy(
    spec: &DeployerSpec,
    version: &str,
    workdir: &Path,
) -> Result<(String, Vec<String>), String> {
    let (tx, mut rx) = unbounded_channel();
    let req = request(version, workdir.to_path_buf());
    let out = call(spec, &req, false, tx)
        .await
        .map_err(|e| e.to_string())?;
    let mut lines = Vec::new();
    while let Ok(line) = rx.try_recv() {
        lines.push(line);
    }
    Ok((out.detail, lines))
}

#[tokio::test]
async fn yaml_promote_commits_exactly_the_value_as_the_actor() {
    let daemon = Daemon::start();
    let file = "envs/prod/api/values.yaml";
    let bare = daemon.repo("config.git", &[(file, VALUES), ("README.md", "config\n")]);
    let clones = tempfile::tempdir().expect("temp dir");
    let spec = git_spec(&daemon.url("config.git"), file, "image.tag", clones.path());

    let shown = describe(&spec, &request("1.4.2", clones.path().to_path_buf())).expect("describe");
    assert!(
        shown.contains(file) && shown.contains("image.tag = 1.4.2"),
        "{shown}"
    );

    let (detail, _) = deploy(&spec, "1.4.2", clones.path()).await.expect("pushed");
    assert!(detail.starts_with("pushed "), "{detail}");
    let written = bare_git(&bare, &["show", &format!("main:{file}")]);
    assert_eq!(written, VALUES.replace("tag: 1.4.1 ", "tag: 1.4.2 "));
    let diff = bare_git(&bare, &["diff", "--unified=0", "main~1", "main"]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        [
            "-  tag: 1.4.1   # written by shipdeck",
            "+  tag: 1.4.2   # written by shipdeck"
        ]
    );
    let head = bare_git(&bare, &["log", "-1", "--format=%an|%ae|%s", "main"]);
    assert_eq!(
        head.trim(),
        "alice@example.com|alice@example.com|deploy api api-v1.4.2 to prod"
    );

    // The same value again: nothing committed, and said so.
    let before = bare_git(&bare, &["rev-parse", "main"]);
    let (detail, _) = deploy(&spec, "1.4.2", clones.path())
        .await
        .expect("accepted");
    assert!(detail.contains("nothing committed"), "{detail}");
    assert_eq!(bare_git(&bare, &["rev-parse", "main"]), before);
}

#[tokio::test]
async fn a_missing_key_or_file_is_named_and_nothing_is_pushed() {
    let daemon = Daemon::start();
    let file = "envs/prod/api/values.yaml";
    let bare = daemon.repo("missing.git", &[(file, VALUES)]);
    let before = bare_git(&bare, &["rev-parse", "main"]);
    let clones = tempfile::tempdir().expect("temp dir");

    let wrong_key = git_spec(
        &daemon.url("missing.git"),
        file,
        "image.digest",
        clones.path(),
    );
    let err = deploy(&wrong_key, "1.4.2", clones.path())
        .await
        .expect_err("no such key");
    assert!(
        err.contains(file) && err.contains("image.digest") && err.contains("nothing was committed"),
        "{err}"
    );

    let wrong_file = git_spec(
        &daemon.url("missing.git"),
        "envs/prod/web/values.yaml",
        "image.tag",
        clones.path(),
    );
    let err = deploy(&wrong_file, "1.4.2", clones.path())
        .await
        .expect_err("no such file");
    assert!(
        err.contains("envs/prod/web/values.yaml") && err.contains("image.tag"),
        "{err}"
    );

    assert_eq!(bare_git(&bare, &["rev-parse", "main"]), before);
}

#[tokio::test]
async fn json_and_toml_files_change_by_the_one_value() {
    let daemon = Daemon::start();
    let json = "{\n  // api in prod\n  \"image\": {\n    \"repository\": \"shop/api\",\n    \"tag\": \"1.4.1\"\n  },\n  \"replicas\": 3\n}\n";
    let toml = "# api in prod\n[image]\nrepository = \"shop/api\"  # registry\ntag = \"1.4.1\"            # written by shipdeck\n\n[scale]\nreplicas = 3\n";
    let bare = daemon.repo(
        "formats.git",
        &[("prod/api.json", json), ("prod/api.toml", toml)],
    );
    let clones = tempfile::tempdir().expect("temp dir");
    let url = daemon.url("formats.git");

    for (file, text) in [("prod/api.json", json), ("prod/api.toml", toml)] {
        let spec = git_spec(&url, file, "image.tag", clones.path());
        let (detail, _) = deploy(&spec, "1.4.2", clones.path()).await.expect("pushed");
        assert!(detail.starts_with("pushed "), "{detail}");
        let written = bare_git(&bare, &["show", &format!("main:{file}")]);
        assert_eq!(written, text.replace("\"1.4.1\"", "\"1.4.2\""), "{file}");
        let (detail, _) = deploy(&spec, "1.4.2", clones.path())
            .await
            .expect("accepted");
        assert!(detail.contains("nothing committed"), "{detail}");
        let missing = git_spec(&url, file, "image.digest", clones.path());
        let err = deploy(&missing, "1.4.3", clones.path())
            .await
            .expect_err("missing key");
        assert!(err.contains(file) && err.contains("image.digest"), "{err}");
    }
    let log = bare_git(&bare, &["log", "--format=%s", "main"]);
    assert_eq!(log.lines().count(), 3, "{log}");
}

#[tokio::test]
async fn a_broken_clone_inside_the_users_checkout_is_cloned_again_and_the_checkout_left_alone() {
    let daemon = Daemon::start();
    let file = "envs/prod/api/values.yaml";
    let bare = daemon.repo("config.git", &[(file, VALUES)]);
    // The user's own checkout, with the state dir inside it (`state_dir = ".shipdeck"`).
    let checkout = TestRepo::new();
    checkout.git(&[
        "remote",
        "add",
        "origin",
        "https://example.com/shop/app.git",
    ]);
    std::fs::write(checkout.path().join("work.txt"), "not committed yet\n").expect("write");
    let clones = checkout.path().join(".shipdeck/gitops");
    let spec = git_spec(&daemon.url("config.git"), file, "image.tag", &clones);
    deploy(&spec, "1.4.2", checkout.path())
        .await
        .expect("first deploy");

    // A clone left half made (its `.git` there but no repository): git must not walk up into
    // the checkout and work there.
    let clone = std::fs::read_dir(&clones)
        .expect("clones")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("the deployer's clone");
    std::fs::remove_dir_all(clone.join(".git")).expect("rm");
    std::fs::create_dir(clone.join(".git")).expect("an empty .git");

    let (detail, lines) = deploy(&spec, "1.4.3", checkout.path())
        .await
        .expect("pushed after cloning again");
    assert!(detail.starts_with("pushed "), "{detail}");
    assert!(lines.iter().any(|l| l.contains("cloning")), "{lines:?}");
    assert!(bare_git(&bare, &["show", &format!("main:{file}")]).contains("tag: 1.4.3 "));
    assert_eq!(
        checkout.git(&["remote", "get-url", "origin"]).trim(),
        "https://example.com/shop/app.git"
    );
    assert_eq!(checkout.git(&["branch", "--list"]), "", "no branch made");
    assert_eq!(
        std::fs::read_to_string(checkout.path().join("work.txt")).expect("still there"),
        "not committed yet\n"
    );
}
