//! Which commits each release contains, and when each commit was made: what lead time is
//! measured from. The caller reads it from git; a commit may be in many releases (every later
//! release on the same branch contains it too).

use std::collections::HashMap;

use jiff::Timestamp;

/// One commit and its time (the author date, as `git log` shows it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitTime {
    pub commit: String,
    pub at: Timestamp,
}

/// (service, release) → the commits the release contains. A release may list only the commits
/// since some release that ran in the measured environment before every deployment the figures
/// look at: commits older than that were deployed before, so leaving them out changes nothing.
#[derive(Debug, Clone, Default)]
pub struct ReleaseContents {
    releases: HashMap<(String, String), Vec<CommitTime>>,
}

impl ReleaseContents {
    pub fn new() -> ReleaseContents {
        ReleaseContents::default()
    }

    /// Records what `release` of `service` contains (replacing what was recorded before).
    pub fn insert(&mut self, service: &str, release: &str, commits: Vec<CommitTime>) {
        self.releases
            .insert((service.to_string(), release.to_string()), commits);
    }

    /// The commits of a release, `None` when nobody said.
    pub fn of(&self, service: &str, release: &str) -> Option<&[CommitTime]> {
        self.releases
            .get(&(service.to_string(), release.to_string()))
            .map(Vec::as_slice)
    }

    pub fn is_empty(&self) -> bool {
        self.releases.is_empty()
    }
}
