//! `[project] signing = { … }`: accepted with a signed approval gate, near-miss keys suggested,
//! paths that would leave the repository refused.

use crate::config_support;

use config_support::{assert_problem, load_str, rejected};
use shipdeck::domain::config::GateRule;

const ENVS: &str = r#"
[[environments]]
name = "dev"

[[environments]]
name = "prod"
gates = [{ kind = "approval", count = 1, from = ["alice@shop.example"], signed = true }]
"#;

#[test]
fn a_signed_gate_is_accepted_once_signing_is_set_up() {
    let config = load_str(&format!(
        "[project]\nname = \"shop\"\nsigning = {{ allowed_signers = \".shipdeck/allowed_signers\" }}\n{ENVS}"
    ))
    .expect("accepted");
    let signing = config.project.signing.expect("signing");
    assert_eq!(
        signing.allowed_signers,
        std::path::Path::new(".shipdeck/allowed_signers")
    );
    assert_eq!(signing.remote, "origin");
    assert!(matches!(
        config.environments[1].gates[0].rule,
        GateRule::Approval { signed: true, .. }
    ));
}

#[test]
fn a_near_miss_signing_key_is_suggested() {
    let lines = rejected(&format!(
        "[project]\nname = \"shop\"\nsigning = {{ allowed_signer = \"a\" }}\n{ENVS}"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:3:",
        &["allowed_signer", "did you mean `allowed_signers`?"],
    );
}

#[test]
fn allowed_signers_outside_the_repository_are_refused() {
    let lines = rejected(&format!(
        "[project]\nname = \"shop\"\nsigning = {{ allowed_signers = \"../keys\", remote = \"up stream\" }}\n{ENVS}"
    ));
    assert_problem(
        &lines,
        "shipdeck.toml:3:",
        &["project.signing.allowed_signers", "inside the repository"],
    );
}
