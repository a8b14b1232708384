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
        #[command(subcommand)]
        action: Option<DemoAction>,
    },
    /// Validate the configuration.
    Check,
    /// The board: services × environments.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// A service's releases, newest first.
    Releases {
        service: String,
        #[arg(long)]
        json: bool,
    },
    /// Commits in TO and not in FROM (a release, a commit, or an environment name).
    Changelog {
        service: String,
        from: String,
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// The gates for a promotion, each with status and why (exit 3 when one blocks).
    Plan {
        service: String,
        release: String,
        #[arg(long, value_name = "ENV")]
        to: String,
        #[arg(long)]
        json: bool,
    },
    /// Deploy a release to an environment, then verify it.
    Promote {
        service: String,
        release: String,
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
        service: String,
        #[arg(long, value_name = "ENV")]
        env: String,
        #[arg(long, value_name = "RELEASE")]
        to: Option<String>,
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        no_wait: bool,
    },
    /// Record your approval of a release for an environment.
    Approve {
        service: String,
        release: String,
        #[arg(long, value_name = "ENV")]
        env: String,
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
    },
    /// Pass one gate by decision, with a reason (never an approval gate).
    Override {
        service: String,
        release: String,
        #[arg(long, value_name = "ENV")]
        env: String,
        #[arg(long, value_name = "ID")]
        gate: String,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Show, tick or untick the release's checklist for an environment.
    Checklist {
        service: String,
        release: String,
        #[arg(long, value_name = "ENV")]
        env: String,
        #[arg(long, value_name = "TEXT", global = true)]
        note: Option<String>,
        #[command(subcommand)]
        action: Option<ChecklistAction>,
    },
    /// Create an annotated release tag (never moves one).
    Tag {
        service: String,
        commit: String,
        version: String,
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
        #[arg(long)]
        push: bool,
    },
    /// Trust this configuration's commands (deployers, probes, checks) as the file is now.
    Trust,
    /// Release notes: the latest edit, else a draft from the changelog; `--edit` opens
    /// $VISUAL/$EDITOR on them, `--publish` sends them through the configured channels.
    Notes {
        service: String,
        release: String,
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        #[arg(long, value_enum, default_value_t = NotesFormat::Md)]
        format: NotesFormat,
        /// Edit the notes in $VISUAL/$EDITOR (else vi) and record the edit.
        #[arg(long)]
        edit: bool,
        /// Send the notes through the configured `[[channels]]` (exit 1 if one fails).
        #[arg(long)]
        publish: bool,
        /// Publish only through this channel (repeatable).
        #[arg(long = "channel", value_name = "NAME", requires = "publish")]
        channels: Vec<String>,
    },
    /// The event log.
    Log {
        #[arg(long)]
        json: bool,
        /// Check the hash chain and, where the project signs events, every signature; exit 5
        /// naming the first bad line and every event whose signature fails.
        #[arg(long)]
        verify: bool,
    },
    /// Fetch the shared event log and push this clone's events (`[project] state`, git backend).
    Sync {
        /// After the remote's log was rewritten, put the events it lost back on top.
        #[arg(long)]
        restore: bool,
    },
    /// For deploy endpoints: check the approvals a deployer passed (`{{approvals_json}}`) —
    /// signatures against allowed signers, count, approvers, service, environment, release and
    /// commit — then exit 0 (or run the command after `--`), else exit 3 naming why.
    VerifyApprovals(VerifyApprovalsArgs),
    /// The path's flow, measured: deployment frequency, lead time for changes, change failure
    /// rate, time to restore, and the waits per stage and per gate kind.
    Insights {
        /// How far back the period reaches (`7d`, `30d`, `90d`, `12h`, …).
        #[arg(long, value_name = "DURATION", default_value = "30d")]
        since: String,
        #[arg(long, value_name = "S")]
        service: Option<String>,
        /// Measure the four keys in ENV (default: the last environment of the path).
        #[arg(long, value_name = "ENV")]
        env: Option<String>,
        #[arg(long)]
        json: bool,
    },
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
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChecklistAction {
    Show,
    Tick { item: String },
    Untick { item: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NotesFormat {
    Md,
    Json,
}
