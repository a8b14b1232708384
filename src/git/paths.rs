//! A service's `paths`: git pathspecs (without magic), and whether a commit's tree differs from
//! its parent's within them — what `git log A..B -- PATHS` asks of each commit.
//!
//! Matching follows git's `tree_entry_interesting` for plain pathspecs: a spec without wildcards
//! names a file or a directory (everything under it); a spec with wildcards (`*`, `?`, `[`, `\`)
//! is matched against a file's whole path with git's wildmatch without `WM_PATHNAME`, so `*` also
//! matches `/` (`services/api/**` is everything under `services/api/`). Directories are walked
//! only where a spec could match something inside them.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::rc::Rc;

use git2::{ObjectType, Odb, Oid};

use super::GitError;
use super::pattern::tag_matches;
use super::tree_same_cache::TreeSames;

/// The bytes that make a pathspec a pattern (git's `is_glob_special`).
const WILDCARDS: &[u8] = b"*?[\\";

/// One pathspec item.
#[derive(Debug, Clone)]
struct Item {
    /// As written, less a leading `./` and a trailing `/`.
    spec: String,
    /// The part before the first wildcard (the whole spec when there is none).
    literal: String,
    wildcard: bool,
}

/// A set of pathspecs; empty means the whole repository.
#[derive(Debug, Clone, Default)]
pub struct Pathspec {
    items: Vec<Item>,
}

/// Why a configured path is not a pathspec shipdeck reads; `None` when it is one.
pub fn pathspec_problem(spec: &str) -> Option<&'static str> {
    if spec.trim().is_empty() {
        return Some("an empty path matches nothing; write a folder like `services/api/**`");
    }
    if spec.starts_with(':') {
        return Some("pathspec magic (`:(…)`, `:!`, `:/`) is not supported; write plain globs");
    }
    if spec.starts_with('/') {
        return Some("paths are relative to the repository's root; drop the leading `/`");
    }
    if spec.split('/').any(|part| part == "..") {
        return Some("`..` cannot leave the repository; paths are relative to its root");
    }
    None
}

impl Pathspec {
    pub fn new(specs: &[String]) -> Pathspec {
        let items = specs
            .iter()
            .map(|s| {
                let mut spec = s.trim_start_matches("./").to_string();
                while spec.len() > 1 && spec.ends_with('/') {
                    spec.pop();
                }
                let cut = spec
                    .bytes()
                    .position(|b| WILDCARDS.contains(&b))
                    .unwrap_or(spec.len());
                Item {
                    literal: spec[..cut].to_string(),
                    wildcard: cut < spec.len(),
                    spec,
                }
            })
            .collect();
        Pathspec { items }
    }

    /// For each item, the deepest path every file it matches lies at or under: the whole spec
    /// of a plain item (a file or a folder), the folders of the part before the first wildcard
    /// of a pattern (empty, the root, for a pattern like `*.md`).
    fn anchors(&self) -> impl Iterator<Item = &str> {
        self.items.iter().map(|item| {
            if item.wildcard {
                item.literal
                    .rfind('/')
                    .map_or("", |slash| &item.literal[..slash])
            } else {
                item.spec.as_str()
            }
        })
    }

    /// Whether it limits nothing (no paths configured).
    pub fn is_everything(&self) -> bool {
        self.items.is_empty()
    }

    /// Whether the file (or submodule) at `path` is one of the service's.
    pub fn matches_file(&self, path: &str) -> bool {
        self.items.iter().any(|item| {
            if item.wildcard {
                tag_matches(&item.spec, path)
            } else {
                path == item.spec || under(path, &item.spec)
            }
        })
    }

    /// Whether the directory at `dir` may hold one of the service's files.
    fn may_hold(&self, dir: &str) -> bool {
        self.items.iter().any(|item| {
            if item.wildcard {
                // Either the directory is on the way to the literal part, or past it.
                under(&item.literal, dir) || format!("{dir}/").starts_with(&item.literal)
            } else {
                dir == item.spec || under(&item.spec, dir) || under(dir, &item.spec)
            }
        })
    }
}

/// Whether `path` lies inside directory `dir`.
fn under(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

/// One tree entry: name, whether it is a directory, its mode and object.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    name: String,
    dir: bool,
    mode: u32,
    oid: Oid,
}

/// Compares trees within a pathspec, reading each tree object at most once while it is cached.
pub(super) struct TreeCompare<'o, 'r> {
    odb: &'o Odb<'r>,
    spec: &'o Pathspec,
    cache: HashMap<Oid, Rc<Vec<Entry>>>,
    /// Answers of earlier runs for this pathspec; written back when dropped.
    known: TreeSames,
}

