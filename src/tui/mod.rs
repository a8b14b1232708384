//! (being written on the `tui` branch)

/// Placeholder until the console lands; says so honestly.
pub fn run(_config: Option<std::path::PathBuf>, _read_only: bool) -> anyhow::Result<()> {
    anyhow::bail!("the console is not built yet; use the headless commands (`shipdeck --help`)")
}
