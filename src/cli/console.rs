//! `shipdeck` with no command: the console.

use std::path::Path;

use crate::app::{Failure, OrFail};

/// `shipdeck` with no command: the console.
pub fn run(config: Option<&Path>, read_only: bool) -> Result<u8, Failure> {
    // No configuration (or a broken one) is bad usage, exit 2, with the message every other
    // command gives, before the terminal is touched.
    let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
    let path = crate::config::discover(config, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
    crate::config::load(&path).map_err(|e| Failure::usage(e.to_string()))?;
    crate::tui::run(config.map(Path::to_path_buf), read_only)
        .map_err(|e| Failure::failed(format!("{e:#}")))?;
    Ok(0)
}
