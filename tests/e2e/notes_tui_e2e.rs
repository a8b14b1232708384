//! End-to-end: `e` in the real console, in tmux, hands the terminal to `$EDITOR` (a script that
//! proves it has a cooked terminal outside the alternate screen and reads a line typed into
//! it), then takes it back: the edit is recorded, the release view shows it, `P` publishes it
//! through the demo's file channel, and quitting still restores the terminal. Every wait polls
//! with a deadline.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_shipdeck"))
}

fn wait_for(what: &str, deadline: Duration, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(
            start.elapsed() < deadline,
            "timed out after {deadline:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A tmux server of our own (its own socket), one window running a plain shell.
struct Tmux {
    socket: String,
    _home: tempfile::TempDir,
}

impl Tmux {
    fn start(env: &[(&str, String)]) -> Tmux {
        let home = tempfile::tempdir().expect("tempdir");
        let socket = format!("shipdeck-notes-{}", std::process::id());
        let mut cmd = Command::new("tmux");
        cmd.args(["-L", &socket, "-f", "/dev/null", "new-session", "-d"]);
        cmd.args(["-x", "160", "-y", "45", "-s", "t", "env", "-i"]);
        cmd.arg(format!("HOME={}", home.path().display()));
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
        let status = cmd.status().expect("tmux runs (scripts/test installs it)");
        assert!(status.success(), "tmux new-session failed");
        Tmux {
            socket,
            _home: home,
        }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn send(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    fn line(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
        self.send(&["Enter"]);
    }

    fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    fn wait_screen(&self, what: &str, deadline: Duration, pred: impl Fn(&str) -> bool) -> String {
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

    fn alternate_on(&self) -> bool {
        self.tmux(&["display-message", "-p", "-t", "t", "#{alternate_on}"])
            .trim()
            == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
    }
}

/// `shipdeck demo serve --dir DIR`, killed on drop.
struct DemoServer {
    child: Child,
    dir: tempfile::TempDir,
}

impl DemoServer {
    fn start() -> DemoServer {
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

    fn edits(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.dir.path().join(".shipdeck/events.jsonl"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|e| e["kind"] == "notes-edited")
            .collect()
    }
}

impl Drop for DemoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn e_hands_the_terminal_to_the_editor_and_takes_it_back_with_the_edit_recorded() {
    use std::os::unix::fs::PermissionsExt as _;
    let demo = DemoServer::start();
    let editor = demo.dir.path().join("editor.sh");
    // Says whether the terminal is cooked, reads one typed line, appends it to the notes.
    std::fs::write(
        &editor,
        "#!/bin/sh\n\
         mode=$(stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\{0,1\\}icanon')\n\
         echo \"EDITOR-HERE mode=$mode\"\n\
         read line\n\
         printf '\\n%s\\n' \"$line\" >> \"$1\"\n",
    )
    .expect("write editor");
    std::fs::set_permissions(&editor, std::fs::Permissions::from_mode(0o755)).expect("chmod");

    let t = Tmux::start(&[
        ("SHIPDECK_USER", "you@shop.example".to_string()),
        (
            "SHIPDECK_DATA_DIR",
            demo.dir.path().join("data").display().to_string(),
        ),
        ("EDITOR", editor.display().to_string()),
    ]);
    t.line(&format!(
        "{} --config {}",
        binary().display(),
        demo.dir.path().join("shipdeck.toml").display()
    ));
    // Every target answered, so the cell has a release to write notes for.
    t.wait_screen(
        "the board with probe answers",
        Duration::from_secs(30),
        |s| s.contains("Board") && s.contains("⇡ ready") && !s.contains("checking"),
    );
    // Staging of the first service, the release view, then edit.
    t.send(&["l"]);
    t.send(&["5"]);
    t.wait_screen("the release view", Duration::from_secs(10), |s| {
        s.contains("edit (e)")
    });
    t.send(&["e"]);
    let screen = t.wait_screen("the editor", Duration::from_secs(20), |s| {
        s.contains("EDITOR-HERE")
    });
    assert!(
        screen.contains("mode=icanon"),
        "the editor got a raw terminal:\n{screen}"
    );
    assert!(
        !t.alternate_on(),
        "the editor runs outside the alternate screen"
    );

    t.line("Typed into the editor by hand.");
    wait_for("the edit to be recorded", Duration::from_secs(10), || {
        !demo.edits().is_empty()
    });
    let edit = &demo.edits()[0];
    assert_eq!(edit["actor"], "you@shop.example");
    assert!(
        edit["data"]["markdown"]
            .as_str()
            .is_some_and(|m| m.contains("Typed into the editor by hand.")),
        "{edit}"
    );
    // Back in the console, redrawn, showing the edit.
    t.wait_screen(
        "the console again, with the edit",
        Duration::from_secs(10),
        |s| s.contains("edited by you@shop.example") && s.contains("# api api-v"),
    );
    assert!(
        t.alternate_on(),
        "the console is back on the alternate screen"
    );

    // P publishes the edited text through the demo's file channel, after a confirmation.
    t.send(&["P"]);
    t.wait_screen("the publish confirmation", Duration::from_secs(5), |s| {
        s.contains("notes-file (file)")
    });
    t.send(&["y"]);
    let release = edit["release"].as_str().expect("release").to_string();
    let written = demo
        .dir
        .path()
        .join(format!("release-notes/api-{release}.md"));
    wait_for("the notes file", Duration::from_secs(10), || {
        written.exists()
    });
    let text = std::fs::read_to_string(&written).expect("read notes");
    assert!(text.contains("Typed into the editor by hand."), "{text}");
    t.wait_screen("the published toast", Duration::from_secs(5), |s| {
        s.contains("published")
    });

    t.send(&["q"]);
    wait_for("the console to quit", Duration::from_secs(10), || {
        !t.alternate_on()
    });
    t.line("stty -a | tr ' ;' '\\n\\n' | grep -x -- '-\\{0,1\\}icanon'; echo done-$((6*7))");
    let screen = t.wait_screen("stty output", Duration::from_secs(5), |s| {
        s.contains("done-42")
    });
    assert!(!screen.contains("-icanon"), "terminal left raw:\n{screen}");
}
