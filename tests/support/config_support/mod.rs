//! Shared by the config tests: write a file into a temp dir and load it.
#![allow(dead_code)] // each test binary uses a subset

use std::path::PathBuf;

use shipdeck::config::{ConfigError, load};
use shipdeck::domain::config::Config;

/// A minimal valid head; tests append what they exercise.
pub const HEAD: &str = r#"[project]
name = "shop"

[[environments]]
name = "dev"

[[environments]]
name = "staging"

[[environments]]
name = "prod"
"#;

pub struct Written {
    pub dir: tempfile::TempDir,
    pub path: PathBuf,
}

pub fn write(src: &str) -> Written {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("shipdeck.toml");
    std::fs::write(&path, src).expect("write config");
    Written { dir, path }
}

pub fn load_str(src: &str) -> Result<Config, ConfigError> {
    let w = write(src);
    load(&w.path)
}

/// The error's lines, with the temp path shortened to `shipdeck.toml`.
pub fn rejected(src: &str) -> Vec<String> {
    let w = write(src);
    let err = load(&w.path).expect_err("the configuration should be rejected");
    let full = w.path.display().to_string();
    err.to_string()
        .lines()
        .map(|l| l.replace(&full, "shipdeck.toml"))
        .collect()
}

/// Asserts one line of `lines` starts with `prefix` and contains every one of `parts`.
pub fn assert_problem(lines: &[String], prefix: &str, parts: &[&str]) {
    let line = lines
        .iter()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_else(|| {
            panic!(
                "no problem starting with {prefix:?} in:\n{}",
                lines.join("\n")
            )
        });
    for part in parts {
        assert!(line.contains(part), "{line:?} lacks {part:?}");
    }
}
