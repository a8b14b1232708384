//! The git state backend: the event log as commits on a ref (default `refs/heads/shipdeck/log`)
//! shared through the team's git remote, so sharing, history and backup come from git.
//!
//! This clone's copy is the ref itself; `refs/shipdeck/seen/…` remembers what the remote held at
//! the last sync (to notice a rewrite), and fetches land in `refs/shipdeck/incoming/…` first.
//! Reads are in-process (git2); fetch and push run the user's `git`. Appends commit locally under
//! a lock and then push; someone else appending first means fetch, replay ours on top (ids and
//! signatures cover the body only, so they survive), push again — a bounded number of times.

mod commits;
mod error;
mod remote;
mod report;
mod status;
mod sync;

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use git2::{Oid, Repository};
use jiff::{SignedDuration, Timestamp};

pub use commits::{EVENT_FILE, Foreign};
pub use error::GitLogError;
pub use report::{Rewrite, SyncReport};

use crate::domain::config::GitState;
use crate::domain::event::{Event, EventBody};
use crate::store::Appended;
use commits::Stored;

/// How far past "now" an event may be dated before it is refused (as in the file log).
const FUTURE_TOLERANCE: SignedDuration = SignedDuration::from_mins(5);

/// How a sync may act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Fetch only; this clone's refs for the log stay as they are (`--read-only`).
    Look,
    /// Fetch, take others' events, push ours.
    Full,
    /// Like `Full`, and after a rewrite put the events the remote lost back on top.
    Restore,
}

/// An open git-backed log.
pub struct GitLog {
    settings: GitState,
    /// The repository's working directory (or the bare repository), for `git -C`.
    workdir: PathBuf,
    lock_path: PathBuf,
    lock: File,
    status_path: PathBuf,
    /// The tip whose unpushed events were last put in a pack before a push.
    packed_path: PathBuf,
    seen_ref: String,
    incoming_ref: String,
    cache: Mutex<Cache>,
}

/// The chain last read, so a new tip on top of it costs only the new commits.
#[derive(Default)]
struct Cache {
    /// (local, seen) tips the events were read at.
    tips: Option<(Option<Oid>, Option<Oid>)>,
    events: Vec<Event>,
    /// The local chain, when `events` is exactly it.
    chain: Option<(Oid, Vec<commits::Link>)>,
}

