//! `shipdeck log --verify`: every line an event, seq 1, 2, 3…, each `prev` the hash before it,
//! each hash recomputed, ids unique. Stops at the first bad line and names it.

use std::collections::HashMap;
use std::io;
use std::path::Path;

use super::chain::{GENESIS_PREV, chain_hash};
use super::replay::parse_line;
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
    let bytes = match std::fs::read(path) {
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
    let mut ids: HashMap<String, usize> = HashMap::new();
    let mut prev = GENESIS_PREV.to_string();
    let mut events = 0;
    let mut rest = bytes;
    while !rest.is_empty() {
        let line_no = events + 1;
        let bad = |reason: String| VerifyReport {
            events,
            first_bad: Some(BadLine {
                line: line_no,
                reason,
            }),
        };
        let Some(end) = rest.iter().position(|&b| b == b'\n') else {
            return bad(
                "the last line has no newline: a write was interrupted; opening the log with shipdeck sets it aside"
                    .to_string(),
            );
        };
        let line = &rest[..end];
        rest = &rest[end + 1..];
        let event = match parse_line(line) {
            Ok(event) => event,
            Err(reason) => return bad(reason),
        };
        let expected_seq = line_no as u64;
        if event.seq != expected_seq {
            return bad(format!("seq is {}, expected {expected_seq}", event.seq));
        }
        if event.prev != prev {
            return bad(format!(
                "prev is {}, but the hash of the line before is {prev}",
                sanitize(&event.prev)
            ));
        }
        let hash = chain_hash(&prev, &event.body(), event.seq);
        if event.hash != hash {
            return bad(format!(
                "hash is {}, but the line's contents hash to {hash}: the line was changed after it was written",
                sanitize(&event.hash)
            ));
        }
        if let Some(first) = ids.insert(event.id.clone(), line_no) {
            return bad(format!(
                "id {} was already used on line {first}",
                sanitize(&event.id)
            ));
        }
        prev = event.hash;
        events += 1;
    }
    VerifyReport {
        events,
        first_bad: None,
    }
}
