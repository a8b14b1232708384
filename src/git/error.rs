//! Errors of the git adapter: each says what failed and what to do about it.

use thiserror::Error;

/// A failure of the git adapter. Every text inside is already sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GitError {
    /// The path is not inside a git repository, or the repository could not be read.
    #[error("could not open a git repository at {path}: {reason}; check the service's `repo` path")]
    Open { path: String, reason: String },
    /// No tag, branch or commit has this name.
    #[error(
        "no tag, branch or commit named `{spec}` in this repository; check the name, or fetch if it exists elsewhere"
    )]
    NotFound { spec: String },
    /// An abbreviated commit id matches several commits.
    #[error("`{prefix}` is ambiguous: it matches {count} commits; use more hex digits")]
    Ambiguous { prefix: String, count: usize },
    /// The name resolves, but not to a commit (e.g. a tag of a tree).
    #[error("`{spec}` points at a {kind}, not a commit; name a commit, tag or branch")]
    NotACommit { spec: String, kind: String },
    /// Neither a local branch nor `origin/<branch>` exists.
    #[error(
        "no branch `{branch}` here (neither local nor origin/{branch}); fetch it or check the branch name"
    )]
    NoBranch { branch: String },
    /// The tag name is not a valid, printable git tag name.
    #[error("`{name}` is not a valid tag name; use letters, digits, `.`, `-`, `_` or `/`")]
    InvalidTagName { name: String },
    /// The tag already exists; shipdeck never moves a tag.
    #[error(
        "tag `{tag}` already exists (at {commit}); shipdeck never moves a tag: choose a new version"
    )]
    TagExists { tag: String, commit: String },
    /// The remote already has the tag at another commit; pushing would move it.
    #[error(
        "remote `{remote}` already has tag `{tag}` at {remote_commit}, not at {commit}; shipdeck never moves a tag: choose a new version"
    )]
    RemoteTagDiffers {
        remote: String,
        tag: String,
        remote_commit: String,
        commit: String,
    },
    /// The remote name would be read by git as an option.
    #[error("`{remote}` is not a usable remote name; name a configured remote or a URL")]
    InvalidRemote { remote: String },
    /// The `git` executable could not be started.
    #[error("could not run `git` ({reason}); install git or put it on PATH")]
    GitMissing { reason: String },
    /// A `git` command exited unsuccessfully.
    #[error("`{command}` failed: {stderr}")]
    CommandFailed { command: String, stderr: String },
    /// A `git` command did not finish in time and was stopped.
    #[error(
        "`{command}` did not finish within {seconds} s and was stopped; check the network and the remote's credentials"
    )]
    Timeout { command: String, seconds: u64 },
    /// libgit2 failed while doing something; `action` says what.
    #[error("{action} failed: {reason}")]
    Read { action: String, reason: String },
}

impl GitError {
    /// Wraps a libgit2 error met while doing `action`.
    pub(crate) fn read(action: impl Into<String>, err: &git2::Error) -> GitError {
        GitError::Read {
            action: action.into(),
            reason: crate::domain::sanitize::sanitize(err.message()),
        }
    }
}
