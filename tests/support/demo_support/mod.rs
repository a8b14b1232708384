//! Helpers shared by the demo's integration tests: a loopback HTTP client, waiting with a
//! deadline, and git run in isolation from the user's configuration.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

/// A client that never goes through a proxy (the servers are on loopback).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(5))
        .build()
        .expect("an HTTP client")
}

/// Polls `check` every 50 ms until it returns `Some`, failing the test after `secs` seconds.
pub async fn wait_for<T, F, Fut>(secs: u64, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(secs);
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out after {secs}s waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// GET a health URL: (HTTP status, content type, JSON body).
pub async fn health(url: &str) -> (u16, String, Value) {
    let response = client().get(url).send().await.expect("health answers");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).expect("health is JSON");
    (status, content_type, body)
}

/// The body the `webhook` deploy preset sends.
pub fn webhook_body(
    service: &str,
    env: &str,
    release: &str,
    version: &str,
    commit: &str,
    key: &str,
) -> Value {
    serde_json::json!({
        "service": service,
        "env": env,
        "release": release,
        "version": version,
        "commit": commit,
        "previous_release": "",
        "actor": "tester@shop.example",
        "idempotency_key": key,
        "approvals": [],
    })
}

/// POST a deploy: (HTTP status, JSON body).
pub async fn deploy(url: &str, body: &Value, key: &str) -> (u16, Value) {
    let response = client()
        .post(url)
        .header("Idempotency-Key", key)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("deploy answers");
    let status = response.status().as_u16();
    let bytes = response.bytes().await.expect("a body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, body)
}

/// Runs git in `repo` with no global or system configuration; returns trimmed stdout.
pub fn git(repo: &Path, args: &[&str]) -> String {
    let output = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("git prints UTF-8")
        .trim()
        .to_string()
}
