//! The `http` deployer against a real endpoint on loopback that counts what it receives.

use crate::deploy_support;

use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;
use shipdeck::deploy::{DeployError, DeployRequest, call};
use shipdeck::domain::config::{Auth, DeployerSpec, HttpDeployer, SecretName};
use tokio::sync::mpsc::unbounded_channel;

use deploy_support::{in_child_with_env, request, server};

fn http(url: String) -> HttpDeployer {
    HttpDeployer {
        preset_webhook: false,
        method: "POST".into(),
        url,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(
            r#"{"service":"{{service}}","version":"{{version}}","approvals":{{approvals_json}}}"#
                .into(),
        ),
        auth: None,
        sign_secret: None,
        success: Vec::new(),
        timeout: Duration::from_secs(10),
    }
}

async fn deploy(spec: HttpDeployer, req: &DeployRequest) -> Result<String, DeployError> {
    let (tx, _rx) = unbounded_channel();
    call(&DeployerSpec::Http(spec), req, false, tx)
        .await
        .map(|a| a.detail)
}

fn req() -> DeployRequest {
    request("1.0", std::env::temp_dir())
}

#[tokio::test]
async fn a_500_is_rejected_after_exactly_one_request() {
    let (addr, seen) = server::start().await;
    let err = deploy(http(format!("http://{addr}/fail")), &req())
        .await
        .expect_err("a 500 is a failure");
    let DeployError::Rejected { status, body } = err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert_eq!(status, 500);
    assert!(body.contains("deploy crashed halfway"), "{body}");
    assert!(!body.contains('\u{1b}'), "the body is sanitized: {body:?}");
    assert_eq!(seen.count("/fail"), 1, "a deploy call is never retried");
}

#[tokio::test]
async fn a_redirect_is_a_failure_and_is_not_followed() {
    let (addr, seen) = server::start().await;
    let err = deploy(http(format!("http://{addr}/redirect")), &req())
        .await
        .expect_err("a 302 is a failure");
    let DeployError::Rejected { status, body } = err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert_eq!(status, 302);
    assert!(body.contains("redirects are not followed"), "{body}");
    assert_eq!(seen.count("/redirect"), 1);
    assert_eq!(seen.count("/ok"), 0, "the redirect was not followed");
}

#[tokio::test]
async fn a_2xx_is_accepted_with_the_answer_as_detail() {
    let (addr, seen) = server::start().await;
    let detail = deploy(http(format!("http://{addr}/ok")), &req())
        .await
        .expect("a 202 is accepted");
    assert!(detail.starts_with("202 queued"), "{detail}");
    assert_eq!(seen.count("/ok"), 1);
}

#[tokio::test]
async fn listed_success_codes_replace_any_2xx() {
    let (addr, _seen) = server::start().await;
    let mut spec = http(format!("http://{addr}/ok"));
    spec.success = vec![200];
    let err = deploy(spec, &req()).await.expect_err("202 is not listed");
    assert!(
        matches!(err, DeployError::Rejected { status: 202, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_silent_endpoint_times_out_after_one_request() {
    let (addr, seen) = server::start().await;
    let mut spec = http(format!("http://{addr}/slow"));
    spec.timeout = Duration::from_millis(300);
    let err = deploy(spec, &req()).await.expect_err("no answer");
    assert_eq!(err, DeployError::Timeout);
    assert_eq!(seen.count("/slow"), 1);
}

#[tokio::test]
async fn a_huge_answer_is_capped_at_64_kib() {
    let (addr, _seen) = server::start().await;
    let detail = deploy(http(format!("http://{addr}/big")), &req())
        .await
        .expect("accepted");
    assert!(
        detail.len() <= 64 * 1024 + 16,
        "{} bytes kept",
        detail.len()
    );
    assert!(detail.ends_with('…'));
}

#[tokio::test]
async fn values_are_url_escaped_in_the_url_and_json_escaped_in_the_body() {
    let (addr, seen) = server::start().await;
    let hostile = "1.0\"; rm -rf ~";
    let spec = http(format!("http://{addr}/ok?v={{{{version}}}}"));
    deploy(spec, &request(hostile, std::env::temp_dir()))
        .await
        .expect("accepted");
    let got = seen.all().pop().expect("one request");
    assert_eq!(got.query.as_deref(), Some("v=1.0%22%3B%20rm%20-rf%20~"));
    let body: serde_json::Value = serde_json::from_slice(&got.body).expect("the body is JSON");
    assert_eq!(body["version"], hostile);
    assert_eq!(
        body["approvals"][0]["by"], "bob@example.com",
        "inserted raw"
    );
}

#[tokio::test]
async fn request_carries_idempotency_key_bearer_auth_and_a_matching_signature() {
    let vars = [
        ("SHIPDECK_TEST_TOKEN", "tok-0123456789"),
        ("SHIPDECK_TEST_SIGN", "sign-key-abcdef"),
    ];
    if !in_child_with_env(
        "request_carries_idempotency_key_bearer_auth_and_a_matching_signature",
        &vars,
    ) {
        return;
    }
    let (addr, seen) = server::start().await;
    let mut spec = http(format!("http://{addr}/ok"));
    spec.auth = Some(Auth::Bearer(SecretName("SHIPDECK_TEST_TOKEN".into())));
    spec.sign_secret = Some(SecretName("SHIPDECK_TEST_SIGN".into()));
    let detail = deploy(spec, &req()).await.expect("accepted");
    assert!(
        !detail.contains("tok-0123456789"),
        "the echoed token is masked: {detail}"
    );

    let got = seen.all().pop().expect("one request");
    assert_eq!(got.method, "POST");
    assert_eq!(got.headers["idempotency-key"], "dep-0001");
    assert_eq!(got.headers["authorization"], "Bearer tok-0123456789");
    let mut mac = Hmac::<Sha256>::new_from_slice(b"sign-key-abcdef").expect("any key length");
    mac.update(&got.body);
    let expected = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    assert_eq!(got.headers["x-hub-signature-256"], expected.as_str());
}

#[tokio::test]
async fn basic_and_header_auth_come_from_their_variables() {
    let vars = [
        ("SHIPDECK_TEST_BASIC", "deployer:pa55word"),
        ("SHIPDECK_TEST_KEY", "key-9876"),
    ];
    if !in_child_with_env("basic_and_header_auth_come_from_their_variables", &vars) {
        return;
    }
    let (addr, seen) = server::start().await;
    let mut spec = http(format!("http://{addr}/ok"));
    spec.auth = Some(Auth::Basic(SecretName("SHIPDECK_TEST_BASIC".into())));
    deploy(spec, &req()).await.expect("accepted");
    let mut spec = http(format!("http://{addr}/ok"));
    spec.auth = Some(Auth::Header {
        name: "X-Deploy-Key".into(),
        secret: SecretName("SHIPDECK_TEST_KEY".into()),
    });
    deploy(spec, &req()).await.expect("accepted");

    let got = seen.all();
    // base64("deployer:pa55word")
    assert_eq!(
        got[0].headers["authorization"],
        "Basic ZGVwbG95ZXI6cGE1NXdvcmQ="
    );
    assert_eq!(got[1].headers["x-deploy-key"], "key-9876");
}
