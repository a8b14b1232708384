//! Reading the end of the log under the exclusive lock, and setting a torn last line aside.
//!
//! A crash mid-write leaves a last line without its `\n` (each event is written as one whole
//! line). Such a line is never kept (the next append would be glued onto it) and never silently
//! dropped: its bytes go into `events.jsonl.torn-<unix-seconds>` and the caller gets a warning.

use std::fs::{File, OpenOptions};
use std::io::{self, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use super::StoreError;
use super::replay::{complete_prefix, intact, parse_complete};
use crate::domain::event::Event;

/// What [`settle`] found after the offset it was given.
pub(crate) struct Settled {
    /// The events on the complete, parseable lines.
    pub events: Vec<Event>,
    /// For each of `events`, whether its `hash` is the hash of its contents.
    pub intact: Vec<bool>,
    /// The file length after settling: everything before it is events.
    pub end: u64,
    /// Set when a torn last line was moved into a side file.
    pub warning: Option<String>,
    /// A complete line that is not an event: its line number in the file and why. It is
    /// corruption, not a torn write (a write is one `\n`-terminated line), so it stays where it
    /// is and nothing from it on counts; the events before it are in `events`.
    pub unparsable: Option<(usize, String)>,
}

/// Reads `file` from byte `from` (which starts line `first_line`) to its end and parses it. Must
/// be called with the exclusive lock held, because it may truncate the file.
pub(crate) fn settle(
    file: &File,
    path: &Path,
    from: u64,
    first_line: usize,
) -> Result<Settled, StoreError> {
    let read_error = |source| StoreError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut reader = file;
    reader.seek(SeekFrom::Start(from)).map_err(read_error)?;
    let mut buf = Vec::new();
    reader.read_to_end(&mut buf).map_err(read_error)?;

    let complete = complete_prefix(&buf);
    let damaged = |(line, reason): (usize, String)| StoreError::Damaged {
        path: path.to_path_buf(),
        line: first_line - 1 + line,
        reason,
    };
    let (events, unparsable) = match parse_complete(complete) {
        Ok(events) => (events, None),
        Err((line, reason)) => {
            // The lines before the bad one, which parse.
            let start = complete
                .split_inclusive(|&b| b == b'\n')
                .take(line - 1)
                .map(<[u8]>::len)
                .sum::<usize>();
            (
                parse_complete(&complete[..start]).map_err(damaged)?,
                Some((first_line - 1 + line, reason)),
            )
        }
    };
    let intact = intact(&events);
    let good_len = complete.len();

    let good_end = from + good_len as u64;
    if good_len == buf.len() {
        return Ok(Settled {
            events,
            intact,
            end: good_end,
            warning: None,
            unparsable,
        });
    }
    let torn = &buf[good_len..];
    let side = set_aside(file, path, good_end, torn)?;
    let line = first_line + complete.split(|&b| b == b'\n').count() - 1;
    let warning = format!(
        "the event log {} ended in an incomplete line (line {line}, {} bytes), probably from a crash mid-write; \
         it was moved to {} and is not part of the log: check it and record that action again if it is missing",
        path.display(),
        torn.len(),
        side.display()
    );
    tracing::warn!("{warning}");
    Ok(Settled {
        events,
        intact,
        end: good_end,
        warning: Some(warning),
        unparsable,
    })
}

/// Copies `torn` into a new side file (made durable first), then truncates the log to
/// `good_end`, so a crash in between leaves the bytes in both places rather than in neither.
fn set_aside(file: &File, path: &Path, good_end: u64, torn: &[u8]) -> Result<PathBuf, StoreError> {
    let seconds = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let name = path.file_name().map_or_else(
        || "events.jsonl".into(),
        |n| n.to_string_lossy().into_owned(),
    );
    let base = path.with_file_name(format!("{name}.torn-{seconds}"));
    let error = |side: &Path, source| StoreError::SetAside {
        path: path.to_path_buf(),
        side: side.to_path_buf(),
        source,
    };
    let mut side = base.clone();
    let mut attempt = 0u32;
    let mut out = loop {
        match OpenOptions::new().write(true).create_new(true).open(&side) {
            Ok(out) => break out,
            // Two tears in one second: number the later side files.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => {
                attempt += 1;
                side = PathBuf::from(format!("{}-{attempt}", base.display()));
            }
            Err(e) => return Err(error(&side, e)),
        }
    };
    out.write_all(torn).map_err(|e| error(&side, e))?;
    out.sync_all().map_err(|e| error(&side, e))?;
    file.set_len(good_end).map_err(|e| error(&side, e))?;
    file.sync_all().map_err(|e| error(&side, e))?;
    if let Some(dir) = path.parent() {
        sync_dir(dir).map_err(|e| error(&side, e))?;
    }
    Ok(side)
}

/// Makes a directory entry (a created or renamed file) durable.
pub(crate) fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)?.sync_all()
}