impl GitLog {
    /// Opens the log in the repository at (or above) `settings.repo`; the lock and the sync
    /// status live in `state_dir`. Touches no network.
    pub fn open(settings: &GitState, state_dir: &Path) -> Result<GitLog, GitLogError> {
        let repo = Repository::discover(&settings.repo).map_err(|e| GitLogError::NoRepo {
            path: settings.repo.clone(),
            message: e.message().to_string(),
        })?;
        let workdir = repo.workdir().unwrap_or_else(|| repo.path()).to_path_buf();
        std::fs::create_dir_all(state_dir).map_err(|source| GitLogError::Io {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let lock_path = state_dir.join("gitlog.lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|source| GitLogError::Io {
                path: lock_path.clone(),
                source,
            })?;
        let key = format!(
            "{}/{}",
            ref_safe(&settings.remote),
            settings
                .ref_name
                .strip_prefix("refs/")
                .unwrap_or(&settings.ref_name)
        );
        Ok(GitLog {
            settings: settings.clone(),
            workdir,
            lock_path,
            lock,
            status_path: state_dir.join("git-sync.json"),
            packed_path: state_dir.join("gitlog-packed"),
            seen_ref: format!("refs/shipdeck/seen/{key}"),
            incoming_ref: format!("refs/shipdeck/incoming/{key}"),
            cache: Mutex::new(Cache::default()),
        })
    }

    /// `origin refs/heads/shipdeck/log`, for messages.
    pub fn place(&self) -> String {
        format!("{} {}", self.settings.remote, self.settings.ref_name)
    }

    /// The repository's directory.
    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The settings it was opened with.
    pub fn settings(&self) -> &GitState {
        &self.settings
    }

    /// Every event this clone knows: its own ref, plus what the last fetch brought that is not
    /// taken in yet (under `--read-only`), in the order a sync would publish them.
    pub fn events(&self) -> Result<Vec<Event>, GitLogError> {
        let repo = self.repo()?;
        let local = tip(&repo, &self.settings.ref_name)?;
        let seen = tip(&repo, &self.seen_ref)?;
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.tips == Some((local, seen)) {
            return Ok(cache.events.clone());
        }
        let chain_only = match (local, seen) {
            (Some(l), Some(s)) => l == s || repo.graph_descendant_of(l, s)?,
            (_, None) => true,
            (None, Some(_)) => false,
        };
        let events = if let (true, Some(l)) = (chain_only, local) {
            let mut links = match cache.chain.take() {
                Some((old_tip, mut old)) => {
                    let (new, _, met) = commits::read_to(&repo, Some(l), Some(old_tip))?;
                    if met {
                        old.extend(new);
                        old
                    } else {
                        new
                    }
                }
                None => commits::read(&repo, Some(l), None)?.0,
            };
            let events = commits::events(&links);
            links.shrink_to_fit();
            cache.chain = Some((l, links));
            events
        } else {
            cache.chain = None;
            commits::events(&sync::merged(&repo, local, seen)?.0)
        };
        cache.tips = Some((local, seen));
        cache.events.clone_from(&events);
        Ok(events)
    }

    /// Commits that are on the ref but are not events, for `log --verify`.
    pub fn foreign(&self) -> Result<Vec<Foreign>, GitLogError> {
        let repo = self.repo()?;
        let local = tip(&repo, &self.settings.ref_name)?;
        Ok(commits::read(&repo, local, None)?.1)
    }

    /// A cheap stamp that changes whenever the events may have: the two tips.
    pub fn stamp(&self) -> Option<(Option<Oid>, Option<Oid>)> {
        let repo = self.repo().ok()?;
        Some((
            tip(&repo, &self.settings.ref_name).ok()?,
            tip(&repo, &self.seen_ref).ok()?,
        ))
    }

    /// Records the event locally (unless its id is already in the log), then pushes. The event
    /// is recorded whatever the remote says; the returned report says what it did.
    pub fn append(
        &self,
        body: EventBody,
        sig: Option<String>,
        now: Timestamp,
    ) -> Result<(Appended, SyncReport), GitLogError> {
        let appended = self.append_local(body, sig, now)?;
        if !appended.is_new() {
            return Ok((appended, self.unpushed_report()?));
        }
        let id = appended.event().id.clone();
        let report = self.push_now();
        // Replay may have put it on top of others' events: report it where it is now.
        let event = self
            .events()?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(GitLogError::Lost { id })?;
        Ok((Appended::New(event), report))
    }

    /// Records the event in this clone only (unless its id is already in the log); the next
    /// sync pushes it.
    pub fn append_local(
        &self,
        body: EventBody,
        sig: Option<String>,
        now: Timestamp,
    ) -> Result<Appended, GitLogError> {
        if body.id.is_empty() {
            return Err(GitLogError::MissingId);
        }
        if body.at.duration_since(now) > FUTURE_TOLERANCE {
            return Err(GitLogError::FromTheFuture { at: body.at, now });
        }
        let id = body.id.clone();
        let _locked = self.locked()?;
        if let Some(existing) = self.events()?.into_iter().find(|e| e.id == id) {
            return Ok(Appended::AlreadyRecorded(existing));
        }
        let repo = self.repo()?;
        let local = tip(&repo, &self.settings.ref_name)?;
        let commit = commits::write(&repo, local, &Stored { body, sig })?;
        set_ref(
            &repo,
            &self.settings.ref_name,
            local,
            commit,
            "shipdeck: record event",
        )?;
        let event = self
            .events()?
            .into_iter()
            .find(|e| e.id == id)
            .ok_or(GitLogError::Lost { id })?;
        Ok(Appended::New(event))
    }

    fn repo(&self) -> Result<Repository, GitLogError> {
        Repository::open(&self.workdir).map_err(|e| GitLogError::NoRepo {
            path: self.workdir.clone(),
            message: e.message().to_string(),
        })
    }

    fn locked(&self) -> Result<Locked<'_>, GitLogError> {
        self.lock.lock().map_err(|source| GitLogError::Io {
            path: self.lock_path.clone(),
            source,
        })?;
        Ok(Locked(&self.lock))
    }
}

/// Holds the clone's lock; released when dropped.
struct Locked<'a>(&'a File);

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

/// The commit a ref points at, `None` when it does not exist.
fn tip(repo: &Repository, name: &str) -> Result<Option<Oid>, GitLogError> {
    match repo.refname_to_id(name) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Moves `name` from `old` to `new`, failing if someone moved it meanwhile; `new = None`
/// deletes it.
fn set_ref(
    repo: &Repository,
    name: &str,
    old: Option<Oid>,
    new: Oid,
    why: &str,
) -> Result<(), GitLogError> {
    match old {
        Some(old) if old == new => Ok(()),
        Some(old) => repo
            .reference_matching(name, new, true, old, why)
            .map(|_| ())
            .map_err(Into::into),
        None => repo
            .reference(name, new, false, why)
            .map(|_| ())
            .map_err(Into::into),
    }
}

fn delete_ref(repo: &Repository, name: &str) -> Result<(), GitLogError> {
    match repo.find_reference(name) {
        Ok(mut r) => r.delete().map_err(Into::into),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// A remote name or URL as one ref path component.
fn ref_safe(remote: &str) -> String {
    remote
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect()
}
