//! Opening a repository and naming commits in it: resolve, HEAD, one commit's details, ancestry.

use std::path::Path;
use std::sync::Once;

use git2::{BranchType, ErrorCode, ObjectType, Oid, Repository};
use jiff::Timestamp;

use super::GitError;
use super::raw_commit::change;
use crate::domain::change::Commit;
use crate::domain::sanitize::sanitize;

/// The fewest hex digits git accepts for an abbreviated commit id.
const MIN_ABBREV: usize = 4;

/// A git repository opened for reading releases and changelogs and for creating tags.
pub struct Repo {
    pub(super) inner: Repository,
}

impl Repo {
    /// Opens the repository containing `path` (the path itself or any parent, as git finds it).
    pub fn open(path: &Path) -> Result<Repo, GitError> {
        // libgit2 re-hashes every object it reads (SHA-1 with collision detection); git does
        // not, and for a changelog that check doubles the cost of reading history. Reads here
        // are of the user's own repository, which git itself trusts the same way.
        static READ_LIKE_GIT: Once = Once::new();
        READ_LIKE_GIT.call_once(|| {
            git2::opts::strict_hash_verification(false);
            // libgit2's object cache keeps every object read until the repository is freed:
            // a path-limited changelog over 20,000 commits spent a fifth of its time storing
            // into it and freeing it (perf), and never read an object twice that the tree
            // comparison does not keep itself (`paths::TreeCompare`).
            git2::opts::enable_caching(false);
        });
        let inner = Repository::open_ext(path, git2::RepositoryOpenFlags::empty(), [""; 0])
            .map_err(|e| GitError::Open {
                path: sanitize(&path.display().to_string()),
                reason: sanitize(e.message()),
            })?;
        Ok(Repo { inner })
    }

    /// The commit (40 hex) that `spec` names: a tag, a branch (local, or `origin/main`), or a
    /// full or abbreviated commit id. Names win over abbreviated ids, as in git.
    pub fn resolve(&self, spec: &str) -> Result<String, GitError> {
        Ok(self.resolve_oid(spec)?.to_string())
    }

    /// The commit HEAD points at.
    pub fn head_commit(&self) -> Result<String, GitError> {
        let head = self
            .inner
            .head()
            .map_err(|e| GitError::read("reading HEAD", &e))?;
        let commit = head
            .peel_to_commit()
            .map_err(|e| GitError::read("reading HEAD's commit", &e))?;
        Ok(commit.id().to_string())
    }

    /// Author, author date and sanitized summary of the commit `commit` names.
    pub fn commit_info(&self, commit: &str) -> Result<Commit, GitError> {
        let oid = self.resolve_oid(commit)?;
        let reading = |e: git2::Error| GitError::read(format!("reading commit {oid}"), &e);
        let odb = self.inner.odb().map_err(reading)?;
        let object = odb.read(oid).map_err(reading)?;
        Ok(change(oid, object.data()))
    }

    /// Whether `commit` is the tip of `branch` or one of its ancestors. `branch` is the local
    /// branch, else `origin/<branch>`.
    pub fn is_ancestor(&self, commit: &str, branch: &str) -> Result<bool, GitError> {
        let commit = self.resolve_oid(commit)?;
        let tip = self.branch_tip(branch)?;
        if tip == commit {
            return Ok(true);
        }
        self.inner
            .graph_descendant_of(tip, commit)
            .map_err(|e| GitError::read(format!("checking {commit} against {branch}"), &e))
    }

    fn branch_tip(&self, branch: &str) -> Result<Oid, GitError> {
        let found = self
            .inner
            .find_branch(branch, BranchType::Local)
            .or_else(|_| {
                self.inner
                    .find_branch(&format!("origin/{branch}"), BranchType::Remote)
            })
            .map_err(|_| GitError::NoBranch {
                branch: sanitize(branch),
            })?;
        let commit = found
            .get()
            .peel_to_commit()
            .map_err(|e| GitError::read(format!("reading the tip of {}", sanitize(branch)), &e))?;
        Ok(commit.id())
    }

