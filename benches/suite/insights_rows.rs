//! Insights over a 100,000-event log (budget: under 300 ms beyond the replay). The log is a
//! busy team's 90 days: 40 services, each release through dev, staging and prod with two
//! approvals and the production checklist, one prod deployment in ten failing and rolled back.
//! The row times `domain::insights::compute` for the 90-day period (the view's longest) on the
//! replayed events and ledger; the replay itself is the event-log group's row.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use shipdeck::domain::event::{Event, EventBody, Fact, outcome_id};
use shipdeck::domain::insights::{CommitTime, Inputs, Period, Query, ReleaseContents, compute};
use shipdeck::domain::ledger::Ledger;
use shipdeck::store::{EventLog, GENESIS_PREV, chain_hash};

use super::project::shown;
use super::report::{Budget, Peer, Row};
use super::timing::ms;

const EVENTS: usize = 100_000;
const SERVICES: usize = 40;
const RUNS: usize = 5;

const CONFIG: &str = r#"
[project]
name = "bench"
state_dir = "state"

[[environments]]
name = "dev"

[[environments]]
name = "staging"
gates = [{ kind = "healthy" }]

[[environments]]
name = "prod"
gates = [
  { kind = "soak", duration = "20m" },
  { kind = "approval", count = 2 },
  { kind = "checklist", name = "production-release" },
  { kind = "freeze" },
  { kind = "window", days = "mon-fri", hours = "08:00-18:00", tz = "UTC" },
]

[[freezes]]
name = "quarter-end"
from = "2026-03-28T00:00:00Z"
until = "2026-04-02T00:00:00Z"
environments = ["prod"]
"#;

/// The log's events, in time order, and which commits each release brought.
struct Story {
    bodies: Vec<EventBody>,
    contents: ReleaseContents,
}

fn story(start: Timestamp) -> Story {
    let mut bodies = Vec::with_capacity(EVENTS + 32);
    let mut contents = ReleaseContents::new();
    let mut last_id = 0u64;
    let mut id = || {
        last_id += 1;
        format!("{last_id:032x}")
    };
    let at = |base: Timestamp, mins: i64| base + SignedDuration::from_mins(mins);
    let mut cycle = 0usize;
    let mut running: Vec<Option<String>> = vec![None; SERVICES];
    while bodies.len() < EVENTS {
        let slot = cycle % SERVICES;
        let nth = cycle / SERVICES;
        let service = format!("svc-{slot:02}");
        let release = format!("{service}-v1.{nth}.0");
        let commit = format!("{:040x}", cycle + 1);
        // A cycle every 18 minutes: 90 days for about 7,000 releases.
        let base = at(start, i64::try_from(cycle * 18).unwrap_or(i64::MAX));
        let commits: Vec<CommitTime> = (0..5)
            .map(|c| CommitTime {
                commit: format!("{cycle}-{c}"),
                at: at(base, -60 * (5 - c)),
            })
            .collect();
        contents.insert(&service, &release, commits);
        let mut push = |id: String, when: Timestamp, fact: Fact, env: &str, r: &str| {
            bodies.push(EventBody::new(
                id,
                when,
                "alice@example.com",
                &fact,
                Some(&service),
                Some(r),
                Some(env),
            ));
        };
        let deploy = |previous: Option<String>, rollback: bool, c: &str| Fact::DeployRequested {
            commit: c.to_string(),
            previous_release: previous,
            rollback,
            call: "POST https://deploy.internal/hooks/svc".into(),
            verify_timeout_secs: 300,
        };
        for (env, mins) in [("dev", 0), ("staging", 60)] {
            let d = id();
            push(
                d.clone(),
                at(base, mins),
                deploy(None, false, &commit),
                env,
                &release,
            );
            let done = Fact::DeploySucceeded {
                deployment: d.clone(),
            };
            push(outcome_id(&d), at(base, mins + 5), done, env, &release);
        }
        for (i, who) in ["bob@example.com", "carol@example.com"].iter().enumerate() {
            let fact = Fact::Approved {
                commit: commit.clone(),
                note: None,
            };
            bodies.push(EventBody::new(
                id(),
                at(base, 120 + 30 * i64::try_from(i).unwrap_or(0)),
                who,
                &fact,
                Some(&service),
                Some(&release),
                Some("prod"),
            ));
        }
        let items = [
            "controls",
            "infrastructure",
            "plan",
            "backout",
            "communications",
            "package",
        ];
        for (i, item) in items.iter().enumerate() {
            let fact = Fact::ItemTicked {
                checklist: "production-release".into(),
                item: (*item).into(),
                note: None,
                by_event: None,
            };
            let mins = 130 + 5 * i64::try_from(i).unwrap_or(0);
            bodies.push(EventBody::new(
                id(),
                at(base, mins),
                "dana@example.com",
                &fact,
                Some(&service),
                Some(&release),
                Some("prod"),
            ));
        }
        let deployment = id();
        let previous = running[slot].clone();
        bodies.push(EventBody::new(
            deployment.clone(),
            at(base, 240),
            "alice@example.com",
            &deploy(previous.clone(), false, &commit),
            Some(&service),
            Some(&release),
            Some("prod"),
        ));
        if cycle % 10 == 9 {
            let failed = Fact::DeployFailed {
                deployment: deployment.clone(),
                reason: "not verified within 300s".into(),
            };
            bodies.push(EventBody::new(
                outcome_id(&deployment),
                at(base, 245),
                "alice@example.com",
                &failed,
                Some(&service),
                Some(&release),
                Some("prod"),
            ));
            if let Some(back) = previous {
                let back_id = id();
                let back_commit = format!("{:040x}", cycle + 1 - SERVICES);
                bodies.push(EventBody::new(
                    back_id.clone(),
                    at(base, 255),
                    "alice@example.com",
                    &deploy(Some(release.clone()), true, &back_commit),
                    Some(&service),
                    Some(&back),
                    Some("prod"),
                ));
                bodies.push(EventBody::new(
                    outcome_id(&back_id),
                    at(base, 256),
                    "alice@example.com",
                    &Fact::DeploySucceeded {
                        deployment: back_id,
                    },
                    Some(&service),
                    Some(&back),
                    Some("prod"),
                ));
            }
        } else {
            bodies.push(EventBody::new(
                outcome_id(&deployment),
                at(base, 245),
                "alice@example.com",
                &Fact::DeploySucceeded { deployment },
                Some(&service),
                Some(&release),
                Some("prod"),
            ));
            running[slot] = Some(release.clone());
        }
        cycle += 1;
    }
    bodies.truncate(EVENTS);
    bodies.sort_by_key(|b| b.at);
    Story { bodies, contents }
}

