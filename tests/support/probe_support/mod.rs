//! Helpers shared by the probe tests: loopback servers and targets.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use shipdeck::domain::config::{ProbeFormat, ProbeSource, ProbeSpec};
use shipdeck::domain::release::Release;
use shipdeck::probe::Target;

pub const COMMIT_142: &str = "aaaaaaa234567890abcdef1234567890abcdef12";
pub const COMMIT_141: &str = "bbbbbbb234567890abcdef1234567890abcdef12";

/// Serves `router` on 127.0.0.1 on a free port until the test's runtime ends.
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let addr = listener.local_addr().expect("the bound address");
    tokio::spawn(async move {
        axum::serve(listener, router).await.expect("serve");
    });
    addr
}

pub fn releases() -> Arc<Vec<Release>> {
    Arc::new(vec![
        Release {
            name: "api-v1.4.2".into(),
            version: "1.4.2".into(),
            commit: COMMIT_142.into(),
            date: Timestamp::from_second(200).expect("a valid time"),
        },
        Release {
            name: "api-v1.4.1".into(),
            version: "1.4.1".into(),
            commit: COMMIT_141.into(),
            date: Timestamp::from_second(100).expect("a valid time"),
        },
    ])
}

pub fn spec(source: ProbeSource, timeout: Duration) -> ProbeSpec {
    ProbeSpec {
        source,
        format: ProbeFormat::Auto,
        version_pointer: None,
        version_url: None,
        interval: None,
        timeout,
    }
}

/// An HTTP target `api` in `env` with a 5 s timeout.
pub fn http_target(env: &str, url: &str) -> Target {
    Target {
        service: "api".into(),
        env: env.into(),
        spec: spec(
            ProbeSource::Http { url: url.into() },
            Duration::from_secs(5),
        ),
        prefix: "api-v".into(),
        releases: releases(),
    }
}

/// A command target `api` in `env`.
pub fn command_target(argv: &[&str], timeout: Duration) -> Target {
    Target {
        service: "api".into(),
        env: "dev".into(),
        spec: spec(
            ProbeSource::Command {
                argv: argv.iter().map(ToString::to_string).collect(),
            },
            timeout,
        ),
        prefix: "api-v".into(),
        releases: releases(),
    }
}

/// True when no string of the observation could move a terminal's cursor or change its state.
pub fn is_terminal_safe(text: &str) -> bool {
    text.chars().all(|c| !c.is_control() || c == '\t')
}
