//! The network half: the user's own `git` executable (their credentials, ssh config and
//! helpers apply), each call bounded by a timeout after which it is killed with everything it
//! started. Never prompts: the console owns the terminal.

use std::io::Read as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::domain::sanitize::sanitize_multiline;

/// How a `git` call ended.
#[derive(Debug)]
pub struct Output {
    pub success: bool,
    /// stdout then stderr, sanitized.
    pub text: String,
}

/// Why the remote could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreachable(pub String);

/// Runs `git -C repo ARGS…` for at most `timeout`.
/// The repository's own settings that would run programs are overridden (see
/// [`crate::git::harden`]); a call that talks to a remote puts
/// [`crate::git::harden::pack_option`] right after its subcommand.
pub fn git(repo: &Path, args: &[&str], timeout: Duration) -> Result<Output, Unreachable> {
    let mut command = Command::new("git");
    command.arg("-C").arg(repo);
    crate::git::harden::apply(&mut command);
    // Its own process group, so a timeout also kills the ssh it started.
    let mut child = crate::process::grouped_std(&mut command)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_ASKPASS", "true")
        .env("SSH_ASKPASS_REQUIRE", "never")
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Unreachable(format!("could not run git: {e}")))?;
    let pid = child.id();
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut out = String::new();
        let mut err = String::new();
        if let Some(s) = stdout.as_mut() {
            let _ = s.read_to_string(&mut out);
        }
        if let Some(s) = stderr.as_mut() {
            let _ = s.read_to_string(&mut err);
        }
        let status = child.wait();
        let _ = tx.send((status, out, err));
    });
    let Ok((status, out, err)) = rx.recv_timeout(timeout) else {
        crate::process::kill_group(Some(pid));
        return Err(Unreachable(format!(
            "git {} did not finish within {}s",
            args.first().copied().unwrap_or_default(),
            timeout.as_secs_f64()
        )));
    };
    let status = status.map_err(|e| Unreachable(format!("git failed: {e}")))?;
    Ok(Output {
        success: status.success(),
        text: sanitize_multiline(&format!("{out}{err}"))
            .trim()
            .to_string(),
    })
}

/// The refs a fetch refused because the remote does not have them.
pub fn missing_refs(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split("couldn't find remote ref ").nth(1))
        .map(|r| r.trim().to_string())
        .collect()
}

/// What a push did.
#[derive(Debug, PartialEq, Eq)]
pub enum Pushed {
    /// The remote took it.
    Done,
    /// Someone else appended first (not a fast-forward).
    Behind,
    /// The remote refused for another reason (protection, hook).
    Refused(String),
}

/// Pushes local `ref_name` to the same name on `remote`, never forcing.
pub fn push(
    repo: &Path,
    remote: &str,
    ref_name: &str,
    timeout: Duration,
) -> Result<Pushed, Unreachable> {
    let spec = format!("{ref_name}:{ref_name}");
    let pack = crate::git::harden::pack_option(crate::git::harden::Pack::Receive, repo, remote);
    let mut args = vec!["push"];
    args.extend(pack.as_deref());
    args.extend(["--porcelain", "--no-verify", remote, &spec]);
    let out = git(repo, &args, timeout)?;
    if out.success {
        return Ok(Pushed::Done);
    }
    let lower = out.text.to_lowercase();
    if lower.contains("[rejected]")
        && (lower.contains("fetch first") || lower.contains("non-fast-forward"))
    {
        return Ok(Pushed::Behind);
    }
    // Two pushes racing to create or move the ref: the loser is told the remote could not
    // lock or update it. That is "someone appended first", not a refusal.
    if lower.contains("[remote rejected]")
        && ["lock", "failed to update ref", "incorrect old value"]
            .iter()
            .any(|s| lower.contains(s))
    {
        return Ok(Pushed::Behind);
    }
    if lower.contains("[remote rejected]") || lower.contains("[rejected]") {
        return Ok(Pushed::Refused(out.text));
    }
    Err(Unreachable(out.text))
}