/// Writes the chained log directly (the fixture, not the thing measured).
fn write_log(dir: &Path, bodies: Vec<EventBody>) -> usize {
    std::fs::create_dir_all(dir).expect("log dir");
    let mut text = String::with_capacity(bodies.len() * 400);
    let mut prev = GENESIS_PREV.to_string();
    for (i, body) in bodies.into_iter().enumerate() {
        let seq = i as u64 + 1;
        let hash = chain_hash(&prev, &body, seq);
        let event = Event::stored(
            body,
            seq,
            std::mem::replace(&mut prev, hash.clone()),
            hash,
            None,
        );
        let _ = writeln!(text, "{}", serde_json::to_string(&event).expect("JSON"));
    }
    std::fs::write(dir.join("events.jsonl"), &text).expect("fixture written");
    text.len()
}

pub fn rows(root: &Path) -> Vec<Row> {
    let base = root.join("bench-insights");
    if base.exists() {
        std::fs::remove_dir_all(&base).expect("the previous run's files are removed");
    }
    std::fs::create_dir_all(&base).expect("bench dir");
    let start: Timestamp = "2026-01-05T00:00:00Z".parse().expect("a timestamp");
    let Story { bodies, contents } = story(start);
    let end = bodies.last().map_or(start, |b| b.at) + SignedDuration::from_hours(1);
    let dir = base.join("state");
    let bytes = write_log(&dir, bodies);
    let file = base.join("shipdeck.toml");
    std::fs::write(&file, CONFIG).expect("shipdeck.toml written");
    let config = shipdeck::config::load(&file).expect("the bench configuration is valid");
    let (log, _) = EventLog::open(&dir).expect("the log opens");
    let events = log.events().expect("events");
    assert_eq!(events.len(), EVENTS);
    let ledger = Ledger::from_events(&events);
    let query = Query {
        period: Period::last(SignedDuration::from_hours(90 * 24), end),
        service: None,
        env: None,
    };
    let inputs = Inputs {
        config: &config,
        events: &events,
        ledger: &ledger,
        contents: &contents,
    };
    let mut best = Duration::MAX;
    let mut figures = None;
    for _ in 0..=RUNS {
        let started = Instant::now();
        let insights = compute(&inputs, &query);
        best = best.min(started.elapsed());
        figures = Some(insights);
    }
    let figures = figures.expect("computed");
    let prod = figures
        .frequency
        .iter()
        .find(|f| f.env == "prod")
        .map_or(0, |f| f.deployments);
    vec![Row {
        what: format!("insights over {EVENTS} events, 90 days"),
        ours: ms(best),
        unit: "ms",
        peer: Peer::Budget,
        budget: Some(Budget::Max(300.0)),
        rerun: "scripts/bench insights".into(),
        timed: format!(
            "Best of {RUNS}: `domain::insights::compute` (frequency, lead time over {} commits, \
             change failure rate, time to restore, waits per stage and per gate kind for {prod} \
             prod deployments) on the replayed events and ledger of {} ({} MiB; 40 services, \
             every release through three environments with approvals and the checklist), \
             after the replay, which the event-log rows time.",
            figures.lead_time.spread.samples,
            shown(&dir.join("events.jsonl")),
            bytes >> 20,
        ),
    }]
}
