//! Security (#10): a stuck deployment (a `30d` verify timeout since fixed, a `--no-wait` that
//! never turns healthy, a crafted event) must not hold promote and rollback hostage.

use std::path::Path;

use crate::common::{self, stderr, stdout};

/// A deploy endpoint on loopback that accepts every call (202).
fn accepting_endpoint() -> u16 {
    use std::io::{Read as _, Write as _};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a loopback port");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut chunk = [0u8; 16384];
            let _ = stream.read(&mut chunk);
            let _ = stream.write_all(
                b"HTTP/1.1 202 Accepted\r\nContent-Length: 6\r\nConnection: close\r\n\r\nqueued",
            );
        }
    });
    port
}

/// The common project with an HTTP deployer on loopback for every environment.
fn project(dir: &Path, port: u16) {
    let config = common::project(dir);
    let text = std::fs::read_to_string(&config).expect("config").replace(
        "tags = \"api-v*\"\n",
        &format!(
            "tags = \"api-v*\"\ndeploy = {{ kind = \"http\", url = \"http://127.0.0.1:{port}/deploy\", \
             headers = {{ Content-Type = \"application/json\" }}, body = '{{\"r\":\"{{{{release}}}}\"}}' }}\n"
        ),
    );
    std::fs::write(&config, text).expect("write");
}

/// A `deploy-requested` of api-v1.1.0 to dev with a 30-day verify timeout, `ago` in the past,
/// written straight into the log (a crafted event, or a typo since fixed).
fn stuck(dir: &Path, ago: jiff::SignedDuration) {
    let (log, _) = shipdeck::store::EventLog::open(&dir.join(".shipdeck")).expect("log");
    let at = jiff::Timestamp::now() - ago;
    let body = shipdeck::domain::event::EventBody::new(
        shipdeck::store::new_event_id(),
        at,
        "erin@x",
        &shipdeck::domain::event::Fact::DeployRequested {
            commit: "0".repeat(40),
            previous_release: None,
            rollback: false,
            call: "POST http://127.0.0.1/deploy".into(),
            verify_timeout_secs: 30 * 24 * 3600,
        },
        Some("api"),
        Some("api-v1.1.0"),
        Some("dev"),
    );
    log.append(body, jiff::Timestamp::now()).expect("append");
}

/// Item 13: the stored deadline is capped by the configuration's verify timeout (5m), the
/// refusal prints the whole date, `cancel` (recorded) releases the target, and a rollback is
/// never blocked by the deployment it backs out.
#[test]
fn security_stuck_deployments_do_not_block_promote_or_rollback() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    let port = accepting_endpoint();
    project(d, port);

    // Requested 10 minutes ago with 30 days to verify: the 5m of today's config has passed.
    stuck(d, jiff::SignedDuration::from_mins(10));
    let out = common::shipdeck(
        d,
        "dana@x",
        &[
            "promote",
            "api",
            "api-v1.2.0",
            "--to",
            "dev",
            "--yes",
            "--no-wait",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "not held for 30 days: {}",
        stderr(&out)
    );

    // Just requested (by someone else, on another target's behalf): promote is refused with
    // the whole date of the (capped) deadline; `cancel` releases it and is recorded.
    let dir = tempfile::tempdir().expect("tempdir");
    let d = dir.path();
    project(d, port);
    stuck(d, jiff::SignedDuration::ZERO);
    let out = common::shipdeck(
        d,
        "dana@x",
        &[
            "promote",
            "api",
            "api-v1.2.0",
            "--to",
            "dev",
            "--yes",
            "--no-wait",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let capped = (jiff::Timestamp::now() + jiff::SignedDuration::from_mins(5))
        .strftime("%Y-%m-%d")
        .to_string();
    assert!(
        stderr(&out).contains(&capped),
        "the whole date: {}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("shipdeck cancel"), "{}", stderr(&out));
    let out = common::shipdeck(
        d,
        "dana@x",
        &["cancel", "api", "--env", "dev", "--reason", "stuck"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = common::shipdeck(d, "dana@x", &["log"]);
    assert!(
        stdout(&log).contains("cancelled by dana@x"),
        "{}",
        stdout(&log)
    );
    let out = common::shipdeck(
        d,
        "dana@x",
        &[
            "promote",
            "api",
            "api-v1.2.0",
            "--to",
            "dev",
            "--yes",
            "--no-wait",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    // A deployment in flight (the one just made): rolling back is not refused for it.
    let out = common::shipdeck(
        d,
        "dana@x",
        &[
            "rollback",
            "api",
            "--env",
            "dev",
            "--to",
            "api-v1.0.0",
            "--yes",
            "--no-wait",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let log = common::shipdeck(d, "dana@x", &["log"]);
    assert!(
        stdout(&log).contains("superseded by a rollback"),
        "{}",
        stdout(&log)
    );
}
