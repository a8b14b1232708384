//! `deploy = { kind = "git", … }` in `shipdeck.toml`: defaults, the clones' place under the state
//! dir, and the mistakes `check` names.

use shipdeck::config::load;
use shipdeck::domain::config::DeployerSpec;

fn write(deploy: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shipdeck.toml");
    std::fs::write(
        &path,
        format!(
            "[project]\nname = \"shop\"\nstate_dir = \"state\"\n\n[[environments]]\nname = \"prod\"\n\n\
             [[services]]\nname = \"web\"\nrepo = \".\"\ntags = \"web-v*\"\ndeploy = {deploy}\n"
        ),
    )
    .expect("config written");
    (dir, path)
}

#[test]
fn a_git_deployer_loads_with_its_defaults() {
    let (dir, path) = write(
        r#"{ kind = "git", repo = "../deploy-config", file = "envs/{{env}}/web/values.yaml", key = "image.tag" }"#,
    );
    let config = load(&path).expect("loads");
    let Some(DeployerSpec::Git(g)) = &config.services[0].deploy else {
        panic!("a git deployer");
    };
    assert_eq!(g.branch, "main");
    assert_eq!(g.value, "{{version}}");
    assert_eq!(g.message, "deploy {{service}} {{release}} to {{env}}");
    assert_eq!(g.clones, dir.path().join("state").join("gitops"));
    assert_eq!(
        config.services[0].deploy.as_ref().map(DeployerSpec::kind),
        Some("git")
    );
}

#[test]
fn mistakes_are_named_with_their_keys() {
    let cases = [
        (
            r#"{ kind = "git", repo = "x", file = "values.ini", key = "a" }"#,
            "services[0].deploy.file",
        ),
        (
            r#"{ kind = "git", repo = "x", file = "../values.yaml", key = "a" }"#,
            "services[0].deploy.file",
        ),
        (
            r#"{ kind = "git", repo = "x", file = "v.yaml", key = "a..b" }"#,
            "services[0].deploy.key",
        ),
        (
            r#"{ kind = "git", repo = "x", file = "v.yaml", key = "a", value = "{{nope}}" }"#,
            "services[0].deploy.value",
        ),
        (
            r#"{ kind = "git", repo = "x", file = "v.yaml" }"#,
            "services[0].deploy.key",
        ),
        (
            r#"{ kind = "git", repo = "x", file = "v.yaml", key = "a", brnach = "main" }"#,
            "did you mean `branch`?",
        ),
    ];
    for (deploy, expected) in cases {
        let (_dir, path) = write(deploy);
        let err = load(&path).expect_err(deploy).to_string();
        assert!(err.contains(expected), "{deploy}: {err}");
    }
}
