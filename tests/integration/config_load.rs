//! Loading valid configurations: the example, defaults, paths, checklists, discovery, warnings.

use crate::config_support;

use std::path::Path;
use std::time::Duration;

use config_support::{HEAD, load_str, write};
use shipdeck::config::{WEBHOOK_BODY, builtin_checklists, data_dir, discover, load, warnings};
use shipdeck::domain::config::{
    Auth, CheckSpec, DeployerSpec, GateRule, ProbeFormat, ProbeSource, Stage,
};

#[test]
fn the_example_configuration_loads_without_error() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config.example.toml");
    let config = load(&path).unwrap_or_else(|e| panic!("config.example.toml is rejected:\n{e}"));
    assert_eq!(config.project.name, "shop");
    let names: Vec<&str> = config
        .environments
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["dev", "staging", "prod"]);
    let prod = config.environment("prod").expect("prod");
    assert!(prod.protected);
    let kinds: Vec<&str> = prod.gates.iter().map(|g| g.rule.kind()).collect();
    assert_eq!(
        kinds,
        [
            "soak",
            "approval",
            "checklist",
            "freeze",
            "window",
            "check",
            "check",
            "ancestor"
        ]
    );
    let ids: Vec<&str> = prod.gates.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids[5..7], ["ci", "smoke"]);
    assert_eq!(config.freezes.len(), 1);
    assert_eq!(config.services.len(), 2);
    let web = config.service("web").expect("web");
    assert!(matches!(
        web.deployer_for("dev"),
        Some(DeployerSpec::Command(_))
    ));
    assert!(matches!(web.deployer_for("prod"), Some(DeployerSpec::Http(h)) if !h.preset_webhook));
}

