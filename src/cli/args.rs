//! The command line, as DESIGN.md's contract has it.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "shipdeck",
    version,
    about = "A terminal release console: the path to production, its gates, and one key to act.",
    after_help = "Without a command, opens the console. Exit codes: 0 done, 1 failed, 2 bad usage \
                  or configuration, 3 blocked by gates, 4 deployment failed or not verified, \
                  5 the event log failed verification."
)]
pub struct Cli {
    /// The configuration file (default: ./shipdeck.toml or the nearest one above, else the user
    /// config dir).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Show everything, change nothing.
    #[arg(long, global = true)]
    pub read_only: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The console on a built-in demo (`demo serve --dir DIR` runs only its environments).
    Demo {
        /// `serve`: the demo's environments without the console.
        #[command(subcommand)]
        action: Option<DemoAction>,
    },
    /// Validate the configuration.
    Check,
    /// The board: services × environments.
    Status {
        /// Print the board as one JSON document (`services[].targets[]`).
        #[arg(long)]
        json: bool,
        /// Exit 1 when any target is not healthy, naming each on stderr (for scripts and
        /// monitors).
        #[arg(long)]
        check: bool,
    },
    /// A service's releases, newest first.
    Releases {
        /// The service, as named in the configuration.
        service: String,
        /// Print the releases as a JSON array.
        #[arg(long)]
        json: bool,
    },
    /// Commits in TO and not in FROM (a release, a commit, or an environment name).
    Changelog {
        /// The service, as named in the configuration.
        service: String,
        /// Where to count from: a release, a commit, or an environment (what runs there).
        from: String,
        /// Where to count to: a release, a commit, or an environment (what runs there).
        to: String,
        /// Print the changelog as one JSON document.
        #[arg(long)]
        json: bool,
    },
    /// The gates for a promotion, each with status and why (exit 3 when one blocks).
    Plan {
        /// The service, as named in the configuration.
        service: String,
        /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
        release: String,
        /// The environment it would enter.
        #[arg(long, value_name = "ENV")]
        to: String,
        /// Print the plan as one JSON document (gates, changes, the call).
        #[arg(long)]
        json: bool,
    },
    /// Deploy a release to an environment, then verify it.
    Promote {
        /// The service, as named in the configuration.
        service: String,
        /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
        release: String,
        /// The environment to deploy to.
        #[arg(long, value_name = "ENV")]
        to: String,
        /// Confirm without asking (a protected environment still needs this flag in scripts).
        #[arg(long)]
        yes: bool,
        /// Return once the deployer accepted the call; verification is finished by whoever
        /// looks next.
        #[arg(long)]
        no_wait: bool,
    },
    /// Redeploy the previous successful release of a target (or `--to`).
    Rollback {
        /// The service, as named in the configuration.
        service: String,
        /// The environment to roll back.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The release to go back to (default: the previous one that deployed successfully).
        #[arg(long, value_name = "RELEASE")]
        to: Option<String>,
        /// Confirm without asking (a protected environment still needs this flag in scripts).
        #[arg(long)]
        yes: bool,
        /// Return once the deployer accepted the call; verification is finished by whoever
        /// looks next.
        #[arg(long)]
        no_wait: bool,
    },
    /// Record your approval of a release for an environment.
    Approve {
        /// The service, as named in the configuration.
        service: String,
        /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
        release: String,
        /// The environment the approval is for.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Why you approve (shown to everyone with the approval).
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// SERVICE names a train and RELEASE one of its train releases (`train cut`).
        #[arg(long)]
        train: bool,
    },
    /// Pass one gate by decision, with a reason (never an approval gate).
    Override {
        /// The service, as named in the configuration.
        service: String,
        /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
        release: String,
        /// The environment whose gate is passed.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// The gate's id (`plan` lists them), or `freeze`.
        #[arg(long, value_name = "ID")]
        gate: String,
        /// Why, recorded with the override (required).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Show, tick or untick the release's checklist for an environment.
    Checklist {
        /// The service, as named in the configuration.
        service: String,
        /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
        release: String,
        /// The environment whose checklist it is.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// A note recorded with the tick or untick (ticking `backout` needs one: the plan).
        #[arg(long, value_name = "TEXT", global = true)]
        note: Option<String>,
        /// `show` (the default), `tick ITEM` or `untick ITEM`.
        #[command(subcommand)]
        action: Option<ChecklistAction>,
        /// SERVICE names a train and RELEASE one of its train releases (`train cut`).
        #[arg(long)]
        train: bool,
    },
    /// Create an annotated release tag (never moves one).
    Tag {
        /// The service, as named in the configuration (its tag pattern names the tag).
        service: String,
        /// The commit to tag: a hash, a branch or any git revision.
        commit: String,
        /// The version (`1.6.1`); the tag is the pattern's prefix plus it.
        version: String,
        /// The tag's message (default: "Release <tag>").
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
        /// Push the tag to `origin` too.
        #[arg(long)]
        push: bool,
    },
    /// Trust this configuration's commands (deployers, probes, checks) as the file is now.
    Trust,
    /// Release notes: the latest edit, else a draft from the changelog; `--edit` opens
    /// $VISUAL/$EDITOR on them, `--publish` sends them through the configured channels.
    Notes {
        /// The service, as named in the configuration.
        service: String,
        /// The release: its tag (`api-v1.5.0`), its version (`1.5.0`) or a commit.
        release: String,
        /// Draft what this environment gains: the changes since what runs there (default: since
        /// the previous release).
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Output format: markdown, or one JSON document.
        #[arg(long, value_enum, default_value_t = NotesFormat::Md)]
        format: NotesFormat,
        /// Same as `--format json`.
        #[arg(long)]
        json: bool,
        /// Edit the notes in $VISUAL/$EDITOR (else vi) and record the edit.
        #[arg(long)]
        edit: bool,
        /// Send the notes through the configured `[[channels]]` (exit 1 if one fails).
        #[arg(long)]
        publish: bool,
        /// Publish only through this channel (repeatable).
        #[arg(long = "channel", value_name = "NAME", requires = "publish")]
        channels: Vec<String>,
        /// Publish without asking (the notes are text anyone who can append to the log wrote).
        #[arg(long, requires = "publish")]
        yes: bool,
        /// SERVICE names a train and RELEASE one of its train releases: one set of notes, each
        /// member's own changes (not with `--edit` or `--publish`).
        #[arg(long, conflicts_with_all = ["edit", "publish"])]
        train: bool,
    },
    /// The event log, oldest first.
    Log {
        /// One JSON object per line (JSON Lines), the events as stored.
        #[arg(long)]
        json: bool,
        /// Only events about this service.
        #[arg(long, value_name = "SERVICE")]
        service: Option<String>,
        /// Only events about this environment.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Only events from the last DURATION (`30m`, `2h`, `7d`) or since a time
        /// (`2026-12-02T20:00:00Z`).
        #[arg(long, value_name = "WHEN")]
        since: Option<String>,
        /// Check the hash chain and, where the project signs events, every signature; exit 5
        /// naming the first bad line and every event whose signature fails.
        #[arg(long)]
        verify: bool,
    },
    /// Release a target a deployment is stuck on: record it as cancelled, with the reason.
    Cancel {
        /// The service, as named in the configuration.
        service: String,
        /// The environment whose deployment is stuck.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Why it is cancelled (recorded in the log with your name).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Fetch the shared event log and push this clone's events (`[project] state`, git backend).
    Sync {
        /// After the remote's log was rewritten, put the events it lost back on top.
        #[arg(long)]
        restore: bool,
    },
    /// Feature flags × environments from the `[[flags]]` flag services, with drift.
    Flags {
        /// Only this environment.
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Only the flags of this service.
        #[arg(long, value_name = "SERVICE")]
        service: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Turn a feature flag on or off in an environment, or set its rollout percentage.
    Flag {
        /// The flag's name in its flag service.
        name: String,
        /// The environment to change it in.
        #[arg(long, value_name = "ENV", global = true)]
        env: Option<String>,
        /// A note recorded with the change.
        #[arg(long, value_name = "TEXT", global = true)]
        note: Option<String>,
        /// Confirm without asking (a protected environment still needs this flag in scripts).
        #[arg(long, global = true)]
        yes: bool,
        /// Pass a freeze that would block turning it on or raising it, for this reason.
        #[arg(long, value_name = "TEXT", global = true)]
        reason: Option<String>,
        #[command(subcommand)]
        action: FlagCommand,
    },
    /// For deploy endpoints: check the approvals a deployer passed (`{{approvals_json}}`) —
    /// signatures against allowed signers, count, approvers, service, environment, release and
    /// commit — then exit 0 (or run the command after `--`), else exit 3 naming why.
    VerifyApprovals(VerifyApprovalsArgs),
    /// A slotted target: its slots, the router's weights, each slot's release, the rollout.
    Traffic {
        /// The service, as named in the configuration.
        service: String,
        /// The environment whose slots to show.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Print JSON (the shape is in the README).
        #[arg(long)]
        json: bool,
    },
    /// Blue-green: all traffic to the idle slot, once its probe reports its release healthy.
    Switch {
        /// The service, as named in the configuration.
        service: String,
        /// The environment to switch.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Confirm without asking (a protected environment still needs this flag in scripts).
        #[arg(long)]
        yes: bool,
    },
    /// The rollout in progress: continue it, go straight to 100 %, or put all traffic back.
    Rollout {
        /// The service, as named in the configuration.
        service: String,
        /// The environment of the rollout.
        #[arg(long, value_name = "ENV")]
        env: String,
        /// Drive it on from where it stands: the pause left, then the next steps.
        #[arg(long, conflicts_with_all = ["full", "abort"], required_unless_present_any = ["full", "abort"])]
        resume: bool,
        /// Shift all traffic to the new slot now (once it verifies).
        #[arg(long, conflicts_with = "abort")]
        full: bool,
        /// Put all traffic back on the old slot (one confirmation; never gated).
        #[arg(long)]
        abort: bool,
        /// Confirm without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Coordinated releases: cut a train release, plan, promote or roll it back.
    Train {
        #[command(subcommand)]
        action: super::train::TrainAction,
    },
    /// The path's flow, measured: deployment frequency, lead time for changes, change failure
    /// rate, time to restore, and the waits per stage and per gate kind.
    Insights {
        /// How far back the period reaches (`7d`, `30d`, `90d`, `12h`, …).
        #[arg(long, value_name = "DURATION", default_value = "30d")]
        since: String,
        /// Only this service (default: every service).
        #[arg(long, value_name = "S")]
        service: Option<String>,
        /// Measure the four keys in ENV (default: the last environment of the path).
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        /// Print every figure as one JSON document (README: Insights).
        #[arg(long)]
        json: bool,
    },
    /// Write a commented shipdeck.toml from the repository's release tags (never over a file).
    ///
    /// Tags are grouped into services by their prefix (`api-v1.2.3` is service `api`, pattern
    /// `api-v*`; bare `v1.2.3` tags are one service named after the repository), with patterns
    /// that never catch another service's tags. Written to --config PATH, else ./shipdeck.toml.
    Init {
        /// The repository whose tags to read (default: the working directory).
        #[arg(long, value_name = "DIR")]
        repo: Option<PathBuf>,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell to print the completion script for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `shipdeck man > shipdeck.1`, or `man -l <(shipdeck man)`.
    Man,
    /// Print the JSON Schema of shipdeck.toml, for editors (a `#:schema` line in taplo and Even
    /// Better TOML).
    Schema,
}

/// `shipdeck verify-approvals`: every flag is one value, so a webhook hook can pass each from
/// its payload (`pass-arguments-to-command`) and the approvals in the environment
/// (`pass-environment-to-command` → `SHIPDECK_APPROVALS`).
#[derive(Debug, clap::Args)]
pub struct VerifyApprovalsArgs {
    /// The approvals as JSON: `{{approvals_json}}`'s array, or a whole deploy payload with an
    /// `approvals` field. Default: `--approvals-file`, else stdin.
    #[arg(
        long,
        env = "SHIPDECK_APPROVALS",
        hide_env_values = true,
        value_name = "JSON"
    )]
    pub approvals: Option<String>,
    /// Read the approvals from FILE (`-` for stdin); wins over `--approvals`.
    #[arg(long, value_name = "FILE")]
    pub approvals_file: Option<PathBuf>,
    /// The service being deployed.
    #[arg(long)]
    pub service: String,
    /// The environment being deployed to (set it in the hook, not from the request).
    #[arg(long, value_name = "ENV")]
    pub env: String,
    /// The release being deployed (checked when given).
    #[arg(long)]
    pub release: Option<String>,
    /// The commit being deployed (full, or at least 7 hex digits).
    #[arg(long)]
    pub commit: String,
    /// Distinct approvers needed.
    #[arg(long, default_value_t = 1)]
    pub count: u32,
    /// Who may approve (comma-separated or repeated); anyone in allowed signers when absent.
    #[arg(long, value_delimiter = ',', value_name = "EMAIL")]
    pub from: Vec<String>,
    /// Who asks for the deployment (the payload's `actor`): their own approval never counts.
    #[arg(long, value_name = "ACTOR")]
    pub promoter: Option<String>,
    /// An allowed_signers file (git's SSH signing format).
    #[arg(long, value_name = "FILE")]
    pub allowed_signers: Option<PathBuf>,
    /// Or: read allowed signers as committed on the default branch of `--remote` in this
    /// repository (refs/shipdeck/remote-default, refs/remotes/<remote>/HEAD, …/main, …/master;
    /// a bare mirror's own HEAD). Without either: the configuration's `[project] signing`.
    #[arg(long, value_name = "DIR", conflicts_with = "allowed_signers")]
    pub repo: Option<PathBuf>,
    /// The file's path in that repository.
    #[arg(long, value_name = "PATH", default_value = ".shipdeck/allowed_signers")]
    pub signers_path: PathBuf,
    /// The remote whose default branch counts.
    #[arg(long, default_value = "origin")]
    pub remote: String,
    /// Once verified, run this command in place of shipdeck (after `--`).
    #[arg(last = true, value_name = "COMMAND")]
    pub then: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum DemoAction {
    /// Run the demo's environments without the console, until killed.
    Serve {
        /// Where the demo's repository, configuration and event log are made (anew).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Debug, Clone, Copy, Subcommand)]
pub enum FlagCommand {
    /// Turn it on.
    On,
    /// Turn it off.
    Off,
    /// Set the percentage of its gradual rollout (0–100).
    Rollout {
        /// The share of users, in percent.
        #[arg(value_parser = clap::value_parser!(u8).range(0..=100))]
        percent: u8,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChecklistAction {
    /// Print each item: done or not, by whom or by which fact, and its notes.
    Show,
    /// Mark an item done (`after` items only once the release runs there).
    Tick {
        /// The item's id (`controls`, `backout`, …; `show` lists them).
        item: String,
    },
    /// Mark an item not done.
    Untick {
        /// The item's id (`show` lists them).
        item: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotesFormat {
    /// Markdown.
    Md,
    /// One JSON document.
    Json,
}
