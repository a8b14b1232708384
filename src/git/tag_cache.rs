//! What each tag peels to, kept between runs: a tag's object id → (the commit it peels to, the
//! release's date). Both follow from the object's content alone (a tag object names its target
//! and carries its tagger's date; a lightweight tag's object is the commit itself), so an entry
//! can never go stale and one file serves every repository. Listing 1,237 releases then reads
//! the refs and no object at all; only tags never seen before are peeled.
//!
//! The file lives in the data dir (`<data dir>/cache/tag-peels`), set once per process by the
//! context; without one (tests of the git layer, a library caller) nothing is cached. It is
//! written only when new tags were peeled and the process may write (never under
//! `--read-only`), atomically (a temp file renamed over it). A file that does not parse is
//! ignored and rewritten: it only ever saves time.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use git2::Oid;

/// More entries than this and the cache starts over (a bound, not a policy).
const MAX_ENTRIES: usize = 200_000;

struct Place {
    path: PathBuf,
    writable: bool,
}

static PLACE: Mutex<Option<Place>> = Mutex::new(None);

/// Where this process keeps the cache (`None`: nowhere), and whether it may write it.
pub fn set_dir(dir: Option<&Path>, writable: bool) {
    let place = dir.map(|d| Place {
        path: d.join("cache").join("tag-peels"),
        writable,
    });
    if let Ok(mut slot) = PLACE.lock() {
        *slot = place;
    }
}

/// The peels known so far; [`Peels::save`] writes back what was added.
pub struct Peels {
    entries: HashMap<Oid, (Oid, i64)>,
    added: bool,
}

impl Peels {
    /// The cached peels (none when there is no cache or it does not parse).
    pub fn load() -> Peels {
        let entries = place_path()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|text| parse(&text))
            .unwrap_or_default();
        Peels {
            entries,
            added: false,
        }
    }

    pub fn get(&self, tag: Oid) -> Option<(Oid, i64)> {
        self.entries.get(&tag).copied()
    }

    pub fn insert(&mut self, tag: Oid, commit: Oid, date: i64) {
        if self.entries.len() >= MAX_ENTRIES {
            self.entries.clear();
        }
        self.entries.insert(tag, (commit, date));
        self.added = true;
    }

    /// Writes the cache when something was added and this process may write; a failure only
    /// costs the next run time.
    pub fn save(&self) {
        if !self.added {
            return;
        }
        let Some(path) = writable_path() else {
            return;
        };
        let mut text = String::with_capacity(self.entries.len() * 96);
        for (tag, (commit, date)) in &self.entries {
            let _ = writeln!(text, "{tag} {commit} {date}");
        }
        let _ = write_atomically(&path, text.as_bytes());
    }
}

/// The file `name` beside the tag peels (`<data dir>/cache/NAME`), and whether this process
/// may write it: the place of the other caches of immutable git facts (`tree_same_cache`).
pub(super) fn sibling(name: &str) -> Option<(PathBuf, bool)> {
    let slot = PLACE.lock().ok()?;
    let place = slot.as_ref()?;
    Some((place.path.with_file_name(name), place.writable))
}

fn place_path() -> Option<PathBuf> {
    PLACE.lock().ok()?.as_ref().map(|p| p.path.clone())
}

fn writable_path() -> Option<PathBuf> {
    PLACE
        .lock()
        .ok()?
        .as_ref()
        .filter(|p| p.writable)
        .map(|p| p.path.clone())
}

fn parse(text: &str) -> Option<HashMap<Oid, (Oid, i64)>> {
    let mut entries = HashMap::new();
    for line in text.lines() {
        let mut parts = line.split(' ');
        let tag = Oid::from_str(parts.next()?).ok()?;
        let commit = Oid::from_str(parts.next()?).ok()?;
        let date = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        entries.insert(tag, (commit, date));
    }
    Some(entries)
}

/// Writes `bytes` to `path` by a temp file renamed over it, so readers see all or nothing.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(|| "cache".into(), |n| n.to_string_lossy().into_owned());
    let temp = dir.join(format!(".{name}.{}", std::process::id()));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_data()?;
    std::fs::rename(&temp, path)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn a_cache_line_is_tag_commit_and_date_and_anything_else_voids_the_file() {
        let tag = "1111111111111111111111111111111111111111";
        let commit = "2222222222222222222222222222222222222222";
        let parsed = parse(&format!("{tag} {commit} 1700000000\n")).expect("parses");
        assert_eq!(parsed.len(), 1);
        assert!(parse(&format!("{tag} {commit}\n")).is_none());
        assert!(parse(&format!("{tag} {commit} 17 extra\n")).is_none());
        assert!(parse("garbage\n").is_none());
    }
}
