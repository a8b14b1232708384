//! Trusted configurations. A configuration that can run commands (command deployers, probes or
//! check gates) runs none until the user has trusted that exact file, as `direnv allow` does:
//! the trust is keyed by the file's canonical path and the sha256 of its bytes, so editing the
//! file afterwards (or someone else's checkout at another path) is untrusted again.
//!
//! Kept in `<data dir>/trusted.json` as `{ "<canonical path>": "<sha256 hex>" }`; the data dir is
//! `$SHIPDECK_DATA_DIR` when set, else the platform's data dir for shipdeck.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use crate::domain::config::{CheckSpec, Config, DeployerSpec, GateRule, ProbeSource};

const FILE: &str = "trusted.json";

/// Where shipdeck keeps per-user data (the same rule `crate::config` uses).
fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("SHIPDECK_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("", "", "shipdeck")
        .map(|d| d.data_dir().to_path_buf())
        .context("found no home directory to keep trusted configurations in; set SHIPDECK_DATA_DIR")
}

/// The canonical absolute path of `config_path`, as the key of the trust file.
fn key(config_path: &Path) -> Result<String> {
    let canonical = config_path
        .canonicalize()
        .with_context(|| format!("cannot resolve {}", config_path.display()))?;
    Ok(canonical.to_string_lossy().into_owned())
}

fn digest(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn load(file: &Path) -> Result<BTreeMap<String, String>> {
    match std::fs::read(file) {
        Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{} is not a trust file; move it away and trust again",
                file.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", file.display())),
    }
}

/// Whether the file at `config_path`, as it is on disk now, has been trusted. A caller that
/// parsed the file must ask [`is_trusted_content`] with the bytes it parsed instead: reading the
/// file a second time lets someone swap it in between.
pub fn is_trusted(config_path: &Path) -> Result<bool> {
    let bytes = std::fs::read(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    is_trusted_content(config_path, &bytes)
}

/// Whether `bytes`, read from `config_path`, have been trusted. Lets a caller check exactly the
/// bytes it parsed, not whatever the file holds a moment later.
pub fn is_trusted_content(config_path: &Path, bytes: &[u8]) -> Result<bool> {
    let trusted = load(&data_dir()?.join(FILE))?;
    Ok(trusted.get(&key(config_path)?) == Some(&digest(bytes)))
}

/// Trusts the file at `config_path` as it is on disk now (its path and content hash).
pub fn trust(config_path: &Path) -> Result<()> {
    let bytes = std::fs::read(config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    trust_content(config_path, &bytes)
}

/// Trusts `bytes` as the content of `config_path`: the bytes the caller read (and parsed), not
/// whatever the file holds a moment later.
pub fn trust_content(config_path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = data_dir()?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let file = dir.join(FILE);
    let mut trusted = load(&file)?;
    trusted.insert(key(config_path)?, digest(bytes));
    let text = serde_json::to_string_pretty(&trusted).context("cannot encode the trust file")?;
    // Written aside and renamed, so a crash never leaves half a trust file.
    let tmp = dir.join(format!("{FILE}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &file).with_context(|| format!("cannot write {}", file.display()))
}

/// Whether `config` can run commands: a command deployer, a command probe or a command check
/// gate, anywhere (per-environment overrides included), or a command channel for release notes.
pub fn needs_trust(config: &Config) -> bool {
    let command_gate = config.environments.iter().any(|e| {
        e.gates
            .iter()
            .any(|g| matches!(g.rule, GateRule::Check(CheckSpec::Command { .. })))
    });
    let command_target = config.services.iter().any(|s| {
        let probes = s
            .health
            .iter()
            .chain(s.env.values().filter_map(|o| o.health.as_ref()));
        let deployers = s
            .deploy
            .iter()
            .chain(s.env.values().filter_map(|o| o.deploy.as_ref()));
        probes
            .into_iter()
            .any(|p| matches!(p.source, ProbeSource::Command { .. }))
            || deployers
                .into_iter()
                .any(|d| matches!(d, DeployerSpec::Command(_)))
    });
    let command_channel = config
        .channels
        .iter()
        .any(|c| matches!(c.kind, crate::domain::channel::ChannelKind::Command { .. }));
    let command_router = config.exposure.targets.iter().any(|t| {
        matches!(
            t.spec.router,
            crate::domain::traffic::RouterSpec::Command { .. }
        )
    });
    command_gate || command_target || command_channel || command_router
}
