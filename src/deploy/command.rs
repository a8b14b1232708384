//! The `command` deployer: argv only (no shell, so a version like `1.0; rm -rf ~` stays one
//! argument), run from the config's directory with `SHIPDECK_*` variables, its output streamed
//! line by line, killed with everything it started when its timeout passes.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};
use tokio::time::{Instant, sleep_until};

use crate::domain::config::CommandDeployer;
use crate::domain::template::expand;

use super::secret::{Secret, load_known, shown};
use super::{Accepted, DeployError, DeployRequest};

/// Lines of output kept for the failure message.
const TAIL_LINES: usize = 20;
/// Longest line kept; the rest of a longer line is dropped.
const LINE_CAP: usize = 16 * 1024;
/// How long output is still read after the command exits, for a background process it left
/// holding the pipes.
const DRAIN_GRACE: Duration = Duration::from_secs(2);

/// The `SHIPDECK_*` environment of the command.
fn environment(req: &DeployRequest) -> [(&'static str, &str); 9] {
    [
        ("SHIPDECK_SERVICE", &req.service),
        ("SHIPDECK_ENV", &req.env),
        ("SHIPDECK_RELEASE", &req.release),
        ("SHIPDECK_VERSION", &req.version),
        ("SHIPDECK_COMMIT", &req.commit),
        (
            "SHIPDECK_PREVIOUS_RELEASE",
            req.previous_release.as_deref().unwrap_or_default(),
        ),
        ("SHIPDECK_ACTOR", &req.actor),
        ("SHIPDECK_IDEMPOTENCY_KEY", &req.idempotency_key),
        ("SHIPDECK_APPROVALS", &req.approvals_json),
    ]
}

/// A relative program path (`./scripts/deploy.sh`) is relative to the config's directory; a
/// bare name is looked up on `PATH`.
fn program(name: &str, workdir: &Path) -> PathBuf {
    let path = Path::new(name);
    if path.is_relative() && name.contains('/') {
        workdir.join(path)
    } else {
        path.to_path_buf()
    }
}

enum Ended {
    Exited(std::io::Result<std::process::ExitStatus>),
    TimedOut,
}

/// Runs the command once; exit 0 means accepted.
pub(super) async fn call(
    spec: &CommandDeployer,
    req: &DeployRequest,
    output: &UnboundedSender<String>,
) -> Result<Accepted, DeployError> {
    let vars = req.vars();
    let argv = spec
        .argv
        .iter()
        .map(|a| expand(a, &vars))
        .collect::<Result<Vec<_>, _>>()?;
    let known = load_known(&req.known_secrets);
    let secrets: Vec<&Secret> = known.iter().collect();
    let Some((name, args)) = argv.split_first() else {
        return Err(DeployError::Transport(
            "the command deployer has an empty argv".to_string(),
        ));
    };

    let mut command = Command::new(program(name, &req.workdir));
    // Its own process group, so a timeout also kills what it started.
    let mut child = crate::process::grouped(&mut command)
        .args(args)
        .current_dir(&req.workdir)
        .envs(environment(req))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            DeployError::Transport(format!(
                "could not start `{}` in {}: {e}",
                shown(name, &secrets),
                req.workdir.display()
            ))
        })?;

    let (tx, mut rx) = unbounded_channel();
    let readers = [
        tokio::spawn(read_lines(child.stdout.take(), tx.clone())),
        tokio::spawn(read_lines(child.stderr.take(), tx)),
    ];
    let mut tail: VecDeque<String> = VecDeque::new();
    let mut forward = |line: String| {
        let line = shown(&line, &secrets);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line.clone());
        // A caller that stopped listening does not stop the deployment.
        let _ = output.send(line);
    };

    let deadline = Instant::now() + spec.timeout;
    let ended = loop {
        tokio::select! {
            Some(line) = rx.recv() => forward(line),
            status = child.wait() => break Ended::Exited(status),
            () = sleep_until(deadline) => break Ended::TimedOut,
        }
    };
    let status = match ended {
        Ended::TimedOut => {
            kill(&mut child).await;
            readers.iter().for_each(tokio::task::JoinHandle::abort);
            return Err(DeployError::Timeout);
        }
        Ended::Exited(status) => status.map_err(|e| {
            DeployError::Transport(format!("waiting for the deploy command failed: {e}"))
        })?,
    };
    let grace = deadline.min(Instant::now() + DRAIN_GRACE);
    loop {
        tokio::select! {
            line = rx.recv() => match line {
                Some(line) => forward(line),
                None => break,
            },
            () = sleep_until(grace) => break,
        }
    }
    readers.iter().for_each(tokio::task::JoinHandle::abort);

    let tail: Vec<String> = tail.into_iter().collect();
    if status.success() {
        let detail = tail.last().cloned().unwrap_or_else(|| "exit 0".to_string());
        Ok(Accepted { detail })
    } else {
        Err(DeployError::CommandFailed {
            code: status.code(),
            tail: tail.join("\n"),
        })
    }
}

/// Kills the command's whole process group, then the command itself, and reaps it.
async fn kill(child: &mut Child) {
    // It may have exited on its own meanwhile; nothing to do then.
    crate::process::kill_group(child.id());
    let _ = child.kill().await;
}

/// Sends each line of `reader` (lossily decoded, line break removed) until it closes.
async fn read_lines<R: AsyncRead + Unpin>(reader: Option<R>, tx: UnboundedSender<String>) {
    let Some(reader) = reader else { return };
    let mut reader = BufReader::new(reader);
    let mut line: Vec<u8> = Vec::new();
    while let Ok(buf) = reader.fill_buf().await {
        if buf.is_empty() {
            break;
        }
        let (chunk, complete) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (&buf[..=i], true),
            None => (buf, false),
        };
        let used = chunk.len();
        let room = LINE_CAP.saturating_sub(line.len());
        line.extend_from_slice(&chunk[..used.min(room)]);
        reader.consume(used);
        if complete {
            send(&mut line, &tx);
        }
    }
    if !line.is_empty() {
        send(&mut line, &tx);
    }
}

fn send(line: &mut Vec<u8>, tx: &UnboundedSender<String>) {
    let text = String::from_utf8_lossy(line)
        .trim_end_matches(['\n', '\r'])
        .to_string();
    line.clear();
    let _ = tx.send(text);
}
