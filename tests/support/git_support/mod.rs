//! Real repositories for the git adapter's tests, made with the `git` CLI in temp dirs, with the
//! machine's own git config kept out.
#![allow(dead_code)]

pub mod daemon;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A `git` command in `dir` that sees no system or global config.
pub fn git_command(dir: &Path, home: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", home)
        .env("GIT_AUTHOR_NAME", "Test Author")
        .env("GIT_AUTHOR_EMAIL", "author@example.com")
        .env("GIT_COMMITTER_NAME", "Test Committer")
        .env("GIT_COMMITTER_EMAIL", "committer@example.com")
        .args(["-c", "init.defaultBranch=main", "-c", "tag.gpgSign=false"]);
    cmd
}

/// A repository in a temp dir, driven with the `git` CLI.
pub struct TestRepo {
    pub dir: tempfile::TempDir,
}

impl TestRepo {
    /// A fresh repository whose branch is `main`.
    pub fn new() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let repo = TestRepo { dir };
        repo.git(&["init", "-q"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git with `args` and returns its stdout; panics (with stderr) when git fails.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_env(args, &[])
    }

    /// Like [`TestRepo::git`], with extra environment variables (e.g. dates).
    pub fn git_env(&self, args: &[&str], env: &[(&str, &str)]) -> String {
        let out = git_command(self.path(), self.path())
            .args(args)
            .envs(env.iter().copied())
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8 output")
    }

    /// Feeds a `git fast-import` stream (fast, and binary-safe for hostile messages).
    pub fn fast_import(&self, stream: &[u8]) {
        let mut child = git_command(self.path(), self.path())
            .args(["fast-import", "--quiet", "--done"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git fast-import starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(stream)
            .expect("stream written");
        let out = child.wait_with_output().expect("fast-import finishes");
        assert!(
            out.status.success(),
            "fast-import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The 40-hex commit `rev` names, as git resolves it.
    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", &format!("{rev}^{{commit}}")])
            .trim()
            .to_string()
    }
}

/// One commit of a fast-import stream.
pub struct FastCommit<'a> {
    pub branch: &'a str,
    pub mark: usize,
    pub author: &'a str,
    pub time: i64,
    pub message: &'a [u8],
    pub parents: &'a [usize],
    pub file: &'a str,
}

impl FastCommit<'_> {
    /// Appends this commit to `stream`; it changes `file` to hold its mark.
    pub fn write(&self, stream: &mut Vec<u8>) {
        let FastCommit {
            branch,
            mark,
            author,
            time,
            message,
            parents,
            file,
        } = self;
        stream.extend_from_slice(format!("commit refs/heads/{branch}\nmark :{mark}\n").as_bytes());
        stream.extend_from_slice(
            format!("author {author} <a@example.com> {time} +0000\ncommitter C <c@example.com> {time} +0000\n")
                .as_bytes(),
        );
        stream.extend_from_slice(format!("data {}\n", message.len()).as_bytes());
        stream.extend_from_slice(message);
        stream.push(b'\n');
        for (i, parent) in parents.iter().enumerate() {
            let verb = if i == 0 { "from" } else { "merge" };
            stream.extend_from_slice(format!("{verb} :{parent}\n").as_bytes());
        }
        let body = format!("{mark}\n");
        stream.extend_from_slice(
            format!("M 644 inline {file}\ndata {}\n{body}\n", body.len()).as_bytes(),
        );
    }
}
