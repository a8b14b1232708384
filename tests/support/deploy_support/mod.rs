//! Helpers shared by the deploy tests.
#![allow(dead_code)]

pub mod server;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use shipdeck::deploy::DeployRequest;

/// Marks the child process a test re-runs itself in.
const CHILD: &str = "SHIPDECK_DEPLOY_TEST_CHILD";

/// Secrets reach deployers only through environment variables, and Rust 2024 makes
/// `std::env::set_var` unsafe (which this crate forbids). So a test that needs variables runs
/// itself again in a child process of the test binary with them set. Returns `true` in the
/// child, where the caller does its work; in the parent it asserts the child passed and returns
/// `false`.
pub fn in_child_with_env(test: &str, vars: &[(&str, &str)]) -> bool {
    if std::env::var(CHILD).as_deref() == Ok(test) {
        return true;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let full = full_test_name(&exe, test);
    let out = Command::new(exe)
        .args([full.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, test)
        .envs(vars.iter().copied())
        .output()
        .expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("1 passed"),
        "`{test}` in a child process failed:\n{stdout}\n{stderr}"
    );
    false
}

/// The test's whole name in this binary (`module::test`): every test lives in one binary, as a
/// module per file, and `--exact` wants the whole path.
fn full_test_name(exe: &std::path::Path, test: &str) -> String {
    let out = Command::new(exe)
        .args(["--list", "--format", "terse"])
        .output()
        .expect("the test binary lists its tests");
    let suffix = format!("::{test}: test");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_suffix(": test").filter(|_| l.ends_with(&suffix)))
        .map_or_else(|| test.to_string(), str::to_string)
}

/// A request for `api` 1.0 to prod, run from `workdir`.
pub fn request(version: &str, workdir: PathBuf) -> DeployRequest {
    DeployRequest {
        service: "api".into(),
        env: "prod".into(),
        release: format!("api-v{version}"),
        version: version.into(),
        commit: "0123456789abcdef0123456789abcdef01234567".into(),
        previous_release: Some("api-v0.9.0".into()),
        actor: "alice@example.com".into(),
        idempotency_key: "dep-0001".into(),
        approvals_json: r#"[{"by":"bob@example.com"}]"#.into(),
        workdir,
        known_secrets: Vec::new(),
    }
}

/// Waits until `ready` holds, failing after `limit`.
pub async fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !ready() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
