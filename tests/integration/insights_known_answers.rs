//! Insights, known answers: a log built here, every figure worked out by hand below with the
//! arithmetic written out (never by calling the code under test), then compared with
//! `domain::insights::compute`.
//!
//! The story (one service, `api`; dev → staging → prod; the period is the four weeks
//! 2026-03-01 → 2026-03-29, Sundays; weeks W0 = 03-01..08, W1 = 03-08..15, W2 = 03-15..22,
//! W3 = 03-22..29):
//!
//! - api-v1.0.0 runs in prod before the period (the first prod deployment's previous release).
//! - api-v1.1.0 (commits c1, c2) goes to prod on 03-04.
//! - api-v1.2.0 (adds c3, c4) fails in prod on 03-11 at 10:30. A freeze holds prod from 03-11
//!   12:00 to 03-13 12:00; the fix api-v1.2.1 (adds c5) restores prod on 03-13 at 13:10: a
//!   restore across the freeze. c3 and c4 are in both 1.2.0 and 1.2.1: their lead time ends at
//!   1.2.1's success, the first success of a release containing them.
//! - api-v1.3.0 (adds c6) succeeds in prod on 03-18 and is rolled back to 1.2.1 within the hour.
//! - api-v1.3.1 (adds c7) succeeds on 03-23; c6 came to prod with 1.3.0 already.
// Every figure here is whole seconds or a half of a sum of them: exact in f64, so compared
// exactly; and a median of two is written as their mean, the arithmetic a reader checks.
#![allow(clippy::float_cmp, clippy::manual_midpoint)]

use crate::domain_support;

use std::time::Duration;

use domain_support::*;
use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use shipdeck::domain::config::{Freeze, GateRule, Window};
use shipdeck::domain::event::Fact;
use shipdeck::domain::insights::{
    CommitTime, Inputs, Insights, Period, Query, ReleaseContents, compute,
};

mod answers;

const H: f64 = 3600.0;
const M: f64 = 60.0;
const D: f64 = 86_400.0;

fn request(commit: &str, previous: Option<&str>, rollback: bool) -> Fact {
    Fact::DeployRequested {
        commit: commit.to_string(),
        previous_release: previous.map(str::to_string),
        rollback,
        call: "POST https://deploy.internal/hooks/api".to_string(),
        verify_timeout_secs: 1800,
    }
}

/// Requests `release` in `env` at `at` and records its success at `done`.
fn deploy(log: &mut Log, release: &str, env: &str, at: &str, done: &str) -> String {
    let id = log.add(
        at,
        "alice",
        &request(commit(release), None, false),
        release,
        env,
    );
    log.add(done, "alice", &succeeded(&id), release, env);
    id
}

/// The commit each release is tagged on.
fn commit(release: &str) -> &'static str {
    match release {
        "api-v1.0.0" => "r100",
        "api-v1.1.0" => "r110",
        "api-v1.2.0" => "r120",
        "api-v1.2.1" => "r121",
        "api-v1.3.0" => "r130",
        _ => "r131",
    }
}

fn contents() -> ReleaseContents {
    let c = |id: &str, at: &str| CommitTime {
        commit: id.to_string(),
        at: ts(at),
    };
    let c0 = c("c0", "2026-02-20T09:00:00Z");
    let c1 = c("c1", "2026-03-01T09:00:00Z");
    let c2 = c("c2", "2026-03-02T09:00:00Z");
    let c3 = c("c3", "2026-03-08T09:00:00Z");
    let c4 = c("c4", "2026-03-09T09:00:00Z");
    let c5 = c("c5", "2026-03-10T09:00:00Z");
    let c6 = c("c6", "2026-03-16T09:00:00Z");
    let c7 = c("c7", "2026-03-19T09:00:00Z");
    let mut out = ReleaseContents::new();
    out.insert("api", "api-v1.0.0", vec![c0.clone()]);
    out.insert(
        "api",
        "api-v1.1.0",
        vec![c0.clone(), c1.clone(), c2.clone()],
    );
    let v120 = vec![c0, c1, c2, c3, c4];
    let mut v121 = v120.clone();
    v121.push(c5);
    let mut v130 = v121.clone();
    v130.push(c6);
    let mut v131 = v130.clone();
    v131.push(c7);
    out.insert("api", "api-v1.2.0", v120);
    out.insert("api", "api-v1.2.1", v121);
    out.insert("api", "api-v1.3.0", v130);
    out.insert("api", "api-v1.3.1", v131);
    out
}

