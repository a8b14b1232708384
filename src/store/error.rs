//! What can go wrong with the event log, each said as what failed and what to do.

use std::io;
use std::path::PathBuf;

use jiff::Timestamp;

/// An event-log failure. Every message names the file and says whether anything was recorded.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The state directory could not be created.
    #[error(
        "could not create the state directory {path}: {source}; check that it is writable or set `state_dir` in shipdeck.toml"
    )]
    CreateDir { path: PathBuf, source: io::Error },

    /// The log or its lock file could not be opened or created.
    #[error("could not open {path}: {source}; check the file's permissions")]
    Open { path: PathBuf, source: io::Error },

    /// Taking or releasing the lock failed.
    #[error("could not lock {path}: {source}; check that the state directory is on a local disk")]
    Lock { path: PathBuf, source: io::Error },

    /// Reading the log failed.
    #[error("could not read the event log at {path}: {source}")]
    Read { path: PathBuf, source: io::Error },

    /// Writing an event failed and the log was restored to how it was.
    #[error("could not write the event log at {path}: {source}; nothing was recorded")]
    Write { path: PathBuf, source: io::Error },

    /// Writing an event failed and the partial line could not be removed.
    #[error(
        "could not write the event log at {path}: {source}; nothing was recorded, and the partial line left behind will be set aside the next time the log is opened"
    )]
    WritePartial { path: PathBuf, source: io::Error },

    /// A torn last line could not be moved into its side file.
    #[error(
        "could not set the torn last line of {path} aside into {side}: {source}; the log was left unchanged, free some space or fix permissions and try again"
    )]
    SetAside {
        path: PathBuf,
        side: PathBuf,
        source: io::Error,
    },

    /// A complete line before the last one is not an event.
    #[error(
        "the event log at {path} is damaged at line {line}: {reason}; run `shipdeck log --verify`, then restore the file from a copy"
    )]
    Damaged {
        path: PathBuf,
        line: usize,
        reason: String,
    },

    /// The event is dated more than five minutes after now.
    #[error(
        "refused an event dated {at}, more than five minutes after now ({now}); check this machine's clock and the event's time"
    )]
    FromTheFuture { at: Timestamp, now: Timestamp },

    /// The event has an empty id, so it could not be recorded idempotently.
    #[error("refused an event without an id; give it one (`store::new_event_id`)")]
    MissingId,

    /// The event is larger than an event may be.
    #[error(
        "refused an event of {bytes} bytes: an event may take at most {cap} bytes; nothing was recorded"
    )]
    TooLarge { bytes: usize, cap: usize },

    /// The event could not be turned into JSON.
    #[error("could not encode the event as JSON: {0}; nothing was recorded")]
    Encode(#[from] serde_json::Error),
}
