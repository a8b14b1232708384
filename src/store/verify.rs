//! `shipdeck log --verify`: every line an event, seq 1, 2, 3…, each `prev` the hash before it,
//! each hash recomputed, ids unique. Stops at the first bad line and names it.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use super::chain::{GENESIS_PREV, event_hash};
use super::replay::{complete_prefix, parse_line};
use crate::domain::sanitize::sanitize;

/// The outcome of [`verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// How many events verified (all of them when `first_bad` is `None`).
    pub events: usize,
    /// The first line that failed, if any.
    pub first_bad: Option<BadLine>,
}

impl VerifyReport {
    /// Whether the whole log verified.
    pub fn is_ok(&self) -> bool {
        self.first_bad.is_none()
    }
}

/// A line that failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadLine {
    /// 1-based line number; 0 when the file could not be read at all.
    pub line: usize,
    /// What is wrong with it, in a sentence.
    pub reason: String,
}

/// Verifies the log at `path`. A missing file is an empty, valid log.
pub fn verify(path: &Path) -> VerifyReport {
    let bytes = match super::safe_file::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return VerifyReport {
                events: 0,
                first_bad: None,
            };
        }
        Err(e) => {
            return VerifyReport {
                events: 0,
                first_bad: Some(BadLine {
                    line: 0,
                    reason: format!("could not read {}: {e}", path.display()),
                }),
            };
        }
    };
    verify_bytes(&bytes)
}

fn verify_bytes(bytes: &[u8]) -> VerifyReport {
    let complete = complete_prefix(bytes);
    let lines: Vec<&[u8]> = complete
        .strip_suffix(b"\n")
        .map(|body| body.split(|&b| b == b'\n').collect())
        .unwrap_or_default();
    let checked = check_all(&lines);

    let mut ids: HashMap<&str, usize> = HashMap::with_capacity(checked.len());
    let mut prev = GENESIS_PREV;
    for (index, line) in checked.iter().enumerate() {
        let line_no = index + 1;
        let bad = |reason: String| VerifyReport {
            events: index,
            first_bad: Some(BadLine {
                line: line_no,
                reason,
            }),
        };
        let line = match line {
            Ok(line) => line,
            Err(reason) => return bad(reason.clone()),
        };
        let expected_seq = line_no as u64;
        if line.seq != expected_seq {
            return bad(format!("seq is {}, expected {expected_seq}", line.seq));
        }
        if line.prev != prev {
            return bad(format!(
                "prev is {}, but the hash of the line before is {prev}",
                sanitize(&line.prev)
            ));
        }
        if let Some(expected) = &line.hash_mismatch {
            return bad(format!(
                "hash is {}, but the line's contents hash to {expected}: the line was changed after it was written",
                sanitize(&line.hash)
            ));
        }
        if let Some(first) = ids.insert(&line.id, line_no) {
            return bad(format!(
                "id {} was already used on line {first}",
                sanitize(&line.id)
            ));
        }
        prev = &line.hash;
    }
    if complete.len() < bytes.len() {
        return VerifyReport {
            events: checked.len(),
            first_bad: Some(BadLine {
                line: checked.len() + 1,
                reason: "the last line has no newline: a write was interrupted; opening the log with shipdeck sets it aside"
                    .to_string(),
            }),
        };
    }
    VerifyReport {
        events: checked.len(),
        first_bad: None,
    }
}

/// What one line says about itself, checked without its neighbours.
struct Checked {
    seq: u64,
    id: String,
    prev: String,
    hash: String,
    /// The hash the line should carry, when it carries another.
    hash_mismatch: Option<String>,
}

/// Parses and hashes every line; the expensive, independent part, so large logs are split
/// between two threads.
fn check_all(lines: &[&[u8]]) -> Vec<Result<Checked, String>> {
    const PARALLEL_FROM: usize = 4096;
    if lines.len() < PARALLEL_FROM {
        return lines.iter().map(|line| check_line(line)).collect();
    }
    let (head, tail) = lines.split_at(lines.len() / 2);
    std::thread::scope(|scope| {
        let tail_job = scope.spawn(|| tail.iter().map(|line| check_line(line)).collect::<Vec<_>>());
        let mut checked: Vec<_> = head.iter().map(|line| check_line(line)).collect();
        match tail_job.join() {
            Ok(rest) => checked.extend(rest),
            Err(_) => checked.push(Err("the checker panicked".to_string())),
        }
        checked
    })
}

fn check_line(line: &[u8]) -> Result<Checked, String> {
    let event = parse_line(line)?;
    let expected = event_hash(&event);
    Ok(Checked {
        seq: event.seq,
        hash_mismatch: (expected != event.hash).then_some(expected),
        id: event.id,
        prev: event.prev,
        hash: event.hash,
    })
}
