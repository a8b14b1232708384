//! Commit ids, and how they are shortened for people: the one rule. Pure.
//!
//! Two widths are in use: [`SHORT`] (7) next to a summary line (changes, notes, the console's
//! dialogs), and [`PINNED`] (12) where the id pins what something is bound to (a train's
//! members, an approval, an unreleased build's name).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The usual short form: 7 characters, as `git log --oneline` writes them.
pub const SHORT: usize = 7;

/// The longer short form, for ids that pin a release, a train member or an approval.
pub const PINNED: usize = 12;

/// A commit id as git names it: 40 hex characters, or abbreviated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommitId(String);

impl CommitId {
    pub fn new(id: impl Into<String>) -> CommitId {
        CommitId(id.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first [`SHORT`] characters (all of it when shorter).
    pub fn short(&self) -> &str {
        short(&self.0)
    }

    /// The first `n` characters (all of it when shorter).
    pub fn short_n(&self, n: usize) -> &str {
        short_n(&self.0, n)
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for CommitId {
    fn from(id: String) -> CommitId {
        CommitId(id)
    }
}

impl From<&str> for CommitId {
    fn from(id: &str) -> CommitId {
        CommitId(id.to_string())
    }
}

impl AsRef<str> for CommitId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// [`CommitId::short`] of a commit held as a string: its first [`SHORT`] characters.
pub fn short(commit: &str) -> &str {
    short_n(commit, SHORT)
}

/// [`CommitId::short_n`] of a commit held as a string: its first `n` characters, never
/// splitting one (a reported commit is not always hex).
pub fn short_n(commit: &str, n: usize) -> &str {
    commit
        .char_indices()
        .nth(n)
        .map_or(commit, |(i, _)| &commit[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn short_is_the_first_seven_characters() {
        let id = CommitId::new(FULL);
        assert_eq!(id.short(), "0123456");
        assert_eq!(short(FULL), "0123456");
        assert_eq!(id.short_n(PINNED), "0123456789ab");
        assert_eq!(short_n(FULL, PINNED), "0123456789ab");
    }

    #[test]
    fn a_shorter_id_is_kept_whole() {
        assert_eq!(short("abc"), "abc");
        assert_eq!(short(""), "");
        assert_eq!(short_n("0123456", 12), "0123456");
        assert_eq!(short("0123456"), "0123456");
    }

    #[test]
    fn it_never_splits_a_character() {
        assert_eq!(short("ééééééééé"), "ééééééé");
        assert_eq!(short_n("aé", 1), "a");
    }

    #[test]
    fn it_displays_and_serializes_as_the_whole_id() {
        let id = CommitId::from(FULL);
        assert_eq!(id.to_string(), FULL);
        assert_eq!(id.as_str(), FULL);
        assert_eq!(
            serde_json::to_string(&id).expect("json"),
            format!("\"{FULL}\"")
        );
        let back: CommitId = serde_json::from_str(&format!("\"{FULL}\"")).expect("json");
        assert_eq!(back, id);
    }
}
