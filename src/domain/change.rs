//! A commit as a changelog shows it.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One commit between two points, its text already sanitized.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commit {
    /// 40 hex.
    pub commit: String,
    pub author: String,
    pub date: Timestamp,
    /// The first line of the message.
    pub summary: String,
}
