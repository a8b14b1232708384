//! The command line, as DESIGN.md's contract has it: the global flags and the subcommands; each
//! subcommand's arguments live in its own file with the code that runs it.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use super::{
    approve, cancel, changelog, checklist, demo, flags, insights, log, notes, onboarding,
    override_gate, plan, promote, releases, rollback, status, sync, tag, traffic, train,
    verify_approvals,
};

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
    Demo(demo::Args),
    /// Validate the configuration.
    Check,
    /// The board: services × environments.
    Status(status::Args),
    /// A service's releases, newest first.
    Releases(releases::Args),
    /// Commits in TO and not in FROM (a release, a commit, or an environment name).
    Changelog(changelog::Args),
    /// The gates for a promotion, each with status and why (exit 3 when one blocks).
    Plan(plan::Args),
    /// Deploy a release to an environment, then verify it.
    Promote(promote::Args),
    /// Redeploy the previous successful release of a target (or `--to`).
    Rollback(rollback::Args),
    /// Record your approval of a release for an environment.
    Approve(approve::Args),
    /// Pass one gate by decision, with a reason (never an approval gate).
    Override(override_gate::Args),
    /// Show, tick or untick the release's checklist for an environment.
    Checklist(checklist::Args),
    /// Create an annotated release tag (never moves one).
    Tag(tag::Args),
    /// Trust this configuration's commands (deployers, probes, checks) as the file is now.
    Trust,
    /// Release notes: the latest edit, else a draft from the changelog; `--edit` opens
    /// $VISUAL/$EDITOR on them, `--publish` sends them through the configured channels.
    Notes(notes::Args),
    /// The event log, oldest first.
    Log(log::Args),
    /// Release a target a deployment is stuck on: record it as cancelled, with the reason.
    Cancel(cancel::Args),
    /// Fetch the shared event log and push this clone's events (`[project] state`, git backend).
    Sync(sync::Args),
    /// Feature flags × environments from the `[[flags]]` flag services, with drift.
    Flags(flags::ListArgs),
    /// Turn a feature flag on or off in an environment, or set its rollout percentage.
    Flag(flags::FlagArgs),
    /// For deploy endpoints: check the approvals a deployer passed (`{{approvals_json}}`) —
    /// signatures against allowed signers, count, approvers, service, environment, release and
    /// commit — then exit 0 (or run the command after `--`), else exit 3 naming why.
    VerifyApprovals(verify_approvals::VerifyApprovalsArgs),
    /// A slotted target: its slots, the router's weights, each slot's release, the rollout.
    Traffic(traffic::TrafficArgs),
    /// Blue-green: all traffic to the idle slot, once its probe reports its release healthy.
    Switch(traffic::SwitchArgs),
    /// The rollout in progress: continue it, go straight to 100 %, or put all traffic back.
    Rollout(traffic::RolloutArgs),
    /// Coordinated releases: cut a train release, plan, promote or roll it back.
    Train(train::Args),
    /// The path's flow, measured: deployment frequency, lead time for changes, change failure
    /// rate, time to restore, and the waits per stage and per gate kind.
    Insights(insights::Args),
    /// Write a commented shipdeck.toml from the repository's release tags (never over a file).
    ///
    /// Tags are grouped into services by their prefix (`api-v1.2.3` is service `api`, pattern
    /// `api-v*`; bare `v1.2.3` tags are one service named after the repository), with patterns
    /// that never catch another service's tags. Written to --config PATH, else ./shipdeck.toml.
    Init(onboarding::InitArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(onboarding::CompletionsArgs),
    /// Print the man page (roff): `shipdeck man > shipdeck.1`, or `man -l <(shipdeck man)`.
    Man,
    /// Print the JSON Schema of shipdeck.toml, for editors (a `#:schema` line in taplo and Even
    /// Better TOML).
    Schema,
}
