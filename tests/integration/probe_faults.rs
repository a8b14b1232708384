//! Fault shapes: hung endpoints, huge bodies, garbage, hostile text.

use crate::probe_support;

use std::time::{Duration, Instant};

use axum::routing::get;
use probe_support::{http_target, is_terminal_safe, serve};
use shipdeck::domain::observation::Health;
use shipdeck::probe::{BODY_CAP, http_client, probe_once, read_capped, refresh_all};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn mock(route: &str, response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(route))
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_hung_endpoint_times_out_without_delaying_its_neighbour() {
    let hung = mock(
        "/health",
        ResponseTemplate::new(200).set_delay(Duration::from_mins(1)),
    )
    .await;
    let fine =
        serve(axum::Router::new().route("/health", get(|| async { r#"{"status":"pass"}"# }))).await;
    let mut slow = http_target("prod", &format!("{}/health", hung.uri()));
    slow.spec.timeout = Duration::from_millis(800);
    let neighbour = http_target("dev", &format!("http://{fine}/health"));

    let started = Instant::now();
    let seen = refresh_all(&http_client(), &[slow, neighbour], false, 256).await;
    let took = started.elapsed();

    assert_eq!(seen[0].health, Health::Unreachable);
    assert_eq!(seen[0].detail, "timed out after 800ms");
    assert_eq!(seen[1].health, Health::Pass);
    assert!(
        seen[1].latency_ms.is_some_and(|ms| ms < 800),
        "{:?}",
        seen[1].latency_ms
    );
    // The whole refresh costs the hung target's timeout, not the server's 60 s delay.
    assert!(took < Duration::from_secs(10), "{took:?}");
}

#[tokio::test]
async fn a_64_mib_body_is_read_only_up_to_the_cap() {
    let server = mock(
        "/health",
        ResponseTemplate::new(200).set_body_bytes(vec![b' '; 64 << 20]),
    )
    .await;
    let url = format!("{}/health", server.uri());
    let response = http_client().get(&url).send().await.expect("an answer");
    let (body, truncated) = read_capped(response, BODY_CAP).await.expect("a body");
    assert_eq!(body.len(), BODY_CAP);
    assert!(truncated);

    let o = probe_once(&http_client(), &http_target("dev", &url), false).await;
    assert_eq!(o.health, Health::Pass);
    assert!(o.detail.ends_with("body cut at 64 KiB"), "{}", o.detail);
}

/// A server that streams an endless body and reports how many bytes the client took before it
/// hung up: the cap must stop the read, not merely discard what was read.
#[tokio::test]
async fn the_probe_hangs_up_on_an_endless_body() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (sent_tx, sent_rx) = tokio::sync::oneshot::channel::<usize>();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("a connection");
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-length: 67108864\r\n\r\n";
        socket.write_all(head.as_bytes()).await.expect("the head");
        let chunk = vec![b'x'; 64 * 1024];
        let mut sent = 0usize;
        while sent < 64 << 20 {
            match socket.write(&chunk).await {
                Ok(0) | Err(_) => break,
                Ok(n) => sent += n,
            }
        }
        let _ = sent_tx.send(sent);
    });
    let o = probe_once(
        &http_client(),
        &http_target("dev", &format!("http://{addr}/")),
        false,
    )
    .await;
    assert!(o.detail.ends_with("body cut at 64 KiB"), "{}", o.detail);
    let sent = tokio::time::timeout(Duration::from_secs(30), sent_rx)
        .await
        .expect("the server noticed the hang-up")
        .expect("a count");
    // Kernel socket buffers hold a few MiB at most; the full 64 MiB means the read never stopped.
    assert!(sent < 32 << 20, "the server wrote {sent} bytes");
}

#[tokio::test]
async fn invalid_json_with_a_2xx_passes_with_a_note() {
    let server = mock(
        "/health",
        ResponseTemplate::new(200).set_body_string("{\"status\": pa"),
    )
    .await;
    let o = probe_once(
        &http_client(),
        &http_target("dev", &format!("{}/health", server.uri())),
        false,
    )
    .await;
    assert_eq!(o.health, Health::Pass);
    assert_eq!(o.detail, "body is not JSON");
    assert_eq!(o.reported_version, None);
}

#[tokio::test]
async fn a_503_with_a_health_json_fail_body_is_a_failure_with_its_output() {
    let body = r#"{"status":"fail","releaseId":"1.4.2","output":"database unreachable"}"#;
    let server = mock(
        "/health",
        ResponseTemplate::new(503).set_body_raw(body, "application/health+json"),
    )
    .await;
    let o = probe_once(
        &http_client(),
        &http_target("prod", &format!("{}/health", server.uri())),
        false,
    )
    .await;
    assert_eq!(o.health, Health::Fail);
    assert_eq!(o.detail, r#"HTTP 503, status "fail": database unreachable"#);
    assert_eq!(o.release.as_deref(), Some("api-v1.4.2"));
}

#[tokio::test]
async fn terminal_escapes_in_a_body_never_reach_the_observation() {
    let json = "{\"status\":\"\\u001b[5mfail\",\"releaseId\":\"\\u001b]0;pwned\\u0007 1.4.2\\u001b[2J\",\
                \"output\":\"\\u001b[31mred\\u001b[0m \\u009b2J \\u202egnp.exe\"}";
    let json_server = mock("/health", ResponseTemplate::new(200).set_body_string(json)).await;
    let text = "\u{1b}[2J\u{1b}]52;c;ZXZpbA==\u{7}not json\r\n\u{1b}P+q\u{1b}\\";
    let text_server = mock("/health", ResponseTemplate::new(500).set_body_string(text)).await;

    let client = http_client();
    for server in [&json_server, &text_server] {
        let o = probe_once(
            &client,
            &http_target("dev", &format!("{}/health", server.uri())),
            false,
        )
        .await;
        let fields = [
            Some(&o.detail),
            o.reported_version.as_ref(),
            o.commit.as_ref(),
            o.release.as_ref(),
        ];
        for field in fields.into_iter().flatten() {
            assert!(is_terminal_safe(field), "{field:?}");
            assert!(!field.contains('\u{202e}'), "{field:?}");
        }
        assert_eq!(o.health, Health::Fail, "{}", o.detail);
    }
}
