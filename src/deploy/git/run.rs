//! Running the user's own `git`: never prompting (`GIT_TERMINAL_PROMPT=0`, no stdin), bounded
//! by a timeout, both pipes drained so a chatty git never blocks, every text sanitized.
//!
//! Not [`crate::git::harden::apply`]: these commits are the user's own, made in shipdeck's own
//! clone, so their hooks, signing, credential helpers and ssh settings apply as in any clone of
//! theirs. What comes from a configuration that may not be the user's is the remote, and that is
//! hardened here and by the caller: no `ext::`/`fd::` transport (a program), and, unless the
//! configuration is trusted, git's own upload-pack and receive-pack (no program the remote's
//! settings name, no hooks of a config repository on this machine).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::domain::sanitize::sanitize;
use crate::git::harden;

/// What a finished `git` printed.
#[derive(Debug)]
pub struct Ran {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `git ARGS` in `dir` with `env` added, stopping it after `timeout`. `Err` when git could
/// not be started or did not finish in time; a git that ran and failed is `Ok` with `ok: false`.
pub fn git(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<Ran, String> {
    let shown = format!("git {}", sanitize(&args.join(" ")));
    let mut command = Command::new("git");
    // Its own process group, so a timeout also kills the ssh or helper it started.
    crate::process::grouped_std(&mut command);
    if !harden::repository_trusted() {
        // The remote comes from the configuration: whatever the user's own git allows, no
        // transport that runs a program (an `insteadOf` rewrite included).
        command.args([
            "-c",
            "protocol.ext.allow=never",
            "-c",
            "protocol.fd.allow=never",
        ]);
    }
    command
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().map_err(|e| {
        format!(
            "could not run `git` ({}); install git or put it on PATH",
            sanitize(&e.to_string())
        )
    })?;
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // Best effort: it may have exited between the checks.
                crate::process::kill_group(Some(child.id()));
                let _ = child.wait();
                return Err(format!(
                    "`{shown}` did not finish within {} s and was stopped; check the network and \
                     the repository's credentials",
                    timeout.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("`{shown}` failed: {}", sanitize(&e.to_string()))),
        }
    };
    Ok(Ran {
        ok: status.success(),
        stdout: stdout.join().unwrap_or_default(),
        stderr: sanitize(stderr.join().unwrap_or_default().trim()),
    })
}

/// Runs git and insists that it succeeded; the error names the command and git's message.
pub fn git_ok(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    timeout: Duration,
) -> Result<String, String> {
    let ran = git(dir, args, env, timeout)?;
    if ran.ok {
        Ok(ran.stdout)
    } else {
        Err(format!(
            "`git {}` failed: {}",
            sanitize(&args.join(" ")),
            if ran.stderr.is_empty() {
                "no message".to_string()
            } else {
                ran.stderr
            }
        ))
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<String> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            // A read error only shortens what is shown; the exit status still decides.
            let _ = pipe.read_to_end(&mut bytes);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}
