//! Diagnostics go to a log file in the data dir, never to the terminal the console owns.

use std::fs::OpenOptions;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

/// Sends `tracing` output to `<data dir>/shipdeck.log` (level from `SHIPDECK_LOG`, default
/// `info`). Logging is best effort: an unwritable data dir leaves it off. Under `--read-only`
/// nothing is created: an existing log file is appended to, else there is no log.
pub fn init(read_only: bool) {
    let dir = crate::config::data_dir();
    if !read_only && std::fs::create_dir_all(&dir).is_err() {
        return;
    }
    let Ok(file) = OpenOptions::new()
        .create(!read_only)
        .append(true)
        .open(dir.join("shipdeck.log"))
    else {
        return;
    };
    let filter = EnvFilter::try_from_env("SHIPDECK_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(Mutex::new(file))
        .try_init();
}
