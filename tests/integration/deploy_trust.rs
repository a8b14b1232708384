//! Trusting a configuration that can run commands: keyed by path and content.

use crate::deploy_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use shipdeck::domain::config::{
    CheckSpec, CommandDeployer, Config, DeployerSpec, Environment, Gate, GateRule, HttpDeployer,
    ProbeFormat, ProbeSource, ProbeSpec, Project, Service, TargetOverride,
};
use shipdeck::trust::{is_trusted, is_trusted_content, needs_trust, trust};

use deploy_support::in_child_with_env;

#[test]
fn trust_follows_the_files_path_and_content() {
    let data = tempfile::tempdir().expect("data dir");
    let data_path = data.path().to_str().expect("utf-8 temp path");
    if !in_child_with_env(
        "trust_follows_the_files_path_and_content",
        &[("SHIPDECK_DATA_DIR", data_path)],
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("config dir");
    let config = dir.path().join("shipdeck.toml");
    std::fs::write(&config, "[project]\nname = \"shop\"\n").expect("config");

    assert!(
        !is_trusted(&config).expect("checks"),
        "new files are untrusted"
    );
    trust(&config).expect("trusts");
    assert!(is_trusted(&config).expect("checks"));
    let data_dir = PathBuf::from(std::env::var("SHIPDECK_DATA_DIR").expect("set"));
    assert!(data_dir.join("trusted.json").exists());

    // The same file reached by another spelling of its path is the same file.
    let spelled = dir.path().join(".").join("shipdeck.toml");
    assert!(is_trusted(&spelled).expect("checks"));

    // A copy elsewhere is not trusted, though its bytes are the same.
    let copy = dir.path().join("copy.toml");
    std::fs::copy(&config, &copy).expect("copied");
    assert!(!is_trusted(&copy).expect("checks"));

    std::fs::write(&config, "[project]\nname = \"shop\"\n# and now a command\n").expect("edit");
    assert!(!is_trusted(&config).expect("checks"), "editing un-trusts");
    assert!(
        is_trusted_content(&config, b"[project]\nname = \"shop\"\n").expect("checks"),
        "the bytes that were trusted still are"
    );

    trust(&config).expect("trusts again");
    assert!(is_trusted(&config).expect("checks"));
    assert!(
        !is_trusted(&copy).expect("checks"),
        "trusting one file trusts no other"
    );
}

fn config(services: Vec<Service>, gates: Vec<Gate>) -> Config {
    Config {
        path: PathBuf::from("/srv/shop/shipdeck.toml"),
        dir: PathBuf::from("/srv/shop"),
        project: Project {
            name: "shop".into(),
            signing: None,
            state_dir: PathBuf::from("/srv/shop/.shipdeck"),
            verify_timeout: Duration::from_mins(5),
            probe_interval: Duration::from_secs(10),
            state: shipdeck::domain::config::StateBackend::File,
        },
        environments: vec![Environment {
            name: "prod".into(),
            protected: true,
            gates,
        }],
        services,
        freezes: Vec::new(),
        checklists: BTreeMap::new(),
        channels: Vec::new(),
        trains: Vec::new(),
        flags: Vec::new(),
        exposure: shipdeck::domain::traffic::Exposure::default(),
    }
}

fn service() -> Service {
    Service {
        name: "api".into(),
        repo: PathBuf::from("/srv/shop"),
        tags: "api-v*".into(),
        health: Some(probe(ProbeSource::Http {
            url: "http://{{env}}.internal/health".into(),
        })),
        deploy: Some(DeployerSpec::Http(HttpDeployer {
            preset_webhook: true,
            method: "POST".into(),
            url: "https://deploy.internal/hooks/api-{{env}}".into(),
            headers: Vec::new(),
            body: None,
            auth: None,
            sign_secret: None,
            success: Vec::new(),
            timeout: Duration::from_secs(30),
        })),
        env: BTreeMap::new(),
        verify_timeout: None,
        paths: Vec::new(),
    }
}

fn probe(source: ProbeSource) -> ProbeSpec {
    ProbeSpec {
        source,
        format: ProbeFormat::Auto,
        version_pointer: None,
        version_url: None,
        interval: None,
        timeout: Duration::from_secs(5),
    }
}

#[test]
fn only_configurations_that_can_run_commands_need_trust() {
    assert!(!needs_trust(&config(vec![service()], Vec::new())));

    let argv = vec!["./scripts/x.sh".to_string()];
    let mut deploys = service();
    deploys.env.insert(
        "prod".into(),
        TargetOverride {
            health: None,
            deploy: Some(DeployerSpec::Command(CommandDeployer {
                argv: argv.clone(),
                timeout: Duration::from_secs(1),
            })),
        },
    );
    assert!(
        needs_trust(&config(vec![deploys], Vec::new())),
        "command deployer override"
    );

    let mut probes = service();
    probes.health = Some(probe(ProbeSource::Command { argv: argv.clone() }));
    assert!(
        needs_trust(&config(vec![probes], Vec::new())),
        "command probe"
    );

    let gate = Gate {
        id: "smoke".into(),
        rule: GateRule::Check(CheckSpec::Command {
            argv,
            timeout: Duration::from_secs(1),
        }),
    };
    assert!(
        needs_trust(&config(vec![service()], vec![gate])),
        "command check gate"
    );
}
