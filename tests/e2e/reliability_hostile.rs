//! Hostile input never reaches the terminal raw: commit messages, author names, tag names,
//! annotated-tag messages, approval notes and health-endpoint bodies carrying CSI, OSC, DCS, C1
//! controls, bidi overrides and a 1 MiB line. Checked on the bytes the headless commands print
//! and on the raw bytes the console writes under tmux (`pipe-pane`). A version string built to
//! look like shell (`1.2.0;touch${IFS}pwned`) reaches a command deployer as one argv element.

use crate::common;
use crate::reliability_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use crate::e2e_support::{Tmux, binary};
use common::{stderr, stdout};
use reliability_support::{Behaviour, Endpoint, plain_text_hazards, raw_hazards};

/// Every kind of terminal control, with a visible word beside it so tests can find the text.
const PAYLOADS: &[&str] = &[
    "csi \u{1b}[2J\u{1b}[31;1;4;5;7;9mHOSTILE-CSI",
    "osc \u{1b}]52;c;cm0gLXJmIH4=\u{7}HOSTILE-OSC52",
    "title \u{1b}]0;pwned\u{1b}\\HOSTILE-OSC0",
    "dcs \u{1b}P1$qm\u{1b}\\HOSTILE-DCS",
    "c1 \u{9b}31mHOSTILE-C1CSI \u{9d}0;x\u{9c}HOSTILE-C1OSC",
    "bidi \u{202e}HOSTILE-RLO\u{2067}HOSTILE-RLI\u{2069}",
    "bell \u{7}\u{8}\u{8}\rHOSTILE-C0",
];
/// The tag whose version looks like shell.
const SHELLY: &str = "api-v1.2.0;touch${IFS}pwned";
/// A tag carrying a C1 CSI and a bidi override (both allowed in git ref names).
const C1_TAG: &str = "api-v1.3.0\u{9b}2J\u{202e}";

fn git(repo: &Path, args: &[&str], author: &str) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", "mallory@shop.example")
        .env("GIT_COMMITTER_NAME", "Dana Reyes")
        .env("GIT_COMMITTER_EMAIL", "dana@shop.example")
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A repository whose every commit message, author and tag is hostile.
fn hostile_repo(dir: &Path) -> PathBuf {
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    git(&repo, &["init", "-q", "-b", "main"], "Dana");
    let commit = |i: usize, message: &str, author: &str| {
        std::fs::write(repo.join("file.txt"), format!("{i}\n")).expect("write");
        git(&repo, &["add", "."], author);
        let msg = dir.join("msg");
        std::fs::write(&msg, message).expect("message");
        let msg = msg.display().to_string();
        git(
            &repo,
            &["commit", "-q", "--cleanup=verbatim", "-F", &msg],
            author,
        );
    };
    commit(0, "feat: the first release", "Dana");
    git(&repo, &["tag", "-a", "api-v1.0.0", "-m", "release"], "Dana");
    for (i, payload) in PAYLOADS.iter().enumerate() {
        commit(
            i + 1,
            &format!("fix: {payload}\n\nbody {payload}\n"),
            &format!("Mallory {payload}"),
        );
    }
    // One commit whose subject is a single 1 MiB line.
    let long = format!(
        "feat: {}HOSTILE-LONG\n",
        "\u{1b}[31mA".repeat(1024 * 1024 / 6)
    );
    commit(100, &long, "Mallory");
    git(&repo, &["tag", "-a", "api-v1.1.0", "-m", "release"], "Dana");
    let tag_message = format!("release {}", PAYLOADS.join(" "));
    git(&repo, &["tag", "-a", SHELLY, "-m", &tag_message], "Dana");
    commit(101, "fix: after the shelly tag", "Dana");
    git(&repo, &["tag", "-a", C1_TAG, "-m", &tag_message], "Dana");
    repo
}

struct Project {
    dir: tempfile::TempDir,
    _endpoint: Endpoint,
}

impl Project {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn config(&self) -> PathBuf {
        self.path().join("shipdeck.toml")
    }

