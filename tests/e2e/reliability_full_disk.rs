//! A full disk under the event log: the append fails with exit code 1 and a sentence that says
//! nothing was recorded; the events already written stay byte for byte; once there is room
//! again, appending works and the chain verifies.
//!
//! The disk is a 256 KiB tmpfs mounted on the state directory where the machine allows it (root
//! in a container that may mount); the file-size limit (`ulimit -f`, SIGXFSZ ignored) fills the
//! same role everywhere, and always runs.

use crate::common;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{bin, project, shipdeck, stderr};
use shipdeck::store::verify;

/// A tmpfs mounted on a directory, unmounted on drop.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(dir).expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .output()
            .is_ok_and(|o| o.status.success());
        mounted.then(|| Tmpfs(dir.to_path_buf()))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

fn approve(d: &Path, user: &str, note: &str) -> Output {
    shipdeck(
        d,
        user,
        &[
            "approve",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--note",
            note,
        ],
    )
}

/// Writes into `dir` until the file system refuses; returns the filler's path.
fn fill(dir: &Path) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![0u8; 4096];
    loop {
        if file
            .write_all(&chunk)
            .and_then(|()| file.sync_all())
            .is_err()
        {
            break;
        }
    }
    path
}

/// The note is larger than a page, so it cannot fit in the slack of the log's last page.
fn big_note() -> String {
    "the dashboards look fine; ".repeat(400)
}

fn assert_refused_cleanly(out: &Output, log: &Path, before: &[u8], why: &str) {
    assert_eq!(out.status.code(), Some(1), "{why}: {}", stderr(out));
    let err = stderr(out);
    assert!(
        err.contains("could not write the event log") && err.contains("nothing was recorded"),
        "{why}: the message does not say what failed: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(
        std::fs::read(log).expect("log"),
        before,
        "{why}: the events already written changed"
    );
    assert!(verify(log).is_ok(), "{why}: {:?}", verify(log).first_bad);
}

#[test]
fn a_full_tmpfs_refuses_the_append_and_keeps_what_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    let Some(mount) = Tmpfs::mount(&d.join(".shipdeck"), "256k") else {
        eprintln!("mount -t tmpfs was refused here; the file-size-limit test covers a full disk");
        return;
    };
    for user in ["alice@x", "bob@x"] {
        let out = approve(d, user, "looked at it");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let log = mount.0.join("events.jsonl");
    let before = std::fs::read(&log).expect("log");
    let filler = fill(&mount.0);

    let out = approve(d, "carol@x", &big_note());
    assert_refused_cleanly(&out, &log, &before, "full tmpfs");
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );

    std::fs::remove_file(filler).expect("make room");
    let out = approve(d, "carol@x", &big_note());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = verify(&log);
    assert_eq!((report.events, report.first_bad), (3, None));
    drop(mount);
}

#[test]
fn a_file_size_limit_refuses_the_append_and_keeps_what_was_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d);
    for user in ["alice@x", "bob@x"] {
        let out = approve(d, user, "looked at it");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let log = d.join(".shipdeck/events.jsonl");
    let before = std::fs::read(&log).expect("log");
    // `ulimit -f` counts 1024-byte blocks: room for what is there and a few bytes more.
    let blocks = before.len() / 1024 + 1;
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "ulimit -f {blocks}; trap '' XFSZ; exec \"$0\" \"$@\""
        ))
        .arg(bin())
        .args([
            "approve",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--note",
            &big_note(),
        ])
        .current_dir(d)
        .env("SHIPDECK_USER", "carol@x")
        .env("SHIPDECK_DATA_DIR", d.join(".data"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    assert_refused_cleanly(&out, &log, &before, "file size limit");
    assert!(stderr(&out).contains("File too large"), "{}", stderr(&out));

    let out = approve(d, "carol@x", &big_note());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report = verify(&log);
    assert_eq!((report.events, report.first_bad), (3, None));
}