impl Drop for TreeCompare<'_, '_> {
    fn drop(&mut self) {
        self.known.save();
    }
}

/// Trees kept parsed; history walks touch each commit's trees about twice, close together.
const CACHE_LIMIT: usize = 8192;

impl<'o, 'r> TreeCompare<'o, 'r> {
    pub(super) fn new(odb: &'o Odb<'r>, spec: &'o Pathspec) -> Self {
        let specs: Vec<&str> = spec.items.iter().map(|i| i.spec.as_str()).collect();
        TreeCompare {
            odb,
            spec,
            cache: HashMap::new(),
            known: TreeSames::load(&specs),
        }
    }

    /// Whether the two root trees hold the same files within the pathspec (git's
    /// `REV_TREE_SAME`).
    pub(super) fn same(&mut self, a: Oid, b: Oid) -> Result<bool, GitError> {
        if a == b {
            return Ok(true);
        }
        if let Some(known) = self.known.get(a, b) {
            return Ok(known);
        }
        let same = self.anchors_same(a, b)? || self.same_in(Some(a), Some(b), "")?;
        self.known.insert(a, b, same);
        Ok(same)
    }

    /// Whether, for every item, the same entry (mode and object) sits at its anchor in both
    /// trees, or in neither: then every file the pathspec matches is the same on both sides.
    /// Most commits of a monorepo touch another service's folder, and this answers them with a
    /// few entries looked up, where comparing the trees would walk every differing folder.
    /// `false` means "not known to be the same": the full comparison decides.
    fn anchors_same(&mut self, a: Oid, b: Oid) -> Result<bool, GitError> {
        let spec = self.spec;
        if spec.is_everything() {
            return Ok(false);
        }
        for anchor in spec.anchors() {
            if anchor.is_empty() || self.entry_at(a, anchor)? != self.entry_at(b, anchor)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The entry (mode, object) at `path` from the root tree `root`, if there is one.
    fn entry_at(&mut self, root: Oid, path: &str) -> Result<Option<(u32, Oid)>, GitError> {
        let mut found = None;
        for part in path.split('/') {
            let tree = match found {
                None => root,
                Some((mode, oid)) if mode & 0o170_000 == 0o040_000 => oid,
                // A file where the path needs a folder: nothing is at the path.
                Some(_) => return Ok(None),
            };
            found = self
                .entries(tree)?
                .iter()
                .find(|e| e.name == part)
                .map(|e| (e.mode, e.oid));
            if found.is_none() {
                return Ok(None);
            }
        }
        Ok(found)
    }

    /// Whether the root tree holds no file within the pathspec (git's
    /// `rev_same_tree_as_empty`).
    pub(super) fn empty(&mut self, tree: Oid) -> Result<bool, GitError> {
        self.same_in(Some(tree), None, "")
    }

    fn same_in(
        &mut self,
        one: Option<Oid>,
        other: Option<Oid>,
        base: &str,
    ) -> Result<bool, GitError> {
        if one == other {
            return Ok(true);
        }
        let left = match one {
            Some(t) => self.entries(t)?,
            None => Rc::new(Vec::new()),
        };
        let right = match other {
            Some(t) => self.entries(t)?,
            None => Rc::new(Vec::new()),
        };
        // Both lists are in git's tree order, so one pass pairs the entries of each name.
        let (mut li, mut ri) = (0, 0);
        while li < left.len() || ri < right.len() {
            let order = match (left.get(li), right.get(ri)) {
                (Some(l), Some(r)) => tree_order(l, r),
                (Some(_), None) => Ordering::Less,
                _ => Ordering::Greater,
            };
            let (l, r) = match order {
                Ordering::Less => (left.get(li), None),
                Ordering::Greater => (None, right.get(ri)),
                Ordering::Equal => (left.get(li), right.get(ri)),
            };
            if order != Ordering::Greater {
                li += 1;
            }
            if order != Ordering::Less {
                ri += 1;
            }
            if !self.entry_same(base, l, r)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether one name holds the same files within the pathspec on both sides.
    fn entry_same(
        &mut self,
        base: &str,
        l: Option<&Entry>,
        r: Option<&Entry>,
    ) -> Result<bool, GitError> {
        if let (Some(l), Some(r)) = (l, r)
            && l == r
        {
            return Ok(true);
        }
        let Some(name) = l.or(r).map(|e| e.name.as_str()) else {
            return Ok(true);
        };
        let path = if base.is_empty() {
            name.to_string()
        } else {
            format!("{base}/{name}")
        };
        // A name may be a file on one side and a directory on the other: each side counts.
        let file_of = |e: Option<&Entry>| e.filter(|e| !e.dir).map(|e| (e.mode, e.oid));
        let dir_of = |e: Option<&Entry>| e.filter(|e| e.dir).map(|e| e.oid);
        let (lf, rf) = (file_of(l), file_of(r));
        if lf != rf && self.spec.matches_file(&path) {
            return Ok(false);
        }
        let (ld, rd) = (dir_of(l), dir_of(r));
        if ld != rd && self.spec.may_hold(&path) {
            return self.same_in(ld, rd, &path);
        }
        Ok(true)
    }

    fn entries(&mut self, tree: Oid) -> Result<Rc<Vec<Entry>>, GitError> {
        if let Some(found) = self.cache.get(&tree) {
            return Ok(Rc::clone(found));
        }
        let object = self
            .odb
            .read(tree)
            .map_err(|e| GitError::read(format!("reading tree {tree}"), &e))?;
        if object.kind() != ObjectType::Tree {
            return Err(GitError::Read {
                action: format!("reading tree {tree}"),
                reason: "it is not a tree".to_string(),
            });
        }
        let parsed = Rc::new(parse_tree(object.data()).ok_or_else(|| GitError::Read {
            action: format!("reading tree {tree}"),
            reason: "it is not a well-formed tree".to_string(),
        })?);
        if self.cache.len() >= CACHE_LIMIT {
            self.cache.clear();
        }
        self.cache.insert(tree, Rc::clone(&parsed));
        Ok(parsed)
    }
}

/// git's order of tree entries: by name, a directory's name as if followed by `/`.
fn tree_order(left: &Entry, right: &Entry) -> Ordering {
    let (one, other) = (left.name.as_bytes(), right.name.as_bytes());
    let common = one.len().min(other.len());
    one[..common].cmp(&other[..common]).then_with(|| {
        let next = |name: &[u8], dir: bool| match name.get(common) {
            Some(&byte) => byte,
            None if dir => b'/',
            None => 0,
        };
        next(one, left.dir).cmp(&next(other, right.dir))
    })
}

/// A raw tree object's entries: `<octal mode> <name>\0<20-byte id>` each.
fn parse_tree(mut data: &[u8]) -> Option<Vec<Entry>> {
    let mut out = Vec::new();
    while !data.is_empty() {
        let space = data.iter().position(|&b| b == b' ')?;
        let mode = std::str::from_utf8(&data[..space]).ok()?;
        let mode = u32::from_str_radix(mode, 8).ok()?;
        let rest = &data[space + 1..];
        let nul = rest.iter().position(|&b| b == 0)?;
        let name = String::from_utf8_lossy(&rest[..nul]).into_owned();
        let id = rest.get(nul + 1..nul + 21)?;
        let oid = Oid::from_bytes(id).ok()?;
        out.push(Entry {
            name,
            dir: mode & 0o170_000 == 0o040_000,
            mode,
            oid,
        });
        data = &rest[nul + 21..];
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(items: &[&str]) -> Pathspec {
        Pathspec::new(&items.iter().map(|s| (*s).to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn a_plain_spec_is_a_file_or_everything_under_a_folder() {
        let s = spec(&["services/api", "README.md"]);
        assert!(s.matches_file("services/api/src/main.rs"));
        assert!(s.matches_file("services/api"));
        assert!(s.matches_file("README.md"));
        assert!(!s.matches_file("services/apigw/main.rs"));
        assert!(!s.matches_file("docs/README.md"));
        assert!(s.may_hold("services"));
        assert!(s.may_hold("services/api/src"));
        assert!(!s.may_hold("services/web"));
    }

    #[test]
    fn a_glob_star_crosses_folders_as_in_git() {
        let s = spec(&["services/api/**", "libs/*.proto"]);
        assert!(s.matches_file("services/api/src/deep/x.rs"));
        assert!(!s.matches_file("services/api"));
        assert!(s.matches_file("libs/common/types.proto"));
        assert!(!s.matches_file("libs/common/types.rs"));
        assert!(s.may_hold("libs/common"));
        assert!(s.may_hold("services"));
        assert!(!s.may_hold("web"));
    }

    #[test]
    fn a_trailing_slash_and_a_leading_dot_slash_are_the_same_folder() {
        let s = spec(&["./services/api/"]);
        assert!(s.matches_file("services/api/x"));
        assert!(!s.matches_file("services/apix"));
    }

    #[test]
    fn magic_absolute_and_escaping_paths_are_refused() {
        assert!(pathspec_problem(":!services/web").is_some());
        assert!(pathspec_problem("/services").is_some());
        assert!(pathspec_problem("../other").is_some());
        assert!(pathspec_problem(" ").is_some());
        assert!(pathspec_problem("services/api/**").is_none());
    }
}
