//! Creating a release tag: annotated, and never over an existing one.

use git2::{ErrorCode, ObjectType, Signature};

use super::{GitError, Repo};
use crate::domain::sanitize::sanitize;

impl Repo {
    /// Creates the annotated tag `name` on `commit` with `message`, signed by the tagger.
    /// Refuses with [`GitError::TagExists`] when a tag of that name exists, wherever it points:
    /// a release tag is never moved.
    pub fn create_tag(
        &self,
        name: &str,
        commit: &str,
        message: &str,
        tagger_name: &str,
        tagger_email: &str,
    ) -> Result<(), GitError> {
        check_tag_name(name)?;
        if let Some(existing) = self.existing_tag(name)? {
            return Err(GitError::TagExists {
                tag: name.to_string(),
                commit: existing,
            });
        }
        let oid = self.resolve_oid(commit)?;
        let target = self
            .inner
            .find_object(oid, Some(ObjectType::Commit))
            .map_err(|e| GitError::read(format!("reading commit {oid}"), &e))?;
        let tagger = Signature::now(tagger_name, tagger_email)
            .map_err(|e| GitError::read("naming the tagger", &e))?;
        // Whitespace clean-up as git does it (trailing spaces, blank runs, one final newline);
        // `#` lines are kept: in a release message they are issue numbers, not comments.
        let message = git2::message_prettify(message, None)
            .map_err(|e| GitError::read("preparing the tag message", &e))?;
        match self.inner.tag(name, &target, &tagger, &message, false) {
            Ok(_) => Ok(()),
            // Created by someone else since the check above: still never moved.
            Err(e) if e.code() == ErrorCode::Exists => Err(GitError::TagExists {
                tag: name.to_string(),
                commit: self.existing_tag(name)?.unwrap_or_default(),
            }),
            Err(e) => Err(GitError::read(format!("creating tag `{name}`"), &e)),
        }
    }

    /// The commit (or, failing that, the object) an existing tag points at.
    fn existing_tag(&self, name: &str) -> Result<Option<String>, GitError> {
        match self.inner.find_reference(&format!("refs/tags/{name}")) {
            Ok(reference) => Ok(Some(
                reference
                    .peel(ObjectType::Commit)
                    .map(|c| c.id().to_string())
                    .or_else(|_| reference.peel(ObjectType::Any).map(|o| o.id().to_string()))
                    .unwrap_or_default(),
            )),
            Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
            Err(e) => Err(GitError::read(format!("looking up tag `{name}`"), &e)),
        }
    }
}

/// A tag name git accepts and that prints as itself, and that no command line mistakes for an
/// option.
pub(super) fn check_tag_name(name: &str) -> Result<(), GitError> {
    let valid = !name.is_empty()
        && !name.starts_with('-')
        && sanitize(name) == name
        && git2::Reference::is_valid_name(&format!("refs/tags/{name}"));
    if valid {
        Ok(())
    } else {
        Err(GitError::InvalidTagName {
            name: sanitize(name),
        })
    }
}
