//! The command line: parse, dispatch, print, exit with the contract's codes.

mod approve;
mod args;
mod cancel;
mod changelog;
mod check;
mod checklist;
mod confirm;
mod console;
mod demo;
mod flags;
mod insights;
mod log;
mod logging;
mod notes;
mod onboarding;
mod output;
mod override_gate;
mod plan;
mod promote;
mod quiet_pipe;
mod releases;
mod rollback;
mod status;
mod sync;
mod tag;
mod traffic;
mod train;
mod train_forms;
mod trust;
mod verify_approvals;
mod verify_log;

use std::process::ExitCode;

use clap::Parser;

pub use args::{Cli, Command};

use crate::app::Failure;

/// The binary's entry point.
pub fn main() -> ExitCode {
    quiet_pipe::install();
    let cli = Cli::parse();
    logging::init(cli.read_only);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            // Errors quote what came from outside (names, bodies, files): sanitized too.
            eprintln!(
                "shipdeck: {}",
                crate::domain::sanitize::sanitize_multiline(&f.message)
            );
            tracing::warn!(code = f.code, "command failed: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Runs an async command on a runtime built for it (the synchronous commands never build one).
fn block_on(command: impl Future<Output = Result<u8, Failure>>) -> Result<u8, Failure> {
    run_on(tokio::runtime::Builder::new_multi_thread(), command)
}

/// Like [`block_on`], on one thread: for a command that only waits on sockets (`status` probes
/// every target at once and then prints). A thousand probes on the multi-thread runtime cost
/// more in waking workers and growing their allocator arenas (futex, mprotect) than a second
/// core gives back: 205 → 185 ms over 1,000 targets (notes/issue-17.md).
fn block_on_one_thread(command: impl Future<Output = Result<u8, Failure>>) -> Result<u8, Failure> {
    run_on(tokio::runtime::Builder::new_current_thread(), command)
}

fn run_on(
    mut runtime: tokio::runtime::Builder,
    command: impl Future<Output = Result<u8, Failure>>,
) -> Result<u8, Failure> {
    runtime
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("could not start the async runtime: {e}")))?
        .block_on(command)
}

/// Runs one command line; `Ok(code)` is the exit code of a command that finished normally.
pub fn run(cli: Cli) -> Result<u8, Failure> {
    let config = cli.config.as_deref();
    let read_only = cli.read_only;
    let Some(command) = cli.command else {
        return console::run(config, read_only);
    };
    match command {
        Command::Demo(a) => demo::run(a.action, read_only),
        Command::Check => check::run(config),
        // Trusting lets the configuration run commands: a change, refused like the others.
        Command::Trust if read_only => Err(Failure::read_only("trust")),
        Command::Trust => trust::run(config),
        Command::Status(a) => block_on_one_thread(status::run(config, read_only, a.json, a.check)),
        Command::Releases(a) => releases::run(config, read_only, &a),
        Command::Changelog(a) => block_on(changelog::run(
            config, read_only, &a.service, &a.from, &a.to, a.json,
        )),
        Command::Plan(a) => block_on(plan::run(
            config, read_only, &a.service, &a.release, &a.to, a.json,
        )),
        Command::Promote(a) => block_on(promote::run(
            config, read_only, &a.service, &a.release, &a.to, a.yes, a.no_wait,
        )),
        Command::Rollback(a) => block_on(rollback::run(
            config,
            read_only,
            &a.service,
            &a.env,
            a.to.as_deref(),
            a.yes,
            a.no_wait,
        )),
        Command::Approve(a) if a.train => train_forms::approve(
            config,
            read_only,
            &a.service,
            &a.release,
            &a.env,
            a.note.as_deref(),
        ),
        Command::Approve(a) => approve::run(
            config,
            read_only,
            &a.service,
            &a.release,
            &a.env,
            a.note.as_deref(),
        ),
        Command::Override(a) => override_gate::run(
            config, read_only, &a.service, &a.release, &a.env, &a.gate, &a.reason,
        ),
        Command::Checklist(a) if a.train => train_forms::checklist(
            config,
            read_only,
            &a.service,
            &a.release,
            &a.env,
            a.action.as_ref(),
            a.note.as_deref(),
        ),
        Command::Checklist(a) => block_on(checklist::run(
            config,
            read_only,
            &a.service,
            &a.release,
            &a.env,
            a.action,
            a.note.as_deref(),
        )),
        Command::Tag(a) => tag::run(
            config,
            read_only,
            &a.service,
            &a.commit,
            &a.version,
            a.message.as_deref(),
            a.push,
        ),
        Command::Notes(a) if a.train => block_on(train_forms::notes(
            config,
            read_only,
            &a.service,
            &a.release,
            a.env.as_deref(),
            if a.json {
                notes::NotesFormat::Json
            } else {
                a.format
            },
        )),
        Command::Notes(a) => block_on(notes::run(
            config,
            read_only,
            &notes::NotesArgs {
                service: a.service,
                release: a.release,
                env: a.env,
                format: if a.json {
                    notes::NotesFormat::Json
                } else {
                    a.format
                },
                edit: a.edit,
                publish: a.publish,
                channels: a.channels,
                yes: a.yes,
            },
        )),
        Command::Log(a) => log::run(
            config,
            read_only,
            a.json,
            a.verify,
            &log::LogFilter {
                service: a.service,
                env: a.env,
                since: a.since,
            },
        ),
        Command::Sync(a) => sync::run(config, read_only, a.restore),
        Command::Cancel(a) => cancel::cancel(config, read_only, &a.service, &a.env, &a.reason),
        Command::VerifyApprovals(a) => verify_approvals::run(&a, config),
        Command::Flags(a) => block_on(flags::list(
            config,
            read_only,
            a.env.as_deref(),
            a.service.as_deref(),
            a.json,
        )),
        Command::Flag(a) => block_on(flags::change(
            config,
            read_only,
            &flags::ChangeArgs {
                name: a.name,
                env: a.env,
                note: a.note,
                yes: a.yes,
                reason: a.reason,
                action: a.action,
            },
        )),
        Command::Traffic(a) => block_on(traffic::traffic(
            config, read_only, &a.service, &a.env, a.json,
        )),
        Command::Switch(a) => block_on(traffic::switch(
            config, read_only, &a.service, &a.env, a.yes,
        )),
        Command::Rollout(a) => block_on(traffic::rollout(
            config,
            read_only,
            &a.service,
            &a.env,
            a.action(),
            a.yes,
        )),
        Command::Train(a) => block_on(train::run(config, read_only, a.action)),
        Command::Insights(a) => {
            insights::run(config, read_only, &a.since, a.service, a.env, a.json)
        }
        // Writing a file is a change, refused like the others.
        Command::Init(_) if read_only => Err(Failure::read_only("init")),
        Command::Init(a) => onboarding::init(config, a.repo.as_deref()),
        Command::Completions(a) => onboarding::completions(a.shell),
        Command::Man => onboarding::man(),
        Command::Schema => onboarding::schema(),
    }
}
