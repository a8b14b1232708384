//! The validated configuration model. Loading, spans and error messages live in `crate::config`;
//! this is what the rest of the program reads once a file has been accepted.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;

/// A whole, validated `shipdeck.toml`.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from (absolute).
    pub path: PathBuf,
    /// The directory relative paths in it are resolved against.
    pub dir: PathBuf,
    pub project: Project,
    /// In path order: dev before staging before prod.
    pub environments: Vec<Environment>,
    pub services: Vec<Service>,
    pub freezes: Vec<Freeze>,
    /// Checklist templates by name, the built-in ones included unless replaced.
    pub checklists: BTreeMap<String, ChecklistTemplate>,
    /// Where release notes are published (`[[channels]]`), in the order written.
    pub channels: Vec<super::channel::Channel>,
    /// Services released together (`[[trains]]`), in the order written.
    pub trains: Vec<super::train::Train>,
    /// Feature-flag services (`[[flags]]`), in the order written.
    pub flags: Vec<super::flag::FlagService>,
    /// Slotted targets and their traffic routers (`traffic` tables), and analysis gates.
    pub exposure: super::traffic::Exposure,
}

#[derive(Debug, Clone)]
pub struct Project {
    pub name: String,
    /// Events are signed, and `signed = true` approval gates check them (`signing = { … }`).
    pub signing: Option<Signing>,
    /// Where the event log lives (absolute): `state_dir` as written, resolved against the
    /// config's directory, else the per-project data dir.
    pub state_dir: PathBuf,
    /// How long a deployment may take to report the new release healthy (default 5m).
    pub verify_timeout: Duration,
    /// Default probe interval (default 10s).
    pub probe_interval: Duration,
    /// Where the shared truth lives: the local file log (default) or a ref in a git remote.
    pub state: StateBackend,
}

/// `[project] state = { backend = … }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum StateBackend {
    /// `<state_dir>/events.jsonl` only.
    #[default]
    File,
    /// Each event a commit on a ref, shared through a git remote.
    Git(GitState),
}

/// The git state backend's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct GitState {
    /// A directory inside the repository that holds the log (absolute; default: the config's
    /// directory).
    pub repo: PathBuf,
    /// The remote shared with the team (default `origin`).
    pub remote: String,
    /// The ref the events are commits on (default `refs/heads/shipdeck/log`, a branch, so hosts
    /// can protect it against force-pushes).
    pub ref_name: String,
    /// How long a fetch or push may take before the command goes on without it (default 5s).
    pub fetch_timeout: Duration,
    /// How often the console fetches in the background (default 30s).
    pub fetch_interval: Duration,
}

/// `[project] signing = { allowed_signers = "…", remote = "origin" }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signing {
    /// The `allowed_signers` file (git's SSH signing format), relative to the configuration's
    /// directory, read as committed on the remote's default branch, never from the working tree.
    pub allowed_signers: PathBuf,
    /// The remote whose default branch holds it (default `origin`).
    pub remote: String,
}

/// One stage on the path to production.
#[derive(Debug, Clone)]
pub struct Environment {
    pub name: String,
    /// Actions need the environment's name typed to confirm.
    pub protected: bool,
    pub gates: Vec<Gate>,
}

/// A rule a release must satisfy to enter an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Gate {
    /// Unique within its environment; defaults to the kind's name.
    pub id: String,
    pub rule: GateRule,
}

#[derive(Debug, Clone, PartialEq)]
pub enum GateRule {
    /// The release is live and healthy in the previous environment.
    Healthy,
    /// The release deployed successfully in the previous environment at least `duration` ago
    /// and is healthy there now.
    Soak { duration: Duration },
    /// `count` distinct approvers (from `from` when it is not empty), never the promoter.
    Approval {
        count: u32,
        from: Vec<String>,
        signed: bool,
    },
    /// Every required `before` item of the named checklist is ticked.
    Checklist { name: String },
    /// No freeze covers the environment now.
    Freeze,
    /// Promotions only inside this weekly window.
    Window(Window),
    /// An external check: an HTTP JSON value or a command's exit code.
    Check(CheckSpec),
    /// The release commit is an ancestor of (or equal to) the tip of `branch`.
    Ancestor { branch: String },
}

