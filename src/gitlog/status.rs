//! What this clone knows about its last contact with the remote, kept beside the lock in the
//! state directory so "stale since …" survives between commands.

use std::path::Path;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `<state_dir>/git-sync.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Status {
    /// The last fetch that reached the remote.
    pub last_fetch: Option<Timestamp>,
    /// The last push the remote accepted.
    pub last_push: Option<Timestamp>,
}

impl Status {
    /// Reads the file; a missing or unreadable one is an empty status (it is only a cache).
    pub fn read(path: &Path) -> Status {
        std::fs::read(path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    /// Writes it whole (temp file, rename), so a crash leaves the old or the new one.
    pub fn write(&self, path: &Path) {
        let Ok(text) = serde_json::to_vec_pretty(self) else {
            return;
        };
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
