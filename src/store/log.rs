//! The event log as a handle: `<state_dir>/events.jsonl`, appended under an exclusive lock on
//! `<state_dir>/events.lock`, shared safely between threads and processes.

use std::fs::{File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use jiff::{SignedDuration, Timestamp};

use super::chain::{GENESIS_PREV, chain_hash};
use super::integrity::{Chain, Damage};
use super::tail::{settle, sync_dir};
use super::{Events, StoreError};
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

/// What has been read so far: every event before byte `len`, and the chain over them.
#[derive(Debug)]
struct Cache {
    /// Shared with readers: [`EventLog::events`] hands out this `Arc`, and a push after that
    /// copies the events once (copy on write) rather than every read copying them.
    events: Events,
    len: u64,
    /// The chain checked so far, and the first event (or line) that failed it.
    chain: Box<Chain>,
    bad: Option<Box<Damage>>,
}

impl Default for Cache {
    fn default() -> Cache {
        Cache {
            events: Arc::default(),
            len: 0,
            chain: Box::new(Chain::new(true)),
            bad: None,
        }
    }
}

impl Cache {
    /// Adds `event`, just written.
    fn push(&mut self, event: Event) {
        if self.bad.is_none()
            && let Err(reason) = self.chain.step(&event)
        {
            self.bad = Some(Box::new(Damage {
                index: self.events.len(),
                line: self.events.len() + 1,
                reason,
            }));
        }
        Arc::make_mut(&mut self.events).push(event);
    }

    /// Adds `events`, read from the file, with whether each one's hash matches its contents.
    fn extend(&mut self, mut events: Vec<Event>, intact: &[bool]) {
        for (offset, (event, &intact)) in events.iter().zip(intact).enumerate() {
            if self.bad.is_some() {
                break;
            }
            if let Err(reason) = self.chain.step_hashed(event, intact) {
                let index = self.events.len() + offset;
                self.bad = Some(Box::new(Damage {
                    index,
                    line: index + 1,
                    reason,
                }));
            }
        }
        let mine = Arc::make_mut(&mut self.events);
        if mine.is_empty() {
            // The first read of a log: the parsed events become the cache, uncopied.
            *mine = events;
        } else {
            mine.append(&mut events);
        }
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
        if let Some(bad) = &cache.bad {
            // Never extend a log that fails verification: the chain would vouch for it.
            return Err(StoreError::Damaged {
                path: self.path.clone(),
                line: bad.line,
                reason: bad.reason.clone(),
            });
        }
        // With no bad line, the chain has taken every event, so it knows every id.
        if let Some(position) = cache.chain.position_of(&body.id) {
            return Ok(Appended::AlreadyRecorded(
                cache.events[position - 1].clone(),
            ));
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
        if line.len() > super::MAX_EVENT_BYTES {
            return Err(StoreError::TooLarge {
                bytes: line.len(),
                cap: super::MAX_EVENT_BYTES,
            });
        }
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
        Ok(cache.events.to_vec())
    }

    /// The events that count (those before the first line that fails verification) and that
    /// line, if any: what every deciding command must use.
    pub fn checked(&self) -> Result<(Vec<Event>, Option<Damage>), StoreError> {
        self.counted()
            .map(|(events, damage)| (Arc::unwrap_or_clone(events), damage))
    }

    /// Like [`EventLog::checked`], the events shared rather than copied (a replay of 100,000
    /// events is read once): a later append copies them for itself only while this is held.
    pub fn counted(&self) -> Result<(Events, Option<Damage>), StoreError> {
        let mut cache = self.cache();
        let _locked = self.lock()?;
        self.catch_up(&mut cache)?;
        let counted = match &cache.bad {
            Some(bad) => Arc::new(cache.events[..bad.index].to_vec()),
            None => Arc::clone(&cache.events),
        };
        Ok((counted, cache.bad.as_deref().cloned()))
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
        cache.extend(settled.events, &settled.intact);
        if let Some((line, reason)) = settled.unparsable
            && cache.bad.is_none()
        {
            cache.bad = Some(Box::new(Damage {
                index: cache.events.len(),
                line,
                reason: format!(
                    "the line is not an event ({reason}): the file was damaged or edited"
                ),
            }));
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
            // Someone else's file (or a symlink to one) is never opened to write.
            Ok((super::safe_file::open(path, options).map_err(error)?, false))
        }
        Err(e) => Err(error(e)),
    }
}
