//! Where the configuration is found and where a project's state lives by default.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::error::ConfigError;

/// The file name looked for in the working directory and its ancestors.
pub const FILE_NAME: &str = "shipdeck.toml";

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "shipdeck")
}

/// The configuration to use: `explicit` (from `--config`) when given; else `shipdeck.toml` in
/// `cwd` or the nearest ancestor; else the one in the user config dir.
pub fn discover(explicit: Option<&Path>, cwd: &Path) -> Result<PathBuf, ConfigError> {
    if let Some(path) = explicit {
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            cwd.join(path)
        };
        if path.is_file() {
            return Ok(path);
        }
        return Err(ConfigError::NotFound {
            what: format!(
                "{} (from --config) does not exist or is not a file",
                path.display()
            ),
        });
    }
    if let Some(found) = cwd
        .ancestors()
        .map(|dir| dir.join(FILE_NAME))
        .find(|candidate| candidate.is_file())
    {
        return Ok(found);
    }
    let user = project_dirs().map(|dirs| dirs.config_dir().join(FILE_NAME));
    if let Some(user) = &user
        && user.is_file()
    {
        return Ok(user.clone());
    }
    let user_text = user.map_or_else(
        || "the user config dir (unknown here)".to_string(),
        |p| p.display().to_string(),
    );
    Err(ConfigError::NotFound {
        what: format!(
            "no {FILE_NAME} in {} or any directory above it, nor at {user_text}",
            cwd.display()
        ),
    })
}

/// Where shipdeck keeps per-user data (trust records, default event logs):
/// `$SHIPDECK_DATA_DIR` if set, else the platform's data dir for shipdeck, else (no home
/// directory at all) `shipdeck` under the system temp dir.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("SHIPDECK_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    project_dirs().map_or_else(
        || std::env::temp_dir().join("shipdeck"),
        |dirs| dirs.data_dir().to_path_buf(),
    )
}

/// The default `state_dir`: `data_dir()/projects/<name>-<first 12 hex of sha256(config path)>`,
/// so two checkouts of one project never share an event log by accident.
pub fn default_state_dir(project: &str, config_path: &Path) -> PathBuf {
    let digest = Sha256::digest(config_path.to_string_lossy().as_bytes());
    let hash = hex::encode(digest);
    data_dir()
        .join("projects")
        .join(format!("{project}-{}", &hash[..12]))
}

/// The config file's absolute path, symlinks resolved when the file exists.
pub fn absolute(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}
