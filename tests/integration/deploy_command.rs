//! The `command` deployer: real scripts in temp dirs, run without a shell.

use crate::deploy_support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;

use shipdeck::deploy::{DeployError, call, describe};
use shipdeck::domain::config::{CommandDeployer, DeployerSpec};
use tokio::sync::mpsc::unbounded_channel;

use deploy_support::{request, wait_for};

const HOSTILE: &str = "1.0; rm -rf ~";

/// Writes an executable `deploy.sh` with `body` into `dir`.
fn script(dir: &Path, body: &str) {
    let path = dir.join("deploy.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).expect("script written");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

fn spec(timeout: Duration) -> DeployerSpec {
    DeployerSpec::Command(CommandDeployer {
        argv: vec![
            "./deploy.sh".into(),
            "{{service}}".into(),
            "{{version}}".into(),
        ],
        timeout,
    })
}

const RECORDING: &str = r#"
: > argv.txt
for a in "$@"; do printf '%s\n' "$a" >> argv.txt; done
env | grep '^SHIPDECK_' | sort > env.txt
echo "deploying $SHIPDECK_VERSION"
echo "a warning on stderr" >&2"#;

#[tokio::test]
async fn a_hostile_version_stays_one_argv_element() {
    let dir = tempfile::tempdir().expect("temp dir");
    script(dir.path(), RECORDING);
    let (tx, _rx) = unbounded_channel();
    let req = request(HOSTILE, dir.path().to_path_buf());
    call(&spec(Duration::from_secs(10)), &req, true, tx)
        .await
        .expect("exit 0 is accepted");
    let argv = std::fs::read_to_string(dir.path().join("argv.txt")).expect("argv recorded");
    assert_eq!(argv, format!("api\n{HOSTILE}\n"));
}

#[tokio::test]
async fn the_command_gets_shipdeck_variables() {
    let dir = tempfile::tempdir().expect("temp dir");
    script(dir.path(), RECORDING);
    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    call(&spec(Duration::from_secs(10)), &req, true, tx)
        .await
        .expect("accepted");
    let env = std::fs::read_to_string(dir.path().join("env.txt")).expect("env recorded");
    for line in [
        "SHIPDECK_SERVICE=api",
        "SHIPDECK_ENV=prod",
        "SHIPDECK_RELEASE=api-v1.4.2",
        "SHIPDECK_VERSION=1.4.2",
        "SHIPDECK_COMMIT=0123456789abcdef0123456789abcdef01234567",
        "SHIPDECK_PREVIOUS_RELEASE=api-v0.9.0",
        "SHIPDECK_ACTOR=alice@example.com",
        "SHIPDECK_IDEMPOTENCY_KEY=dep-0001",
        r#"SHIPDECK_APPROVALS=[{"by":"bob@example.com"}]"#,
    ] {
        assert!(env.lines().any(|l| l == line), "missing {line} in\n{env}");
    }
}

#[tokio::test]
async fn output_lines_stream_while_the_command_runs() {
    let dir = tempfile::tempdir().expect("temp dir");
    // Prints, then waits for the test to answer: the line must arrive before the exit.
    script(
        dir.path(),
        "echo \"started $2\"\necho 'to stderr' >&2\nwhile [ ! -e go ]; do sleep 0.05; done\necho done",
    );
    let (tx, mut rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    let spec = spec(Duration::from_secs(30));
    let run = tokio::spawn(async move { call(&spec, &req, true, tx).await });

    let mut lines = Vec::new();
    while lines.len() < 2 {
        let line = tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .expect("a line within 10s")
            .expect("the channel is open while the command runs");
        lines.push(line);
    }
    lines.sort();
    assert_eq!(lines, ["started 1.4.2", "to stderr"]);
    assert!(!run.is_finished(), "the command is still waiting");

    std::fs::write(dir.path().join("go"), "").expect("signal written");
    let accepted = run.await.expect("joined").expect("accepted");
    assert_eq!(accepted.detail, "done");
    assert_eq!(rx.recv().await.as_deref(), Some("done"));
}

#[tokio::test]
async fn a_failing_command_reports_its_code_and_last_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    script(
        dir.path(),
        "echo step one\necho \"\u{1b}[31mboom\u{1b}[0m\" >&2\nexit 3",
    );
    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    let err = call(&spec(Duration::from_secs(10)), &req, true, tx)
        .await
        .expect_err("exit 3 fails");
    let DeployError::CommandFailed { code, tail } = err else {
        panic!("expected CommandFailed, got {err:?}");
    };
    assert_eq!(code, Some(3));
    assert!(tail.contains("step one") && tail.contains("boom"), "{tail}");
    assert!(!tail.contains('\u{1b}'), "output is sanitized: {tail:?}");
}

#[tokio::test]
async fn a_timeout_kills_the_command_and_what_it_started() {
    let dir = tempfile::tempdir().expect("temp dir");
    script(dir.path(), "sleep 300 &\necho $! > child.pid\nwait");
    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    let err = call(&spec(Duration::from_millis(500)), &req, true, tx)
        .await
        .expect_err("it runs past its timeout");
    assert_eq!(err, DeployError::Timeout);

    let pid = std::fs::read_to_string(dir.path().join("child.pid")).expect("child pid");
    let stat = format!("/proc/{}/stat", pid.trim());
    // Gone, or a zombie waiting for its new parent to reap it: either way not running.
    wait_for(
        "the background sleep to die",
        Duration::from_secs(10),
        || {
            std::fs::read_to_string(&stat).map_or(true, |s| {
                s.rsplit(')')
                    .next()
                    .is_some_and(|r| r.trim_start().starts_with('Z'))
            })
        },
    )
    .await;
}

#[tokio::test]
async fn an_untrusted_configuration_runs_no_command() {
    let dir = tempfile::tempdir().expect("temp dir");
    script(dir.path(), RECORDING);
    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    let err = call(&spec(Duration::from_secs(10)), &req, false, tx)
        .await
        .expect_err("refused");
    assert_eq!(err, DeployError::Untrusted);
    assert!(err.to_string().contains("shipdeck trust"));
    assert!(!dir.path().join("argv.txt").exists(), "nothing ran");
}

#[tokio::test]
async fn a_missing_program_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    let err = call(&spec(Duration::from_secs(10)), &req, true, tx)
        .await
        .expect_err("no script");
    assert!(
        err.to_string().contains("could not start `./deploy.sh`"),
        "{err}"
    );
}

#[test]
fn describe_quotes_an_element_that_looks_like_several() {
    let req = request(HOSTILE, std::env::temp_dir());
    let text = describe(&spec(Duration::from_secs(1)), &req).expect("describes");
    assert_eq!(text, "./deploy.sh api '1.0; rm -rf ~'");
}
