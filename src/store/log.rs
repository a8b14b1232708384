//! The event log as a handle: `<state_dir>/events.jsonl`, appended under an exclusive lock on
//! `<state_dir>/events.lock`, shared safely between threads and processes.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use jiff::{SignedDuration, Timestamp};

use super::StoreError;
use super::chain::{GENESIS_PREV, chain_hash};
use super::tail::{settle, sync_dir};
use crate::domain::event::{Event, EventBody};

/// How far past "now" an event may be dated before it is refused.
const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// The result of [`EventLog::append`].
#[derive(Debug, Clone, PartialEq)]
pub enum Appended {
    /// The event was written; here it is as stored (with `seq`, `prev`, `hash`).
    New(Event),
    /// An event with this id was already in the log (recorded by this or another process); it is
    /// returned as stored and nothing was written.
    AlreadyRecorded(Event),
}

impl Appended {
    /// The stored event, new or not.
    pub fn event(&self) -> &Event {
        match self {
            Appended::New(event) | Appended::AlreadyRecorded(event) => event,
        }
    }

    /// Whether this call wrote the event.
    pub fn is_new(&self) -> bool {
        matches!(self, Appended::New(_))
    }
}

/// An open event log. Cheap to query: it keeps the events it has read and, on every call, reads
/// only what other processes appended since.
#[derive(Debug)]
pub struct EventLog {
    path: PathBuf,
    lock_path: PathBuf,
    /// Opened for reading and appending; appends land at the end whatever was read last.
    file: File,
    lock: File,
    cache: Mutex<Cache>,
}

/// What has been read so far: every event before byte `len`, and where each id is.
#[derive(Debug, Default)]
struct Cache {
    events: Vec<Event>,
    ids: HashMap<String, usize>,
    len: u64,
}

impl Cache {
    fn push(&mut self, event: Event) {
        // A duplicate id written by someone else keeps pointing at its first occurrence.
        self.ids
            .entry(event.id.clone())
            .or_insert(self.events.len());
        self.events.push(event);
    }
}

/// Holds the cross-process lock; releases it when dropped.
struct Locked<'a>(&'a File);

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        // Closing the file would release it too; an unlock error leaves nothing to undo.
        let _ = self.0.unlock();
    }
}

