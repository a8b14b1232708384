//! Every `git` process shipdeck starts, hardened against the repository it runs in.
//!
//! A checkout (or a bare repository shipped inside one) is data written by someone else: its
//! `config` can name programs git runs on a fetch or a push (`remote.*.uploadpack`,
//! `remote.*.receivepack`, `core.sshCommand`, `core.fsmonitor`, `credential.helper`, hooks …).
//! Unless the user trusted the shipdeck configuration (`shipdeck trust`), each git call gets
//! command-line overrides (`-c`, which beat every config file) that pin those settings to git's
//! defaults or to the user's own global and system values, and the `ext::`/`fd::` transports
//! are refused. The user's environment (`GIT_SSH_COMMAND`, `GIT_SSH`) still applies: it is theirs.
//!
//! shipdeck's in-process git (git2, libgit2) only reads objects and refs and writes commits and
//! refs: libgit2 runs no hooks, no fsmonitor, no upload-pack and no credential helper for those,
//! so only the `git` executable needs this.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set once the shipdeck configuration in use was explicitly trusted by this user.
static TRUSTED: AtomicBool = AtomicBool::new(false);

/// Says whether repository-local git settings may run programs: only when the user trusted the
/// shipdeck configuration with `shipdeck trust` (then its repository is theirs to vouch for).
pub fn set_repository_trusted(trusted: bool) {
    TRUSTED.store(trusted, Ordering::SeqCst);
}

/// Whether repository-local settings are honoured (see [`set_repository_trusted`]).
pub fn repository_trusted() -> bool {
    TRUSTED.load(Ordering::SeqCst)
}

/// The `-c key=value` pairs for a git call in a repository. Empty when it is trusted.
pub fn overrides() -> Vec<(String, String)> {
    if repository_trusted() {
        return Vec::new();
    }
    let mut out: Vec<(String, String)> = vec![
        ("core.hooksPath".into(), "/dev/null".into()),
        ("core.fsmonitor".into(), "false".into()),
        ("core.alternateRefsCommand".into(), "true".into()),
        ("protocol.ext.allow".into(), "never".into()),
        ("protocol.fd.allow".into(), "never".into()),
        // An empty value clears every helper configured so far; the user's own come back.
        ("credential.helper".into(), String::new()),
    ];
    let global = git2::Config::open_default().ok();
    if let Some(config) = &global {
        for helper in multivar(config, "credential.helper") {
            out.push(("credential.helper".into(), helper));
        }
    }
    out
}

/// Applies [`overrides`] and the ssh command to `cmd` (a `git` command: the `-c` options must
/// come before the subcommand, so call this before adding it).
pub fn apply(cmd: &mut Command) {
    for (key, value) in overrides() {
        cmd.arg("-c").arg(format!("{key}={value}"));
    }
    if let Some(ssh) = ssh_command() {
        cmd.env("GIT_SSH_COMMAND", ssh);
    }
    if !repository_trusted() && std::env::var_os("GIT_PROXY_COMMAND").is_none() {
        // A set (even empty) GIT_PROXY_COMMAND is looked at before any `core.gitProxy`, and
        // the first value found counts: the repository's proxy program never runs.
        cmd.env("GIT_PROXY_COMMAND", "");
    }
}

/// Which end of the git protocol a call runs on the remote side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pack {
    /// `fetch`, `ls-remote`: `git-upload-pack`.
    Upload,
    /// `push`: `git-receive-pack`.
    Receive,
}

/// The option to put right after the subcommand (`--upload-pack=…`, `--receive-pack=…`) so
/// that the program run for `remote` is git's own, whatever `remote.<name>.uploadpack` or
/// `receivepack` the repository's config names (for those, the first value given wins, so a
/// `-c` cannot override them; the command-line option does). Pushing to a repository on this
/// machine runs its hooks here, so those are off as well. `None` when the repository is trusted.
pub fn pack_option(pack: Pack, repo: &Path, remote: &str) -> Option<String> {
    if repository_trusted() {
        return None;
    }
    Some(match pack {
        Pack::Upload => "--upload-pack=git-upload-pack".to_string(),
        Pack::Receive if is_local_remote(repo, remote) => {
            "--receive-pack=git -c core.hooksPath=/dev/null receive-pack".to_string()
        }
        Pack::Receive => "--receive-pack=git-receive-pack".to_string(),
    })
}

/// The ssh command to force when the repository is not trusted: the user's `GIT_SSH_COMMAND`,
/// else their `GIT_SSH` program, else their global `core.sshCommand`, else `ssh`. `None` when
/// the repository is trusted (git decides as usual).
fn ssh_command() -> Option<String> {
    if repository_trusted() {
        return None;
    }
    if let Some(cmd) = std::env::var_os("GIT_SSH_COMMAND").filter(|v| !v.is_empty()) {
        return Some(cmd.to_string_lossy().into_owned());
    }
    if let Some(program) = std::env::var_os("GIT_SSH").filter(|v| !v.is_empty()) {
        return Some(shell_quote(&program.to_string_lossy()));
    }
    let global = git2::Config::open_default()
        .ok()
        .and_then(|c| c.get_string("core.sshCommand").ok())
        .filter(|v| !v.trim().is_empty());
    Some(global.unwrap_or_else(|| "ssh".to_string()))
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn multivar(config: &git2::Config, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(mut entries) = config.multivar(name, None) {
        while let Some(Ok(entry)) = entries.next() {
            if let Some(value) = entry.value() {
                if value.is_empty() {
                    out.clear();
                } else {
                    out.push(value.to_string());
                }
            }
        }
    }
    out
}

/// Whether `remote` is a remote's name (not a URL or a path).
fn is_remote_name(remote: &str) -> bool {
    !remote.is_empty()
        && remote
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && !remote.starts_with('.')
}

/// Whether `remote` (a name or a URL) reaches a repository on this machine.
fn is_local_remote(repo: &Path, remote: &str) -> bool {
    let url = if is_remote_name(remote) {
        git2::Repository::open(repo)
            .ok()
            .and_then(|r| {
                r.find_remote(remote)
                    .ok()
                    .and_then(|rm| rm.url().map(str::to_string))
            })
            .unwrap_or_else(|| remote.to_string())
    } else {
        remote.to_string()
    };
    is_local_url(&url)
}

fn is_local_url(url: &str) -> bool {
    if url.starts_with("file://") {
        return true;
    }
    if url.contains("://") {
        return false;
    }
    // scp-like `host:path` is ssh, unless a slash comes before the colon (a path).
    match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) => slash < colon,
        (Some(_), None) => false,
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_urls() {
        assert!(is_local_url("/srv/log.git"));
        assert!(is_local_url("../log.git"));
        assert!(is_local_url("file:///srv/log.git"));
        assert!(!is_local_url("git@github.com:team/repo.git"));
        assert!(!is_local_url("https://example.com/repo.git"));
        assert!(!is_local_url("ssh://git@host/repo.git"));
        assert!(is_local_url("./a:b/c"));
    }

    #[test]
    fn names() {
        assert!(is_remote_name("origin"));
        assert!(!is_remote_name("/srv/x.git"));
        assert!(!is_remote_name("git@host:x"));
    }
}
