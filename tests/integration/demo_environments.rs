//! The demo's environments as real HTTP servers on loopback: starting versions, roll-outs,
//! the bad release, idempotency and refusals.

use crate::demo_support;

use demo_support::{deploy, health, wait_for, webhook_body};
use shipdeck::demo::{self, Demo};

fn url(demo: &Demo, env: &str, service: &str, what: &str) -> String {
    format!(
        "{}/{service}/{what}",
        demo.base_url(env).expect("known environment")
    )
}

async fn running_release(demo: &Demo, env: &str, service: &str) -> String {
    let (_, _, body) = health(&url(demo, env, service, "health")).await;
    body["releaseId"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_target_starts_healthy_on_its_starting_release() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let expected = [
        ("api", ["api-v1.5.0", "api-v1.4.0", "api-v1.3.0"]),
        ("web", ["web-v2.1.0", "web-v2.0.0", "web-v1.9.0"]),
        (
            "worker",
            ["worker-v0.10.0", "worker-v0.9.1", "worker-v0.9.0"],
        ),
    ];
    for (service, tags) in expected {
        for (env, tag) in ["dev", "staging", "prod"].into_iter().zip(tags) {
            let (status, content_type, body) = health(&url(&demo, env, service, "health")).await;
            let release = demo.release(tag).expect("tag in the repository");
            assert_eq!(status, 200, "{service} in {env}");
            assert_eq!(content_type, "application/health+json");
            assert_eq!(body["status"], "pass", "{service} in {env}: {body}");
            assert_eq!(body["releaseId"], tag, "{service} in {env}");
            assert_eq!(body["version"], release.version.as_str());
            assert_eq!(body["commit"], release.commit.as_str());
            assert_eq!(release.commit.len(), 40);
        }
    }
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_is_accepted_then_the_new_version_appears_after_the_roll_out() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let release = demo.release("api-v1.5.0").expect("release").clone();
    let body = webhook_body(
        "api",
        "staging",
        release.tag,
        &release.version,
        &release.commit,
        "k-1",
    );
    let (status, answer) = deploy(&url(&demo, "staging", "api", "deploy"), &body, "k-1").await;
    assert_eq!(status, 202, "{answer}");
    assert_eq!(answer["release"], "api-v1.5.0");

    // The roll-out takes seconds: right after the 202 the old release still runs.
    let (_, _, during) = health(&url(&demo, "staging", "api", "health")).await;
    assert_eq!(during["releaseId"], "api-v1.4.0");
    assert_eq!(during["notes"][0], "rolling out api-v1.5.0");

    wait_for(15, "api-v1.5.0 to run in staging", || async {
        (running_release(&demo, "staging", "api").await == "api-v1.5.0").then_some(())
    })
    .await;
    let (status, _, after) = health(&url(&demo, "staging", "api", "health")).await;
    assert_eq!(status, 200);
    assert_eq!(after["status"], "pass");
    assert_eq!(after["version"], "1.5.0");
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bad_release_deploys_then_reports_fail_with_503() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let bad = demo
        .release(demo::BAD_RELEASE)
        .expect("bad release")
        .clone();
    assert_eq!(bad.tag, "api-v1.6.0");
    let body = webhook_body("api", "dev", bad.tag, &bad.version, &bad.commit, "k-bad");
    let (status, _) = deploy(&url(&demo, "dev", "api", "deploy"), &body, "k-bad").await;
    assert_eq!(status, 202);

    let (status, body) = wait_for(15, "api-v1.6.0 to run in dev", || async {
        let (status, _, body) = health(&url(&demo, "dev", "api", "health")).await;
        (body["releaseId"] == "api-v1.6.0").then_some((status, body))
    })
    .await;
    assert_eq!(status, 503);
    assert_eq!(body["status"], "fail");
    assert_eq!(body["version"], "1.6.0");

    // Backing out to the previous release makes it healthy again.
    let good = demo.release("api-v1.5.0").expect("release").clone();
    let body = webhook_body(
        "api",
        "dev",
        good.tag,
        &good.version,
        &good.commit,
        "k-back",
    );
    let (status, _) = deploy(&url(&demo, "dev", "api", "deploy"), &body, "k-back").await;
    assert_eq!(status, 202);
    wait_for(15, "api-v1.5.0 to run in dev again", || async {
        let (status, _, body) = health(&url(&demo, "dev", "api", "health")).await;
        (status == 200 && body["releaseId"] == "api-v1.5.0" && body["status"] == "pass")
            .then_some(())
    })
    .await;
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_idempotency_key_is_answered_200_without_redeploying() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let deploy_url = url(&demo, "staging", "web", "deploy");
    let newer = demo.release("web-v2.1.0").expect("release").clone();
    let older = demo.release("web-v2.0.0").expect("release").clone();

    let first = webhook_body(
        "web",
        "staging",
        newer.tag,
        &newer.version,
        &newer.commit,
        "k-a",
    );
    assert_eq!(deploy(&deploy_url, &first, "k-a").await.0, 202);
    wait_for(15, "web-v2.1.0 in staging", || async {
        (running_release(&demo, "staging", "web").await == "web-v2.1.0").then_some(())
    })
    .await;
    let back = webhook_body(
        "web",
        "staging",
        older.tag,
        &older.version,
        &older.commit,
        "k-b",
    );
    assert_eq!(deploy(&deploy_url, &back, "k-b").await.0, 202);
    wait_for(15, "web-v2.0.0 in staging", || async {
        (running_release(&demo, "staging", "web").await == "web-v2.0.0").then_some(())
    })
    .await;

    // The first request again (a client retry): acknowledged, nothing rolls out.
    let (status, answer) = deploy(&deploy_url, &first, "k-a").await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["status"], "already-accepted");
    let (_, _, now) = health(&url(&demo, "staging", "web", "health")).await;
    assert_eq!(now["releaseId"], "web-v2.0.0");
    assert!(now.get("notes").is_none(), "a roll-out started: {now}");
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_releases_services_and_bodies_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let api = url(&demo, "prod", "api", "deploy");
    let web = demo.release("web-v2.1.0").expect("release").clone();

    let unknown = webhook_body("api", "prod", "api-v9.9.9", "9.9.9", "", "k-1");
    assert_eq!(deploy(&api, &unknown, "k-1").await.0, 422);
    let other_service = webhook_body("api", "prod", web.tag, &web.version, &web.commit, "k-2");
    assert_eq!(deploy(&api, &other_service, "k-2").await.0, 422);
    let v15 = demo.release("api-v1.5.0").expect("release").clone();
    let moved = webhook_body("api", "prod", v15.tag, &v15.version, &web.commit, "k-3");
    assert_eq!(
        deploy(&api, &moved, "k-3").await.0,
        422,
        "a commit that is not the tag's"
    );
    let nowhere = format!("{}/billing/deploy", demo.base_url("prod").expect("prod"));
    assert_eq!(deploy(&nowhere, &unknown, "k-4").await.0, 404);
    let garbage = demo_support::client()
        .post(&api)
        .body("release=api-v1.5.0")
        .send()
        .await
        .expect("answers");
    assert_eq!(garbage.status().as_u16(), 400);

    // Nothing was rolled out by any of them.
    let (_, _, body) = health(&url(&demo, "prod", "api", "health")).await;
    assert_eq!(body["releaseId"], "api-v1.3.0");
    assert!(body.get("notes").is_none());
    demo.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_demo_keeps_what_ran_and_reuses_its_repository() {
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = demo::start(dir.path()).await.expect("demo starts");
    let v15 = demo.release("api-v1.5.0").expect("release").clone();
    let body = webhook_body("api", "prod", v15.tag, &v15.version, &v15.commit, "k-1");
    assert_eq!(
        deploy(&url(&demo, "prod", "api", "deploy"), &body, "k-1")
            .await
            .0,
        202
    );
    wait_for(15, "api-v1.5.0 in prod", || async {
        (running_release(&demo, "prod", "api").await == "api-v1.5.0").then_some(())
    })
    .await;
    let releases = demo.releases.clone();
    demo.shutdown().await;

    let again = demo::start(dir.path()).await.expect("demo restarts");
    assert_eq!(again.releases, releases, "the repository was rebuilt");
    assert_eq!(running_release(&again, "prod", "api").await, "api-v1.5.0");
    assert_eq!(
        running_release(&again, "staging", "api").await,
        "api-v1.4.0"
    );
    again.shutdown().await;
}