fn freeze() -> Freeze {
    Freeze {
        name: "cutover".into(),
        from: ts("2026-03-11T12:00:00Z"),
        until: ts("2026-03-13T12:00:00Z"),
        environments: vec!["prod".into()],
    }
}

fn story() -> Log {
    let mut log = Log::default();
    // api-v1.1.0
    deploy(
        &mut log,
        "api-v1.1.0",
        "dev",
        "2026-03-03T09:50:00Z",
        "2026-03-03T10:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.1.0",
        "staging",
        "2026-03-03T12:00:00Z",
        "2026-03-03T12:10:00Z",
    );
    log.add(
        "2026-03-03T13:00:00Z",
        "dana",
        &ticked("controls"),
        "api-v1.1.0",
        "prod",
    );
    log.add(
        "2026-03-03T14:00:00Z",
        "dana",
        &ticked("backout"),
        "api-v1.1.0",
        "prod",
    );
    log.add(
        "2026-03-04T09:00:00Z",
        "bob",
        &approved("r110"),
        "api-v1.1.0",
        "prod",
    );
    let d1 = log.add(
        "2026-03-04T12:00:00Z",
        "alice",
        &request("r110", Some("api-v1.0.0"), false),
        "api-v1.1.0",
        "prod",
    );
    log.add(
        "2026-03-04T12:10:00Z",
        "alice",
        &succeeded(&d1),
        "api-v1.1.0",
        "prod",
    );

    // api-v1.2.0: fails in prod.
    deploy(
        &mut log,
        "api-v1.2.0",
        "dev",
        "2026-03-10T09:50:00Z",
        "2026-03-10T10:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.2.0",
        "staging",
        "2026-03-10T13:50:00Z",
        "2026-03-10T14:00:00Z",
    );
    log.add(
        "2026-03-10T15:00:00Z",
        "dana",
        &ticked("controls"),
        "api-v1.2.0",
        "prod",
    );
    log.add(
        "2026-03-10T15:30:00Z",
        "dana",
        &ticked("backout"),
        "api-v1.2.0",
        "prod",
    );
    log.add(
        "2026-03-10T16:00:00Z",
        "bob",
        &approved("r120"),
        "api-v1.2.0",
        "prod",
    );
    let d2 = log.add(
        "2026-03-11T10:00:00Z",
        "alice",
        &request("r120", None, false),
        "api-v1.2.0",
        "prod",
    );
    log.add(
        "2026-03-11T10:30:00Z",
        "alice",
        &failed(&d2, "not healthy within 30m"),
        "api-v1.2.0",
        "prod",
    );

    // api-v1.2.1: the fix, after the freeze. Its checklist gate is overridden; alice's own
    // approval does not count for her promotion.
    deploy(
        &mut log,
        "api-v1.2.1",
        "dev",
        "2026-03-12T08:50:00Z",
        "2026-03-12T09:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.2.1",
        "staging",
        "2026-03-12T09:50:00Z",
        "2026-03-12T10:00:00Z",
    );
    log.add(
        "2026-03-12T10:05:00Z",
        "alice",
        &approved("r121"),
        "api-v1.2.1",
        "prod",
    );
    log.add(
        "2026-03-12T10:30:00Z",
        "bob",
        &approved("r121"),
        "api-v1.2.1",
        "prod",
    );
    let over = Fact::Overridden {
        gate: "checklist".into(),
        reason: "the fix for the failed 1.2.0".into(),
    };
    log.add("2026-03-12T11:00:00Z", "lena", &over, "api-v1.2.1", "prod");
    deploy(
        &mut log,
        "api-v1.2.1",
        "prod",
        "2026-03-13T13:00:00Z",
        "2026-03-13T13:10:00Z",
    );

    // api-v1.3.0: succeeds, then is rolled back. bob approved another commit (it does not
    // count); carol's approval makes the count. backout is unticked and ticked again.
    deploy(
        &mut log,
        "api-v1.3.0",
        "dev",
        "2026-03-17T08:50:00Z",
        "2026-03-17T09:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.3.0",
        "staging",
        "2026-03-17T09:50:00Z",
        "2026-03-17T10:00:00Z",
    );
    log.add(
        "2026-03-17T11:00:00Z",
        "dana",
        &ticked("controls"),
        "api-v1.3.0",
        "prod",
    );
    log.add(
        "2026-03-17T11:00:00Z",
        "bob",
        &approved(OTHER_COMMIT),
        "api-v1.3.0",
        "prod",
    );
    log.add(
        "2026-03-17T11:30:00Z",
        "dana",
        &ticked("backout"),
        "api-v1.3.0",
        "prod",
    );
    log.add(
        "2026-03-17T12:00:00Z",
        "dana",
        &unticked("backout"),
        "api-v1.3.0",
        "prod",
    );
    log.add(
        "2026-03-17T15:00:00Z",
        "carol",
        &approved("r130"),
        "api-v1.3.0",
        "prod",
    );
    log.add(
        "2026-03-17T16:00:00Z",
        "dana",
        &ticked("backout"),
        "api-v1.3.0",
        "prod",
    );
    deploy(
        &mut log,
        "api-v1.3.0",
        "prod",
        "2026-03-18T10:00:00Z",
        "2026-03-18T10:10:00Z",
    );
    let back = log.add(
        "2026-03-18T11:00:00Z",
        "alice",
        &request("r121", Some("api-v1.3.0"), true),
        "api-v1.2.1",
        "prod",
    );
    log.add(
        "2026-03-18T11:05:00Z",
        "alice",
        &succeeded(&back),
        "api-v1.2.1",
        "prod",
    );

    // api-v1.3.1: approved before it reached staging; nobody ticked its checklist (the
    // configuration asked for none then), so that gate is not measured for it.
    log.add(
        "2026-03-22T10:00:00Z",
        "bob",
        &approved("r131"),
        "api-v1.3.1",
        "prod",
    );
    deploy(
        &mut log,
        "api-v1.3.1",
        "dev",
        "2026-03-22T08:50:00Z",
        "2026-03-22T09:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.3.1",
        "staging",
        "2026-03-22T10:50:00Z",
        "2026-03-22T11:00:00Z",
    );
    deploy(
        &mut log,
        "api-v1.3.1",
        "prod",
        "2026-03-23T10:00:00Z",
        "2026-03-23T10:10:00Z",
    );
    log
}

fn prod_gates() -> Vec<shipdeck::domain::config::Gate> {
    vec![
        gate(GateRule::Soak {
            duration: Duration::from_hours(1),
        }),
        gate(GateRule::Approval {
            count: 1,
            from: Vec::new(),
            signed: false,
        }),
        gate(GateRule::Checklist {
            name: "production-release".into(),
        }),
        gate(GateRule::Freeze),
    ]
}

fn four_weeks() -> Period {
    Period::new(ts("2026-03-01T00:00:00Z"), ts("2026-03-29T00:00:00Z"))
}

fn run(log: &Log, config: &shipdeck::domain::config::Config, query: &Query) -> Insights {
    let ledger = log.ledger();
    let contents = contents();
    let inputs = Inputs {
        config,
        events: &log.events,
        ledger: &ledger,
        contents: &contents,
    };
    compute(&inputs, query)
}

fn whole_story() -> Insights {
    let config = config(prod_gates(), vec![freeze()]);
    let query = Query {
        period: four_weeks(),
        service: None,
        env: None,
    };
    run(&story(), &config, &query)
}