    fn run(&self, user: &str, args: &[&str]) -> Output {
        Command::new(binary())
            .arg("--config")
            .arg(self.config())
            .args(args)
            .env("SHIPDECK_USER", user)
            .env("SHIPDECK_DATA_DIR", self.path().join(".data"))
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("shipdeck runs")
    }
}

/// dev reports api-v1.0.0 (so api-v1.1.0, past every hostile commit, waits) with hostile
/// status text; staging reports api-v1.0.0 with
/// a hostile `output`; prod answers plain text full of escapes.
fn project() -> Project {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    hostile_repo(d);
    let hostile = PAYLOADS.join(" ");
    let endpoint = Endpoint::start(move |path| {
        if path.starts_with("/dev/") {
            Behaviour::Json(
                serde_json::json!({
                    "status": "pass",
                    "version": "1.0.0",
                    "output": hostile,
                })
                .to_string(),
            )
        } else if path.starts_with("/staging/") {
            Behaviour::Status(
                503,
                serde_json::json!({ "status": format!("fail {hostile}"), "version": "1.0.0", "output": hostile })
                    .to_string(),
            )
        } else {
            Behaviour::Status(500, hostile.clone())
        }
    });
    std::fs::write(
        d.join("record-args.sh"),
        "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done > \"$(dirname \"$0\")/args.txt\"\n",
    )
    .expect("script");
    let chmod = Command::new("chmod")
        .args(["+x"])
        .arg(d.join("record-args.sh"))
        .status()
        .expect("chmod");
    assert!(chmod.success());
    std::fs::write(
        d.join("shipdeck.toml"),
        format!(
            r#"[project]
name = "shop"
state_dir = ".shipdeck"
verify_timeout = "2s"
probe_interval = "1s"

[[environments]]
name = "dev"

[[environments]]
name = "staging"

[[environments]]
name = "prod"
gates = [{{ kind = "approval", count = 1 }}, {{ kind = "checklist", name = "production-release" }}]

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
health = {{ url = "http://127.0.0.1:{port}/{{{{env}}}}/health", timeout = "2s" }}
deploy = {{ kind = "command", command = ["./record-args.sh", "{{{{version}}}}"], timeout = "20s" }}
"#,
            port = endpoint.port
        ),
    )
    .expect("config");
    Project {
        dir,
        _endpoint: endpoint,
    }
}

fn assert_clean(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let found = plain_text_hazards(bytes);
        assert!(
            found.is_empty(),
            "{what} wrote {found:?} to {stream}: {}",
            String::from_utf8_lossy(bytes)
                .chars()
                .take(2000)
                .collect::<String>()
        );
    }
}

#[test]
fn headless_output_never_carries_terminal_controls_from_git_endpoints_or_notes() {
    let p = project();
    let note = PAYLOADS.join(" ");
    let approved = p.run(
        "Mallory \u{1b}]0;x\u{7}@shop.example",
        &[
            "approve",
            "api",
            "api-v1.0.0",
            "--env",
            "prod",
            "--note",
            &note,
        ],
    );
    assert_eq!(approved.status.code(), Some(0), "{}", stderr(&approved));
    assert_clean("approve", &approved);

    let cases: &[&[&str]] = &[
        &["releases", "api"],
        &["releases", "api", "--json"],
        &["changelog", "api", "api-v1.0.0", C1_TAG],
        &["changelog", "api", "api-v1.0.0", C1_TAG, "--json"],
        &["changelog", "api", "staging", "dev"],
        &["notes", "api", C1_TAG],
        &["notes", "api", C1_TAG, "--format", "json"],
        &["status"],
        &["status", "--json"],
        &["plan", "api", C1_TAG, "--to", "staging"],
        &["log"],
        &["log", "--json"],
        &["checklist", "api", C1_TAG, "--env", "prod", "show"],
    ];
    let mut checked = 0;
    for args in cases {
        let out = p.run("pat@shop.example", args);
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
        assert_clean(&format!("{args:?}"), &out);
        checked += 1;
    }
    // The words around the escapes survive; only the controls go.
    let changelog = p.run(
        "pat@shop.example",
        &["changelog", "api", "api-v1.0.0", C1_TAG],
    );
    let text = stdout(&changelog);
    for word in ["HOSTILE-CSI", "HOSTILE-OSC52", "HOSTILE-DCS", "HOSTILE-RLO"] {
        assert!(
            text.contains(word),
            "{word} missing from the changelog:\n{text}"
        );
    }
    let status = stdout(&p.run("pat@shop.example", &["status"]));
    assert!(status.contains("dev"), "{status}");
    eprintln!("hostile input: {checked} headless outputs checked, none carried a control");
}

