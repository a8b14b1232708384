//! The event log behind a [`crate::app::Context`]: the local file (default) or the git
//! backend shared through a remote. Actions see one interface; only `log --verify`, the sync
//! command and the console's watcher care which it is.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use jiff::Timestamp;

use super::{Appended, EventLog, Events, integrity, read_checked};
use crate::domain::config::{Config, StateBackend};
use crate::domain::event::{Event, EventBody};
use crate::gitlog::{self, GitLog, SyncReport};

/// An open event log of either kind.
pub enum StateLog {
    File(EventLog),
    /// The file log under `--read-only`: read as it is, never created, locked or repaired.
    ReadOnlyFile(PathBuf),
    Git(Box<Shared>),
}

/// The git backend with what its last sync found (the console shows it on the board).
pub struct Shared {
    pub log: GitLog,
    last: Mutex<SyncReport>,
}

/// Something that changes whenever the log may have: compared by the console's watcher.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    File(Option<(u64, std::time::SystemTime)>),
    Git(Option<(Option<git2::Oid>, Option<git2::Oid>)>),
}

impl StateLog {
    /// Opens the configured log. The git backend fetches first (taking others' events in and
    /// pushing ours, or only looking under `--read-only`); problems come back as warnings.
    pub fn open(config: &Config, read_only: bool) -> Result<(StateLog, Vec<String>), String> {
        let state_dir = &config.project.state_dir;
        match &config.project.state {
            StateBackend::File if read_only => {
                let path = state_dir.join("events.jsonl");
                let mut warnings = Vec::new();
                if let Ok(bytes) = std::fs::read(&path)
                    && bytes.last().is_some_and(|b| *b != b'\n')
                {
                    warnings.push(format!(
                        "the event log {} ends in an incomplete line (a crash mid-write?); it is left as it is under --read-only, and set aside the next time shipdeck opens it to write",
                        path.display()
                    ));
                }
                Ok((StateLog::ReadOnlyFile(path), warnings))
            }
            StateBackend::File => {
                let (log, warnings) = EventLog::open(state_dir).map_err(|e| {
                    format!(
                        "could not open the event log in {}: {e}",
                        state_dir.display()
                    )
                })?;
                Ok((StateLog::File(log), warnings))
            }
            StateBackend::Git(settings) => {
                let log = GitLog::open(settings, state_dir).map_err(|e| e.to_string())?;
                let report = log.sync(if read_only {
                    gitlog::Mode::Look
                } else {
                    gitlog::Mode::Full
                });
                let warnings = report.warnings();
                Ok((
                    StateLog::Git(Box::new(Shared {
                        log,
                        last: Mutex::new(report),
                    })),
                    warnings,
                ))
            }
        }
    }

    /// Every event that counts, in order: those before the first one that fails verification
    /// (see [`StateLog::checked`]).
    pub fn events(&self) -> Result<Vec<Event>, String> {
        self.checked()
            .map(|(events, _)| Arc::unwrap_or_clone(events))
    }

    /// The events that count and, when the log fails verification, the loud sentence saying
    /// where and that nothing from there on counts. A deciding command refuses then (exit 5).
    pub fn checked(&self) -> Result<(Events, Option<String>), String> {
        let (events, damage) = match self {
            StateLog::File(log) => log.counted().map_err(|e| e.to_string())?,
            StateLog::ReadOnlyFile(path) => {
                let (events, damage) = read_checked(path).map_err(|e| e.to_string())?;
                (Arc::new(events), damage)
            }
            StateLog::Git(shared) => {
                let mut events = shared.log.events().map_err(|e| e.to_string())?;
                let damage = integrity::first_bad(&events, false);
                if let Some(d) = &damage {
                    events.truncate(d.index);
                }
                (Arc::new(events), damage)
            }
        };
        let message = damage.map(|d| integrity::refusal(&self.describe(), &d));
        Ok((events, message))
    }

    /// Records `body` (with its signature, if any); the warnings say what the remote did not
    /// take (the event is recorded all the same).
    pub fn append(
        &self,
        body: EventBody,
        sig: Option<String>,
        now: Timestamp,
    ) -> Result<(Appended, Vec<String>), String> {
        match self {
            StateLog::File(log) => log
                .append_signed(body, sig, now)
                .map(|a| (a, Vec::new()))
                .map_err(|e| e.to_string()),
            StateLog::ReadOnlyFile(_) => {
                Err("this session is read-only: nothing can be recorded".to_string())
            }
            StateLog::Git(shared) => {
                let events = shared.log.events().map_err(|e| e.to_string())?;
                if let Some(damage) = integrity::first_bad(&events, false) {
                    // Never put an event on top of a log that fails verification.
                    return Err(integrity::refusal(&self.describe(), &damage));
                }
                let (appended, report) = shared
                    .log
                    .append(body, sig, now)
                    .map_err(|e| e.to_string())?;
                let warnings = report.warnings();
                shared.remember(report);
                Ok((appended, warnings))
            }
        }
    }

    /// Fetches and pushes now (the console's `R` and its interval; `shipdeck sync`). `None` for
    /// the file log, which has nothing to sync.
    pub fn sync(&self, mode: gitlog::Mode) -> Option<SyncReport> {
        match self {
            StateLog::File(_) | StateLog::ReadOnlyFile(_) => None,
            StateLog::Git(shared) => {
                let report = shared.log.sync(mode);
                shared.remember(report.clone());
                Some(report)
            }
        }
    }

    /// What the last sync found (git backend only).
    pub fn last_sync(&self) -> Option<SyncReport> {
        match self {
            StateLog::File(_) | StateLog::ReadOnlyFile(_) => None,
            StateLog::Git(shared) => Some(
                shared
                    .last
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .clone(),
            ),
        }
    }

    /// Where the log is, for messages: the file, or the remote and ref.
    pub fn describe(&self) -> String {
        match self {
            StateLog::File(log) => log.path().display().to_string(),
            StateLog::ReadOnlyFile(path) => path.display().to_string(),
            StateLog::Git(shared) => format!(
                "{} (in {})",
                shared.log.place(),
                shared.log.workdir().display()
            ),
        }
    }

    /// The file, for the file backend.
    pub fn file(&self) -> Option<&Path> {
        match self {
            StateLog::File(log) => Some(log.path()),
            StateLog::ReadOnlyFile(path) => Some(path),
            StateLog::Git(_) => None,
        }
    }

    /// The git backend, if that is what this is.
    pub fn git(&self) -> Option<&GitLog> {
        match self {
            StateLog::File(_) | StateLog::ReadOnlyFile(_) => None,
            StateLog::Git(shared) => Some(&shared.log),
        }
    }

    /// A cheap stamp that changes when the log may have (one `stat`, or two ref lookups).
    pub fn stamp(&self) -> Stamp {
        match self {
            StateLog::File(log) => Stamp::File(file_stamp(log.path())),
            StateLog::ReadOnlyFile(path) => Stamp::File(file_stamp(path)),
            StateLog::Git(shared) => Stamp::Git(shared.log.stamp()),
        }
    }
}

impl Shared {
    fn remember(&self, report: SyncReport) {
        *self.last.lock().unwrap_or_else(PoisonError::into_inner) = report;
    }
}

fn file_stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    let meta = std::fs::metadata(PathBuf::from(path)).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}
