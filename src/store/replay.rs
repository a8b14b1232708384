//! Reading the log back: one JSON object a line, every line ending in `\n`.

use std::io;
use std::path::Path;

use super::StoreError;
use super::integrity::{Chain, Damage};
use crate::domain::event::Event;
use crate::domain::sanitize::sanitize;

/// Every event in the log at `path`, in file order, without checking the chain (that is
/// [`super::verify`]'s job). A missing file is an empty log. An unterminated last line is not an
/// event yet (a write in progress, or a crash mid-write that [`super::EventLog::open`] will set
/// aside), so it is not returned; any complete line that is not an event is an error naming it.
pub fn read_events(path: &Path) -> Result<Vec<Event>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(StoreError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let complete = complete_prefix(&bytes);
    parse_complete(complete).map_err(|(line, reason)| StoreError::Damaged {
        path: path.to_path_buf(),
        line,
        reason,
    })
}

/// The events of the log at `path` that count, and the first line that fails verification (see
/// [`super::integrity`]): what a read-only session decides on. Reads as it is, changes nothing.
pub fn read_checked(path: &Path) -> Result<(Vec<Event>, Option<Damage>), StoreError> {
    let bytes = match super::safe_file::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok((Vec::new(), None)),
        Err(source) => {
            return Err(StoreError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let complete = complete_prefix(&bytes);
    let mut chain = Chain::new(true);
    let mut events = Vec::new();
    let Some(lines) = complete.strip_suffix(b"\n") else {
        return Ok((events, None));
    };
    for (index, line) in lines.split(|&b| b == b'\n').enumerate() {
        let checked = parse_line(line)
            .map_err(|why| {
                format!("the line is not an event ({why}): the file was damaged or edited")
            })
            .and_then(|event| chain.step(&event).map(|()| event));
        match checked {
            Ok(event) => events.push(event),
            Err(reason) => {
                return Ok((
                    events,
                    Some(Damage {
                        index,
                        line: index + 1,
                        reason,
                    }),
                ));
            }
        }
    }
    Ok((events, None))
}

/// The bytes up to and including the last `\n`.
pub(crate) fn complete_prefix(bytes: &[u8]) -> &[u8] {
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(end) => &bytes[..=end],
        None => &[],
    }
}

/// Parses complete lines (`bytes` ends in `\n` or is empty). On failure gives the 1-based line
/// within `bytes` and why. Large logs are split between two threads at a line boundary: replay
/// is the one place the log is read whole, and parsing dominates it.
pub(crate) fn parse_complete(bytes: &[u8]) -> Result<Vec<Event>, (usize, String)> {
    const PARALLEL_FROM: usize = 1 << 20;
    if bytes.len() < PARALLEL_FROM {
        return parse_serial(bytes, 1);
    }
    let middle = bytes.len() / 2;
    let split = bytes[middle..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| middle + p + 1);
    let (head, tail) = bytes.split_at(split);
    // `head` ends in `\n`, so splitting yields one piece more than it has lines.
    let head_lines = head.split(|&b| b == b'\n').count() - 1;
    let (head_result, tail_result) = std::thread::scope(|scope| {
        let tail_job = scope.spawn(|| parse_serial(tail, head_lines + 1));
        let head_result = parse_serial(head, 1);
        (head_result, tail_job.join())
    });
    let mut events = head_result?;
    let tail_events =
        tail_result.map_err(|_| (head_lines + 1, "the parser panicked".to_string()))??;
    events.extend(tail_events);
    Ok(events)
}

fn parse_serial(bytes: &[u8], first_line: usize) -> Result<Vec<Event>, (usize, String)> {
    // About 300 bytes a line; a guess that saves most reallocations.
    let mut events = Vec::with_capacity(bytes.len() / 300 + 1);
    let Some(lines) = bytes.strip_suffix(b"\n") else {
        return Ok(events);
    };
    for (i, line) in lines.split(|&b| b == b'\n').enumerate() {
        let event = parse_line(line).map_err(|reason| (first_line + i, reason))?;
        events.push(event);
    }
    Ok(events)
}

/// The most one event may take (its line in the file, its `event.json` on the shared ref):
/// a 100 MB event would cost every reader memory and seconds. Refused on write and on read.
pub const MAX_EVENT_BYTES: usize = 1 << 20;

/// One line (without its `\n`) as an event, or why it is not one.
pub(crate) fn parse_line(line: &[u8]) -> Result<Event, String> {
    if line.is_empty() {
        return Err("the line is empty".to_string());
    }
    if line.len() > MAX_EVENT_BYTES {
        return Err(format!(
            "the line is {} bytes, over the {} bytes an event may take",
            line.len(),
            MAX_EVENT_BYTES
        ));
    }
    serde_json::from_slice(line).map_err(|e| format!("not an event: {}", sanitize(&e.to_string())))
}
