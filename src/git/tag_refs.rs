//! The repository's tags read straight from its ref files: `packed-refs`, then the loose refs
//! under `refs/tags/` (a loose ref wins over a packed one of the same name), as git itself reads
//! them. libgit2's iteration stats a loose path for every packed tag; with thousands of tags
//! that was a large part of listing releases. `None` when the layout is one this reader does not
//! know (a reftable, a symbolic tag, a line it cannot read): the caller then asks libgit2.

use std::collections::BTreeMap;
use std::path::Path;

use git2::Oid;

/// Every `refs/tags/*` ref: its name after `refs/tags/` and the object it points to.
pub fn tags(common_dir: &Path) -> Option<BTreeMap<String, Oid>> {
    if common_dir.join("reftable").exists() {
        return None;
    }
    let mut tags = BTreeMap::new();
    match std::fs::read_to_string(common_dir.join("packed-refs")) {
        Ok(text) => packed(&text, &mut tags)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) => return None,
    }
    loose(&common_dir.join("refs/tags"), "", &mut tags)?;
    Some(tags)
}

fn packed(text: &str, tags: &mut BTreeMap<String, Oid>) -> Option<()> {
    for line in text.lines() {
        if line.starts_with('#') || line.starts_with('^') || line.is_empty() {
            continue;
        }
        let (oid, name) = line.split_once(' ')?;
        if let Some(tag) = name.strip_prefix("refs/tags/") {
            tags.insert(tag.to_string(), Oid::from_str(oid).ok()?);
        }
    }
    Some(())
}

fn loose(dir: &Path, prefix: &str, tags: &mut BTreeMap<String, Oid>) -> Option<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(()),
        Err(_) => return None,
    };
    for entry in entries {
        let entry = entry.ok()?;
        let name = entry.file_name().into_string().ok()?;
        let full = format!("{prefix}{name}");
        let kind = entry.file_type().ok()?;
        if kind.is_dir() {
            loose(&entry.path(), &format!("{full}/"), tags)?;
        } else if kind.is_file() {
            // A lock file of a ref being written is not a ref.
            if entry.path().extension().is_some_and(|e| e == "lock") {
                continue;
            }
            let text = std::fs::read_to_string(entry.path()).ok()?;
            let oid = Oid::from_str(text.trim()).ok()?;
            tags.insert(full, oid);
        } else {
            return None;
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::packed;
    use std::collections::BTreeMap;

    #[test]
    fn packed_refs_give_tags_only_and_skip_peeled_lines() {
        let text = "# pack-refs with: peeled fully-peeled sorted \n\
                    1111111111111111111111111111111111111111 refs/heads/main\n\
                    2222222222222222222222222222222222222222 refs/tags/api-v1.0.0\n\
                    ^3333333333333333333333333333333333333333\n";
        let mut tags = BTreeMap::new();
        packed(text, &mut tags).expect("reads");
        assert_eq!(tags.len(), 1);
        assert_eq!(
            tags["api-v1.0.0"].to_string(),
            "2222222222222222222222222222222222222222"
        );
    }
}
