//! `shipdeck init [--repo DIR]`: a commented `shipdeck.toml` from a repository's tags, that
//! passes `check` as written. It never overwrites a file.

mod group;
mod render;

use std::io::Write;
use std::path::{Component, Path, PathBuf};

pub use group::{Proposal, group, service_name};
pub use render::{Draft, render};

/// What `init` wrote.
#[derive(Debug)]
pub struct Written {
    pub path: PathBuf,
    pub services: Vec<(Proposal, Vec<String>)>,
    pub ignored: Vec<String>,
}

/// Reads the tags of the repository at `repo`, writes `file` (which must not exist yet) and
/// checks that it loads. Errors are sentences for the user.
pub fn init(repo: &Path, file: &Path) -> Result<Written, String> {
    if file.exists() {
        return Err(format!(
            "{} exists already; init never overwrites a file: edit it, or move it away first",
            file.display()
        ));
    }
    let git = git2::Repository::discover(repo).map_err(|e| {
        format!(
            "{} is not in a git repository: {}",
            repo.display(),
            e.message()
        )
    })?;
    let top = git.workdir().unwrap_or_else(|| git.path()).to_path_buf();
    let tags: Vec<String> = git
        .tag_names(None)
        .map_err(|e| format!("cannot read the tags of {}: {}", top.display(), e.message()))?
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    let top = top.canonicalize().unwrap_or(top);
    let repo_name = top
        .file_name()
        .map_or_else(|| "app".to_string(), |n| n.to_string_lossy().into_owned());
    let (proposals, ignored) = group(&tags, &repo_name);
    if proposals.is_empty() {
        return Err(format!(
            "{} has no release tags (like `v1.2.3` or `api-v1.2.3`); tag a release first, or \
             copy config.example.toml and write the services by hand",
            top.display()
        ));
    }
    let dirs = directories(&git);
    let services: Vec<(Proposal, Vec<String>)> = proposals
        .into_iter()
        .map(|p| {
            let paths = dirs
                .iter()
                .filter(|d| d.rsplit('/').next() == Some(p.name.as_str()))
                .take(1)
                .map(|d| format!("{d}/**"))
                .collect();
            (p, paths)
        })
        .collect();
    let file_dir = absolute(file.parent().unwrap_or(Path::new(".")));
    let file_dir = file_dir.canonicalize().unwrap_or(file_dir);
    let repo_shown = relative(&top, &file_dir);
    let project = service_name("", &repo_name);
    let text = render(&Draft {
        project: &project,
        repo: &repo_shown,
        services: &services,
        ignored: &ignored,
    });
    // `create_new`: a file that appeared since the check above is not overwritten either.
    let mut out = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(file)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => format!(
                "{} exists already; init never overwrites a file",
                file.display()
            ),
            _ => format!("cannot create {}: {e}", file.display()),
        })?;
    out.write_all(text.as_bytes())
        .and_then(|()| out.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    Ok(Written {
        path: file.to_path_buf(),
        services,
        ignored,
    })
}

/// Directories at the top of HEAD's tree and one level below (`services/api`), as paths.
fn directories(git: &git2::Repository) -> Vec<String> {
    let Ok(tree) = git.head().and_then(|h| h.peel_to_tree()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in &tree {
        if entry.kind() != Some(git2::ObjectType::Tree) {
            continue;
        }
        let Some(name) = entry.name() else { continue };
        out.push(name.to_string());
        if let Ok(sub) = entry.to_object(git).and_then(|o| o.peel_to_tree()) {
            for child in &sub {
                if child.kind() == Some(git2::ObjectType::Tree)
                    && let Some(child_name) = child.name()
                {
                    out.push(format!("{name}/{child_name}"));
                }
            }
        }
    }
    // Top-level folders first: `tokio` before `examples/tokio`.
    out.sort_by_key(|d| (d.matches('/').count(), d.clone()));
    out
}

fn absolute(path: &Path) -> PathBuf {
    if path.as_os_str().is_empty() {
        return std::env::current_dir().unwrap_or_default();
    }
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    }
}

/// `target` as seen from `from` (both absolute): `.`, `sub/dir` or `../other`.
fn relative(target: &Path, from: &Path) -> String {
    let t: Vec<Component<'_>> = target.components().collect();
    let f: Vec<Component<'_>> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.display().to_string();
    }
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::relative;
    use std::path::Path;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/a/b"), Path::new("/a/b")), ".");
        assert_eq!(relative(Path::new("/a/b/c"), Path::new("/a/b")), "c");
        assert_eq!(relative(Path::new("/a/x"), Path::new("/a/b")), "../x");
    }
}
