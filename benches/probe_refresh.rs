//! How long one refresh of many targets takes against one request alone (DESIGN.md budget:
//! 200 targets that each answer in 100 ms refresh in under 1.5× one request).
//!
//! Run with `cargo bench --bench probe_refresh`.

use std::time::{Duration, Instant};

use jiff::Timestamp;
use shipdeck::domain::config::{ProbeFormat, ProbeSource, ProbeSpec};
use shipdeck::domain::observation::Health;
use shipdeck::domain::release::Release;
use shipdeck::probe::{
    DEFAULT_CONCURRENCY, Target, http_client, probe_once, raise_open_file_limit, refresh_all,
};

const ANSWER_DELAY: Duration = Duration::from_millis(100);

fn target(i: usize, url: &str, releases: &std::sync::Arc<Vec<Release>>) -> Target {
    Target {
        service: format!("svc{i}"),
        env: "prod".into(),
        spec: ProbeSpec {
            source: ProbeSource::Http { url: url.into() },
            format: ProbeFormat::Auto,
            version_pointer: None,
            version_url: None,
            interval: None,
            timeout: Duration::from_secs(10),
        },
        prefix: "api-v".into(),
        releases: std::sync::Arc::clone(releases),
    }
}

fn main() -> anyhow::Result<()> {
    raise_open_file_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let app = axum::Router::new().route(
            "/health",
            axum::routing::get(|| async {
                tokio::time::sleep(ANSWER_DELAY).await;
                ([("content-type", "application/health+json")], r#"{"status":"pass","releaseId":"1.4.2"}"#)
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/health", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });

        let releases = std::sync::Arc::new(vec![Release {
            name: "api-v1.4.2".into(),
            version: "1.4.2".into(),
            commit: "a".repeat(40),
            date: Timestamp::UNIX_EPOCH,
        }]);
        let client = http_client();
        // Warm up (connection set-up, lazy statics), then the best of five single requests.
        let one = target(0, &url, &releases);
        probe_once(&client, &one, false).await;
        let mut single = Duration::MAX;
        for _ in 0..5 {
            let started = Instant::now();
            let o = probe_once(&client, &one, false).await;
            anyhow::ensure!(o.health == Health::Pass, "single probe: {}", o.detail);
            single = single.min(started.elapsed());
        }
        println!("one request:            {:>8.1} ms", ms(single));

        for count in [200usize, 1000] {
            let targets: Vec<Target> = (0..count).map(|i| target(i, &url, &releases)).collect();
            let concurrency = DEFAULT_CONCURRENCY.max(count);
            // The first round opens the connections (cold); the board's steady state reuses
            // them, so the figure that counts is the best of the next three (warm).
            let started = Instant::now();
            refresh_all(&client, &targets, false, concurrency).await;
            let cold = started.elapsed();
            println!(
                "refresh of {count:>4} targets: {:>8.1} ms  ({:.2}× one request, cold: new connections)",
                ms(cold),
                cold.as_secs_f64() / single.as_secs_f64()
            );
            let mut took = Duration::MAX;
            let mut passed = 0;
            for _ in 0..3 {
                let started = Instant::now();
                let seen = refresh_all(&client, &targets, false, concurrency).await;
                took = took.min(started.elapsed());
                passed = seen.iter().filter(|o| o.health == Health::Pass).count();
            }
            println!(
                "refresh of {count:>4} targets: {:>8.1} ms  ({:.2}× one request, warm, best of 3; {passed}/{count} pass, concurrency {concurrency})",
                ms(took),
                took.as_secs_f64() / single.as_secs_f64()
            );
            // And with the default bound, which a thousand targets exceed.
            if count > DEFAULT_CONCURRENCY {
                let started = Instant::now();
                refresh_all(&client, &targets, false, DEFAULT_CONCURRENCY).await;
                let took = started.elapsed();
                println!(
                    "refresh of {count:>4} targets: {:>8.1} ms  ({:.2}× one request, default concurrency {DEFAULT_CONCURRENCY})",
                    ms(took),
                    took.as_secs_f64() / single.as_secs_f64()
                );
            }
        }
        Ok(())
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
