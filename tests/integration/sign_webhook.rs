//! The endpoint checks for itself: a real Debian `webhook` server whose deploy hook runs
//! `shipdeck verify-approvals` (allowed signers read from the endpoint's own bare mirror of
//! origin) and only then the deploy script. The client here is lax (one approval, unsigned, is
//! enough for it), as anyone with the URL and secret could be: a properly approved release
//! deploys, a forged or missing approval is refused by the hook.

use crate::sign_support;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use sign_support::*;

const WEBHOOK: &str = "/usr/bin/webhook";
const SECRET: &str = "hook-s3cret-value-5d1e";

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The README's hooks.json, with this test's paths: verify, then deploy; and a health hook.
fn hooks(dir: &Path, mirror: &Path) -> serde_json::Value {
    let arg = |name: &str| serde_json::json!({ "source": "payload", "name": name });
    let lit = |value: &str| serde_json::json!({ "source": "string", "name": value });
    serde_json::json!([
        {
            "id": "deploy-prod",
            "execute-command": bin(),
            "command-working-directory": dir,
            "include-command-output-in-response": true,
            "include-command-output-in-response-on-error": true,
            "pass-environment-to-command": [
                { "source": "payload", "name": "approvals", "envname": "SHIPDECK_APPROVALS" }
            ],
            "pass-arguments-to-command": [
                lit("verify-approvals"),
                lit("--env"), lit("prod"),
                lit("--count"), lit("2"),
                lit("--from"), lit(&format!("{ALICE},{BOB},{CAROL}")),
                lit("--repo"), lit(mirror.to_str().expect("utf-8")),
                lit("--service"), arg("service"),
                lit("--release"), arg("release"),
                lit("--commit"), arg("commit"),
                lit("--promoter"), arg("actor"),
                lit("--"),
                lit(dir.join("deploy.sh").to_str().expect("utf-8")), arg("version")
            ],
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
            "pass-arguments-to-command": [lit("health.json")],
            "include-command-output-in-response": true
        }
    ])
}

fn start_webhook(dir: &Path, mirror: &Path) -> (Server, SocketAddr) {
    assert!(
        Path::new(WEBHOOK).exists(),
        "{WEBHOOK} is missing: `apt-get install webhook` (scripts/test installs it)"
    );
    let deploy = dir.join("deploy.sh");
    std::fs::write(
        &deploy,
        "#!/bin/sh\necho \"$1\" >> deployed.txt\nprintf '{\"status\":\"pass\",\"version\":\"%s\"}' \"$1\" > health.json\n",
    )
    .expect("deploy script");
    std::fs::set_permissions(&deploy, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    std::fs::write(
        dir.join("health.json"),
        r#"{"status":"pass","version":"0.9.0"}"#,
    )
    .expect("health");
    let hooks_file = dir.join("hooks.json");
    std::fs::write(&hooks_file, hooks(dir, mirror).to_string()).expect("hooks file");
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
        .env("SHIPDECK_DATA_DIR", dir.join(".hookdata"))
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env_remove("SHIPDECK_APPROVALS")
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

fn deployed(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("deployed.txt"))
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn promote(repo: &Path, release: &str) -> Output {
    let mut cmd = Command::new(bin());
    cmd.args(["promote", "api", release, "--to", "prod", "--yes"])
        .current_dir(repo)
        .env("SHIPDECK_USER", DANA)
        .env("SHIPDECK_DATA_DIR", repo.join("../.data"))
        .env("SHIPDECK_TEST_HOOK_SECRET", SECRET)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env_remove("SHIPDECK_SIGNING_KEY");
    cmd.output().expect("shipdeck runs")
}

fn approve(repo: &Path, release: &str, user: &str, key: &Path) {
    let out = as_user(
        repo,
        user,
        Some(key),
        &["approve", "api", release, "--env", "prod"],
    );
    assert_code(&out, 0);
}

#[test]
fn a_hook_running_verify_approvals_deploys_the_approved_release_and_refuses_forged_or_missing_ones()
{
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let team = Team::new(d);
    let repo = signed_project(d, &team, "");
    let mirror = d.join("endpoint.git");
    git(
        d,
        &[
            "clone",
            "-q",
            "--mirror",
            "origin.git",
            mirror.to_str().expect("utf-8"),
        ],
    );
    let (_server, addr) = start_webhook(d, &mirror);
    // A lax client (one unsigned approval is enough for it): the endpoint must enforce.
    std::fs::write(
        repo.join("shipdeck.toml"),
        format!(
            r#"[project]
name = "shop"
state_dir = "../state"
signing = {{ allowed_signers = ".shipdeck/allowed_signers" }}

[[environments]]
name = "prod"
gates = [{{ kind = "approval", count = 1 }}]

[[services]]
name = "api"
repo = "."
tags = "api-v*"
health = "http://{addr}/hooks/health"
deploy = {{ kind = "webhook", url = "http://{addr}/hooks/deploy-prod", secret_env = "SHIPDECK_TEST_HOOK_SECRET" }}
verify_timeout = "20s"
"#
        ),
    )
    .expect("config");

    // Properly approved: two signed approvals from allowed people.
    approve(&repo, "api-v1.2.0", ALICE, &team.alice);
    approve(&repo, "api-v1.2.0", BOB, &team.bob);
    let ok = promote(&repo, "api-v1.2.0");
    assert_code(&ok, 0);
    assert_eq!(deployed(d), ["1.2.0"]);

    // Forged: alice's genuine approval, and carol's name signed with mallory's key.
    approve(&repo, "api-v1.1.0", ALICE, &team.alice);
    approve(&repo, "api-v1.1.0", CAROL, &team.mallory);
    let forged = promote(&repo, "api-v1.1.0");
    assert_code(&forged, 4);
    let why = stderr(&forged);
    assert!(why.contains("500"), "{why}");
    wait_for(
        "the hook's refusal in webhook's log",
        Duration::from_secs(10),
        || {
            std::fs::read_to_string(d.join("webhook.log")).is_ok_and(|l| {
                l.contains("not in allowed_signers") && l.contains("refused api api-v1.1.0")
            })
        },
    );

    // Missing: only one approval where two are needed.
    approve(&repo, "api-v1.0.0", BOB, &team.bob);
    let missing = promote(&repo, "api-v1.0.0");
    assert_code(&missing, 4);
    wait_for("the hook's second refusal", Duration::from_secs(10), || {
        std::fs::read_to_string(d.join("webhook.log")).is_ok_and(|l| {
            l.contains("refused api api-v1.0.0") && l.contains("1 of 2 verified approvals")
        })
    });

    assert_eq!(
        deployed(d),
        ["1.2.0"],
        "only the approved release was deployed"
    );
    let log = std::fs::read_to_string(d.join("webhook.log")).expect("log");
    assert!(
        !log.contains(SECRET),
        "the secret leaked into webhook's log"
    );
}
