//! shipdeck projects for the rows: a configuration of services × environments in a directory of
//! the bench area, and the release binary run on it the way a user runs it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A configuration on disk and the binary to run on it.
pub struct Project {
    pub dir: PathBuf,
    pub config: PathBuf,
    pub binary: PathBuf,
}

/// What goes into one configuration.
pub struct Layout<'a> {
    pub services: usize,
    pub environments: &'a [&'a str],
    pub repo: &'a Path,
    /// The services' tag pattern; with one service it is named `svc`, else `svc-000`, ….
    pub tags: &'a str,
    /// The health URL template, if targets are probed.
    pub health: Option<&'a str>,
}

impl Project {
    /// Writes `<dir>/shipdeck.toml` (and a fresh, empty state directory) for `layout`.
    pub fn write(binary: &Path, dir: &Path, layout: &Layout) -> Project {
        if dir.exists() {
            std::fs::remove_dir_all(dir).expect("the previous run's project is removed");
        }
        std::fs::create_dir_all(dir).expect("project dir");
        let mut toml = "[project]\nname = \"bench\"\nstate_dir = \"state\"\n".to_string();
        for env in layout.environments {
            let _ = write!(toml, "\n[[environments]]\nname = \"{env}\"\n");
        }
        for i in 0..layout.services {
            let name = if layout.services == 1 {
                "svc".to_string()
            } else {
                format!("svc-{i:03}")
            };
            let _ = write!(
                toml,
                "\n[[services]]\nname = \"{name}\"\nrepo = \"{}\"\ntags = \"{}\"\n",
                layout.repo.display(),
                layout.tags
            );
            if let Some(health) = layout.health {
                let _ = writeln!(toml, "health = \"{health}\"");
            }
        }
        let config = dir.join("shipdeck.toml");
        std::fs::write(&config, toml).expect("shipdeck.toml written");
        Project {
            dir: dir.to_path_buf(),
            config,
            binary: binary.to_path_buf(),
        }
    }

    /// `shipdeck --config <this> ARGS…`, with a data directory of its own and git's global
    /// configuration kept out, as for the git peers.
    pub fn shipdeck(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.binary);
        cmd.arg("--config").arg(&self.config).args(args);
        cmd.env("SHIPDECK_DATA_DIR", self.dir.join("data"))
            .env("SHIPDECK_USER", "bench@example.com")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1");
        cmd
    }

    /// The command line a reader would type for `shipdeck_args`, for the reproduction notes.
    pub fn command_line(&self, args: &[&str]) -> String {
        format!(
            "shipdeck --config {} {}",
            shown(&self.config),
            args.join(" ")
        )
    }
}

/// `path` relative to the working directory (the repository root, where the suite runs), for
/// notes a reader can paste.
pub fn shown(path: &Path) -> String {
    std::env::current_dir()
        .ok()
        .and_then(|cwd| path.strip_prefix(cwd).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
        .display()
        .to_string()
}