#[test]
fn defaults_fill_what_is_not_written() {
    let w = write(&format!(
        "{HEAD}gates = [{{ kind = \"approval\" }}, {{ kind = \"check\", http = \"https://ci/{{{{commit}}}}\", pointer = \"/state\", equals = \"success\" }}]\n\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\nhealth = \"http://{{{{env}}}}.internal/health\"\ndeploy = {{ kind = \"webhook\", url = \"https://deploy/{{{{env}}}}\" }}\n"
    ));
    let config = load(&w.path).expect("loads");
    assert_eq!(config.project.verify_timeout, Duration::from_mins(5));
    assert_eq!(config.project.probe_interval, Duration::from_secs(10));
    let canonical = std::fs::canonicalize(&w.path).expect("canonical path");
    assert_eq!(config.path, canonical);
    let hash = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(canonical.to_string_lossy().as_bytes()))
    };
    assert_eq!(
        config.project.state_dir,
        data_dir()
            .join("projects")
            .join(format!("shop-{}", &hash[..12]))
    );
    let gates = &config.environment("prod").expect("prod").gates;
    assert_eq!(
        gates[0].rule,
        GateRule::Approval {
            count: 1,
            from: vec![],
            signed: false
        }
    );
    assert!(matches!(
        &gates[1].rule,
        GateRule::Check(CheckSpec::Http { timeout, .. }) if *timeout == Duration::from_secs(10)
    ));
    let api = config.service("api").expect("api");
    let probe = api.probe_for("dev").expect("probe");
    assert_eq!(probe.format, ProbeFormat::Auto);
    assert_eq!(probe.timeout, Duration::from_secs(5));
    let Some(DeployerSpec::Http(hook)) = api.deployer_for("prod") else {
        panic!("webhook is an http preset");
    };
    assert!(hook.preset_webhook);
    assert_eq!(hook.method, "POST");
    assert_eq!(hook.body.as_deref(), Some(WEBHOOK_BODY));
    assert_eq!(
        hook.headers,
        [("Content-Type".to_string(), "application/json".to_string())]
    );
    assert_eq!(hook.sign_secret, None);
    assert_eq!(hook.timeout, Duration::from_secs(30));
    assert!(WEBHOOK_BODY.contains(r#""approvals":{{approvals_json}}}"#));
}

#[test]
fn relative_paths_resolve_against_the_config_directory() {
    let w = write(
        r#"[project]
name = "shop"
state_dir = ".shipdeck"

[[environments]]
name = "dev"

[[environments]]
name = "prod"
gates = [{ kind = "check", command = ["./scripts/smoke.sh", "{{version}}"] }]

[[services]]
name = "web"
repo = "../web"
tags = "web-v*"
deploy = { kind = "command", command = ["bin/deploy", "{{env}}"] }
health = { command = ["kubectl", "get"] }
"#,
    );
    let config = load(&w.path).expect("loads");
    let dir = std::fs::canonicalize(w.dir.path()).expect("canonical dir");
    assert_eq!(config.dir, dir);
    assert_eq!(config.project.state_dir, dir.join(".shipdeck"));
    let web = config.service("web").expect("web");
    assert_eq!(web.repo, dir.join("../web"));
    assert_eq!(
        config.service("web").map(|s| s.repo.ends_with("web")),
        Some(true)
    );
    let Some(DeployerSpec::Command(c)) = web.deployer_for("dev") else {
        panic!("command deployer");
    };
    assert_eq!(c.argv[0], dir.join("bin/deploy").to_string_lossy());
    assert_eq!(c.timeout, Duration::from_mins(10));
    let Some(ProbeSource::Command { argv }) = web.probe_for("dev").map(|p| &p.source) else {
        panic!("command probe");
    };
    assert_eq!(argv[0], "kubectl", "bare names stay for PATH");
    let GateRule::Check(CheckSpec::Command { argv, .. }) =
        &config.environment("prod").expect("prod").gates[0].rule
    else {
        panic!("command check");
    };
    assert_eq!(argv[0], dir.join("scripts/smoke.sh").to_string_lossy());
}

#[test]
fn a_user_checklist_replaces_the_builtin_of_the_same_name() {
    let config = load_str(&format!(
        "{HEAD}gates = [{{ kind = \"checklist\", name = \"production-release\" }}]\n\n[checklists.production-release]\nitems = [{{ id = \"only\", title = \"The only task\", stage = \"after\", required = false }}]\n"
    ))
    .expect("loads");
    let list = &config.checklists["production-release"];
    assert_eq!(list.items.len(), 1);
    assert_eq!(list.items[0].id, "only");
    assert_eq!(list.items[0].stage, Stage::After);
    assert!(!list.items[0].required);
    assert_eq!(builtin_checklists()["production-release"].items.len(), 10);
}

#[test]
fn the_builtin_checklist_is_there_when_not_replaced() {
    let config = load_str(HEAD).expect("loads");
    assert_eq!(config.checklists["production-release"].items.len(), 10);
}

#[test]
fn discover_prefers_explicit_then_the_nearest_ancestor() {
    let root = tempfile::tempdir().expect("temp dir");
    let deep = root.path().join("a/b/c");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(root.path().join("shipdeck.toml"), HEAD).expect("write root");
    std::fs::write(root.path().join("a/shipdeck.toml"), HEAD).expect("write a");
    assert_eq!(
        discover(None, &deep).expect("found"),
        root.path().join("a/shipdeck.toml")
    );
    assert_eq!(
        discover(None, root.path()).expect("found"),
        root.path().join("shipdeck.toml")
    );
    let explicit = root.path().join("other.toml");
    std::fs::write(&explicit, HEAD).expect("write other");
    assert_eq!(
        discover(Some(Path::new("other.toml")), root.path()).expect("explicit"),
        explicit
    );
    let err = discover(Some(Path::new("missing.toml")), root.path()).expect_err("missing");
    assert!(
        err.to_string().contains("shipdeck demo serve --dir DIR"),
        "{err}"
    );
}

#[test]
fn discover_without_any_file_says_how_to_get_one() {
    let root = tempfile::tempdir().expect("temp dir");
    match discover(None, root.path()) {
        Err(err) => {
            let text = err.to_string();
            assert!(text.contains("no shipdeck.toml in"), "{text}");
            assert!(text.contains("shipdeck demo serve --dir DIR"), "{text}");
            assert!(text.contains("config.example.toml"), "{text}");
        }
        // A file above the temp dir or in the user config dir is outside this test's control.
        Ok(found) => assert!(!found.starts_with(root.path()), "{}", found.display()),
    }
}

#[test]
fn warnings_name_unset_secrets_and_missing_commands_without_failing() {
    let config = load_str(&format!(
        "{HEAD}gates = [{{ kind = \"check\", command = [\"./scripts/missing.sh\"] }}]\n\n[[services]]\nname = \"api\"\nrepo = \".\"\ntags = \"api-v*\"\ndeploy = {{ kind = \"http\", url = \"https://x/deploy\", auth = {{ bearer_env = \"SHIPDECK_TEST_UNSET_7F3A\" }} }}\nhealth = {{ command = [\"/bin/sh\", \"-c\", \"true\"] }}\n\n[services.env.dev]\ndeploy = {{ kind = \"command\", command = [\"shipdeck-no-such-command-9c1\"] }}\n"
    ))
    .expect("warnings do not fail loading");
    let found = warnings(&config);
    assert_eq!(found.len(), 3, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|w| w.contains("./scripts/missing.sh") || w.contains("scripts/missing.sh"))
    );
    assert!(
        found
            .iter()
            .any(|w| w.contains("`SHIPDECK_TEST_UNSET_7F3A`") && w.contains("is not set"))
    );
    assert!(
        found
            .iter()
            .any(|w| w.contains("`shipdeck-no-such-command-9c1`") && w.contains("PATH"))
    );
    let Some(DeployerSpec::Http(h)) = config.service("api").and_then(|s| s.deployer_for("prod"))
    else {
        panic!("http deployer");
    };
    assert!(matches!(&h.auth, Some(Auth::Bearer(s)) if s.0 == "SHIPDECK_TEST_UNSET_7F3A"));
}
