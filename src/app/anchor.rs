//! The head of the file log this user last saw, kept outside the log (in the data dir, keyed by
//! the log's path): whoever can rewrite `events.jsonl` can recompute its whole hash chain or cut
//! it at a line boundary, and `log --verify` alone cannot tell. The anchor can: the log must
//! still hold the event it last saw at that position, with that hash.
//!
//! `<data dir>/anchors/<sha256 of the log's path>.json` = `{ "log", "seq", "hash" }`. It moves
//! forward only when the log still extends it; after a rewrite it stays (and every command
//! warns) until the user has looked and removes it. `--read-only` reads it and writes nothing.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::domain::event::Event;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Anchor {
    log: String,
    seq: u64,
    hash: String,
}

/// Where the anchor of the log at `log` is kept.
pub fn anchor_path(log: &Path) -> PathBuf {
    let key = log.canonicalize().unwrap_or_else(|_| log.to_path_buf());
    let digest = hex::encode(Sha256::digest(key.to_string_lossy().as_bytes()));
    crate::config::data_dir()
        .join("anchors")
        .join(format!("{}.json", &digest[..32]))
}

/// Checks `events` (the log at `log`, as counted) against the head last seen; moves the anchor
/// to the new head when the log still holds the old one (unless `read_only`). The warning, when
/// the history no longer holds what this user saw.
pub fn check(log: &Path, events: &[Event], read_only: bool) -> Option<String> {
    let path = anchor_path(log);
    let seen: Option<Anchor> = std::fs::read(&path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    if let Some(seen) = &seen {
        let index = usize::try_from(seen.seq)
            .unwrap_or(usize::MAX)
            .saturating_sub(1);
        let problem = match events.get(index) {
            None => Some(format!(
                "it now holds {} events, but you last saw event #{} (hash {}): it was cut short",
                events.len(),
                seen.seq,
                short(&seen.hash)
            )),
            Some(e) if e.hash != seen.hash => Some(format!(
                "event #{} now has hash {}, but you last saw it with hash {}: the history before \
                 it was rewritten (its chain recomputed)",
                seen.seq,
                short(&e.hash),
                short(&seen.hash)
            )),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            return Some(format!(
                "THE EVENT LOG WAS REWRITTEN: {}: {problem}. Find out who changed it and restore \
                 it from a good copy; once you have checked it, remove {} to accept it as it is",
                log.display(),
                path.display()
            ));
        }
    }
    if read_only {
        return None;
    }
    let head = events.last()?;
    let now = Anchor {
        log: log.display().to_string(),
        seq: head.seq,
        hash: head.hash.clone(),
    };
    if seen.as_ref() != Some(&now) {
        write(&path, &now);
    }
    None
}

/// Best effort, whole or not at all: a missing anchor only means less is noticed.
fn write(path: &Path, anchor: &Anchor) {
    let Some(dir) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(text) = serde_json::to_vec(anchor) else {
        return;
    };
    let tmp = path.with_extension(format!("{}.tmp", std::process::id()));
    if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
}

fn short(hash: &str) -> String {
    crate::domain::sanitize::sanitize(&hash.chars().take(12).collect::<String>())
}
