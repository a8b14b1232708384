//! `shipdeck` with no command: the console.

use std::path::Path;

use crate::app::Failure;

/// `shipdeck` with no command: the console.
pub fn run(config: Option<&Path>, read_only: bool) -> Result<u8, Failure> {
    crate::tui::run(config.map(Path::to_path_buf), read_only)
        .map_err(|e| Failure::failed(format!("{e:#}")))?;
    Ok(0)
}
