//! Changelogs: the commits between two points, in `git log from..to` order.

use git2::{Oid, Sort};

use super::repo::to_change;
use super::{GitError, Repo};
use crate::domain::change::Commit;
use crate::domain::sanitize::sanitize;

impl Repo {
    /// The commits reachable from `to` and not from `from` — exactly what `git log from..to`
    /// lists, in the same order. Both are commit ids (40 hex).
    pub fn changelog(&self, from: &str, to: &str) -> Result<Vec<Commit>, GitError> {
        let from = commit_id(from)?;
        let to = commit_id(to)?;
        let walking = || format!("walking history from {from} to {to}");
        let mut walk = self
            .inner
            .revwalk()
            .map_err(|e| GitError::read(walking(), &e))?;
        // No explicit sort: hiding `from` makes libgit2 run git's own `limit_list`, whose
        // output is git log's default order, ties included. `Sort::TIME` would pass that list
        // through a binary heap and shuffle commits with equal commit dates.
        walk.set_sorting(Sort::NONE)
            .map_err(|e| GitError::read(walking(), &e))?;
        // git sorts its starting points by commit date (stably, `from` first on a tie); libgit2
        // keeps them in reverse order of the calls. Calling in the order that yields git's list
        // keeps the walk identical when dates tie.
        if self.commit_time(to)? > self.commit_time(from)? {
            walk.hide(from).map_err(|e| GitError::read(walking(), &e))?;
            walk.push(to).map_err(|e| GitError::read(walking(), &e))?;
        } else {
            walk.push(to).map_err(|e| GitError::read(walking(), &e))?;
            walk.hide(from).map_err(|e| GitError::read(walking(), &e))?;
        }
        let mut commits = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| GitError::read(walking(), &e))?;
            let commit = self
                .inner
                .find_commit(oid)
                .map_err(|e| GitError::read(format!("reading commit {oid}"), &e))?;
            commits.push(to_change(&commit));
        }
        Ok(commits)
    }

    /// Every commit reachable from `to`, newest first (the changes of a first release).
    pub fn changelog_all(&self, to: &str) -> Result<Vec<Commit>, GitError> {
        let to = commit_id(to)?;
        let walking = || format!("walking history from {to}");
        let mut walk = self
            .inner
            .revwalk()
            .map_err(|e| GitError::read(walking(), &e))?;
        walk.set_sorting(Sort::TIME)
            .map_err(|e| GitError::read(walking(), &e))?;
        walk.push(to).map_err(|e| GitError::read(walking(), &e))?;
        let mut commits = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| GitError::read(walking(), &e))?;
            let commit = self
                .inner
                .find_commit(oid)
                .map_err(|e| GitError::read(format!("reading commit {oid}"), &e))?;
            commits.push(to_change(&commit));
        }
        Ok(commits)
    }

    fn commit_time(&self, oid: Oid) -> Result<i64, GitError> {
        let commit = self
            .inner
            .find_commit(oid)
            .map_err(|_| GitError::NotFound {
                spec: oid.to_string(),
            })?;
        Ok(commit.time().seconds())
    }
}

fn commit_id(id: &str) -> Result<Oid, GitError> {
    let id = id.trim();
    if id.len() != 40 {
        return Err(GitError::NotFound { spec: sanitize(id) });
    }
    Oid::from_str(id).map_err(|_| GitError::NotFound { spec: sanitize(id) })
}
