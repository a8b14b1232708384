//! Probes against real HTTP servers on loopback, and command probes.

use crate::probe_support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Redirect;
use axum::routing::get;
use probe_support::{COMMIT_141, COMMIT_142, command_target, http_target, serve};
use shipdeck::domain::config::ProbeFormat;
use shipdeck::domain::observation::Health;
use shipdeck::probe::{UNTRUSTED_DETAIL, http_client, probe_once};

const HEALTH_JSON: &str = "application/health+json";

#[tokio::test]
async fn a_health_json_pass_reports_its_release_and_the_release_commit() {
    let app = axum::Router::new().route(
        "/health",
        get(|| async {
            (
                [(header::CONTENT_TYPE, HEALTH_JSON)],
                r#"{"status":"pass","version":"1","releaseId":"1.4.2"}"#,
            )
        }),
    );
    let addr = serve(app).await;
    let target = http_target("prod", &format!("http://{addr}/health"));
    let o = probe_once(&http_client(), &target, false).await;
    assert_eq!(o.health, Health::Pass, "{}", o.detail);
    assert_eq!(o.reported_version.as_deref(), Some("1.4.2"));
    assert_eq!(o.release.as_deref(), Some("api-v1.4.2"));
    assert_eq!(o.commit.as_deref(), Some(COMMIT_142));
    assert!(o.latency_ms.is_some());
    assert_eq!((o.service.as_str(), o.env.as_str()), ("api", "prod"));
}