impl GateRule {
    /// The kind's name as written in the configuration.
    pub fn kind(&self) -> &'static str {
        match self {
            GateRule::Healthy => "healthy",
            GateRule::Soak { .. } => "soak",
            GateRule::Approval { .. } => "approval",
            GateRule::Checklist { .. } => "checklist",
            GateRule::Freeze => "freeze",
            GateRule::Window(_) => "window",
            GateRule::Check(_) => "check",
            GateRule::Ancestor { .. } => "ancestor",
        }
    }
}

/// A weekly promotion window in a time zone.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    /// Days on which the window opens (in `tz`).
    pub days: Vec<Weekday>,
    /// Start of the window (inclusive), civil time in `tz`.
    pub start: Time,
    /// End of the window (exclusive), civil time in `tz`; `end <= start` means it ends the next day.
    pub end: Time,
    pub tz: TimeZone,
    /// The zone's name as written (for messages).
    pub tz_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CheckSpec {
    /// GET `url` (templated), read JSON `pointer`, compare to `equals`.
    Http {
        url: String,
        pointer: String,
        equals: String,
        timeout: Duration,
    },
    /// Run argv (templated); exit 0 passes.
    Command {
        argv: Vec<String>,
        timeout: Duration,
    },
}

/// A time window in which the listed environments accept no promotions.
#[derive(Debug, Clone, PartialEq)]
pub struct Freeze {
    pub name: String,
    pub from: Timestamp,
    pub until: Timestamp,
    pub environments: Vec<String>,
}

/// A deployable component.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    /// Absolute path of its git repository.
    pub repo: PathBuf,
    /// A `git tag --list` glob, e.g. `api-v*`.
    pub tags: String,
    /// Default probe (templated with `{{env}}` etc.).
    pub health: Option<ProbeSpec>,
    /// Default deployer.
    pub deploy: Option<DeployerSpec>,
    /// Per-environment overrides by environment name.
    pub env: BTreeMap<String, TargetOverride>,
    /// Overrides the project's verify timeout.
    pub verify_timeout: Option<Duration>,
    /// Git pathspecs of the service's part of the repository (`services/api/**`); empty: all
    /// of it. Changelogs, notes and plans count only commits touching them.
    pub paths: Vec<String>,
}

/// What `[services.env.NAME]` may replace.
#[derive(Debug, Clone, Default)]
pub struct TargetOverride {
    pub health: Option<ProbeSpec>,
    pub deploy: Option<DeployerSpec>,
}

impl Service {
    /// The probe for this service in `env`, the override winning.
    pub fn probe_for(&self, env: &str) -> Option<&ProbeSpec> {
        self.env
            .get(env)
            .and_then(|o| o.health.as_ref())
            .or(self.health.as_ref())
    }

    /// The deployer for this service in `env`, the override winning.
    pub fn deployer_for(&self, env: &str) -> Option<&DeployerSpec> {
        self.env
            .get(env)
            .and_then(|o| o.deploy.as_ref())
            .or(self.deploy.as_ref())
    }

    /// The literal prefix of the tag pattern (`api-v*` → `api-v`), used to read versions.
    pub fn tag_prefix(&self) -> &str {
        let end = self.tags.find(['*', '?', '[']).unwrap_or(self.tags.len());
        &self.tags[..end]
    }
}

