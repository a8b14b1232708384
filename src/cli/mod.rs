//! The command line: parse, dispatch, print, exit with the contract's codes.

mod args;
mod board;
mod cancel;
mod commands;
mod confirm;
mod deploys;
mod flags;
mod insights;
mod logging;
mod notes;
mod onboarding;
mod output;
mod quiet_pipe;
mod traffic;
mod train;
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

/// Runs one command line; `Ok(code)` is the exit code of a command that finished normally.
pub fn run(cli: Cli) -> Result<u8, Failure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::failed(format!("could not start the async runtime: {e}")))?;
    let config = cli.config.as_deref();
    let read_only = cli.read_only;
    match cli.command {
        None => commands::console(config, read_only),
        Some(Command::Demo { action }) => commands::demo(action, read_only),
        Some(Command::Check) => commands::check(config),
        // Trusting lets the configuration run commands: a change, refused like the others.
        Some(Command::Trust) if read_only => Err(Failure::read_only("trust")),
        Some(Command::Trust) => commands::trust(config),
        Some(Command::Status { json, check }) => {
            runtime.block_on(board::status(config, read_only, json, check))
        }
        Some(Command::Releases { service, json }) => {
            commands::releases(config, read_only, &service, json)
        }
        Some(Command::Changelog {
            service,
            from,
            to,
            json,
        }) => runtime.block_on(commands::changelog(
            config, read_only, &service, &from, &to, json,
        )),
        Some(Command::Plan {
            service,
            release,
            to,
            json,
        }) => runtime.block_on(deploys::plan(
            config, read_only, &service, &release, &to, json,
        )),
        Some(Command::Promote {
            service,
            release,
            to,
            yes,
            no_wait,
        }) => runtime.block_on(deploys::promote(
            config, read_only, &service, &release, &to, yes, no_wait,
        )),
        Some(Command::Rollback {
            service,
            env,
            to,
            yes,
            no_wait,
        }) => runtime.block_on(deploys::rollback(
            config,
            read_only,
            &service,
            &env,
            to.as_deref(),
            yes,
            no_wait,
        )),
        Some(Command::Approve {
            service,
            release,
            env,
            note,
            train: true,
        }) => train::approve(config, read_only, &service, &release, &env, note.as_deref()),
        Some(Command::Approve {
            service,
            release,
            env,
            note,
            train: false,
        }) => commands::approve(config, read_only, &service, &release, &env, note.as_deref()),
        Some(Command::Override {
            service,
            release,
            env,
            gate,
            reason,
        }) => commands::override_gate(config, read_only, &service, &release, &env, &gate, &reason),
        Some(Command::Checklist {
            service,
            release,
            env,
            note,
            action,
            train: true,
        }) => train::checklist(
            config,
            read_only,
            &service,
            &release,
            &env,
            action.as_ref(),
            note.as_deref(),
        ),
        Some(Command::Checklist {
            service,
            release,
            env,
            note,
            action,
            train: false,
        }) => runtime.block_on(commands::checklist(
            config,
            read_only,
            &service,
            &release,
            &env,
            action,
            note.as_deref(),
        )),
        Some(Command::Tag {
            service,
            commit,
            version,
            message,
            push,
        }) => commands::tag(
            config,
            read_only,
            &service,
            &commit,
            &version,
            message.as_deref(),
            push,
        ),
        Some(Command::Notes {
            service,
            release,
            env,
            format,
            json,
            train: true,
            ..
        }) => runtime.block_on(train::notes(
            config,
            read_only,
            &service,
            &release,
            env.as_deref(),
            if json {
                args::NotesFormat::Json
            } else {
                format
            },
        )),
        Some(Command::Notes {
            service,
            release,
            env,
            format,
            json,
            edit,
            publish,
            channels,
            yes,
            train: false,
        }) => runtime.block_on(notes::notes(
            config,
            read_only,
            &notes::NotesArgs {
                service,
                release,
                env,
                format: if json {
                    args::NotesFormat::Json
                } else {
                    format
                },
                edit,
                publish,
                channels,
                yes,
            },
        )),
        Some(Command::Log {
            json,
            service,
            env,
            since,
            verify,
        }) => commands::log(
            config,
            read_only,
            json,
            verify,
            &commands::LogFilter {
                service,
                env,
                since,
            },
        ),
        Some(Command::Sync { restore }) => commands::sync(config, read_only, restore),
        Some(Command::Cancel {
            service,
            env,
            reason,
        }) => cancel::cancel(config, read_only, &service, &env, &reason),
        Some(Command::Flags { env, service, json }) => runtime.block_on(flags::list(
            config,
            read_only,
            env.as_deref(),
            service.as_deref(),
            json,
        )),
        Some(Command::Flag {
            name,
            env,
            note,
            yes,
            reason,
            action,
        }) => runtime.block_on(flags::change(
            config,
            read_only,
            &flags::ChangeArgs {
                name,
                env,
                note,
                yes,
                reason,
                action,
            },
        )),
        Some(Command::Train { action }) => runtime.block_on(train::run(config, read_only, action)),
        Some(Command::VerifyApprovals(args)) => verify_approvals::run(&args, config),
        Some(Command::Traffic { service, env, json }) => {
            runtime.block_on(traffic::traffic(config, read_only, &service, &env, json))
        }
        Some(Command::Switch { service, env, yes }) => {
            runtime.block_on(traffic::switch(config, read_only, &service, &env, yes))
        }
        Some(Command::Rollout {
            service,
            env,
            full,
            abort,
            yes,
            ..
        }) => {
            let action = if abort {
                traffic::RolloutAction::Abort
            } else if full {
                traffic::RolloutAction::Full
            } else {
                traffic::RolloutAction::Resume
            };
            runtime.block_on(traffic::rollout(
                config, read_only, &service, &env, action, yes,
            ))
        }
        Some(Command::Insights {
            since,
            service,
            env,
            json,
        }) => insights::run(config, read_only, &since, service, env, json),
        // Writing a file is a change, refused like the others.
        Some(Command::Init { .. }) if read_only => Err(Failure::read_only("init")),
        Some(Command::Init { repo }) => onboarding::init(config, repo.as_deref()),
        Some(Command::Completions { shell }) => onboarding::completions(shell),
        Some(Command::Man) => onboarding::man(),
        Some(Command::Schema) => onboarding::schema(),
    }
}
