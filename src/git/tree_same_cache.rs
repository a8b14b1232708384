//! Whether two trees hold the same files within a service's paths, kept between runs: the
//! answer follows from the two tree ids and the pathspec alone (trees are content-addressed),
//! so an entry never goes stale. It is git's own remedy for the same cost (the changed-path
//! Bloom filters of `git commit-graph write --changed-paths`): a path-limited changelog
//! compares each commit's tree with its parent's, and most of its time is reading those trees.
//! With the answers kept, a changelog over history seen before reads only the commits.
//!
//! One file per pathspec, `<data dir>/cache/tree-same-<digest>`, beside the tag peels
//! ([`super::tag_cache`], which sets the place): records of 41 bytes, the two tree ids in
//! ascending order and 1 or 0. Written only when answers were added and the process may
//! write (never under `--read-only`), atomically. A file whose length is not a whole number of
//! records is ignored and rewritten: it only ever saves time.

use std::collections::HashMap;
use std::path::PathBuf;

use git2::Oid;
use sha2::{Digest as _, Sha256};

/// One record: two 20-byte tree ids and whether they are the same within the paths.
const RECORD: usize = 41;

/// More answers than this and the file starts over (a bound, not a policy: 20 MB).
const MAX_ENTRIES: usize = 500_000;

/// The answers known for one pathspec.
pub(super) struct TreeSames {
    file: Option<(PathBuf, bool)>,
    entries: HashMap<(Oid, Oid), bool>,
    added: bool,
}

impl TreeSames {
    /// The answers kept for the pathspec `specs` (as configured); none when there is no cache.
    pub(super) fn load(specs: &[&str]) -> TreeSames {
        let mut digest = Sha256::new();
        // The matching rules' version: answers under other rules must not be read.
        digest.update(b"tree-same 1\0");
        for spec in specs {
            digest.update(spec.as_bytes());
            digest.update([0]);
        }
        let name = format!("tree-same-{}", &hex::encode(digest.finalize())[..16]);
        let file = super::tag_cache::sibling(&name);
        let entries = file
            .as_ref()
            .and_then(|(path, _)| std::fs::read(path).ok())
            .and_then(|bytes| parse(&bytes))
            .unwrap_or_default();
        TreeSames {
            file,
            entries,
            added: false,
        }
    }

    pub(super) fn get(&self, a: Oid, b: Oid) -> Option<bool> {
        self.entries.get(&ordered(a, b)).copied()
    }

    pub(super) fn insert(&mut self, a: Oid, b: Oid, same: bool) {
        if self.file.is_none() {
            return;
        }
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries.insert(ordered(a, b), same);
        self.added = true;
    }

    /// Writes the answers back when some were added and this process may write; a failure
    /// only costs the next run time.
    pub(super) fn save(&self) {
        let Some((path, true)) = &self.file else {
            return;
        };
        if !self.added {
            return;
        }
        let mut bytes = Vec::with_capacity(self.entries.len() * RECORD);
        for ((a, b), same) in &self.entries {
            bytes.extend_from_slice(a.as_bytes());
            bytes.extend_from_slice(b.as_bytes());
            bytes.push(u8::from(*same));
        }
        let _ = super::tag_cache::write_atomically(path, &bytes);
    }
}

/// The pair in one order, so `(a, b)` and `(b, a)` share an answer.
fn ordered(a: Oid, b: Oid) -> (Oid, Oid) {
    if a <= b { (a, b) } else { (b, a) }
}

fn parse(bytes: &[u8]) -> Option<HashMap<(Oid, Oid), bool>> {
    if !bytes.len().is_multiple_of(RECORD) {
        return None;
    }
    let mut entries = HashMap::with_capacity(bytes.len() / RECORD);
    for record in bytes.chunks_exact(RECORD) {
        let a = Oid::from_bytes(&record[..20]).ok()?;
        let b = Oid::from_bytes(&record[20..40]).ok()?;
        let same = match record[40] {
            0 => false,
            1 => true,
            _ => return None,
        };
        entries.insert((a, b), same);
    }
    Some(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_is_two_tree_ids_and_a_bit_and_anything_else_voids_the_file() {
        let a = Oid::from_str("1111111111111111111111111111111111111111").expect("an id");
        let b = Oid::from_str("2222222222222222222222222222222222222222").expect("an id");
        let mut bytes = [a.as_bytes(), b.as_bytes(), &[1]].concat();
        let parsed = parse(&bytes).expect("parses");
        assert_eq!(parsed.get(&(a, b)), Some(&true));
        bytes.push(0);
        assert!(parse(&bytes).is_none(), "not a whole record");
        bytes.pop();
        bytes[40] = 2;
        assert!(parse(&bytes).is_none(), "a bit that is neither 0 nor 1");
    }

    #[test]
    fn a_pair_is_the_same_pair_in_either_order() {
        let a = Oid::from_str("1111111111111111111111111111111111111111").expect("an id");
        let b = Oid::from_str("2222222222222222222222222222222222222222").expect("an id");
        assert_eq!(ordered(a, b), ordered(b, a));
    }
}
