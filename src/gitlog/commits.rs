//! One event, one commit: the commit's tree holds `event.json` (the event's body and its
//! signature, canonical JSON), its parent is the event before it, so the commit graph is the
//! chain. Reading walks first parents from a tip.

use git2::{Oid, Repository, Signature, Time};
use serde::{Deserialize, Serialize};

use crate::domain::event::{Event, EventBody};
use crate::domain::sanitize::sanitize;
use crate::store::canonical_json;

/// The file in each event commit's tree.
pub const EVENT_FILE: &str = "event.json";

/// What an event commit carries: the body (which the id and signature cover) and the signature.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stored {
    #[serde(flatten)]
    pub body: EventBody,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

/// An event read from a commit.
#[derive(Debug, Clone)]
pub struct Link {
    pub commit: Oid,
    pub parent: Option<Oid>,
    pub stored: Stored,
}

/// A commit on the log's ref that is not a shipdeck event (pushed by hand, or damaged).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Foreign {
    pub commit: Oid,
    pub reason: String,
}

/// Writes `stored` as a commit on top of `parent` (not moving any ref) and returns it.
pub fn write(repo: &Repository, parent: Option<Oid>, stored: &Stored) -> Result<Oid, git2::Error> {
    let value = serde_json::to_value(stored)
        .map_err(|e| git2::Error::from_str(&format!("could not encode the event: {e}")))?;
    let bytes = canonical_json(&value);
    if bytes.len() > crate::store::MAX_EVENT_BYTES {
        return Err(git2::Error::from_str(&format!(
            "refused an event of {} bytes: an event may take at most {} bytes",
            bytes.len(),
            crate::store::MAX_EVENT_BYTES
        )));
    }
    let blob = repo.blob(bytes.as_bytes())?;
    let mut tree = repo.treebuilder(None)?;
    tree.insert(EVENT_FILE, blob, 0o100_644)?;
    let tree = repo.find_tree(tree.write()?)?;
    let who = signature(&stored.body)?;
    let parents = match parent {
        Some(oid) => vec![repo.find_commit(oid)?],
        None => Vec::new(),
    };
    let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
    repo.commit(None, &who, &who, &message(&stored.body), &tree, &parents)
}

/// Reads the chain from `tip` back to (not including) `stop`, or to the root; oldest first.
/// Commits that are not events are returned apart, never silently dropped.
pub fn read(
    repo: &Repository,
    tip: Option<Oid>,
    stop: Option<Oid>,
) -> Result<(Vec<Link>, Vec<Foreign>), git2::Error> {
    read_to(repo, tip, stop).map(|(links, foreign, _)| (links, foreign))
}

/// Like [`read`], also saying whether the walk met `stop` (rather than the root).
pub fn read_to(
    repo: &Repository,
    tip: Option<Oid>,
    stop: Option<Oid>,
) -> Result<(Vec<Link>, Vec<Foreign>, bool), git2::Error> {
    let mut links = Vec::new();
    let mut foreign = Vec::new();
    let mut next = tip;
    let mut met = false;
    while let Some(oid) = next {
        if Some(oid) == stop {
            met = true;
            break;
        }
        let commit = repo.find_commit(oid)?;
        let parent = commit.parent_ids().next();
        if commit.parent_count() > 1 {
            foreign.push(Foreign {
                commit: oid,
                reason: "a merge commit; the log is a single line of events".into(),
            });
        }
        match event_of(repo, &commit) {
            Ok(stored) => links.push(Link {
                commit: oid,
                parent,
                stored,
            }),
            Err(reason) => foreign.push(Foreign {
                commit: oid,
                reason,
            }),
        }
        next = parent;
    }
    links.reverse();
    foreign.reverse();
    Ok((links, foreign, met))
}

/// Turns a chain (oldest first) into the log's events: `seq` from 1, `hash` the commit id,
/// `prev` the parent's (40 zeros for the first).
pub fn events(links: &[Link]) -> Vec<Event> {
    links
        .iter()
        .enumerate()
        .map(|(i, link)| {
            Event::stored(
                link.stored.body.clone(),
                i as u64 + 1,
                link.parent
                    .map_or_else(|| "0".repeat(40), |p| p.to_string()),
                link.commit.to_string(),
                link.stored.sig.clone(),
            )
        })
        .collect()
}

fn event_of(repo: &Repository, commit: &git2::Commit<'_>) -> Result<Stored, String> {
    let tree = commit.tree().map_err(|e| e.to_string())?;
    let entry = tree
        .get_name(EVENT_FILE)
        .ok_or_else(|| format!("no `{EVENT_FILE}` in its tree"))?;
    // Its size first, from the object's header: a huge blob is never loaded.
    let (size, _) = repo
        .odb()
        .and_then(|odb| odb.read_header(entry.id()))
        .map_err(|e| format!("`{EVENT_FILE}` cannot be read: {e}"))?;
    if size > crate::store::MAX_EVENT_BYTES {
        return Err(format!(
            "`{EVENT_FILE}` is {size} bytes, over the {} bytes an event may take",
            crate::store::MAX_EVENT_BYTES
        ));
    }
    let blob = repo
        .find_blob(entry.id())
        .map_err(|e| format!("`{EVENT_FILE}` is not a file: {e}"))?;
    let stored: Stored = serde_json::from_slice(blob.content())
        .map_err(|e| format!("`{EVENT_FILE}` is not an event: {e}"))?;
    if stored.body.id.is_empty() {
        return Err("the event has no id".into());
    }
    Ok(stored)
}

/// Author and committer: the actor, at the event's time (so the history reads like the log).
fn signature(body: &EventBody) -> Result<Signature<'static>, git2::Error> {
    // git refuses `<`, `>` and newlines in names; the actor is shown sanitized anyway.
    let clean: String = sanitize(&body.actor)
        .chars()
        .map(|c| {
            if matches!(c, '<' | '>' | '\n') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let name = if clean.trim().is_empty() {
        "unknown".to_string()
    } else {
        clean
    };
    let email = if name.contains('@') {
        name.clone()
    } else {
        format!("{name}@shipdeck")
    };
    Signature::new(&name, &email, &Time::new(body.at.as_second(), 0))
}

fn message(body: &EventBody) -> String {
    let part = |v: &Option<String>| v.as_deref().map(sanitize).unwrap_or_default();
    let subject = [
        sanitize(&body.kind),
        part(&body.service),
        part(&body.release),
        part(&body.env),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" ");
    format!(
        "{subject}\n\nshipdeck-event: {}\nactor: {}\n",
        sanitize(&body.id),
        sanitize(&body.actor)
    )
}
