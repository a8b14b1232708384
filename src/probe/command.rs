//! One bounded command probe: argv without a shell, a timeout, stdout capped.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt as _};
use tokio::process::Command;

use super::fetch::{BODY_CAP, human};
use crate::domain::observation::Health;
use crate::domain::sanitize::{sanitize, truncate};

/// How much stderr is kept to explain a failure.
const STDERR_CAP: usize = 4 * 1024;

/// What a finished command left.
#[derive(Debug)]
pub(crate) struct Ran {
    /// The exit code, `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub truncated: bool,
    /// The first non-empty line of stderr, sanitized and short.
    pub stderr_line: String,
}

/// Runs `argv` (never through a shell) with stdin closed, for at most `timeout`; the child is
/// killed when the time is up. An `Err` is the health to report (`Unreachable` when it timed out,
/// `Fail` when it could not run) and the one-line reason.
pub(crate) async fn run(argv: &[String], timeout: Duration) -> Result<Ran, (Health, String)> {
    run_inner(argv, timeout).await.map_err(|e| match e {
        Stop::TimedOut => (
            Health::Unreachable,
            format!("timed out after {}", human(timeout)),
        ),
        Stop::Failed(reason) => (Health::Fail, reason),
    })
}

enum Stop {
    TimedOut,
    Failed(String),
}

async fn run_inner(argv: &[String], timeout: Duration) -> Result<Ran, Stop> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| Stop::Failed("the probe command is empty".to_string()))?;
    let mut command = Command::new(program);
    // Its own process group: a probe that times out is killed with what it started.
    let mut child = crate::process::grouped(&mut command)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            let program = truncate(&sanitize(program), 80);
            Stop::Failed(if e.kind() == std::io::ErrorKind::NotFound {
                format!("command not found: {program}")
            } else {
                truncate(
                    &format!("could not run {program}: {}", sanitize(&e.to_string())),
                    200,
                )
            })
        })?;
    let pid = child.id();
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let call = async {
        // Both pipes are read at once so a chatty stderr cannot block the child.
        let ((stdout, truncated), (stderr, _)) = tokio::join!(
            read_capped(stdout, BODY_CAP),
            read_capped(stderr, STDERR_CAP)
        );
        let status = child
            .wait()
            .await
            .map_err(|e| Stop::Failed(format!("lost the command: {}", sanitize(&e.to_string()))))?;
        let stderr = String::from_utf8_lossy(&stderr);
        let stderr_line = stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| truncate(&sanitize(l), 120))
            .unwrap_or_default();
        Ok(Ran {
            code: status.code(),
            stdout,
            truncated,
            stderr_line,
        })
    };
    // On timeout the future (and then `child`) is dropped, which kills the process; its group
    // goes with it.
    tokio::time::timeout(timeout, call)
        .await
        .unwrap_or_else(|_| {
            crate::process::kill_group(pid);
            Err(Stop::TimedOut)
        })
}

/// Reads at most `cap` bytes, then drops the pipe: a child that keeps writing gets EPIPE instead
/// of filling memory.
async fn read_capped(pipe: Option<impl AsyncRead + Unpin>, cap: usize) -> (Vec<u8>, bool) {
    let Some(pipe) = pipe else {
        return (Vec::new(), false);
    };
    let mut buf = Vec::new();
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    // A read error leaves what was read so far; the exit code still decides.
    let _ = pipe.take(limit).read_to_end(&mut buf).await;
    let truncated = buf.len() > cap;
    buf.truncate(cap);
    (buf, truncated)
}
