//! Start-up: `shipdeck status --json` on the demo (three services on dev, staging and prod,
//! answering from `shipdeck demo serve`) against `git --version`, the floor of starting a
//! process that does nothing.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::project::shown;
use super::report::{Peer, Row};
use super::timing::{best_interleaved, ms, run, wait_for};

const RUNS: usize = 9;

/// `shipdeck demo serve`, killed when dropped.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn rows(root: &Path, binary: &Path) -> Vec<Row> {
    let dir = root.join("bench-demo");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("the previous demo is removed");
    }
    std::fs::create_dir_all(&dir).expect("demo dir");
    let data = dir.join("data");
    let _demo = Demo(
        Command::new(binary)
            .args(["demo", "serve", "--dir"])
            .arg(&dir)
            .env("SHIPDECK_DATA_DIR", &data)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("shipdeck demo serve starts"),
    );
    let config = dir.join("shipdeck.toml");
    wait_for("the demo's shipdeck.toml", Duration::from_mins(1), || {
        config.exists().then_some(())
    });
    let status = || {
        let mut cmd = Command::new(binary);
        cmd.arg("--config")
            .arg(&config)
            .args(["status", "--json"])
            .env("SHIPDECK_DATA_DIR", &data)
            .env("SHIPDECK_USER", "bench@example.com");
        cmd
    };
    let out = String::from_utf8(run(&mut status())).expect("status --json is UTF-8");
    assert!(
        out.contains("\"services\""),
        "status --json answered: {out}"
    );
    let (ours, floor) = best_interleaved(
        RUNS,
        || {
            run(&mut status());
        },
        || {
            run(Command::new("git").arg("--version"));
        },
    );
    vec![Row {
        what: "start-up: `status --json` on the demo".into(),
        ours: ms(ours),
        unit: "ms",
        peer: Peer::Measured {
            name: "git --version".into(),
            value: ms(floor),
        },
        budget: None,
        rerun: "scripts/bench startup".into(),
        timed: format!(
            "Best of {RUNS}, alternating: `shipdeck --config {} status --json` (the demo's 9 \
             targets probed on loopback, the demo repository read) against `git --version`.",
            shown(&config)
        ),
    }]
}