    pub(super) fn resolve_oid(&self, spec: &str) -> Result<Oid, GitError> {
        let spec = spec.trim();
        let not_found = || GitError::NotFound {
            spec: sanitize(spec),
        };
        if spec.is_empty() || spec.starts_with('-') {
            return Err(not_found());
        }
        let hex = spec.bytes().all(|b| b.is_ascii_hexdigit());
        if hex && spec.len() == 40 {
            let oid = Oid::from_str(spec).map_err(|_| not_found())?;
            let object = self.inner.find_object(oid, None).map_err(|_| not_found())?;
            return Self::peel(spec, &object);
        }
        if let Ok(reference) = self.inner.resolve_reference_from_short_name(spec) {
            let object = reference
                .peel(ObjectType::Any)
                .map_err(|e| GitError::read(format!("reading `{}`", sanitize(spec)), &e))?;
            return Self::peel(spec, &object);
        }
        if hex && spec.len() >= MIN_ABBREV && spec.len() < 40 {
            return self.resolve_abbreviated(spec);
        }
        Err(not_found())
    }

    fn resolve_abbreviated(&self, spec: &str) -> Result<Oid, GitError> {
        match self.inner.find_object_by_prefix(spec, None) {
            Ok(object) => Self::peel(spec, &object),
            Err(e) if e.code() == ErrorCode::Ambiguous => {
                // Only commits count: git picks the single commit when trees or blobs share the
                // prefix, since a commit is what was asked for.
                let prefix = spec.to_ascii_lowercase();
                let commits = self.commits_with_prefix(&prefix)?;
                match commits.as_slice() {
                    [one] => Ok(*one),
                    [] => Err(GitError::NotFound {
                        spec: sanitize(spec),
                    }),
                    many => Err(GitError::Ambiguous {
                        prefix,
                        count: many.len(),
                    }),
                }
            }
            Err(_) => Err(GitError::NotFound {
                spec: sanitize(spec),
            }),
        }
    }

    fn commits_with_prefix(&self, prefix: &str) -> Result<Vec<Oid>, GitError> {
        let odb = self
            .inner
            .odb()
            .map_err(|e| GitError::read("opening the object database", &e))?;
        let mut candidates = Vec::new();
        odb.foreach(|oid| {
            if oid.to_string().starts_with(prefix) {
                candidates.push(*oid);
            }
            true
        })
        .map_err(|e| GitError::read("listing objects", &e))?;
        candidates.sort();
        candidates.dedup();
        Ok(candidates
            .into_iter()
            .filter(|oid| matches!(odb.read_header(*oid), Ok((_, ObjectType::Commit))))
            .collect())
    }

    fn peel(spec: &str, object: &git2::Object<'_>) -> Result<Oid, GitError> {
        if let Ok(commit) = object.peel(ObjectType::Commit) {
            return Ok(commit.id());
        }
        // Say what it is instead: the end of the tag chain (a tree, a blob).
        let mut target = object.clone();
        while target.kind() == Some(ObjectType::Tag) {
            match target.peel(ObjectType::Any) {
                Ok(next) => target = next,
                Err(_) => break,
            }
        }
        Err(GitError::NotACommit {
            spec: sanitize(spec),
            kind: target
                .kind()
                .map_or("unknown object", |k| k.str())
                .to_string(),
        })
    }
}

/// Seconds since the epoch as a timestamp, clamped to jiff's range (git allows any i64).
pub(super) fn timestamp(seconds: i64) -> Timestamp {
    let clamped = seconds.clamp(Timestamp::MIN.as_second(), Timestamp::MAX.as_second());
    Timestamp::from_second(clamped).unwrap_or(Timestamp::UNIX_EPOCH)
}
