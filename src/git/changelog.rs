//! Changelogs: the commits between two points, in `git log from..to` order.

use git2::{Oid, Sort};

use super::paths::Pathspec;
use super::raw_commit::change;
use super::walk;
use super::{GitError, Repo};
use crate::domain::change::Commit;
use crate::domain::sanitize::sanitize;

impl Repo {
    /// The commits reachable from `to` and not from `from` — exactly what `git log from..to`
    /// lists, in the same order. Both are commit ids (40 hex).
    pub fn changelog(&self, from: &str, to: &str) -> Result<Vec<Commit>, GitError> {
        self.changelog_in(from, to, &[])
    }

    /// The commits `git log from..to -- paths` lists, in its order (git's default history
    /// simplification, merges included as git includes them). No paths: the whole repository.
    pub fn changelog_in(
        &self,
        from: &str,
        to: &str,
        paths: &[String],
    ) -> Result<Vec<Commit>, GitError> {
        let paths = Pathspec::new(paths);
        let from = commit_id(from)?;
        let to = commit_id(to)?;
        let odb = self
            .inner
            .odb()
            .map_err(|e| GitError::read("opening the object database", &e))?;
        let commits = walk::range(&self.inner, &odb, Some(from), to, &paths)?;
        Ok(commits
            .iter()
            .map(|(oid, object)| change(*oid, object.data()))
            .collect())
    }

    /// The commits `git log to -- paths` lists (the changes of a first release); without paths,
    /// every commit reachable from `to`, newest first.
    pub fn changelog_all_in(&self, to: &str, paths: &[String]) -> Result<Vec<Commit>, GitError> {
        if paths.is_empty() {
            return self.changelog_all(to);
        }
        let paths = Pathspec::new(paths);
        let to = commit_id(to)?;
        let odb = self
            .inner
            .odb()
            .map_err(|e| GitError::read("opening the object database", &e))?;
        let commits = walk::range(&self.inner, &odb, None, to, &paths)?;
        Ok(commits
            .iter()
            .map(|(oid, object)| change(*oid, object.data()))
            .collect())
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
        let odb = self
            .inner
            .odb()
            .map_err(|e| GitError::read("opening the object database", &e))?;
        let mut commits = Vec::new();
        for oid in walk {
            let oid = oid.map_err(|e| GitError::read(walking(), &e))?;
            let object = odb
                .read(oid)
                .map_err(|e| GitError::read(format!("reading commit {oid}"), &e))?;
            commits.push(change(oid, object.data()));
        }
        Ok(commits)
    }
}

fn commit_id(id: &str) -> Result<Oid, GitError> {
    let id = id.trim();
    if id.len() != 40 {
        return Err(GitError::NotFound { spec: sanitize(id) });
    }
    Oid::from_str(id).map_err(|_| GitError::NotFound { spec: sanitize(id) })
}
