//! The `webhook` deployer against the real Debian `webhook` server (adnanh/webhook), with a
//! `payload-hmac-sha256` trigger rule: a signed call deploys, a wrongly signed one is refused,
//! and each call is exactly one request.

use crate::deploy_support;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use shipdeck::deploy::{DeployError, call};
use shipdeck::domain::config::{DeployerSpec, HttpDeployer, SecretName};
use tokio::sync::mpsc::unbounded_channel;

use deploy_support::{in_child_with_env, request, wait_for};

const WEBHOOK: &str = "/usr/bin/webhook";
const HOOK_SECRET: &str = "hook-s3cret-42";

/// Installs the server when it is missing and we are root; otherwise says how to get it.
fn ensure_webhook() {
    if Path::new(WEBHOOK).exists() {
        return;
    }
    assert!(
        rustix::process::getuid().is_root(),
        "{WEBHOOK} is missing: install it with `sudo apt-get install webhook` (scripts/test does)"
    );
    let status = Command::new("apt-get")
        .args(["install", "-y", "-qq", "webhook"])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .expect("apt-get runs");
    assert!(
        status.success() && Path::new(WEBHOOK).exists(),
        "apt-get install webhook failed"
    );
}

/// The server, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    listener.local_addr().expect("addr").port()
}

/// Writes the hooks file and the hook's command into `dir` and starts the server there.
async fn start(dir: &Path) -> (Server, SocketAddr) {
    ensure_webhook();
    let record = dir.join("record.sh");
    std::fs::write(&record, "#!/bin/sh\nprintf '%s\\n' \"$1\" > deployed.txt\n").expect("hook");
    std::fs::set_permissions(&record, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let hooks = serde_json::json!([{
        "id": "deploy-prod",
        "execute-command": record,
        "command-working-directory": dir,
        "pass-arguments-to-command": [{ "source": "payload", "name": "version" }],
        "trigger-rule-mismatch-http-response-code": 403,
        "trigger-rule": { "match": {
            "type": "payload-hmac-sha256",
            "secret": HOOK_SECRET,
            "parameter": { "source": "header", "name": "X-Hub-Signature-256" }
        }}
    }]);
    let hooks_file = dir.join("hooks.json");
    std::fs::write(&hooks_file, hooks.to_string()).expect("hooks file");
    let log = std::fs::File::create(dir.join("webhook.log")).expect("log file");

    let port = free_port();
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
        .stdout(log.try_clone().expect("log handle"))
        .stderr(log)
        .spawn()
        .expect("webhook starts");
    let server = Server(child);
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    wait_for("webhook to listen", Duration::from_secs(15), || {
        TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok()
    })
    .await;
    (server, addr)
}

fn webhook(addr: SocketAddr, secret_var: &str) -> DeployerSpec {
    DeployerSpec::Http(HttpDeployer {
        preset_webhook: true,
        method: "POST".into(),
        url: format!("http://{addr}/hooks/deploy-{{{{env}}}}"),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(
            r#"{"service":"{{service}}","release":"{{release}}","version":"{{version}}","approvals":{{approvals_json}}}"#
                .into(),
        ),
        auth: None,
        sign_secret: Some(SecretName(secret_var.into())),
        success: Vec::new(),
        timeout: Duration::from_secs(10),
    })
}

fn incoming(dir: &Path) -> usize {
    std::fs::read_to_string(dir.join("webhook.log"))
        .unwrap_or_default()
        .matches("incoming HTTP POST request")
        .count()
}

#[tokio::test]
async fn a_signed_webhook_deploys_and_a_wrongly_signed_one_is_refused_once() {
    if !in_child_with_env(
        "a_signed_webhook_deploys_and_a_wrongly_signed_one_is_refused_once",
        &[
            ("SHIPDECK_TEST_HOOK_SECRET", HOOK_SECRET),
            ("SHIPDECK_TEST_WRONG_SECRET", "not-the-hook-secret"),
        ],
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let (_server, addr) = start(dir.path()).await;
    let deployed = dir.path().join("deployed.txt");

    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.2", dir.path().to_path_buf());
    call(&webhook(addr, "SHIPDECK_TEST_HOOK_SECRET"), &req, false, tx)
        .await
        .expect("the signed hook is accepted");
    wait_for(
        "the hook to record the version",
        Duration::from_secs(15),
        || std::fs::read_to_string(&deployed).is_ok_and(|v| v == "1.4.2\n"),
    )
    .await;
    assert_eq!(incoming(dir.path()), 1);

    let (tx, _rx) = unbounded_channel();
    let req = request("1.4.3", dir.path().to_path_buf());
    let err = call(
        &webhook(addr, "SHIPDECK_TEST_WRONG_SECRET"),
        &req,
        false,
        tx,
    )
    .await
    .expect_err("a wrong signature is refused");
    assert!(
        matches!(
            err,
            DeployError::Rejected {
                status: 403 | 500,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.to_string().contains("not-the-hook-secret"));
    wait_for(
        "webhook to log the refused request",
        Duration::from_secs(10),
        || incoming(dir.path()) >= 2,
    )
    .await;
    let log = std::fs::read_to_string(dir.path().join("webhook.log")).expect("log");
    assert!(log.contains("invalid payload signature"), "{log}");
    assert_eq!(incoming(dir.path()), 2, "not retried:\n{log}");
    assert_eq!(
        std::fs::read_to_string(&deployed).expect("still there"),
        "1.4.2\n",
        "the refused hook ran nothing"
    );
}
