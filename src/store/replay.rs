//! Reading the log back: one JSON object a line, every line ending in `\n`.

use std::io;
use std::path::Path;

use super::StoreError;
use super::chain::event_hash;
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
/// within `bytes` and why. Checks nothing of the chain (see [`intact`]).
pub(crate) fn parse_complete(bytes: &[u8]) -> Result<Vec<Event>, (usize, String)> {
    parse_lines(bytes, parse_line)
}

/// Whether each event's `hash` is the hash of its contents (what [`Chain::step_hashed`]
/// takes). Hashing is the other half of a replay's work and, unlike the links between lines,
/// needs nothing but the line itself, so large logs are hashed on two threads.
pub(crate) fn intact(events: &[Event]) -> Vec<bool> {
    const PARALLEL_FROM: usize = 2_000;
    let hash = |events: &[Event]| -> Vec<bool> {
        events.iter().map(|e| event_hash(e) == e.hash).collect()
    };
    if events.len() < PARALLEL_FROM {
        return hash(events);
    }
    let (head, tail) = events.split_at(events.len() / 2);
    let (mut head, tail) = std::thread::scope(|scope| {
        let tail_job = scope.spawn(|| hash(tail));
        (hash(head), tail_job.join())
    });
    // Hashing cannot panic on an event that parsed; should it, the tail counts as changed.
    head.extend(tail.unwrap_or_else(|_| vec![false; events.len() - events.len() / 2]));
    head
}

/// `parse` over every complete line. Large logs are split between two threads at a line
/// boundary: replay is the one place the log is read whole, and parsing dominates it.
fn parse_lines<T: Send>(
    bytes: &[u8],
    parse: impl Fn(&[u8]) -> Result<T, String> + Sync,
) -> Result<Vec<T>, (usize, String)> {
    const PARALLEL_FROM: usize = 1 << 20;
    if bytes.len() < PARALLEL_FROM {
        return parse_serial(bytes, 1, &parse);
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
        let tail_job = scope.spawn(|| parse_serial(tail, head_lines + 1, &parse));
        let head_result = parse_serial(head, 1, &parse);
        (head_result, tail_job.join())
    });
    let mut parsed = head_result?;
    let mut tail_parsed =
        tail_result.map_err(|_| (head_lines + 1, "the parser panicked".to_string()))??;
    parsed.append(&mut tail_parsed);
    Ok(parsed)
}

fn parse_serial<T>(
    bytes: &[u8],
    first_line: usize,
    parse: &impl Fn(&[u8]) -> Result<T, String>,
) -> Result<Vec<T>, (usize, String)> {
    // About 300 bytes a line; a guess that saves most reallocations.
    let mut parsed = Vec::with_capacity(bytes.len() / 300 + 1);
    let Some(lines) = bytes.strip_suffix(b"\n") else {
        return Ok(parsed);
    };
    for (i, line) in lines.split(|&b| b == b'\n').enumerate() {
        parsed.push(parse(line).map_err(|reason| (first_line + i, reason))?);
    }
    Ok(parsed)
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
