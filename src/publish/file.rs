//! The `file` channel: the markdown written to a (templated) path, whole or not at all.

use std::path::{Component, Path, PathBuf};

use crate::deploy::secret::{load_known, shown};
use crate::domain::template::{CHANNEL_NAMES, Vars, expand_in};

use super::Message;

/// Writes the markdown beside the target and renames it into place, so a reader never sees
/// half of it. Returns (the path, the outcome).
pub(super) fn write(
    template: &str,
    vars: &Vars,
    message: &Message,
) -> (String, Result<String, String>) {
    let known = load_known(&message.known_secrets);
    let secrets: Vec<_> = known.iter().collect();
    let relative = match expand_in(template, vars, CHANNEL_NAMES, str::to_string) {
        Ok(p) => p,
        Err(e) => {
            return (
                shown(template, &secrets),
                Err(format!("path template: {e}")),
            );
        }
    };
    // The path comes from the configuration and its values from tags and the log: whatever
    // they say, the file lands inside the configuration's directory, through no symlink.
    let path = match inside(&message.workdir, &relative) {
        Ok(path) => path,
        Err(why) => return (shown(&relative, &secrets), Err(why)),
    };
    let shown_path = shown(&path.display().to_string(), &secrets);
    let result = (|| {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        // A new file of our own (never a symlink left there by someone else).
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        std::io::Write::write_all(&mut out, message.markdown.as_bytes())?;
        drop(out);
        std::fs::rename(&tmp, &path)
    })();
    match result {
        Ok(()) => (
            shown_path,
            Ok(format!("wrote {} bytes", message.markdown.len())),
        ),
        Err(e) => (
            shown_path.clone(),
            Err(format!("could not write {shown_path}: {e}")),
        ),
    }
}

/// `relative` under `dir`, refused when it is absolute, walks up (`..`), or passes through a
/// symlink or anything but directories on the way, or names something other than a regular
/// file: a symlink committed in a checkout must not turn the channel into a write anywhere.
pub(crate) fn inside(dir: &Path, relative: &str) -> Result<PathBuf, String> {
    let rel = Path::new(relative);
    if rel.is_absolute() || relative.starts_with('~') {
        return Err(format!(
            "the path `{}` is absolute; a file channel writes only inside the configuration's directory",
            crate::domain::sanitize::sanitize(relative)
        ));
    }
    if rel.components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::RootDir | Component::Prefix(_)
        )
    }) {
        return Err("the path would leave the configuration's directory (`..`)".to_string());
    }
    let mut at = dir.to_path_buf();
    let parts: Vec<_> = rel
        .components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect();
    if parts.is_empty() {
        return Err("the path names no file".to_string());
    }
    for (i, part) in parts.iter().enumerate() {
        at.push(part);
        let last = i + 1 == parts.len();
        match std::fs::symlink_metadata(&at) {
            Ok(meta) if meta.file_type().is_symlink() => {
                return Err(format!(
                    "{} is a symlink; a file channel never writes through one",
                    at.display()
                ));
            }
            Ok(meta) if !last && !meta.is_dir() => {
                return Err(format!("{} is not a directory", at.display()));
            }
            Ok(meta) if last && !meta.is_file() => {
                return Err(format!("{} is not a regular file", at.display()));
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot check {}: {e}", at.display())),
        }
    }
    Ok(at)
}
