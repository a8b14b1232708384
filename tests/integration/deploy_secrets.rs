//! A secret's value never shows: not in descriptions, errors (Display or Debug), details or
//! captured command output, whatever the endpoint or script echoes back.

use crate::deploy_support;

use std::os::unix::fs::PermissionsExt;
use std::time::Duration;

use shipdeck::deploy::{DeployRequest, MASK, Secret, call, describe};
use shipdeck::domain::config::{Auth, CommandDeployer, DeployerSpec, HttpDeployer, SecretName};
use tokio::sync::mpsc::unbounded_channel;

use deploy_support::{in_child_with_env, request, server};

const VALUE: &str = "s3cr3t-value-8f2a";
const VAR: &str = "SHIPDECK_TEST_SECRET";

fn secret() -> SecretName {
    SecretName(VAR.into())
}

fn http(url: String, auth: Option<Auth>) -> DeployerSpec {
    DeployerSpec::Http(HttpDeployer {
        preset_webhook: true,
        method: "POST".into(),
        url,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(r#"{"version":"{{version}}"}"#.into()),
        auth,
        sign_secret: Some(secret()),
        success: Vec::new(),
        timeout: Duration::from_millis(500),
    })
}

/// Everything shown about one call: the result's Display and Debug, and each output line.
async fn shown(spec: &DeployerSpec, req: &DeployRequest, trusted: bool) -> Vec<String> {
    let (tx, mut rx) = unbounded_channel();
    let mut seen = match call(spec, req, trusted, tx).await {
        Ok(accepted) => vec![accepted.detail.clone(), format!("{accepted:?}")],
        Err(e) => vec![e.to_string(), format!("{e:?}")],
    };
    while let Ok(line) = rx.try_recv() {
        seen.push(line);
    }
    seen
}

fn assert_hidden(what: &str, texts: &[String]) {
    for text in texts {
        assert!(!text.contains(VALUE), "{what} shows the secret: {text}");
    }
}

#[tokio::test]
async fn the_secret_value_never_appears_in_anything_shown() {
    if !in_child_with_env(
        "the_secret_value_never_appears_in_anything_shown",
        &[(VAR, VALUE), ("SHIPDECK_TEST_NOT_BASIC", VALUE)],
    ) {
        return;
    }
    let secret_value = Secret::from_env(&secret()).expect("set in the child");
    assert_eq!(
        format!("{secret_value} {secret_value:?}"),
        format!("{MASK} {MASK}")
    );

    let (addr, seen) = server::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut req = request("1.0", dir.path().to_path_buf());
    req.known_secrets = vec![secret()];
    let bearer = || Some(Auth::Bearer(secret()));

    // The description masks what it would send.
    let text = describe(&http(format!("http://{addr}/ok"), bearer()), &req).expect("describes");
    assert_eq!(
        text,
        format!("POST http://{addr}/ok (signed X-Hub-Signature-256, Authorization: Bearer {MASK})")
    );
    let header = Some(Auth::Header {
        name: "X-Key".into(),
        secret: secret(),
    });
    let text = describe(&http(format!("http://{addr}/ok"), header.clone()), &req).expect("ok");
    assert!(text.ends_with(&format!("X-Key: {MASK})")), "{text}");

    // Accepted and rejected answers that echo the Authorization header.
    let ok = shown(&http(format!("http://{addr}/ok"), bearer()), &req, false).await;
    assert!(ok[0].contains(&format!("Bearer {MASK}")), "{ok:?}");
    assert_hidden("an accepted answer", &ok);
    let fail = shown(&http(format!("http://{addr}/fail"), header), &req, false).await;
    assert!(fail[0].contains("500"), "{fail:?}");
    assert_hidden("a rejection", &fail);
    assert_eq!(seen.all().len(), 2, "the secret really was sent and echoed");

    // A redirect, a timeout, a refused connection, a bad template, a missing variable.
    assert_hidden(
        "a redirect",
        &shown(
            &http(format!("http://{addr}/redirect"), bearer()),
            &req,
            false,
        )
        .await,
    );
    let slow = shown(&http(format!("http://{addr}/slow"), bearer()), &req, false).await;
    assert!(slow[0].contains("timeout"), "{slow:?}");
    assert_hidden("a timeout", &slow);
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        listener.local_addr().expect("addr")
    };
    let refused = shown(&http(format!("http://{closed}/ok"), bearer()), &req, false).await;
    assert_hidden("a refused connection", &refused);
    assert_hidden(
        "a template error",
        &shown(
            &http(format!("http://{addr}/{{{{relase}}}}"), bearer()),
            &req,
            false,
        )
        .await,
    );
    let missing = Some(Auth::Bearer(SecretName(
        "SHIPDECK_TEST_UNSET_SECRET".into(),
    )));
    let missing = shown(&http(format!("http://{addr}/ok"), missing), &req, false).await;
    assert!(
        missing[0].contains("SHIPDECK_TEST_UNSET_SECRET"),
        "{missing:?}"
    );
    assert_hidden("a missing secret", &missing);
    let not_basic = Some(Auth::Basic(SecretName("SHIPDECK_TEST_NOT_BASIC".into())));
    let not_basic = shown(&http(format!("http://{addr}/ok"), not_basic), &req, false).await;
    assert!(not_basic[0].contains("user:password"), "{not_basic:?}");
    assert_hidden("a malformed basic secret", &not_basic);

    // A command that prints the secret (it inherits the environment) and fails.
    let path = dir.path().join("leak.sh");
    std::fs::write(
        &path,
        format!("#!/bin/sh\necho \"token is ${VAR}\"\necho \"${VAR}\" >&2\nexit 2\n"),
    )
    .expect("script");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let command = DeployerSpec::Command(CommandDeployer {
        argv: vec!["./leak.sh".into()],
        timeout: Duration::from_secs(10),
    });
    let leak = shown(&command, &req, true).await;
    assert!(
        leak.iter().any(|l| l == &format!("token is {MASK}")),
        "{leak:?}"
    );
    assert_hidden("command output", &leak);
    assert_hidden("an untrusted refusal", &shown(&command, &req, false).await);
    assert_hidden(
        "a description",
        &[describe(&command, &req).expect("describes")],
    );
}
