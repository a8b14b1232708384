//! The log file is opened only when it is what it should be: a regular file, not a symlink,
//! owned by the user running shipdeck. A checkout that ships `.shipdeck/events.jsonl` as a
//! symlink to someone's file must not have `status` truncate it or `approve` write into it.

use std::fs::{File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::MetadataExt as _;
use std::path::Path;

/// Refuses `path` unless it is missing or a regular file of this user's (not following a
/// symlink). `Ok(None)` when it does not exist.
pub(crate) fn check(path: &Path) -> io::Result<Option<Metadata>> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    if meta.file_type().is_symlink() {
        return Err(refused(path, "is a symlink"));
    }
    if !meta.is_file() {
        return Err(refused(path, "is not a regular file"));
    }
    let me = rustix::process::geteuid().as_raw();
    if meta.uid() != me {
        return Err(refused(
            path,
            &format!("is owned by user {}, not by you (user {me})", meta.uid()),
        ));
    }
    Ok(Some(meta))
}

/// Opens `path` with `options` after [`check`], and makes sure the file opened is the one that
/// was checked (not a symlink swapped in between).
pub(crate) fn open(path: &Path, options: &OpenOptions) -> io::Result<File> {
    let before = check(path)?;
    let file = options.open(path)?;
    let opened = file.metadata()?;
    let now = check(path)?;
    let same = |m: &Option<Metadata>| {
        m.as_ref()
            .is_none_or(|m| m.dev() == opened.dev() && m.ino() == opened.ino())
    };
    if now.is_none() || !same(&before) || !same(&now) {
        return Err(refused(path, "changed while it was opened"));
    }
    Ok(file)
}

/// The whole file at `path`, after [`check`].
pub(crate) fn read(path: &Path) -> io::Result<Vec<u8>> {
    let mut file = open(path, OpenOptions::new().read(true))?;
    let mut bytes = Vec::new();
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "refused: {} {why}; shipdeck keeps its log only in a regular file of its own — \
             remove it (it may have come with a checkout) and let shipdeck create it",
            path.display()
        ),
    )
}
