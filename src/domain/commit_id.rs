//! How commit ids are shortened for people: the one rule. Pure.
//!
//! Two widths are in use: [`SHORT`] (7) next to a summary line (changes, notes, the console's
//! dialogs), and [`PINNED`] (12) where the id pins what something is bound to (a train's
//! members, an approval, an unreleased build's name).

/// The usual short form: 7 characters, as `git log --oneline` writes them.
pub const SHORT: usize = 7;

/// The longer short form, for ids that pin a release, a train member or an approval.
pub const PINNED: usize = 12;

/// A commit id's first [`SHORT`] characters (all of it when shorter).
pub fn short(commit: &str) -> &str {
    short_n(commit, SHORT)
}

/// A commit id's first `n` characters (all of it when shorter), never splitting one (a
/// reported commit is not always hex).
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
        assert_eq!(short(FULL), "0123456");
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
}
