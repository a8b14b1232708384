//! Releases: the tags matching a service's pattern, peeled to commits, newest first.

use git2::{ObjectType, Oid};

use super::repo::timestamp;
use super::tag_cache::Peels;
use super::{GitError, Repo, tag_matches};
use crate::domain::release::{Release, sort_newest_first, version_of};
use crate::domain::sanitize::sanitize;

impl Repo {
    /// The tags matching `pattern` (as `git tag --list PATTERN` matches), as releases whose
    /// version is the name after `prefix`, newest first. Annotated tags are peeled to their
    /// commit and dated by their tagger; lightweight tags are dated by their commit. Tags of
    /// trees or blobs are not releases and are left out, and so is a tag whose name would change
    /// under sanitizing: it could not be shown or named safely.
    pub fn releases(&self, pattern: &str, prefix: &str) -> Result<Vec<Release>, GitError> {
        let tags: Vec<(String, Oid)> = match super::tag_refs::tags(self.inner.commondir()) {
            Some(all) => all
                .into_iter()
                .filter(|(name, _)| tag_matches(pattern, name) && sanitize(name) == *name)
                .collect(),
            None => self.tags_by_libgit2(pattern)?,
        };
        let mut peels = Peels::load();
        let mut releases = Vec::with_capacity(tags.len());
        for (name, oid) in tags {
            if let Some((commit, date)) = self.peel_tag(&name, oid, &mut peels)? {
                releases.push(Release {
                    version: version_of(&name, prefix),
                    name,
                    commit: commit.to_string(),
                    date,
                });
            }
        }
        peels.save();
        sort_newest_first(&mut releases);
        Ok(releases)
    }

    /// The release whose whole tag name is `name`, as [`Repo::releases`] would list it, found
    /// without reading every tag (a changelog between two releases of a repository with
    /// thousands of tags needs two). `None` when no such release exists.
    pub fn release(
        &self,
        pattern: &str,
        prefix: &str,
        name: &str,
    ) -> Result<Option<Release>, GitError> {
        if !tag_matches(pattern, name) || sanitize(name) != name {
            return Ok(None);
        }
        let Ok(reference) = self.inner.find_reference(&format!("refs/tags/{name}")) else {
            return Ok(None);
        };
        let Some(oid) = reference.resolve().ok().and_then(|r| r.target()) else {
            return Ok(None);
        };
        let mut peels = Peels::load();
        let peeled = self.peel_tag(name, oid, &mut peels)?;
        peels.save();
        Ok(peeled.map(|(commit, date)| Release {
            version: version_of(name, prefix),
            name: name.to_string(),
            commit: commit.to_string(),
            date,
        }))
    }

    /// The tags matching `pattern`, as libgit2 lists them (a ref layout `tag_refs` does not
    /// read).
    fn tags_by_libgit2(&self, pattern: &str) -> Result<Vec<(String, Oid)>, GitError> {
        let mut tags: Vec<(String, Oid)> = Vec::new();
        self.inner
            .tag_foreach(|oid, refname| {
                let name = std::str::from_utf8(refname)
                    .ok()
                    .and_then(|r| r.strip_prefix("refs/tags/"));
                if let Some(name) = name
                    && tag_matches(pattern, name)
                    && sanitize(name) == name
                {
                    tags.push((name.to_string(), oid));
                }
                true
            })
            .map_err(|e| GitError::read("listing tags", &e))?;
        Ok(tags)
    }

    /// The commit a tag resolves to and its release date; `None` when it is not a commit.
    /// Known peels come from the cache (`tag_cache`), new ones are added to it.
    fn peel_tag(
        &self,
        name: &str,
        oid: Oid,
        peels: &mut Peels,
    ) -> Result<Option<(Oid, jiff::Timestamp)>, GitError> {
        if let Some((commit, date)) = peels.get(oid) {
            return Ok(Some((commit, timestamp(date))));
        }
        let peeled = self.peel_uncached(name, oid)?;
        if let Some((commit, date)) = peeled {
            peels.insert(oid, commit, date.as_second());
        }
        Ok(peeled)
    }

    fn peel_uncached(
        &self,
        name: &str,
        oid: Oid,
    ) -> Result<Option<(Oid, jiff::Timestamp)>, GitError> {
        let reading = || format!("reading tag `{name}`");
        let object = self
            .inner
            .find_object(oid, None)
            .map_err(|e| GitError::read(reading(), &e))?;
        // The outermost tagger dates the release, even for a tag of a tag.
        let tagger_date = object
            .as_tag()
            .and_then(git2::Tag::tagger)
            .map(|tagger| timestamp(tagger.when().seconds()));
        let Ok(commit) = object.peel(ObjectType::Commit) else {
            return Ok(None);
        };
        let commit = commit.into_commit().map_err(|_| GitError::Read {
            action: reading(),
            reason: "the tag did not peel to a commit".to_string(),
        })?;
        let date = tagger_date.unwrap_or_else(|| timestamp(commit.time().seconds()));
        Ok(Some((commit.id(), date)))
    }
}
