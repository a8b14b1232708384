//! A team around one bare repository: each person a clone with their own HOME, data dir and
//! identity, running the real binary (or the library) against the shared event log.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common;

#[allow(unused_imports)] // each test binary uses a subset
pub use common::{git, stderr, stdout, wait_for};

/// The configuration every clone shares (committed in the repository).
pub const CONFIG: &str = r#"[project]
name = "shop"
state_dir = ".shipdeck"
state = { backend = "git", fetch_timeout = "10s" }

[[environments]]
name = "dev"

[[environments]]
name = "prod"
gates = [{ kind = "approval", count = 2 }]

[[services]]
name = "api"
repo = "."
tags = "api-v*"
"#;

/// A bare repository `origin.git` holding a project with releases api-v1.0.0 … api-v1.2.0.
pub struct Team {
    pub dir: tempfile::TempDir,
}

impl Team {
    pub fn new() -> Team {
        Team::with(CONFIG, &[])
    }

    /// A team whose repository holds `config` and `files` (name, content) on main.
    pub fn with(config: &str, files: &[(&str, String)]) -> Team {
        let dir = tempfile::tempdir().expect("tempdir");
        let seed = dir.path().join("seed");
        std::fs::create_dir_all(&seed).expect("mkdir");
        git(&seed, &["init", "-q", "-b", "main"]);
        std::fs::write(seed.join("shipdeck.toml"), config).expect("config");
        for (name, content) in files {
            std::fs::write(seed.join(name), content).expect("file");
        }
        std::fs::write(seed.join(".gitignore"), ".shipdeck/\n").expect("ignore");
        for (i, version) in ["1.0.0", "1.1.0", "1.2.0"].iter().enumerate() {
            std::fs::write(seed.join("api.txt"), format!("{i}\n")).expect("write");
            git(&seed, &["add", "."]);
            git(&seed, &["commit", "-q", "-m", &format!("feat: change {i}")]);
            git(
                &seed,
                &["tag", "-a", &format!("api-v{version}"), "-m", "release"],
            );
        }
        git(dir.path(), &["clone", "-q", "--bare", "seed", "origin.git"]);
        Team { dir }
    }

    pub fn origin(&self) -> PathBuf {
        self.dir.path().join("origin.git")
    }

    /// A clone of `url` (default: the bare repository's path) for `name`.
    pub fn join(&self, name: &str, url: Option<&str>) -> Person {
        let home = self.dir.path().join(name);
        std::fs::create_dir_all(home.join("home")).expect("home");
        let origin = self.origin();
        let url = url.map_or_else(|| origin.display().to_string(), str::to_string);
        git(&home, &["clone", "-q", &url, "clone"]);
        Person {
            email: format!("{name}@shop.example"),
            root: home,
            key: None,
        }
    }
}

/// One person: their clone, HOME and identity.
pub struct Person {
    pub email: String,
    pub root: PathBuf,
    /// The SSH key their events are signed with (`SHIPDECK_SIGNING_KEY`).
    pub key: Option<PathBuf>,
}

impl Person {
    pub fn clone_dir(&self) -> PathBuf {
        self.root.join("clone")
    }

    /// Runs the real binary in the clone as this person.
    pub fn shipdeck(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_shipdeck"))
            .args(args)
            .current_dir(self.clone_dir())
            .env("HOME", self.root.join("home"))
            .env("SHIPDECK_USER", &self.email)
            .env("SHIPDECK_DATA_DIR", self.root.join("data"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_CONFIG_GLOBAL")
            .env("NO_COLOR", "1")
            .envs(self.key.iter().map(|k| ("SHIPDECK_SIGNING_KEY", k)))
            .output()
            .expect("shipdeck runs")
    }

    /// Runs the binary and insists it exits `code`.
    pub fn expect(&self, code: i32, args: &[&str]) -> String {
        let out = self.shipdeck(args);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{} {args:?}: stdout {} stderr {}",
            self.email,
            stdout(&out),
            stderr(&out)
        );
        stdout(&out)
    }
}

/// The events on the remote's log ref, as `shipdeck log --json` would print them.
pub fn remote_event_ids(origin: &Path) -> Vec<String> {
    let out = Command::new("git")
        .args([
            "log",
            "--format=%B%x00",
            "--reverse",
            "refs/heads/shipdeck/log",
        ])
        .current_dir(origin)
        .output()
        .expect("git log");
    String::from_utf8_lossy(&out.stdout)
        .split('\0')
        .filter_map(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("shipdeck-event: "))
                .map(str::to_string)
        })
        .collect()
}