impl EventLog {
    /// Opens (creating if needed) the log in `state_dir`. Under the exclusive lock, a torn last
    /// line is moved into a side file; the returned warnings name it and must be shown.
    pub fn open(state_dir: &Path) -> Result<(EventLog, Vec<String>), StoreError> {
        std::fs::create_dir_all(state_dir).map_err(|source| StoreError::CreateDir {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join("events.jsonl");
        let lock_path = state_dir.join("events.lock");
        let (file, created_log) =
            open_or_create(&path, OpenOptions::new().read(true).append(true))?;
        let (lock, created_lock) =
            open_or_create(&lock_path, OpenOptions::new().read(true).write(true))?;
        if created_log || created_lock {
            sync_dir(state_dir).map_err(|source| StoreError::Open {
                path: state_dir.to_path_buf(),
                source,
            })?;
        }
        let log = EventLog {
            path,
            lock_path,
            file,
            lock,
            cache: Mutex::new(Cache::default()),
        };
        let warnings = {
            let mut cache = log.cache();
            let _locked = log.lock()?;
            log.catch_up(&mut cache)?.into_iter().collect()
        };
        Ok((log, warnings))
    }

    /// Records `body` as the next event, unsigned, unless an event with its id is already in
    /// the log. Refuses bodies dated more than five minutes after `now`, and bodies without an id.
    pub fn append(&self, body: EventBody, now: Timestamp) -> Result<Appended, StoreError> {
        self.append_signed(body, None, now)
    }

    /// Like [`EventLog::append`], with `sig` (an SSH signature over the canonical body, armored)
    /// stored beside the body. The signature is outside the hash chain's body, as the id is
    /// inside it: both survive replay on top of other people's events.
    pub fn append_signed(
        &self,
        body: EventBody,
        sig: Option<String>,
        now: Timestamp,
    ) -> Result<Appended, StoreError> {
        if body.id.is_empty() {
            return Err(StoreError::MissingId);
        }
        if body.at.duration_since(now) > FUTURE_TOLERANCE {
            return Err(StoreError::FromTheFuture { at: body.at, now });
        }
        let mut cache = self.cache();
        let _locked = self.lock()?;
        self.catch_up(&mut cache)?;
        if let Some(&index) = cache.ids.get(&body.id) {
            return Ok(Appended::AlreadyRecorded(cache.events[index].clone()));
        }
        let (seq, prev) = cache
            .events
            .last()
            .map_or((1, GENESIS_PREV.to_string()), |last| {
                (last.seq + 1, last.hash.clone())
            });
        let hash = chain_hash(&prev, &body, seq);
        let event = Event::stored(body, seq, prev, hash, sig);
        let mut line = serde_json::to_string(&event)?;
        line.push('\n');
        self.write_line(line.as_bytes(), cache.len)?;
        cache.len += line.len() as u64;
        cache.push(event.clone());
        Ok(Appended::New(event))
    }

    /// Every event in the log, including those other processes appended since the last call.
    pub fn events(&self) -> Result<Vec<Event>, StoreError> {
        let mut cache = self.cache();
        let _locked = self.lock()?;
        self.catch_up(&mut cache)?;
        Ok(cache.events.clone())
    }

    /// The log file's path (`<state_dir>/events.jsonl`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn cache(&self) -> MutexGuard<'_, Cache> {
        // Cache updates cannot panic halfway, so a poisoned cache is still consistent.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> Result<Locked<'_>, StoreError> {
        self.lock.lock().map_err(|source| StoreError::Lock {
            path: self.lock_path.clone(),
            source,
        })?;
        Ok(Locked(&self.lock))
    }

    /// Reads what was appended since `cache.len`; with the lock held. Returns a warning when a
    /// torn last line was set aside.
    fn catch_up(&self, cache: &mut Cache) -> Result<Option<String>, StoreError> {
        let len = self
            .file
            .metadata()
            .map_err(|source| StoreError::Read {
                path: self.path.clone(),
                source,
            })?
            .len();
        if len == cache.len {
            return Ok(None);
        }
        if len < cache.len {
            // Shorter than what we read: rewritten behind our back, so start over.
            *cache = Cache::default();
        }
        let settled = settle(&self.file, &self.path, cache.len, cache.events.len() + 1)?;
        for event in settled.events {
            cache.push(event);
        }
        cache.len = settled.end;
        Ok(settled.warning)
    }

    /// Writes one whole line in a single write and makes it durable; on failure puts the file
    /// back to `old_len`, so a failed append records nothing.
    fn write_line(&self, line: &[u8], old_len: u64) -> Result<(), StoreError> {
        let mut file = &self.file;
        let written = file.write_all(line).and_then(|()| file.sync_data());
        let Err(source) = written else {
            return Ok(());
        };
        let restored = self
            .file
            .set_len(old_len)
            .and_then(|()| self.file.sync_data());
        let path = self.path.clone();
        Err(match restored {
            Ok(()) => StoreError::Write { path, source },
            Err(_) => StoreError::WritePartial { path, source },
        })
    }
}

/// Opens `path` with `options`, creating it if missing; says whether it was created.
fn open_or_create(path: &Path, options: &OpenOptions) -> Result<(File, bool), StoreError> {
    let error = |source| StoreError::Open {
        path: path.to_path_buf(),
        source,
    };
    match options.clone().create_new(true).open(path) {
        Ok(file) => Ok((file, true)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Ok((options.open(path).map_err(error)?, false))
        }
        Err(e) => Err(error(e)),
    }
}
