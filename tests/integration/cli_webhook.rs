//! `promote` through the real Debian `webhook` server with HMAC signing: the hook's command
//! writes the deployed version where a second hook serves it as health, so verification sees the
//! release land. A wrong secret is refused once, reported as a failed deployment, never retried,
//! and no secret value reaches any output or file.

use crate::common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use common::{bin, repo_with_releases, stderr, stdout, wait_for};

const WEBHOOK: &str = "/usr/bin/webhook";
const SECRET: &str = "hook-s3cret-value-7f3a";
const WRONG: &str = "wrong-s3cret-value-91bc";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_webhook(dir: &Path) -> (Server, SocketAddr) {
    assert!(
        Path::new(WEBHOOK).exists(),
        "{WEBHOOK} is missing: `apt-get install webhook` (scripts/test installs it)"
    );
    let record = dir.join("record.sh");
    std::fs::write(
        &record,
        "#!/bin/sh\nprintf '{\"status\":\"pass\",\"version\":\"%s\"}' \"$1\" > health.json\n",
    )
    .expect("hook script");
    std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(
        dir.join("health.json"),
        r#"{"status":"pass","version":"1.0.0"}"#,
    )
    .expect("health");
    let hooks = serde_json::json!([
        {
            "id": "deploy",
            "execute-command": record,
            "command-working-directory": dir,
            "pass-arguments-to-command": [{ "source": "payload", "name": "version" }],
            "trigger-rule-mismatch-http-response-code": 403,
            "trigger-rule": { "match": {
                "type": "payload-hmac-sha256",
                "secret": SECRET,
                "parameter": { "source": "header", "name": "X-Hub-Signature-256" }
            }}
        },
        {
            "id": "health",
            "execute-command": "/bin/cat",
            "command-working-directory": dir,
            "pass-arguments-to-command": [{ "source": "string", "name": "health.json" }],
            "include-command-output-in-response": true
        }
    ]);
    let hooks_file = dir.join("hooks.json");
    std::fs::write(&hooks_file, hooks.to_string()).expect("hooks file");
    let log = std::fs::File::create(dir.join("webhook.log")).expect("log");
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let child = Command::new(WEBHOOK)
        .args([
            "-ip",
            "127.0.0.1",
            "-port",
            &port.to_string(),
            "-verbose",
            "-hooks",
        ])
        .arg(&hooks_file)
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("webhook starts");
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    wait_for("webhook to listen", Duration::from_secs(15), || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
    });
    (Server(child), addr)
}

fn deploy_requests(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("webhook.log"))
        .unwrap_or_default()
        .matches("deploy got matched")
        .count()
}

fn run(dir: &Path, secret: &str, args: &[&str]) -> Output {
    Command::new(bin())
        .args(args)
        .current_dir(dir)
        .env("SHIPDECK_USER", "me@shop.example")
        .env("SHIPDECK_DATA_DIR", dir.join(".data"))
        .env("SHIPDECK_LOG", "debug")
        .env("SHIPDECK_TEST_HOOK_SECRET", secret)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("shipdeck runs")
}

#[test]
fn promote_through_a_signed_webhook_lands_and_a_wrong_secret_fails_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    repo_with_releases(d, &[(1, "1.0.0"), (3, "1.1.0"), (5, "1.2.0")], 6);
    let (_server, addr) = start_webhook(d);
    std::fs::write(
        d.join("shipdeck.toml"),
        format!(
            r#"[project]
name = "hooks"
state_dir = ".shipdeck"

[[environments]]
name = "dev"

[[services]]
name = "api"
repo = "repo"
tags = "api-v*"
health = "http://{addr}/hooks/health"
deploy = {{ kind = "webhook", url = "http://{addr}/hooks/deploy", secret_env = "SHIPDECK_TEST_HOOK_SECRET" }}
verify_timeout = "20s"
"#
        ),
    )
    .expect("config");

    let out = run(
        d,
        SECRET,
        &["promote", "api", "api-v1.2.0", "--to", "dev", "--yes"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("signed X-Hub-Signature-256"),
        "{}",
        stdout(&out)
    );
    let status = run(d, SECRET, &["status", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&status)).expect("json");
    assert_eq!(v["services"][0]["targets"][0]["release"], "api-v1.2.0");
    assert_eq!(v["services"][0]["targets"][0]["health"], "pass");
    assert_eq!(deploy_requests(d), 1);

    let refused = run(
        d,
        WRONG,
        &["promote", "api", "api-v1.1.0", "--to", "dev", "--yes"],
    );
    assert_eq!(refused.status.code(), Some(4), "{}", stderr(&refused));
    // webhook answers a signature mismatch with 403 or, in some versions, 500.
    let why = stderr(&refused);
    assert!(
        why.contains("refused") && (why.contains("403") || why.contains("500")),
        "{why}"
    );
    wait_for(
        "webhook to log the refusal",
        Duration::from_secs(10),
        || {
            std::fs::read_to_string(d.join("webhook.log"))
                .is_ok_and(|l| l.contains("invalid payload signature"))
        },
    );
    let log = std::fs::read_to_string(d.join("webhook.log")).expect("log");
    assert_eq!(
        log.matches("invalid payload signature").count(),
        1,
        "not retried:\n{log}"
    );
    let events = std::fs::read_to_string(d.join(".shipdeck/events.jsonl")).expect("events");
    assert!(events.contains("\"kind\":\"deploy-failed\""));

    // No secret value in any output or file the commands wrote.
    let mut seen = vec![
        stdout(&out),
        stderr(&out),
        stdout(&refused),
        stderr(&refused),
        events,
    ];
    seen.push(std::fs::read_to_string(d.join(".data/shipdeck.log")).unwrap_or_default());
    for text in &seen {
        assert!(
            !text.contains(SECRET) && !text.contains(WRONG),
            "a secret leaked: {text}"
        );
    }
}