#[tokio::test]
async fn a_spring_actuator_down_is_a_failure() {
    let app = axum::Router::new().route(
        "/actuator/health",
        get(|| async { (StatusCode::SERVICE_UNAVAILABLE, r#"{"status":"DOWN"}"#) }),
    );
    let addr = serve(app).await;
    let target = http_target("prod", &format!("http://{addr}/actuator/health"));
    let o = probe_once(&http_client(), &target, false).await;
    assert_eq!(o.health, Health::Fail);
    assert_eq!(o.detail, r#"HTTP 503, status "DOWN""#);
}

#[tokio::test]
async fn a_kubernetes_plain_ok_passes_and_anything_else_fails() {
    let app = axum::Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/livez", get(|| async { "[-]ping failed" }));
    let addr = serve(app).await;
    let client = http_client();
    let mut target = http_target("dev", &format!("http://{addr}/healthz"));
    target.spec.format = ProbeFormat::Plain;
    assert_eq!(
        probe_once(&client, &target, false).await.health,
        Health::Pass
    );
    let mut target = http_target("dev", &format!("http://{addr}/livez"));
    target.spec.format = ProbeFormat::Plain;
    assert_eq!(
        probe_once(&client, &target, false).await.health,
        Health::Fail
    );
}

#[tokio::test]
async fn the_version_url_supplies_version_and_commit() {
    let app = axum::Router::new()
        .route("/actuator/health", get(|| async { r#"{"status":"UP"}"# }))
        .route(
            "/actuator/info",
            get(|| async {
                format!(r#"{{"build":{{"version":"1.4.1"}},"git":{{"commit":{{"id":"{COMMIT_141}"}}}}}}"#)
            }),
        );
    let addr = serve(app).await;
    let mut target = http_target("staging", &format!("http://{addr}/actuator/health"));
    target.spec.version_url = Some(format!("http://{addr}/actuator/info"));
    let o = probe_once(&http_client(), &target, false).await;
    assert_eq!(o.health, Health::Pass);
    assert_eq!(o.reported_version.as_deref(), Some("1.4.1"));
    assert_eq!(o.release.as_deref(), Some("api-v1.4.1"));
    assert_eq!(o.commit.as_deref(), Some(COMMIT_141));
}

#[tokio::test]
async fn a_broken_version_url_is_noted_without_changing_health() {
    let app = axum::Router::new().route("/health", get(|| async { r#"{"status":"pass"}"# }));
    let addr = serve(app).await;
    let mut target = http_target("dev", &format!("http://{addr}/health"));
    target.spec.version_url = Some(format!("http://{addr}/missing"));
    let o = probe_once(&http_client(), &target, false).await;
    assert_eq!(o.health, Health::Pass);
    assert_eq!(o.reported_version, None);
    assert!(o.detail.ends_with("version_url: HTTP 404"), "{}", o.detail);
}

#[tokio::test]
async fn a_closed_port_is_unreachable_with_connection_refused() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let target = http_target("dev", &format!("http://{addr}/health"));
    let o = probe_once(&http_client(), &target, false).await;
    assert_eq!(o.health, Health::Unreachable);
    assert_eq!(o.detail, "connection refused");
    assert_eq!(o.latency_ms, None);
}

#[tokio::test]
async fn probes_follow_three_redirects_but_not_more_and_identify_themselves() {
    let agents = Arc::new(Mutex::new(Vec::<String>::new()));
    let seen = Arc::clone(&agents);
    let app = axum::Router::new()
        .route(
            "/r/{n}",
            get(
                |axum::extract::Path(n): axum::extract::Path<u32>| async move {
                    if n == 0 {
                        Redirect::temporary("/health")
                    } else {
                        Redirect::temporary(&format!("/r/{}", n - 1))
                    }
                },
            ),
        )
        .route(
            "/health",
            get(move |headers: HeaderMap| async move {
                let agent = headers
                    .get(header::USER_AGENT)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                seen.lock().expect("not poisoned").push(agent);
                r#"{"status":"pass"}"#
            }),
        );
    let addr = serve(app).await;
    let client = http_client();
    let o = probe_once(
        &client,
        &http_target("dev", &format!("http://{addr}/r/1")),
        false,
    )
    .await;
    assert_eq!(o.health, Health::Pass, "{}", o.detail);
    let o = probe_once(
        &client,
        &http_target("dev", &format!("http://{addr}/r/5")),
        false,
    )
    .await;
    assert_eq!(o.health, Health::Unreachable);
    assert_eq!(o.detail, "too many redirects");
    let agents = agents.lock().expect("not poisoned").clone();
    assert_eq!(agents, [format!("shipdeck/{}", env!("CARGO_PKG_VERSION"))]);
}

#[tokio::test]
async fn command_probes_never_run_untrusted() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let marker = dir.path().join("ran");
    let marker = marker.to_str().expect("a utf-8 path");
    let o = probe_once(
        &http_client(),
        &command_target(&["touch", marker], Duration::from_secs(5)),
        false,
    )
    .await;
    assert_eq!(o.health, Health::Unknown);
    assert_eq!(o.detail, UNTRUSTED_DETAIL);
    assert!(!dir.path().join("ran").exists());
}

#[tokio::test]
async fn trusted_command_probes_read_stdout_and_exit_codes() {
    let client = http_client();
    let long = Duration::from_secs(10);
    let json = r#"{"status":"pass","version":"api-v1.4.2"}"#;
    let o = probe_once(&client, &command_target(&["printf", json], long), true).await;
    assert_eq!(o.health, Health::Pass, "{}", o.detail);
    assert_eq!(o.release.as_deref(), Some("api-v1.4.2"));

    let o = probe_once(&client, &command_target(&["false"], long), true).await;
    assert_eq!(o.health, Health::Fail);
    assert_eq!(o.detail, "exit code 1");

    let o = probe_once(
        &client,
        &command_target(&["ls", "/no/such/dir/x"], long),
        true,
    )
    .await;
    assert_eq!(o.health, Health::Fail);
    assert!(o.detail.starts_with("exit code 2: ls:"), "{}", o.detail);

    let o = probe_once(&client, &command_target(&["/no/such/probe"], long), true).await;
    assert_eq!(o.health, Health::Fail);
    assert_eq!(o.detail, "command not found: /no/such/probe");
}

#[tokio::test]
async fn a_hung_command_is_killed_at_its_timeout_and_endless_output_is_capped() {
    let client = http_client();
    let o = probe_once(
        &client,
        &command_target(&["sleep", "30"], Duration::from_millis(300)),
        true,
    )
    .await;
    assert_eq!(o.health, Health::Unreachable);
    assert_eq!(o.detail, "timed out after 300ms");

    // `yes` never ends on its own: the cap closes its pipe and it dies of SIGPIPE.
    let o = probe_once(
        &client,
        &command_target(&["yes"], Duration::from_secs(20)),
        true,
    )
    .await;
    assert_eq!(o.health, Health::Fail);
    assert!(o.detail.ends_with("output cut at 64 KiB"), "{}", o.detail);
}
