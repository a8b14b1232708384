//! What can go wrong with the git-backed log, each said as what failed and what to do.

use std::path::PathBuf;

use jiff::Timestamp;

#[derive(Debug, thiserror::Error)]
pub enum GitLogError {
    #[error(
        "no git repository at {path} for the shared event log ({message}); set `repo` in `[project] state`"
    )]
    NoRepo { path: PathBuf, message: String },

    #[error("could not use {path}: {source}; check the state directory's permissions")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("git: {0}")]
    Git(#[from] git2::Error),

    #[error(
        "refused an event dated {at}, more than five minutes after now ({now}); check this machine's clock"
    )]
    FromTheFuture { at: Timestamp, now: Timestamp },

    #[error("refused an event without an id")]
    MissingId,

    #[error("event {id} was recorded but is not in the log any more; run `shipdeck log --verify`")]
    Lost { id: String },
}