/// How to observe a target.
#[derive(Debug, Clone, PartialEq)]
pub struct ProbeSpec {
    pub source: ProbeSource,
    pub format: ProbeFormat,
    /// JSON pointer to the version; when unset the default list is tried.
    pub version_pointer: Option<String>,
    /// A second URL (templated) the version is read from.
    pub version_url: Option<String>,
    pub interval: Option<Duration>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ProbeSource {
    /// HTTP GET of a templated URL.
    Http { url: String },
    /// A command's argv (templated); exit 0 is up, its stdout is the body.
    Command { argv: Vec<String> },
    /// A slotted target: the router is read and the live slot's own probe answers for the
    /// target (built by `crate::probe::targets`, never written in a file).
    Routed(Box<RoutedProbe>),
}

/// The probe of a slotted target: its router and each slot's probe, templates expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct RoutedProbe {
    pub traffic: super::traffic::TrafficSpec,
    /// (slot, its probe) in the order the slots are written.
    pub slots: Vec<(String, ProbeSpec)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProbeFormat {
    /// Status code, then a JSON `status`/`health` field, as DESIGN.md says.
    Auto,
    /// Only the HTTP status (or exit code) counts.
    Status,
    /// The body must be `ok` (Kubernetes style).
    Plain,
}

/// The name of an environment variable holding a secret; never the secret itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretName(pub String);

#[derive(Debug, Clone, PartialEq)]
pub enum DeployerSpec {
    Http(HttpDeployer),
    Command(CommandDeployer),
    Git(GitDeployer),
}

impl DeployerSpec {
    pub fn kind(&self) -> &'static str {
        match self {
            DeployerSpec::Http(h) if h.preset_webhook => "webhook",
            DeployerSpec::Http(_) => "http",
            DeployerSpec::Command(_) => "command",
            DeployerSpec::Git(_) => "git",
        }
    }
}

/// `deploy = { kind = "git", … }`: a commit that writes one value into a file of a config
/// repository (GitOps). Every string is a template.
#[derive(Debug, Clone, PartialEq)]
pub struct GitDeployer {
    /// A URL (given to git as is) or a path relative to the config file's directory.
    pub repo: String,
    pub branch: String,
    /// The file, relative to the repository's top: YAML, JSON or TOML by its extension.
    pub file: String,
    /// A dotted path with `[N]` for sequence items (`image.tag`).
    pub key: String,
    pub value: String,
    pub message: String,
    /// Each git command's limit (clone, fetch, push …).
    pub timeout: Duration,
    /// Where the deployer keeps its clones: `<state_dir>/gitops`.
    pub clones: PathBuf,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpDeployer {
    /// Whether it was written as `kind = "webhook"` (the preset).
    pub preset_webhook: bool,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// Body template; `None` sends no body.
    pub body: Option<String>,
    pub auth: Option<Auth>,
    /// HMAC-SHA256 key for `X-Hub-Signature-256`.
    pub sign_secret: Option<SecretName>,
    /// Status codes that mean "accepted"; empty means any 2xx.
    pub success: Vec<u16>,
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Auth {
    /// `Authorization: Bearer $VAR`.
    Bearer(SecretName),
    /// `Authorization: Basic base64($VAR)` where `$VAR` is `user:password`.
    Basic(SecretName),
    /// `NAME: $VAR`.
    Header { name: String, secret: SecretName },
}

#[derive(Debug, Clone, PartialEq)]
pub struct CommandDeployer {
    /// argv, templated element by element; never through a shell.
    pub argv: Vec<String>,
    pub timeout: Duration,
}

/// The list of release tasks for (service, release, environment).
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistTemplate {
    pub name: String,
    pub items: Vec<ChecklistItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistItem {
    pub id: String,
    pub title: String,
    pub help: Option<String>,
    pub stage: Stage,
    /// A `before` item that must be done to promote (default true).
    pub required: bool,
    pub auto: Option<AutoTick>,
    /// Ticking it needs a note saying how (the backout plan itself), as an override needs a
    /// reason.
    pub needs_note: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    Before,
    After,
}

/// What ticks an item without a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutoTick {
    Tagged,
    Deployed,
    Healthy,
    Published,
}

impl Config {
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn train(&self, name: &str) -> Option<&super::train::Train> {
        self.trains.iter().find(|t| t.name == name)
    }

    /// The environment before `name` on the path, if any.
    pub fn previous_environment(&self, name: &str) -> Option<&Environment> {
        let i = self.environments.iter().position(|e| e.name == name)?;
        i.checked_sub(1).map(|p| &self.environments[p])
    }

    /// The environment after `name` on the path, if any.
    pub fn next_environment(&self, name: &str) -> Option<&Environment> {
        let i = self.environments.iter().position(|e| e.name == name)?;
        self.environments.get(i + 1)
    }

    pub fn verify_timeout(&self, service: &Service) -> Duration {
        service
            .verify_timeout
            .unwrap_or(self.project.verify_timeout)
    }
}
