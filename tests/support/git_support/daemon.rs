//! `git daemon` serving bare repositories on loopback, pushes allowed: a real remote for the git
//! deployer's tests.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{TestRepo, git_command};

/// `git daemon` serving every repository under a temp dir, pushes allowed; killed on drop.
pub struct Daemon {
    child: Child,
    port: u16,
    base: tempfile::TempDir,
}

impl Daemon {
    pub fn start() -> Daemon {
        let base = tempfile::tempdir().expect("temp dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new("git")
            .args([
                "daemon",
                "--reuseaddr",
                "--export-all",
                "--enable=receive-pack",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", base.path().display()),
                &base.path().display().to_string(),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts");
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "git daemon did not listen");
            std::thread::sleep(Duration::from_millis(20));
        }
        Daemon { child, port, base }
    }

    pub fn url(&self, name: &str) -> String {
        format!("git://127.0.0.1:{}/{name}", self.port)
    }

    /// A bare repository `name` holding `files` in one commit on `main`.
    pub fn repo(&self, name: &str, files: &[(&str, &str)]) -> PathBuf {
        let bare = self.base.path().join(name);
        let seed = TestRepo::new();
        for (path, text) in files {
            let file = seed.path().join(path);
            std::fs::create_dir_all(file.parent().expect("a parent")).expect("dirs");
            std::fs::write(file, text).expect("file written");
        }
        seed.git(&["add", "-A"]);
        seed.git(&["commit", "-q", "-m", "config"]);
        seed.git(&["clone", "-q", "--bare", ".", &bare.display().to_string()]);
        bare
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        // Best effort: the daemon may be gone already.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `git ARGS` in the bare repository `bare`, its stdout.
pub fn bare_git(bare: &Path, args: &[&str]) -> String {
    let out = git_command(bare, bare)
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}
