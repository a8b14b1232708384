//! Helpers of the end-to-end tests: the binary the user runs, a tmux server of our own (a shell
//! in a window of a given size, optionally running one command with its raw output captured),
//! and the demo served in the background. Every wait polls for a condition with a deadline.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::wait_for;

/// The binary the user runs: the release build when there is one (scripts/test builds it),
/// else the debug build cargo made for this test.
pub fn binary() -> PathBuf {
    let release = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/shipdeck"),
        |d| PathBuf::from(d).join("release/shipdeck"),
    );
    if release.exists() {
        release
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_shipdeck"))
    }
}

/// A tmux server of our own (its own socket): one window `t` running a plain shell.
pub struct Tmux {
    socket: String,
    /// Where `start` captures everything the program writes (`pipe-pane`).
    pub raw: PathBuf,
    home: tempfile::TempDir,
}

impl Tmux {
    /// A shell (`bash --norc`) in a `size` window, with only `env` (and HOME, PATH, TERM) set.
    pub fn shell(env: &[(&str, String)], size: (u16, u16)) -> Tmux {
        let home = tempfile::tempdir().expect("tempdir");
        let raw = home.path().join("raw-output");
        std::fs::write(&raw, b"").expect("capture file");
        let socket = format!(
            "shipdeck-e2e-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let tmux = Tmux { socket, raw, home };
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d"]);
        cmd.args(["-x", &size.0.to_string(), "-y", &size.1.to_string()]);
        cmd.args(["-s", "t", "env", "-i"]);
        cmd.arg(format!("HOME={}", tmux.home.path().display()));
        cmd.arg(format!(
            "PATH={}",
            std::env::var("PATH").unwrap_or_default()
        ));
        cmd.arg("TERM=xterm-256color");
        cmd.arg("PS1=$ ");
        for (k, v) in env {
            cmd.arg(format!("{k}={v}"));
        }
        cmd.args(["bash", "--norc", "--noprofile"]);
        assert!(
            cmd.status()
                .expect("tmux runs (scripts/test installs it)")
                .success(),
            "tmux new-session failed"
        );
        tmux
    }

    /// Runs `argv` (with `env`) in place of the shell of a fresh window, capturing everything
    /// it writes to the terminal from its first byte.
    pub fn start(argv: &[String], env: &[(&str, String)], size: (u16, u16)) -> Tmux {
        let tmux = Tmux::shell(env, size);
        tmux.tmux(&[
            "pipe-pane",
            "-o",
            "-t",
            "t",
            &format!("cat >> '{}'", tmux.raw.display()),
        ]);
        let line = argv
            .iter()
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect::<Vec<_>>()
            .join(" ");
        tmux.line(&format!("exec {line}"));
        tmux
    }

    pub fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Types `text` literally (no key names).
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    /// Types `text` and Enter.
    pub fn line(&self, text: &str) {
        self.type_text(text);
        self.send(&["Enter"]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// The screen with its colours and attributes as escape sequences.
    pub fn screen_with_styles(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-e", "-t", "t"])
    }

    pub fn wait_screen(
        &self,
        what: &str,
        deadline: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < deadline,
                "timed out after {deadline:?} waiting for {what}; the screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the program of [`Tmux::start`] wrote to the terminal so far.
    pub fn raw_output(&self) -> Vec<u8> {
        std::fs::read(&self.raw).unwrap_or_default()
    }

    pub fn alternate_on(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "t", "#{alternate_on}"])
            .trim()
            == "1"
    }

    pub fn shell_pid(&self) -> u32 {
        self.tmux(&["display-message", "-p", "-t", "t", "#{pane_pid}"])
            .trim()
            .parse()
            .expect("pane pid")
    }

    /// After the console is gone: alternate screen off, cooked mode with echo, shell usable.
    pub fn assert_restored(&self) {
        wait_for(
            "the alternate screen to go off",
            Duration::from_secs(5),
            || !self.alternate_on(),
        );
        self.line("clear; stty -a; echo shell-is-usable-$((6*7))");
        let screen = self.wait_screen("stty output", Duration::from_secs(5), |s| {
            s.contains("shell-is-usable-42")
        });
        let flags: Vec<&str> = screen.split_whitespace().collect();
        assert!(
            flags.contains(&"icanon"),
            "terminal left in raw mode:\n{screen}"
        );
        assert!(flags.contains(&"echo"), "echo left off:\n{screen}");
        assert!(!flags.contains(&"-icanon") && !flags.contains(&"-echo"));
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// `shipdeck demo serve --dir DIR` (the binary the user runs), killed on drop.
pub struct DemoServer {
    child: Child,
    pub dir: tempfile::TempDir,
}

impl DemoServer {
    pub fn start() -> DemoServer {
        let dir = tempfile::tempdir().expect("tempdir");
        let child = Command::new(binary())
            .args(["demo", "serve", "--dir"])
            .arg(dir.path())
            .env("SHIPDECK_DATA_DIR", dir.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("shipdeck demo serve starts");
        let config = dir.path().join("shipdeck.toml");
        wait_for("the demo's shipdeck.toml", Duration::from_mins(1), || {
            config.exists()
        });
        DemoServer { child, dir }
    }

    pub fn config(&self) -> PathBuf {
        self.dir.path().join("shipdeck.toml")
    }

    /// The data dir the demo's own commands use.
    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// The release binary's console on `config` (the demo's own, or a copy beside it) in a tmux
    /// shell of `size`, as `you@shop.example` with the demo's data dir.
    pub fn console(&self, config: &std::path::Path, size: (u16, u16)) -> Tmux {
        let t = Tmux::shell(
            &[
                ("SHIPDECK_USER", "you@shop.example".to_string()),
                ("SHIPDECK_DATA_DIR", self.data_dir().display().to_string()),
            ],
            size,
        );
        t.line(&format!(
            "{} --config {}",
            binary().display(),
            config.display()
        ));
        t
    }

    /// The demo's event log, one JSON value per event.
    pub fn events(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join(".shipdeck/events.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Whether the log holds an event of `kind` by `actor`.
    pub fn recorded(&self, kind: &str, actor: &str) -> bool {
        self.events()
            .iter()
            .any(|e| e["kind"] == kind && e["actor"] == actor)
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the rightmost `width` columns of `screen` say, read top to bottom without blanks or
/// borders: where the console draws its toasts (64 wide at the right edge), so a toast that
/// wraps reads as one string, not interleaved with what the view shows on its left.
pub fn right_column(screen: &str, width: usize) -> String {
    screen
        .lines()
        .flat_map(|l| {
            let n = l.chars().count();
            l.chars().skip(n.saturating_sub(width))
        })
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect()
}
