//! The event log: append-only JSONL at `<state_dir>/events.jsonl`, one event a line, each line
//! hash-chained to the one before (`hash = sha256(prev ‖ canonical body ‖ seq)`), written under an
//! exclusive lock with fsync. A torn last line is set aside on open, never kept or dropped
//! silently. The meaning of events lives in `crate::domain::event`; their storage lives here.
//! `state_log` is the one interface over both backends (this file log, or the git backend of
//! `crate::gitlog` shared through a remote).

mod canonical;
mod chain;
mod error;
pub mod integrity;
mod log;
mod replay;
mod safe_file;
mod sightings;
pub mod state_log;
mod tail;
mod verify;

/// The events of a log, in order, shared rather than copied: a replay of 100,000 events is
/// read once and handed to every reader.
pub type Events = std::sync::Arc<Vec<crate::domain::event::Event>>;

pub use canonical::canonical_json;
pub use chain::{GENESIS_PREV, body_hash_input, canonical_body, chain_hash, new_event_id};
pub use error::StoreError;
pub use integrity::Damage;
pub use log::{Appended, EventLog};
pub use replay::{MAX_EVENT_BYTES, read_checked, read_events};
pub use sightings::{FIRST_SEEN, Run, Sightings};
pub use verify::{BadLine, VerifyReport, verify};
