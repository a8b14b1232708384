//! A flag change: shipdeck's whole change (a fresh read to plan it, the write, the read-back,
//! the `flag-changed` event appended and fsynced) against one raw API call (the same write, sent
//! alone), both to the demo's own flag service on loopback, in this process.

use std::path::Path;
use std::time::{Duration, Instant};

use shipdeck::app::Context;
use shipdeck::app::actions::{change_flag, plan_flag};
use shipdeck::domain::flag_change::FlagAction;

use super::project::shown;
use super::report::{Peer, Row};
use super::timing::ms;

const RUNS: usize = 15;

pub fn rows(root: &Path) -> Vec<Row> {
    let dir = root.join("bench-flags");
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("the previous run is removed");
    }
    std::fs::create_dir_all(&dir).expect("flags dir");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let (stop_tx, stop) = tokio::sync::watch::channel(false);
        let (addr, server) = shipdeck::demo::flag_server::spawn(stop)
            .await
            .expect("the demo flag service starts");
        let config = dir.join("shipdeck.toml");
        std::fs::write(
            &config,
            format!(
                "[project]\nname = \"bench\"\nstate_dir = \"state\"\n\n\
                 [[environments]]\nname = \"dev\"\n\n[[environments]]\nname = \"staging\"\n\n\
                 [[environments]]\nname = \"prod\"\n\n{}",
                shipdeck::demo::flag_server::table(addr, false)
            ),
        )
        .expect("config");
        let (ctx, _) = Context::load(Some(&config), false).expect("the configuration loads");
        let client = shipdeck::flags::client();
        let raw = reqwest::Client::new();
        let url = format!("http://{addr}/flags/search-v2/dev");
        let (mut ours, mut peer) = (Duration::MAX, Duration::MAX);
        // Each run moves the percentage, so every change changes something; one warm-up each.
        for i in 0..=RUNS {
            let percent = if i % 2 == 0 { 20 } else { 30 };
            let started = Instant::now();
            let plan = plan_flag(
                &ctx,
                &client,
                "search-v2",
                "dev",
                FlagAction::Rollout(percent),
            )
            .await
            .expect("planned");
            let outcome = change_flag(&ctx, &client, &plan, None, None)
                .await
                .expect("changed");
            assert!(outcome.ok, "the change read back: {}", outcome.detail);
            let took = started.elapsed();
            let started = Instant::now();
            let answer = raw
                .put(&url)
                .header("Content-Type", "application/json")
                .body(format!("{{\"enabled\": true, \"rollout\": {percent}}}"))
                .send()
                .await
                .expect("the raw call is answered");
            assert!(answer.status().is_success());
            let _ = answer.bytes().await;
            let raw_took = started.elapsed();
            if i > 0 {
                ours = ours.min(took);
                peer = peer.min(raw_took);
            }
        }
        let _ = stop_tx.send(true);
        let _ = server.await;
        vec![Row {
            what: "flag change: plan, write, read back, record".into(),
            ours: ms(ours),
            unit: "ms",
            peer: Peer::Measured {
                name: "one raw PUT of the same write".into(),
                value: ms(peer),
            },
            budget: None,
            rerun: "scripts/bench flags".into(),
            timed: format!(
                "Best of {RUNS}, alternating: `plan_flag` (a fresh read of every flag) and \
                 `change_flag` (the PUT, a read-back, the `flag-changed` event appended with \
                 fsync) of `search-v2` in dev, against the same PUT sent alone with reqwest, to \
                 the demo's flag service on loopback; event log in {}.",
                shown(&dir)
            ),
        }]
    })
}
