//! `shipdeck promote` through the binary with a `git` (GitOps) deployer: the commit lands in a
//! bare repository served by `git daemon` on loopback, authored by the actor; the target's probe
//! (a loopback HTTP server reporting the version the config repository's branch names, as Argo CD
//! or Flux would deploy it) verifies it; `log` shows the deployment. And a configuration that is
//! not trusted cannot make the deployer's git run programs: no `ext::` remote, no option for a
//! repository, no hooks of a config repository on this machine.

use crate::common::{bin, repo_with_releases, stderr, stdout};
use crate::git_support::TestRepo;
use crate::git_support::daemon::{Daemon, bare_git};

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::extract::{Path as UrlPath, State};
use axum::routing::get;

const USER: &str = "dana@shop.example";
const VALUES: &str = "# api in dev: Argo CD syncs this file\nreplicas: 1\nimage:\n  repository: ghcr.io/shop/api   # the registry\n  tag: 1.0.0   # written by shipdeck\n";

/// What the health server knows: the bare repository it reads, and how often it was asked.
#[derive(Clone)]
struct Cluster {
    bare: PathBuf,
    asked: Arc<AtomicUsize>,
}

/// The version `envs/ENV/api/values.yaml` names on the config repository's `main`: what a
/// GitOps engine would have rolled out.
fn deployed_version(bare: &Path, env: &str) -> Option<String> {
    version_of(bare, env, "api")
}

/// The version `envs/ENV/SERVICE/values.yaml` names on `main`.
fn version_of(bare: &Path, env: &str, service: &str) -> Option<String> {
    let text = bare_git(
        bare,
        &["show", &format!("main:envs/{env}/{service}/values.yaml")],
    );
    text.lines()
        .find_map(|l| l.trim().strip_prefix("tag:"))
        .and_then(|rest| rest.split('#').next())
        .map(|v| v.trim().to_string())
}

async fn health(
    State(cluster): State<Cluster>,
    UrlPath((env, service)): UrlPath<(String, String)>,
) -> String {
    cluster.asked.fetch_add(1, Ordering::SeqCst);
    let bare = cluster.bare.clone();
    let version = tokio::task::spawn_blocking(move || version_of(&bare, &env, &service))
        .await
        .expect("the read finishes")
        .unwrap_or_default();
    serde_json::json!({ "status": "pass", "version": version }).to_string()
}

/// Serves `GET /ENV/SERVICE/health` from the config repository.
async fn start_health(bare: &Path) -> (SocketAddr, Arc<AtomicUsize>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let cluster = Cluster {
        bare: bare.to_path_buf(),
        asked: asked.clone(),
    };
    let app = axum::Router::new()
        .route("/{env}/{service}/health", get(health))
        .with_state(cluster);
    (crate::probe_support::serve(app).await, asked)
}

/// The project: `api` released as api-v1.0.0 … 1.2.0, one environment `dev` deployed by `deploy`.
fn project(dir: &Path, health: &str, deploy: &str) {
    repo_with_releases(dir, &[(1, "1.0.0"), (3, "1.1.0"), (5, "1.2.0")], 6);
    std::fs::write(
        dir.join("shipdeck.toml"),
        format!(
            r#"[project]
name = "gitops"
state_dir = ".shipdeck"

[[environments]]
name = "dev"

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
health = "{health}"
deploy = {deploy}
verify_timeout = "30s"
"#
        ),
    )
    .expect("config");
}

/// `shipdeck ARGS` in `dir` as [`USER`], with `gitconfig` as the user's global git config.
async fn run(dir: &Path, gitconfig: &Path, args: &[&str]) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", USER)
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("GIT_CONFIG_GLOBAL", gitconfig)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1");
    tokio::task::spawn_blocking(move || cmd.output().expect("shipdeck runs"))
        .await
        .expect("shipdeck finishes")
}