#[test]
fn a_version_that_looks_like_shell_reaches_a_command_deployer_as_one_argument() {
    let p = project();
    let trusted = p.run("pat@shop.example", &["trust"]);
    assert_eq!(trusted.status.code(), Some(0), "{}", stderr(&trusted));
    let out = p.run(
        "pat@shop.example",
        &[
            "promote",
            "api",
            SHELLY,
            "--to",
            "dev",
            "--yes",
            "--no-wait",
        ],
    );
    assert!(matches!(out.status.code(), Some(0 | 4)), "{}", stderr(&out));
    let args = std::fs::read_to_string(p.path().join("args.txt")).expect("the deployer ran");
    assert_eq!(args, "[1.2.0;touch${IFS}pwned]\n");
    assert!(!p.path().join("pwned").exists(), "a shell ran the version");
    assert!(!p.path().join("repo/pwned").exists());
}

#[test]
fn the_console_writes_no_hostile_control_to_the_terminal() {
    let p = project();
    let note = PAYLOADS.join(" ");
    let approved = p.run(
        "Mallory@shop.example",
        &[
            "approve",
            "api",
            "api-v1.0.0",
            "--env",
            "prod",
            "--note",
            &note,
        ],
    );
    assert_eq!(approved.status.code(), Some(0), "{}", stderr(&approved));
    let argv = vec![
        binary().display().to_string(),
        "--config".to_string(),
        p.config().display().to_string(),
    ];
    let tmux = Tmux::start(
        &argv,
        &[
            ("SHIPDECK_USER", "pat@shop.example".to_string()),
            (
                "SHIPDECK_DATA_DIR",
                p.path().join(".data").display().to_string(),
            ),
            ("GIT_CONFIG_GLOBAL", "/dev/null".to_string()),
        ],
        (160, 45),
    );
    let deadline = Duration::from_secs(30);
    tmux.wait_screen("the board with dev's report", deadline, |s| {
        s.contains("api") && s.contains("1.0.0")
    });
    // Every view.
    for key in ["3", "5", "6", "2", "4", "1"] {
        tmux.send(&[key]);
    }
    // `?` closes help too; an Escape here would glue onto the next key as Alt-<key>.
    tmux.send(&["?"]);
    tmux.wait_screen("help", deadline, |s| s.contains("Keys ("));
    tmux.send(&["?"]);
    tmux.wait_screen("help closed", deadline, |s| !s.contains("Keys ("));
    // On dev, api-v1.1.0 waits: the changes up to it are the hostile commits.
    tmux.send(&["5"]);
    tmux.wait_screen("the release view's changes", deadline, |s| {
        s.contains("HOSTILE-")
    });
    tmux.send(&["6"]);
    tmux.wait_screen("the activity with the approval note", deadline, |s| {
        s.contains("approved") || s.contains("HOSTILE-")
    });
    tmux.send(&["q"]);
    let raw = tmux.raw_output();
    let found = raw_hazards(&raw);
    assert!(found.is_empty(), "the console wrote {found:?}");
    for injected in [
        &b"\x1b[31;1;4;5;7;9m"[..],
        b"\x1b]52;",
        b"\x1b]0;pwned",
        b"\x1bP1$q",
    ] {
        assert!(
            !raw.windows(injected.len()).any(|w| w == injected),
            "the console wrote the injected {:?}",
            String::from_utf8_lossy(injected)
        );
    }
    eprintln!(
        "hostile input: {} bytes of console output checked, no hostile control",
        raw.len()
    );
}
