//! `shipdeck trust`: trust this configuration's commands as the file is now.

use std::path::Path;

use crate::app::{Failure, OrFail};

/// `shipdeck trust`.
pub fn run(config: Option<&Path>) -> Result<u8, Failure> {
    let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
    let path = crate::config::discover(config, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
    let (cfg, bytes) = crate::config::read(&path).map_err(|e| Failure::usage(e.to_string()))?;
    crate::trust::trust_content(&cfg.path, &bytes).or_fail("could not record the trust")?;
    println!(
        "trusted {} as it is now; editing it withdraws the trust",
        cfg.path.display()
    );
    Ok(0)
}
