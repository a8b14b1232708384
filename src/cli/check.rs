//! `shipdeck check`: validate the configuration.

use std::path::Path;

use crate::app::{Failure, OrFail};

use super::output::warn_all;

/// `shipdeck check`: structure and references; warnings never fail it.
pub fn run(config: Option<&Path>) -> Result<u8, Failure> {
    let cwd = std::env::current_dir().or_fail("could not read the working directory")?;
    let path = crate::config::discover(config, &cwd).map_err(|e| Failure::usage(e.to_string()))?;
    let (cfg, bytes) = crate::config::read(&path).map_err(|e| Failure::usage(e.to_string()))?;
    warn_all(&crate::config::warnings(&cfg));
    let gates: usize = cfg.environments.iter().map(|e| e.gates.len()).sum();
    println!(
        "{}: ok — project `{}`, {} environments ({}), {} services, {} gates, {} freezes, \
         checklists: {}",
        path.display(),
        cfg.project.name,
        cfg.environments.len(),
        cfg.environments
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>()
            .join(" → "),
        cfg.services.len(),
        gates,
        cfg.freezes.len(),
        cfg.checklists
            .keys()
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    if crate::trust::needs_trust(&cfg)
        && !crate::trust::is_trusted_content(&cfg.path, &bytes).unwrap_or(false)
    {
        println!(
            "note: this configuration runs commands; none will run until you review it and run \
             `shipdeck trust`"
        );
    }
    Ok(0)
}
