//! The network side, through the user's own `git` (their credentials and transports apply):
//! pushing a release tag, and reading the user's email from git config.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::GitError;
use super::harden;
use super::tag::check_tag_name;
use crate::domain::sanitize::sanitize;

/// How long one network `git` command may take before it is stopped.
const NETWORK_TIMEOUT: Duration = Duration::from_mins(1);

/// Pushes tag `tag` (which must be on `commit`) to `remote`, run in `repo_dir`.
///
/// Asks the remote first: when it already has the tag at `commit` nothing is pushed; when it has
/// it at another commit the push is refused with [`GitError::RemoteTagDiffers`] (a release tag
/// is never moved). Fails with git's own (sanitized) message, or after 60 s.
pub fn push_tag(repo_dir: &Path, remote: &str, tag: &str, commit: &str) -> Result<(), GitError> {
    check_tag_name(tag)?;
    if remote.is_empty() || remote.starts_with('-') || sanitize(remote) != remote {
        return Err(GitError::InvalidRemote {
            remote: sanitize(remote),
        });
    }
    let refname = format!("refs/tags/{tag}");
    // The peeled pattern is needed too: for an annotated tag the plain line carries the tag
    // object, and only the `^{}` line carries the commit.
    let peeled = format!("{refname}^{{}}");
    let upload = harden::pack_option(harden::Pack::Upload, repo_dir, remote);
    let mut args = vec!["ls-remote"];
    args.extend(upload.as_deref());
    args.extend(["--tags", "--", remote, &refname, &peeled]);
    let listing = run_git(repo_dir, &args)?;
    if let Some(remote_commit) = remote_tag_commit(&listing, &refname) {
        if remote_commit.eq_ignore_ascii_case(commit.trim()) {
            return Ok(());
        }
        return Err(GitError::RemoteTagDiffers {
            remote: remote.to_string(),
            tag: tag.to_string(),
            remote_commit: sanitize(&remote_commit),
            commit: sanitize(commit),
        });
    }
    let receive = harden::pack_option(harden::Pack::Receive, repo_dir, remote);
    let mut args = vec!["push"];
    args.extend(receive.as_deref());
    args.extend(["--", remote, &refname]);
    run_git(repo_dir, &args)?;
    Ok(())
}

/// The commit `refname` has in `git ls-remote` output: the peeled line's when there is one.
fn remote_tag_commit(listing: &str, refname: &str) -> Option<String> {
    let mut plain = None;
    for line in listing.lines() {
        let Some((oid, name)) = line.split_once('\t') else {
            continue;
        };
        if name.strip_suffix("^{}") == Some(refname) {
            return Some(oid.to_string());
        }
        if name == refname {
            plain = Some(oid.to_string());
        }
    }
    plain
}

/// `user.email` from the git config that applies in `dir`: the repository's (with the global
/// and system ones beneath it) when `dir` is in a repository, else the global config.
pub fn config_user_email(dir: &Path) -> Option<String> {
    let config = match git2::Repository::discover(dir) {
        Ok(repo) => repo.config().ok()?,
        Err(_) => git2::Config::open_default().ok()?,
    };
    let email = config.get_string("user.email").ok()?;
    let email = sanitize(email.trim());
    (!email.is_empty()).then_some(email)
}

/// Runs `git ARGS` in `dir` (hardened against the repository's own settings:
/// [`super::harden`]) and returns its stdout, or its stderr as the error.
fn run_git(dir: &Path, args: &[&str]) -> Result<String, GitError> {
    let command = format!("git {}", sanitize(&args.join(" ")));
    let mut git = Command::new("git");
    harden::apply(&mut git);
    // Its own process group, so a timeout also kills the ssh or helper it started.
    let mut child = crate::process::grouped_std(&mut git)
        .args(args)
        .current_dir(dir)
        // A console must never hang on a password prompt it cannot show.
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| GitError::GitMissing {
            reason: sanitize(&e.to_string()),
        })?;
    // Drain both pipes on threads so a chatty git never blocks on a full pipe.
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + NETWORK_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                // Best effort: the process may have exited between the checks.
                crate::process::kill_group(Some(child.id()));
                let _ = child.wait();
                return Err(GitError::Timeout {
                    command,
                    seconds: NETWORK_TIMEOUT.as_secs(),
                });
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                return Err(GitError::CommandFailed {
                    command,
                    stderr: sanitize(&e.to_string()),
                });
            }
        }
    };
    let stdout = stdout.join().unwrap_or_default();
    let stderr = stderr.join().unwrap_or_default();
    if status.success() {
        Ok(stdout)
    } else {
        let stderr = sanitize(stderr.trim());
        Err(GitError::CommandFailed {
            command,
            stderr: if stderr.is_empty() {
                format!("git exited with {status}")
            } else {
                stderr
            },
        })
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
