//! The demo's git repository: built once from [`HISTORY`] with git2 and explicit signatures, so
//! the result never depends on the user's git configuration, then reused on later runs (the
//! event log refers to its commits, so rebuilding would orphan recorded approvals).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result, bail};
use git2::build::CheckoutBuilder;
use git2::{FileMode, Oid, Repository, RepositoryInitOptions, Signature, Time};
use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};

use super::history::{BAD_RELEASE, Commit, HISTORY, Person, SERVICES};

/// A release tag of the demo repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoRelease {
    pub service: &'static str,
    /// The whole tag name (`api-v1.5.0`).
    pub tag: &'static str,
    /// The tag's tail after the prefix, less the `v` (`1.5.0`).
    pub version: String,
    /// The commit the tag points at (40 hex).
    pub commit: String,
    /// Deploys, then fails its health check.
    pub bad: bool,
}

/// Builds the repository at `dir` unless it is already there, and returns every release in it,
/// each service's oldest first.
pub fn ensure(dir: &Path, now: Timestamp) -> Result<Vec<DemoRelease>> {
    let fresh = !dir.exists()
        || std::fs::read_dir(dir)
            .with_context(|| format!("could not read {}", dir.display()))?
            .next()
            .is_none();
    let repo = if fresh {
        build(dir, now)?
    } else {
        Repository::open(dir).with_context(|| {
            format!(
                "{} exists and is not a shipdeck demo repository; choose an empty directory for the demo",
                dir.display()
            )
        })?
    };
    releases(&repo).with_context(|| {
        format!(
            "{} is not a shipdeck demo repository (its release tags are missing); choose an empty directory for the demo",
            dir.display()
        )
    })
}

/// When a commit of the history happened: `days_ago` days before `now`'s UTC date, at the
/// author's local time. The day is counted in UTC for everyone, so an author east of UTC late in
/// the UTC evening does not jump a day ahead of the others and reorder the history.
pub fn commit_time(now: Timestamp, commit: &Commit) -> Result<Timestamp> {
    let offset = Offset::from_seconds(commit.author.offset_minutes * 60)?;
    let tz = TimeZone::fixed(offset);
    let day = now
        .to_zoned(TimeZone::UTC)
        .date()
        .checked_sub(jiff::Span::new().days(commit.days_ago))?;
    let local = day.at(commit.at.0, commit.at.1, 0, 0);
    Ok(local.to_zoned(tz)?.timestamp())
}

fn build(dir: &Path, now: Timestamp) -> Result<Repository> {
    let mut opts = RepositoryInitOptions::new();
    opts.initial_head("main")
        .mkdir(true)
        .mkpath(true)
        .no_reinit(true)
        .external_template(false);
    let repo = Repository::init_opts(dir, &opts)
        .with_context(|| format!("could not create a git repository at {}", dir.display()))?;
    {
        let mut files: BTreeMap<String, String> = BTreeMap::new();
        let mut parent: Option<Oid> = None;
        for commit in HISTORY {
            for (path, line) in commit.files {
                let text = files.entry((*path).to_string()).or_default();
                // VERSION files hold one line; source files grow a blank line per change.
                if path.ends_with("VERSION") {
                    text.clear();
                } else if !text.is_empty() {
                    text.push('\n');
                }
                text.push_str(line);
                text.push('\n');
            }
            let tree_id = write_tree(&repo, &files)?;
            let tree = repo.find_tree(tree_id)?;
            let sig = signature(commit.author, commit_time(now, commit)?)?;
            let parents = match parent {
                Some(id) => vec![repo.find_commit(id)?],
                None => Vec::new(),
            };
            let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let id = repo
                .commit(
                    Some("HEAD"),
                    &sig,
                    &sig,
                    commit.message,
                    &tree,
                    &parent_refs,
                )
                .with_context(|| format!("could not commit {:?}", commit.message))?;
            if let Some(tag) = commit.tag {
                let object = repo.find_object(id, None)?;
                let message = tag_message(tag);
                repo.tag(tag, &object, &sig, &message, false)
                    .with_context(|| format!("could not tag {tag}"))?;
            }
            parent = Some(id);
        }
        repo.checkout_head(Some(CheckoutBuilder::new().force()))
            .context("could not check out the demo repository")?;
    }
    Ok(repo)
}

fn signature(person: Person, at: Timestamp) -> Result<Signature<'static>> {
    let time = Time::new(at.as_second(), person.offset_minutes);
    Ok(Signature::new(person.name, person.email, &time)?)
}

fn tag_message(tag: &str) -> String {
    let (service, version) = tag.split_once("-v").unwrap_or((tag, ""));
    format!("{service} {version}\n")
}

/// A directory of the tree being built: files by name, subdirectories by name.
#[derive(Default)]
struct Dir {
    files: BTreeMap<String, Oid>,
    dirs: BTreeMap<String, Dir>,
}

fn write_tree(repo: &Repository, files: &BTreeMap<String, String>) -> Result<Oid> {
    let mut root = Dir::default();
    for (path, text) in files {
        let blob = repo.blob(text.as_bytes())?;
        let mut parts: Vec<&str> = path.split('/').collect();
        let name = parts.pop().unwrap_or_default();
        let mut dir = &mut root;
        for part in parts {
            dir = dir.dirs.entry(part.to_string()).or_default();
        }
        dir.files.insert(name.to_string(), blob);
    }
    write_dir(repo, &root)
}

fn write_dir(repo: &Repository, dir: &Dir) -> Result<Oid> {
    let mut builder = repo.treebuilder(None)?;
    for (name, blob) in &dir.files {
        builder.insert(name, *blob, i32::from(FileMode::Blob))?;
    }
    for (name, sub) in &dir.dirs {
        let id = write_dir(repo, sub)?;
        builder.insert(name, id, i32::from(FileMode::Tree))?;
    }
    Ok(builder.write()?)
}

fn releases(repo: &Repository) -> Result<Vec<DemoRelease>> {
    let mut out = Vec::new();
    for (service, prefix) in SERVICES {
        for tag in super::history::release_tags(service) {
            let commit = repo
                .revparse_single(&format!("refs/tags/{tag}"))
                .and_then(|o| o.peel_to_commit())
                .with_context(|| format!("tag {tag} is missing"))?;
            let Some(version) = tag.strip_prefix(prefix) else {
                bail!("tag {tag} does not start with {prefix}");
            };
            out.push(DemoRelease {
                service,
                tag,
                version: version.to_string(),
                commit: commit.id().to_string(),
                bad: tag == BAD_RELEASE,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_times_strictly_increase_and_lie_in_the_past() {
        // Every hour of a day, so an author's local date running ahead of UTC is covered.
        let midnight: Timestamp = "2026-12-04T00:00:00Z".parse().expect("a timestamp");
        let nows = (0..24)
            .map(|h| midnight + jiff::SignedDuration::from_hours(h))
            .chain([
                midnight + jiff::SignedDuration::from_secs(86_399),
                Timestamp::now(),
            ]);
        for now in nows {
            let times: Vec<Timestamp> = HISTORY
                .iter()
                .map(|c| commit_time(now, c).expect("valid time"))
                .collect();
            for pair in times.windows(2) {
                assert!(pair[0] < pair[1], "at {now}: {} !< {}", pair[0], pair[1]);
            }
            assert!(
                times.iter().all(|t| *t < now),
                "at {now}: a commit lies ahead"
            );
        }
    }
}
