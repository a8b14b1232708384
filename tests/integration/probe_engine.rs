//! The live engine (`Prober`) and target expansion.

use crate::probe_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use probe_support::{http_target, releases, serve, spec};
use shipdeck::domain::config::{
    Config, Environment, ProbeSource, Project, Service, TargetOverride,
};
use shipdeck::domain::observation::Health;
use shipdeck::probe::{
    FAST_INTERVAL, ProbeEvent, Prober, Target, http_client, targets_and_skipped,
};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

const DEADLINE: Duration = Duration::from_secs(15);

async fn next(rx: &mut UnboundedReceiver<ProbeEvent>) -> ProbeEvent {
    tokio::time::timeout(DEADLINE, rx.recv())
        .await
        .expect("an event before the deadline")
        .expect("the engine is running")
}

async fn next_observation(
    rx: &mut UnboundedReceiver<ProbeEvent>,
) -> shipdeck::domain::observation::Observation {
    loop {
        if let ProbeEvent::Observed(o) = next(rx).await {
            return o;
        }
    }
}

async fn healthy_server() -> String {
    let addr = serve(axum::Router::new().route(
        "/health",
        get(|| async { r#"{"status":"pass","version":"1.4.2"}"# }),
    ))
    .await;
    format!("http://{addr}/health")
}

fn refused_url() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    format!("http://{addr}/health")
}

fn with_interval(mut target: Target, interval: Duration) -> Target {
    target.spec.interval = Some(interval);
    target
}

#[tokio::test]
async fn the_prober_observes_each_target_and_refresh_now_probes_again() {
    let url = healthy_server().await;
    let hour = Duration::from_hours(1);
    let targets = vec![
        with_interval(http_target("dev", &url), hour),
        with_interval(http_target("prod", &url), hour),
    ];
    let (tx, mut rx) = unbounded_channel();
    let prober = Prober::spawn(http_client(), targets, false, tx);
    let mut envs = vec![
        next_observation(&mut rx).await.env,
        next_observation(&mut rx).await.env,
    ];
    envs.sort();
    assert_eq!(envs, ["dev", "prod"]);

    // The interval is an hour: only `refresh_now` can bring these.
    prober.refresh_now();
    let again = [
        next_observation(&mut rx).await,
        next_observation(&mut rx).await,
    ];
    assert!(
        again
            .iter()
            .all(|o| o.health == Health::Pass && o.release.as_deref() == Some("api-v1.4.2"))
    );
}

#[tokio::test]
async fn a_failing_target_is_retried_within_its_interval_with_visible_retries() {
    let interval = Duration::from_millis(40);
    let target = with_interval(http_target("prod", &refused_url()), interval);
    let (tx, mut rx) = unbounded_channel();
    let _prober = Prober::spawn(http_client(), vec![target], false, tx);
    let mut retries = Vec::new();
    while retries.len() < 4 {
        if let ProbeEvent::Retrying {
            service,
            env,
            attempt,
            next_in,
            next_at,
        } = next(&mut rx).await
        {
            assert_eq!((service.as_str(), env.as_str()), ("api", "prod"));
            retries.push((attempt, next_in, next_at));
        }
    }
    // However long it fails, a failing target is probed at least as often as a healthy one
    // (issue 11: a fixed endpoint took ~95 s to show healthy), and says when on the clock.
    for (i, (attempt, next_in, next_at)) in retries.into_iter().enumerate() {
        let n = u32::try_from(i).expect("small") + 1;
        assert_eq!(attempt, n);
        assert!(
            next_in >= interval.mul_f64(0.8) && next_in <= interval,
            "{n}: {next_in:?}"
        );
        let ahead = next_at.duration_since(jiff::Timestamp::now());
        assert!(
            ahead.as_secs_f64() <= interval.as_secs_f64(),
            "{n}: {ahead:?}"
        );
    }
}

#[tokio::test]
async fn fast_mode_probes_every_second_while_a_deployment_is_verified() {
    let url = healthy_server().await;
    let target = with_interval(http_target("prod", &url), Duration::from_hours(1));
    let (tx, mut rx) = unbounded_channel();
    let prober = Prober::spawn(http_client(), vec![target], false, tx);
    let first = next_observation(&mut rx).await;
    prober.fast("api", "prod", true);
    let second = next_observation(&mut rx).await;
    let third = next_observation(&mut rx).await;
    assert!(second.at > first.at && third.at > second.at);
    let gap = third.at.duration_since(second.at);
    assert!(gap.as_secs_f64() < 3.0, "{gap:?}");

    // A failing target in fast mode retries every second rather than backing off.
    let target = with_interval(
        http_target("staging", &refused_url()),
        Duration::from_hours(1),
    );
    let (tx, mut rx) = unbounded_channel();
    let prober = Prober::spawn(http_client(), vec![target], false, tx);
    prober.fast("api", "staging", true);
    let mut seen = Vec::new();
    while seen.len() < 2 {
        if let ProbeEvent::Retrying {
            next_in, attempt, ..
        } = next(&mut rx).await
        {
            seen.push((attempt, next_in));
        }
    }
    assert_eq!(seen, [(1, FAST_INTERVAL), (2, FAST_INTERVAL)]);
}

#[tokio::test]
async fn dropping_the_prober_ends_its_tasks() {
    let url = healthy_server().await;
    let target = with_interval(http_target("dev", &url), Duration::from_millis(20));
    let (tx, mut rx) = unbounded_channel();
    let prober = Prober::spawn(http_client(), vec![target], false, tx);
    next_observation(&mut rx).await;
    prober.shutdown();
    // Once every task is gone, every sender is gone and the channel closes.
    let closed = tokio::time::timeout(DEADLINE, async { while rx.recv().await.is_some() {} }).await;
    assert!(closed.is_ok(), "the probe tasks outlived the Prober");
}

fn config(services: Vec<Service>) -> Config {
    Config {
        path: PathBuf::from("/tmp/shipdeck.toml"),
        dir: PathBuf::from("/tmp"),
        project: Project {
            name: "shop".into(),
            signing: None,
            state_dir: PathBuf::from("/tmp/.shipdeck"),
            verify_timeout: Duration::from_mins(5),
            probe_interval: Duration::from_secs(7),
            state: shipdeck::domain::config::StateBackend::File,
        },
        environments: ["dev", "staging", "prod"]
            .map(|name| Environment {
                name: name.into(),
                protected: false,
                gates: vec![],
            })
            .into(),
        services,
        freezes: vec![],
        checklists: BTreeMap::new(),
        channels: Vec::new(),
        trains: Vec::new(),
        flags: Vec::new(),
        exposure: shipdeck::domain::traffic::Exposure::default(),
    }
}

#[test]
fn targets_expand_service_and_env_and_skip_bad_templates_with_a_reason() {
    let http = |url: &str| {
        spec(
            ProbeSource::Http { url: url.into() },
            Duration::from_secs(5),
        )
    };
    let mut env = BTreeMap::new();
    env.insert(
        "prod".to_string(),
        TargetOverride {
            health: Some(http(
                "https://shop.example.com/{{service}}/health?v={{version}}",
            )),
            deploy: None,
        },
    );
    env.insert(
        "staging".to_string(),
        TargetOverride {
            health: Some(spec(
                ProbeSource::Command {
                    argv: vec!["./check".into(), "{{service}} {{env}}".into()],
                },
                Duration::from_secs(5),
            )),
            deploy: None,
        },
    );
    let api = Service {
        name: "api".into(),
        repo: PathBuf::from("/tmp/repo"),
        tags: "api-v*".into(),
        health: Some(http("http://{{env}}.internal/{{service}}/health")),
        deploy: None,
        env,
        verify_timeout: None,
        paths: Vec::new(),
    };
    let quiet = Service {
        name: "worker".into(),
        health: None,
        env: BTreeMap::new(),
        ..api.clone()
    };
    let mut known = BTreeMap::new();
    known.insert("api".to_string(), releases());
    let (targets, skipped) = targets_and_skipped(&config(vec![api, quiet]), &known);

    let names: Vec<_> = targets
        .iter()
        .map(|t| (t.service.as_str(), t.env.as_str()))
        .collect();
    assert_eq!(names, [("api", "dev"), ("api", "staging")]);
    assert_eq!(
        targets[0].spec.source,
        ProbeSource::Http {
            url: "http://dev.internal/api/health".into()
        }
    );
    assert_eq!(
        targets[1].spec.source,
        ProbeSource::Command {
            argv: vec!["./check".into(), "api staging".into()]
        }
    );
    assert_eq!(targets[0].spec.interval, Some(Duration::from_secs(7)));
    assert_eq!(targets[0].prefix, "api-v");
    assert!(Arc::ptr_eq(&targets[0].releases, &known["api"]));

    assert_eq!(skipped.len(), 1);
    assert_eq!(
        (skipped[0].env.as_str(), skipped[0].health),
        ("prod", Health::Unknown)
    );
    assert!(
        skipped[0].detail.contains("{{version}}"),
        "{}",
        skipped[0].detail
    );
}
