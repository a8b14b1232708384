//! The deployer's own clone of a config repository: made by shipdeck, and, when the
//! configuration is not trusted, used again only while it still is what shipdeck made.
//!
//! The clone lives under the state dir, which the configuration names. A configuration that is
//! not the user's could point it at a directory holding a "clone" of its own making, whose
//! `.git/config` or hooks run programs (`core.fsmonitor`, `post-checkout` …) on the next
//! checkout. So before using a clone again, an untrusted configuration's deployer checks that
//! its settings are only the ones git writes for a clone and its hooks only the ones git's
//! template gives (the user's own), and clones again otherwise. A trusted configuration's clone
//! is used as it is.

use std::path::Path;
use std::time::Duration;

use super::Write;
use super::run::{git, git_ok};
use crate::deploy::DeployError;
use crate::git::harden::{self, Pack};

/// Makes sure `w.clone` is a usable clone of `w.repo`: reuses it (pointing `origin` at the
/// configured URL) or clones afresh.
pub fn prepare(
    w: &Write,
    parent: &Path,
    here: &[(&str, &str)],
    timeout: Duration,
    say: &dyn Fn(String),
) -> Result<(), DeployError> {
    let dot_git = w.clone.join(".git");
    let is_dir = dot_git
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_dir());
    let usable =
        is_dir && git(&w.clone, &["rev-parse", "--git-dir"], here, timeout).is_ok_and(|r| r.ok);
    let planted = (usable && !harden::repository_trusted())
        .then(|| foreign(w, parent, here, timeout))
        .flatten();
    if let Some(why) = planted {
        say(format!(
            "the clone in {} has {why}, which shipdeck did not write; cloning again",
            w.clone.display()
        ));
        return clone(w, parent, timeout, say);
    }
    if usable {
        git_ok(
            &w.clone,
            &["remote", "set-url", "origin", "--", &w.repo],
            here,
            timeout,
        )?;
        Ok(())
    } else {
        clone(w, parent, timeout, say)
    }
}

/// A fresh clone at `w.clone`: made next to it and moved in place once complete, so an
/// interrupted clone (a timeout) never leaves a half repository to be used next time.
fn clone(
    w: &Write,
    parent: &Path,
    timeout: Duration,
    say: &dyn Fn(String),
) -> Result<(), DeployError> {
    let partial = w.clone.with_extension("cloning");
    for old in [&w.clone, &partial] {
        remove(old)?;
    }
    say(format!(
        "cloning {} into {}",
        w.repo_shown,
        w.clone.display()
    ));
    let target = partial.display().to_string();
    let upload = harden::pack_option(Pack::Upload, parent, &w.repo);
    let mut args = vec!["clone", "--quiet", "--no-checkout"];
    args.extend(upload.as_deref());
    args.extend(["--", w.repo.as_str(), target.as_str()]);
    let none: [(&str, &str); 0] = [];
    git_ok(parent, &args, &none, timeout)
        .map_err(|e| format!("cannot clone the config repository {}: {e}", w.repo_shown))?;
    std::fs::rename(&partial, &w.clone)
        .map_err(|e| format!("cannot move the new clone into {}: {e}", w.clone.display()))?;
    Ok(())
}

fn remove(path: &Path) -> Result<(), DeployError> {
    match path.symlink_metadata() {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(_) => return Ok(()),
    }
    .map_err(|e| DeployError::Git(format!("cannot clear {}: {e}", path.display())))
}

/// What in the clone shipdeck did not make (a setting, a hook, a redirect of its git dir), or
/// `None`. What git makes is learnt from a fresh `git init` beside it, with the user's own
/// template and configuration.
fn foreign(w: &Write, parent: &Path, here: &[(&str, &str)], timeout: Duration) -> Option<String> {
    let dot_git = w.clone.join(".git");
    for redirect in ["commondir", "gitdir", "objects/info/alternates"] {
        if dot_git.join(redirect).symlink_metadata().is_ok() {
            return Some(format!("a `.git/{redirect}` file"));
        }
    }
    let fresh = w.clone.with_extension("fresh");
    if let Err(e) = remove(&fresh) {
        return Some(format!("nothing fresh to compare with ({e})"));
    }
    let none: [(&str, &str); 0] = [];
    let target = fresh.display().to_string();
    let made = git_ok(parent, &["init", "--quiet", "--", &target], &none, timeout);
    let fresh_git = fresh.join(".git");
    let answer = if let Err(e) = made {
        Some(format!("no fresh repository to compare with ({e})"))
    } else {
        let fresh_here = [("GIT_DIR", fresh_git.to_str().unwrap_or_default())];
        let known = local_keys(parent, &fresh_here, timeout).unwrap_or_default();
        match local_keys(&w.clone, here, timeout) {
            None => Some("settings git cannot list".to_string()),
            Some(keys) => keys
                .into_iter()
                .find(|k| !known.contains(k) && !written_by_clone(k))
                .map(|k| format!("the setting `{k}`"))
                .or_else(|| foreign_hook(&dot_git.join("hooks"), &fresh_git.join("hooks"))),
        }
    };
    let _ = remove(&fresh);
    answer
}

/// The names of the settings in a repository's own config file (not the user's or the
/// system's), as git lists them.
fn local_keys(dir: &Path, here: &[(&str, &str)], timeout: Duration) -> Option<Vec<String>> {
    let ran = git(
        dir,
        &["config", "--local", "--list", "--name-only"],
        here,
        timeout,
    )
    .ok()?;
    // An empty config file lists nothing and exits 0; a missing one is an error.
    ran.ok
        .then(|| ran.stdout.lines().map(str::to_ascii_lowercase).collect())
}

/// What `git clone` and `git checkout -B BRANCH origin/BRANCH` add to a fresh repository's
/// settings.
fn written_by_clone(key: &str) -> bool {
    if matches!(key, "remote.origin.url" | "remote.origin.fetch") {
        return true;
    }
    // `branch.<name>.remote`, `branch.<name>.merge` (the name may hold dots).
    key.strip_prefix("branch.")
        .and_then(|rest| rest.rsplit_once('.'))
        .is_some_and(|(name, var)| !name.is_empty() && matches!(var, "remote" | "merge"))
}

/// The first hook in `hooks` that git would run and the template (as in `fresh`) did not give.
fn foreign_hook(hooks: &Path, fresh: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let entries = std::fs::read_dir(hooks).ok()?;
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let runs = entry
            .path()
            .metadata()
            .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
        if !runs || name.ends_with(".sample") {
            continue;
        }
        let ours = std::fs::read(fresh.join(&*name)).ok();
        if ours.is_none() || ours != std::fs::read(entry.path()).ok() {
            return Some(format!("the hook `{name}`"));
        }
    }
    None
}
