//! The file's shapes exactly as written: serde structs that refuse unknown keys and keep the
//! spans of values that are checked later. Fields typed `IgnoredAny` are read by hand from the
//! spanned tree (so one bad gate or item does not hide the problems in the next one); listing
//! them here keeps them known keys for `deny_unknown_fields` and its did-you-mean.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde::de::IgnoredAny;
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    pub name: Spanned<String>,
    pub state_dir: Option<Spanned<String>>,
    pub verify_timeout: Option<Spanned<String>>,
    pub probe_interval: Option<Spanned<String>>,
    pub state: Option<Spanned<State>>,
    pub signing: Option<Signing>,
}

/// `[project] state = { backend = "git", … }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub backend: Spanned<String>,
    pub remote: Option<Spanned<String>>,
    #[serde(rename = "ref")]
    pub ref_name: Option<Spanned<String>>,
    pub repo: Option<Spanned<String>>,
    pub fetch_timeout: Option<Spanned<String>>,
    pub fetch_interval: Option<Spanned<String>>,
}

/// `[project] signing = { allowed_signers = "…", remote = "origin" }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signing {
    pub allowed_signers: Spanned<String>,
    pub remote: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    pub name: Spanned<String>,
    #[serde(default)]
    pub protected: bool,
    #[allow(dead_code)]
    pub gates: Option<IgnoredAny>,
}

/// Keys every gate has besides its kind's own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlainGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SoakGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
    pub duration: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApprovalGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
    pub count: Option<Spanned<i64>>,
    #[serde(default)]
    pub from: Vec<Spanned<String>>,
    pub signed: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
    pub name: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WindowGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
    pub days: Option<Spanned<String>>,
    pub hours: Option<Spanned<String>>,
    pub tz: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
    pub http: Option<Spanned<String>>,
    pub pointer: Option<Spanned<String>>,
    pub equals: Option<Spanned<String>>,
    pub command: Option<Spanned<Vec<Spanned<String>>>>,
    pub timeout: Option<Spanned<String>>,
    /// Also runs during every pause of a rollout (read by `crate::config::traffic`).
    #[allow(dead_code)]
    pub analysis: Option<Spanned<bool>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AncestorGate {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub id: Option<Spanned<String>>,
    pub branch: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Freeze {
    pub name: Spanned<String>,
    /// Read by hand: a quoted string or a bare TOML datetime.
    #[allow(dead_code)]
    pub from: IgnoredAny,
    #[allow(dead_code)]
    pub until: IgnoredAny,
    pub environments: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub name: Spanned<String>,
    pub repo: Spanned<String>,
    pub tags: Spanned<String>,
    #[allow(dead_code)]
    pub health: Option<IgnoredAny>,
    #[allow(dead_code)]
    pub deploy: Option<IgnoredAny>,
    #[allow(dead_code)]
    pub env: Option<IgnoredAny>,
    pub verify_timeout: Option<Spanned<String>>,
    /// Read by `crate::config::traffic`.
    #[allow(dead_code)]
    pub traffic: Option<IgnoredAny>,
    /// Git pathspecs of the service's part of the repository.
    #[serde(default)]
    pub paths: Vec<Spanned<String>>,
}

/// `[[trains]]`: services released together, in promotion order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Train {
    pub name: Spanned<String>,
    pub services: Spanned<Vec<Spanned<String>>>,
}

/// `[services.env.NAME]`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    #[allow(dead_code)]
    pub health: Option<IgnoredAny>,
    #[allow(dead_code)]
    pub deploy: Option<IgnoredAny>,
    /// Read by `crate::config::traffic`.
    #[allow(dead_code)]
    pub traffic: Option<IgnoredAny>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Auto,
    Status,
    Plain,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub url: Option<Spanned<String>>,
    pub command: Option<Spanned<Vec<Spanned<String>>>>,
    pub format: Option<Format>,
    pub version_pointer: Option<Spanned<String>>,
    pub version_url: Option<Spanned<String>>,
    pub interval: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpDeploy {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub method: Option<Spanned<String>>,
    pub url: Spanned<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    pub body: Option<Spanned<String>>,
    pub auth: Option<Spanned<Auth>>,
    pub secret_env: Option<Spanned<String>>,
    #[serde(default)]
    pub success: Vec<Spanned<u16>>,
    pub timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Auth {
    pub bearer_env: Option<Spanned<String>>,
    pub basic_env: Option<Spanned<String>>,
    pub header_env: Option<Spanned<String>>,
    pub header: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookDeploy {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub url: Spanned<String>,
    pub secret_env: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommandDeploy {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub command: Spanned<Vec<Spanned<String>>>,
    pub timeout: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    #[allow(dead_code)]
    pub items: IgnoredAny,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    Before,
    After,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "lowercase")]
pub enum Auto {
    Tagged,
    Deployed,
    Healthy,
    Published,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    pub id: Spanned<String>,
    pub title: Spanned<String>,
    pub help: Option<String>,
    pub stage: Option<Stage>,
    pub required: Option<bool>,
    pub auto: Option<Auto>,
    pub needs_note: Option<bool>,
}

/// `traffic = { kind = "haproxy" | "caddy" | "http" | "command", … }`: every kind's keys; which
/// belong to the kind written is checked in `crate::config::traffic`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traffic {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub slots: Spanned<Vec<Spanned<String>>>,
    pub steps: Option<Spanned<Vec<Spanned<TrafficStep>>>>,
    pub timeout: Option<Spanned<String>>,
    pub address: Option<Spanned<String>>,
    pub backend: Option<Spanned<String>>,
    pub admin: Option<Spanned<String>>,
    pub route: Option<Spanned<String>>,
    pub dials: Option<BTreeMap<String, Spanned<String>>>,
    pub url: Option<Spanned<String>>,
    pub weights: Option<BTreeMap<String, Spanned<String>>>,
    pub write: Option<Spanned<TrafficWrite>>,
    pub read: Option<Spanned<Vec<Spanned<String>>>>,
    pub command: Option<Spanned<Vec<Spanned<String>>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficStep {
    pub weight: Spanned<i64>,
    pub pause: Option<Spanned<String>>,
}

/// An `http` router's write request.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrafficWrite {
    pub method: Option<Spanned<String>>,
    pub url: Spanned<String>,
    #[serde(default)]
    pub headers: BTreeMap<String, Spanned<String>>,
    pub body: Option<Spanned<String>>,
    pub auth: Option<Spanned<Auth>>,
}

/// `deploy = { kind = "git", repo, branch, file, key, value, message, timeout }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitDeploy {
    #[allow(dead_code)]
    pub kind: IgnoredAny,
    pub repo: Spanned<String>,
    pub branch: Option<Spanned<String>>,
    pub file: Spanned<String>,
    pub key: Spanned<String>,
    pub value: Option<Spanned<String>>,
    pub message: Option<Spanned<String>>,
    pub timeout: Option<Spanned<String>>,
}
