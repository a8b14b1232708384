//! The `command` channel: argv (no shell) run from the config's directory with the markdown on
//! stdin and `SHIPDECK_*` variables; exit 0 is delivered. Killed with what it started when its
//! timeout passes.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncWriteExt as _;
use tokio::process::Command;

use crate::deploy::secret::{Secret, load_known, shown};
use crate::domain::template::{CHANNEL_NAMES, Vars, expand_in};

use super::Message;

/// The most of the command's output that is kept for the record.
const OUTPUT_CAP: usize = 4096;

fn program(name: &str, workdir: &Path) -> PathBuf {
    let path = Path::new(name);
    if path.is_relative() && name.contains('/') {
        workdir.join(path)
    } else {
        path.to_path_buf()
    }
}

/// Runs the command once. Returns (the argv, secrets masked; the outcome).
pub(super) async fn run(
    argv: &[String],
    timeout: Duration,
    vars: &Vars,
    message: &Message,
) -> (String, Result<String, String>) {
    let known = load_known(&message.known_secrets);
    let secrets: Vec<&Secret> = known.iter().collect();
    let argv = match argv
        .iter()
        .map(|a| expand_in(a, vars, CHANNEL_NAMES, str::to_string))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(a) => a,
        Err(e) => return (argv.join(" "), Err(format!("command template: {e}"))),
    };
    let to = shown(&argv.join(" "), &secrets);
    let Some((name, args)) = argv.split_first() else {
        return (to, Err("the command is empty".to_string()));
    };
    let mut command = Command::new(program(name, &message.workdir));
    // Its own process group, so a timeout also kills what it started.
    let spawned = crate::process::grouped(&mut command)
        .args(args)
        .current_dir(&message.workdir)
        .env("SHIPDECK_SERVICE", &message.service)
        .env("SHIPDECK_RELEASE", &message.release)
        .env("SHIPDECK_VERSION", &message.version)
        .env("SHIPDECK_ENV", &message.env)
        .env("SHIPDECK_ACTOR", &message.actor)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            let err = format!("could not start `{}`: {e}", shown(name, &secrets));
            return (to, Err(err));
        }
    };
    let group = child.id();
    let stdin = child.stdin.take();
    let markdown = message.markdown.clone();
    // Written from a task of its own, so a command that does not read stdin cannot stall us
    // before we wait for it (it gets a broken pipe instead).
    let writer = tokio::spawn(async move {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(markdown.as_bytes()).await;
            let _ = stdin.shutdown().await;
        }
    });
    let output = tokio::time::timeout(timeout, child.wait_with_output()).await;
    writer.abort();
    let output = match output {
        Ok(Ok(o)) => o,
        Ok(Err(e)) => return (to, Err(format!("waiting for the command failed: {e}"))),
        Err(_) => {
            crate::process::kill_group(group);
            return (
                to,
                Err(format!("did not finish within {}s", timeout.as_secs())),
            );
        }
    };
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    let last = shown(text.trim().lines().last().unwrap_or_default(), &secrets);
    let last: String = last.chars().take(OUTPUT_CAP).collect();
    if output.status.success() {
        (
            to,
            Ok(if last.is_empty() {
                "exit 0".to_string()
            } else {
                last
            }),
        )
    } else {
        let code = output.status.code().map_or_else(
            || "was killed by a signal".to_string(),
            |c| format!("exited with status {c}"),
        );
        (
            to,
            Err(format!("the command {code}: {last}")
                .trim_end_matches([':', ' '])
                .to_string()),
        )
    }
}