fn changed_lines(diff: &str) -> Vec<&str> {
    diff.lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn promote_commits_as_the_actor_and_the_probe_verifies_what_the_repository_names() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let daemon = Daemon::start();
    let file = "envs/dev/api/values.yaml";
    let bare = daemon.repo("deploy-config.git", &[(file, VALUES)]);
    let before = bare_git(&bare, &["rev-parse", "main"]);
    let (addr, asked) = start_health(&bare).await;
    let gitconfig = d.join("gitconfig");
    std::fs::write(&gitconfig, "").expect("an empty global git config");
    project(
        d,
        &format!("http://{addr}/{{{{env}}}}/api/health"),
        &format!(
            "{{ kind = \"git\", repo = \"{}\", file = \"envs/{{{{env}}}}/api/values.yaml\", \
             key = \"image.tag\", message = \"deploy {{{{service}}}} {{{{release}}}} to {{{{env}}}} for {{{{actor}}}}\" }}",
            daemon.url("deploy-config.git")
        ),
    );

    let plan = run(d, &gitconfig, &["plan", "api", "api-v1.2.0", "--to", "dev"]).await;
    assert!(
        stdout(&plan).contains("envs/dev/api/values.yaml image.tag = 1.2.0"),
        "plan describes the write: {}{}",
        stdout(&plan),
        stderr(&plan)
    );
    assert_eq!(
        bare_git(&bare, &["rev-parse", "main"]),
        before,
        "plan pushes nothing"
    );

    let out = run(
        d,
        &gitconfig,
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("is live in dev and healthy"),
        "{}",
        stdout(&out)
    );

    // One commit on main, by the actor, with the template's message, changing the one value.
    let head = bare_git(&bare, &["log", "-1", "--format=%an|%ae|%s", "main"]);
    assert_eq!(
        head.trim(),
        format!("{USER}|{USER}|deploy api api-v1.2.0 to dev for {USER}")
    );
    assert_eq!(bare_git(&bare, &["rev-parse", "main~1"]), before);
    let diff = bare_git(&bare, &["diff", "--unified=0", "main~1", "main"]);
    assert_eq!(
        changed_lines(&diff),
        [
            "-  tag: 1.0.0   # written by shipdeck",
            "+  tag: 1.2.0   # written by shipdeck"
        ]
    );

    // Verified by the target's probe: the health server was asked, and now reports 1.2.0.
    assert!(asked.load(Ordering::SeqCst) > 0, "the probe was asked");
    let status = run(d, &gitconfig, &["status", "--json"]).await;
    let board: serde_json::Value = serde_json::from_str(&stdout(&status)).expect("json");
    assert_eq!(board["services"][0]["targets"][0]["release"], "api-v1.2.0");
    assert_eq!(board["services"][0]["targets"][0]["health"], "pass");

    // `log` shows the deployment: requested, accepted (pushed), succeeded.
    let log = run(d, &gitconfig, &["log", "--json", "--service", "api"]).await;
    assert_eq!(log.status.code(), Some(0), "{}", stderr(&log));
    let kinds: Vec<String> = stdout(&log)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("an event");
            assert_eq!(v["release"], "api-v1.2.0", "{l}");
            v["kind"].as_str().expect("kind").to_string()
        })
        .collect();
    assert_eq!(
        kinds,
        ["deploy-requested", "deploy-accepted", "deploy-succeeded"]
    );
    let text = run(d, &gitconfig, &["log"]).await;
    assert!(
        stdout(&text).contains("api-v1.2.0") && stdout(&text).contains("dev"),
        "{}",
        stdout(&text)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_configuration_cannot_make_the_deployers_git_run_programs() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    // The user's own git allows every transport: shipdeck itself must refuse `ext::`.
    let gitconfig = d.join("gitconfig");
    std::fs::write(&gitconfig, "[protocol]\n\tallow = always\n").expect("global git config");
    let marker = d.join("ran");
    let cases = [
        format!("ext::sh -c touch% {}", marker.display()),
        format!("--upload-pack=touch {}", marker.display()),
        format!("-u touch {}", marker.display()),
        "fd::3".to_string(),
    ];
    project(
        d,
        "http://127.0.0.1:9/health",
        "{ kind = \"command\", command = [\"true\"] }",
    );
    for repo in &cases {
        let config = std::fs::read_to_string(d.join("shipdeck.toml")).expect("config");
        let start = config.find("deploy = ").expect("a deploy line");
        let end = start + config[start..].find('\n').expect("its end");
        let deploy = format!(
            "deploy = {{ kind = \"git\", repo = {}, file = \"values.yaml\", key = \"image.tag\" }}",
            toml::Value::String(repo.clone())
        );
        std::fs::write(
            d.join("shipdeck.toml"),
            format!("{}{deploy}{}", &config[..start], &config[end..]),
        )
        .expect("config");
        let out = run(
            d,
            &gitconfig,
            &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
        )
        .await;
        assert_ne!(out.status.code(), Some(0), "{repo}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("not a usable repository")
                || stderr(&out).contains("runs a program"),
            "{repo}: {}",
            stderr(&out)
        );
        assert!(!marker.exists(), "{repo} ran a program");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_config_repository_on_this_machine_runs_no_hooks_of_its_own_unless_trusted() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let gitconfig = d.join("gitconfig");
    std::fs::write(&gitconfig, "").expect("global git config");
    // A bare config repository next to the configuration, shipped with a hook.
    let daemon = Daemon::start();
    let file = "envs/dev/api/values.yaml";
    let shipped = daemon.repo("shipped.git", &[(file, VALUES)]);
    let bare = d.join("config.git");
    let copied = Command::new("cp")
        .arg("-r")
        .arg(&shipped)
        .arg(&bare)
        .status()
        .expect("cp runs");
    assert!(copied.success());
    let marker = d.join("hook-ran");
    let hook = bare.join("hooks/post-receive");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", marker.display())).expect("hook");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let (addr, _) = start_health(&bare).await;
    project(
        d,
        &format!("http://{addr}/{{{{env}}}}/api/health"),
        "{ kind = \"git\", repo = \"config.git\", file = \"envs/{{env}}/api/values.yaml\", key = \"image.tag\" }",
    );

    let out = run(
        d,
        &gitconfig,
        &["promote", "api", "api-v1.1.0", "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(deployed_version(&bare, "dev").as_deref(), Some("1.1.0"));
    assert!(!marker.exists(), "the config repository's own hook ran");

    // Trusted (`shipdeck trust`): the repository is the user's to vouch for, its hooks run.
    let trust = run(d, &gitconfig, &["trust"]).await;
    assert_eq!(trust.status.code(), Some(0), "{}", stderr(&trust));
    let out = run(
        d,
        &gitconfig,
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert_eq!(deployed_version(&bare, "dev").as_deref(), Some("1.2.0"));
    assert!(
        marker.exists(),
        "a trusted configuration's repository keeps its hooks"
    );
}

/// The project above with its git deployer writing `envs/{{env}}/api/values.yaml` of `url`.
fn gitops_project(dir: &Path, health: SocketAddr, url: &str) {
    project(
        dir,
        &format!("http://{health}/{{{{env}}}}/api/health"),
        &format!(
            "{{ kind = \"git\", repo = \"{url}\", file = \"envs/{{{{env}}}}/api/values.yaml\", \
             key = \"image.tag\" }}"
        ),
    );
}

fn the_clone(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir.join(".shipdeck/gitops"))
        .expect("the clones' directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("the deployer's clone")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_that_loses_the_race_is_reapplied_on_top_and_the_users_own_hooks_run() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let daemon = Daemon::start();
    let file = "envs/dev/api/values.yaml";
    let bare = daemon.repo("race.git", &[(file, VALUES)]);
    let (addr, _) = start_health(&bare).await;
    gitops_project(d, addr, &daemon.url("race.git"));

    // Someone else's commit (replicas: 5), pushed by the user's own pre-push hook (their global
    // `core.hooksPath`) the first time the deployer pushes: between its fetch and its push, as a
    // real race would.
    let other = TestRepo::new();
    other.git(&["remote", "add", "origin", &daemon.url("race.git")]);
    other.git(&["fetch", "-q", "origin", "main"]);
    other.git(&["checkout", "-q", "-b", "main", "origin/main"]);
    let text = std::fs::read_to_string(other.path().join(file)).expect("file");
    std::fs::write(
        other.path().join(file),
        text.replace("replicas: 1", "replicas: 5"),
    )
    .expect("write");
    other.git(&["commit", "-q", "-am", "scale api"]);
    let hooks = d.join("hooks");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    let mark = d.join("pushed");
    let hook = hooks.join("pre-push");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\nunset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\nif [ ! -e '{mark}' ]; then touch '{mark}'; git -C '{dir}' -c core.hooksPath=/dev/null push -q origin main || exit 1; fi\nexit 0\n",
            mark = mark.display(),
            dir = other.path().display()
        ),
    )
    .expect("hook");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let gitconfig = d.join("gitconfig");
    std::fs::write(
        &gitconfig,
        format!("[core]\n\thooksPath = {}\n", hooks.display()),
    )
    .expect("global git config");

    let out = run(
        d,
        &gitconfig,
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        mark.exists(),
        "the user's hook ran and the other push happened"
    );
    assert!(
        stdout(&out).contains("someone else pushed") && stdout(&out).contains("healthy"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        bare_git(&bare, &["show", &format!("main:{file}")]),
        VALUES
            .replace("replicas: 1", "replicas: 5")
            .replace("tag: 1.0.0 ", "tag: 1.2.0 ")
    );
    let log = bare_git(&bare, &["log", "--format=%s", "main"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        ["deploy api api-v1.2.0 to dev", "scale api", "config"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clone_planted_under_the_state_dir_is_cloned_again_before_it_runs_anything() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let gitconfig = d.join("gitconfig");
    std::fs::write(&gitconfig, "").expect("global git config");
    let daemon = Daemon::start();
    let bare = daemon.repo("planted.git", &[("envs/dev/api/values.yaml", VALUES)]);
    let (addr, _) = start_health(&bare).await;
    gitops_project(d, addr, &daemon.url("planted.git"));
    let out = run(
        d,
        &gitconfig,
        &["promote", "api", "api-v1.1.0", "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );

    // What a configuration that is not the user's could leave where its state dir points: a
    // clone whose settings and hooks run programs on the next checkout.
    let clone = the_clone(d);
    let fsmonitor = d.join("fsmonitor-ran");
    let hooked = d.join("hook-ran");
    let config = std::fs::read_to_string(clone.join(".git/config")).expect("config");
    let config = format!(
        "{config}[core]\n\tfsmonitor = touch '{}'\n",
        fsmonitor.display()
    );
    std::fs::write(clone.join(".git/config"), config).expect("plant a setting");
    let hook = clone.join(".git/hooks/post-checkout");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", hooked.display())).expect("hook");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let out = run(
        d,
        &gitconfig,
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("core.fsmonitor") && stdout(&out).contains("cloning again"),
        "{}",
        stdout(&out)
    );
    assert!(
        !fsmonitor.exists() && !hooked.exists(),
        "a planted program ran"
    );
    assert_eq!(deployed_version(&bare, "dev").as_deref(), Some("1.2.0"));

    // Only the hook, this time (settings as git wrote them): cloned again too.
    let hook = the_clone(d).join(".git/hooks/post-checkout");
    std::fs::write(&hook, format!("#!/bin/sh\ntouch '{}'\n", hooked.display())).expect("hook");
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = run(d, &gitconfig, &["rollback", "api", "--env", "dev", "--yes"]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(stdout(&out).contains("`post-checkout`"), "{}", stdout(&out));
    assert!(!hooked.exists(), "the planted hook ran");
    assert_eq!(deployed_version(&bare, "dev").as_deref(), Some("1.1.0"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_train_through_one_config_repository_is_one_commit_per_member_each_verified_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    let gitconfig = d.join("gitconfig");
    std::fs::write(&gitconfig, "").expect("global git config");
    let daemon = Daemon::start();
    let web_values = VALUES.replace("api", "web");
    let bare = daemon.repo(
        "shop-config.git",
        &[
            ("envs/dev/api/values.yaml", VALUES),
            ("envs/dev/web/values.yaml", web_values.as_str()),
        ],
    );
    let (addr, _) = start_health(&bare).await;
    let deploy = format!(
        "{{ kind = \"git\", repo = \"{}\", file = \"envs/{{{{env}}}}/{{{{service}}}}/values.yaml\", \
         key = \"image.tag\" }}",
        daemon.url("shop-config.git")
    );
    project(
        d,
        &format!("http://{addr}/{{{{env}}}}/{{{{service}}}}/health"),
        &deploy,
    );
    crate::common::git(
        &d.join("repo"),
        &["tag", "-a", "web-v1.1.0", "-m", "web 1.1.0"],
    );
    let config = std::fs::read_to_string(d.join("shipdeck.toml")).expect("config");
    std::fs::write(
        d.join("shipdeck.toml"),
        format!(
            "{config}\n[[services]]\nname = \"web\"\nrepo = \"repo\"\ntags = \"web-v*\"\n\
             health = \"http://{addr}/{{{{env}}}}/{{{{service}}}}/health\"\ndeploy = {deploy}\n\
             verify_timeout = \"30s\"\n\n[[trains]]\nname = \"shop\"\nservices = [\"api\", \"web\"]\n"
        ),
    )
    .expect("config with a train");

    let cut = run(
        d,
        &gitconfig,
        &[
            "train",
            "cut",
            "shop",
            "--releases",
            "api=api-v1.2.0,web=web-v1.1.0",
            "--json",
        ],
    )
    .await;
    assert_eq!(cut.status.code(), Some(0), "{}", stderr(&cut));
    let cut: serde_json::Value = serde_json::from_str(&stdout(&cut)).expect("cut JSON");
    let name = cut["release"].as_str().expect("its name").to_string();
    let out = run(
        d,
        &gitconfig,
        &["train", "promote", "shop", &name, "--to", "dev", "--yes"],
    )
    .await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );

    // One commit per member, in the train's order.
    let log = bare_git(&bare, &["log", "--format=%s", "main"]);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        [
            "deploy web web-v1.1.0 to dev",
            "deploy api api-v1.2.0 to dev",
            "config"
        ]
    );
    assert_eq!(version_of(&bare, "dev", "api").as_deref(), Some("1.2.0"));
    assert_eq!(version_of(&bare, "dev", "web").as_deref(), Some("1.1.0"));
    // api verified (its probe saw what its commit named) before web's commit was asked for.
    let events = run(d, &gitconfig, &["log", "--json"]).await;
    let deploys: Vec<String> = stdout(&events)
        .lines()
        .filter_map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("an event");
            let kind = v["kind"].as_str()?.to_string();
            kind.starts_with("deploy-")
                .then(|| format!("{} {kind}", v["service"].as_str().unwrap_or("?")))
        })
        .collect();
    assert_eq!(
        deploys,
        [
            "api deploy-requested",
            "api deploy-accepted",
            "api deploy-succeeded",
            "web deploy-requested",
            "web deploy-accepted",
            "web deploy-succeeded"
        ]
    );
}
