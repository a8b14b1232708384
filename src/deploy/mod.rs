//! Deployers: the one request that asks a team's own engine to put a release on a target.
//!
//! - `http` (and the `webhook` preset): one templated HTTP request, signed and authorized from
//!   environment variables, never retried, redirects not followed.
//! - `command`: argv only (no shell), run from the config's directory, output streamed.
//!
//! Whatever comes back (bodies, output, errors) is sanitized and has secrets masked before it
//! leaves this module.

mod command;
mod describe;
/// The GitOps deployer: a commit to a config repository.
mod git;
/// Its request pieces are shared with release-notes channels (`crate::publish`).
pub(crate) mod http;
pub mod secret;
mod sign;

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use crate::domain::config::{DeployerSpec, SecretName};
use crate::domain::template::{TemplateError, Vars};

pub use describe::describe;
pub use secret::{MASK, Secret, redact, secret_names};
pub use sign::signature;

/// Everything a deployer may be told about one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployRequest {
    pub service: String,
    pub env: String,
    /// The whole tag name (`api-v1.4.2`).
    pub release: String,
    /// The tag's version (`1.4.2`).
    pub version: String,
    pub commit: String,
    /// What ran before, for the endpoint's own backout; `None` on a first deployment
    /// (templates and `SHIPDECK_PREVIOUS_RELEASE` then see an empty string).
    pub previous_release: Option<String>,
    pub actor: String,
    /// The deployment id; sent as `Idempotency-Key` so an endpoint can refuse a duplicate.
    pub idempotency_key: String,
    /// The approvals as a JSON document, inserted raw into JSON bodies.
    pub approvals_json: String,
    /// The directory commands run in: the config file's directory.
    pub workdir: PathBuf,
    /// Every secret variable the configuration names ([`secret_names`]); their values are masked
    /// in anything shown, command output included.
    pub known_secrets: Vec<SecretName>,
}

impl DeployRequest {
    /// The template variables of this request.
    pub fn vars(&self) -> Vars {
        Vars::new()
            .with("service", &self.service)
            .with("env", &self.env)
            .with("release", &self.release)
            .with("version", &self.version)
            .with("commit", &self.commit)
            .with(
                "previous_release",
                self.previous_release.clone().unwrap_or_default(),
            )
            .with("actor", &self.actor)
            .with("idempotency_key", &self.idempotency_key)
            .with("approvals_json", &self.approvals_json)
    }
}

/// The deployer took the request. Verification (the target reporting the release healthy) is
/// the caller's next step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// What the deployer answered (status and body, or the command's last line), sanitized and
    /// redacted.
    pub detail: String,
}

/// Why a deployer call did not succeed. No variant ever holds a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeployError {
    #[error(
        "this configuration can run commands and is not trusted yet; review it, then run `shipdeck trust`"
    )]
    Untrusted,
    #[error("the secret environment variable `{0}` is not set; export it and try again")]
    MissingSecret(String),
    #[error("the deploy endpoint answered {status}: {body}")]
    Rejected { status: u16, body: String },
    #[error("the deployer did not finish within its timeout")]
    Timeout,
    #[error("{0}")]
    Transport(String),
    #[error("deployer template: {0}")]
    Template(#[from] TemplateError),
    /// The git deployer's failure, naming the file, key and repository concerned; nothing was
    /// pushed (it failed before pushing, or the push was refused).
    #[error("{0}")]
    Git(String),
    /// The git deployer's push did not finish in time: it may have reached the remote.
    #[error("{0}")]
    GitPushUnknown(String),
    #[error("the deploy command {}: {tail}", exit_text(*.code))]
    CommandFailed { code: Option<i32>, tail: String },
}

impl DeployError {
    /// The call certainly changed nothing on the target: the endpoint refused it with a 4xx
    /// (bad request, unauthorized, conflict…), or it was never made (untrusted, a secret unset,
    /// a template error). A 5xx, a timeout or a failed command may have deployed.
    pub fn changed_nothing(&self) -> bool {
        match self {
            DeployError::Rejected { status, .. } => (400..500).contains(status),
            DeployError::Untrusted
            | DeployError::MissingSecret(_)
            | DeployError::Template(_)
            | DeployError::Git(_) => true,
            DeployError::Timeout
            | DeployError::GitPushUnknown(_)
            | DeployError::Transport(_)
            | DeployError::CommandFailed { .. } => false,
        }
    }
}

fn exit_text(code: Option<i32>) -> String {
    match code {
        Some(code) => format!("exited with status {code}"),
        None => "was killed by a signal".to_string(),
    }
}

/// Performs the deployment request `spec` describes, exactly once (a failed deploy call may
/// have deployed, so it is never retried). Commands run only when the configuration is
/// `trusted`; their output lines go to `output` as they come.
pub async fn call(
    spec: &DeployerSpec,
    req: &DeployRequest,
    trusted: bool,
    output: UnboundedSender<String>,
) -> Result<Accepted, DeployError> {
    match spec {
        DeployerSpec::Http(http) => http::call(http, req).await,
        DeployerSpec::Command(_) if !trusted => Err(DeployError::Untrusted),
        DeployerSpec::Command(cmd) => command::call(cmd, req, &output).await,
        DeployerSpec::Git(g) => git::call(g, req, &output).await,
    }
}
