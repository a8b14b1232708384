//! The event log: appends with an fsync each, against the same lines written and fsync'd to a
//! plain file (the floor the disk sets); replay of a 100,000-event log as a command does it (open
//! the log, read every event, fold them into the ledger; budget 300 ms); and the chain check of
//! `log --verify` against `sha256sum` of the same file.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use shipdeck::domain::event::{Event, EventBody, Fact};
use shipdeck::domain::ledger::Ledger;
use shipdeck::store::{EventLog, GENESIS_PREV, chain_hash, new_event_id, verify};

use super::project::shown;
use super::report::{Budget, Peer, Row};
use super::timing::{best_interleaved, ms, on_path, run};

const APPENDS: u32 = 300;
const REPLAYED: usize = 100_000;
const RUNS: usize = 5;

fn body(i: usize, at: Timestamp) -> EventBody {
    let fact = match i % 4 {
        0 => Fact::Approved {
            commit: format!("{i:040x}"),
            note: Some(format!("looks good, release {i}")),
        },
        1 => Fact::ItemTicked {
            checklist: "production-release".to_string(),
            item: "backout".to_string(),
            note: None,
            by_event: None,
        },
        2 => Fact::DeployRequested {
            commit: format!("{i:040x}"),
            previous_release: Some("api-v1.4.1".to_string()),
            rollback: false,
            call: "POST https://deploy.internal/hooks/api-prod".to_string(),
            verify_timeout_secs: 300,
        },
        _ => Fact::DeploySucceeded {
            deployment: format!("{:032x}", i - 1),
        },
    };
    let service = format!("svc-{:02}", i % 40);
    let release = format!("{service}-v1.{}.0", i / 1000);
    let env = ["dev", "staging", "prod"][i % 3];
    EventBody::new(
        new_event_id(),
        at,
        "alice@example.com",
        &fact,
        Some(&service),
        Some(&release),
        Some(env),
    )
}

/// Writes a valid chained log of `count` events into `dir/events.jsonl` directly (no lock, no
/// fsync): the fixture, not the thing measured. Returns its size in bytes.
fn generate(dir: &Path, count: usize) -> usize {
    std::fs::create_dir_all(dir).expect("log dir");
    let start: Timestamp = "2026-01-01T00:00:00Z".parse().expect("a timestamp");
    let mut text = String::with_capacity(count * 400);
    let mut prev = GENESIS_PREV.to_string();
    for i in 0..count {
        let seq = i as u64 + 1;
        let secs = i64::try_from(i).expect("fits");
        let at = start
            .checked_add(SignedDuration::from_secs(secs))
            .expect("in range");
        let body = body(i, at);
        let hash = chain_hash(&prev, &body, seq);
        let event = Event {
            seq,
            id: body.id,
            at: body.at,
            actor: body.actor,
            kind: body.kind,
            service: body.service,
            release: body.release,
            env: body.env,
            data: body.data,
            prev: std::mem::replace(&mut prev, hash.clone()),
            hash,
            sig: None,
        };
        let _ = writeln!(text, "{}", serde_json::to_string(&event).expect("JSON"));
    }
    std::fs::write(dir.join("events.jsonl"), &text).expect("fixture written");
    text.len()
}

pub fn rows(root: &Path) -> Vec<Row> {
    let base = root.join("bench-log");
    if base.exists() {
        std::fs::remove_dir_all(&base).expect("the previous run's logs are removed");
    }
    let mut rows = vec![append(&base)];
    let dir = base.join("replay");
    let bytes = generate(&dir, REPLAYED);
    rows.extend(replay(&dir, bytes));
    rows
}

fn append(base: &Path) -> Row {
    let (log, _) = EventLog::open(&base.join("append")).expect("the log opens");
    let floor_path = base.join("floor.jsonl");
    let mut floor = std::fs::File::create(&floor_path).expect("floor file");
    let now = Timestamp::now();
    let (mut ours, mut theirs) = (Duration::ZERO, Duration::ZERO);
    for i in 0..APPENDS as usize {
        let started = Instant::now();
        let appended = log.append(body(i, now), now).expect("append");
        ours += started.elapsed();
        let line = serde_json::to_string(appended.event()).expect("JSON") + "\n";
        let started = Instant::now();
        floor.write_all(line.as_bytes()).expect("write");
        floor.sync_data().expect("fsync");
        theirs += started.elapsed();
    }
    Row {
        what: "event log append, fsync'd".into(),
        ours: ms(ours / APPENDS),
        unit: "ms/event",
        peer: Peer::Measured {
            name: "write + fdatasync of the same line".into(),
            value: ms(theirs / APPENDS),
        },
        budget: None,
        rerun: "scripts/bench event-log".into(),
        timed: format!(
            "Mean of {APPENDS} `EventLog::append` calls (lock, catch up, chain hash, one write, \
             fdatasync) against, alternating, writing the same line to a plain file and \
             `sync_data` ({}).",
            shown(base)
        ),
    }
}

fn replay(dir: &Path, bytes: usize) -> Vec<Row> {
    let mut events = 0;
    // Best total, and the best of each phase, for the note.
    let mut replayed = Duration::MAX;
    let mut phases = [Duration::MAX; 3];
    for _ in 0..=RUNS {
        let started = Instant::now();
        let (log, warnings) = EventLog::open(dir).expect("the log opens");
        let opened = started.elapsed();
        assert!(warnings.is_empty(), "{warnings:?}");
        // What every command reads (through `StateLog::checked`): the events shared, uncopied.
        let (all, damage) = log.counted().expect("events");
        assert!(damage.is_none());
        let read = started.elapsed();
        let ledger = Ledger::from_events(&all);
        let folded = started.elapsed();
        events = all.len();
        std::hint::black_box(ledger);
        replayed = replayed.min(folded);
        for (best, took) in phases.iter_mut().zip([
            opened,
            read.saturating_sub(opened),
            folded.saturating_sub(read),
        ]) {
            *best = (*best).min(took);
        }
    }
    assert_eq!(events, REPLAYED);
    let path = dir.join("events.jsonl");
    let replay_row = Row {
        what: format!("replay of {REPLAYED} events"),
        ours: ms(replayed),
        unit: "ms",
        peer: Peer::Budget,
        budget: Some(Budget::Max(300.0)),
        rerun: "scripts/bench event-log".into(),
        timed: format!(
            "Best of {RUNS}: `EventLog::open` + `counted()` + `Ledger::from_events` on {} ({} MiB), \
             what every command and the console do at start (best phases: open, parse and chain \
             check {:.0} ms, `counted()` {:.0} ms, fold {:.0} ms).",
            shown(&path),
            bytes >> 20,
            ms(phases[0]),
            ms(phases[1]),
            ms(phases[2])
        ),
    };
    let check = || {
        let report = verify(&path);
        assert_eq!((report.events, report.first_bad), (REPLAYED, None));
    };
    let peer = if on_path("sha256sum") {
        let (ours, theirs) = best_interleaved(RUNS, check, || {
            run(Command::new("sha256sum").arg(&path));
        });
        (
            ours,
            Peer::Measured {
                name: "sha256sum of the file".into(),
                value: ms(theirs),
            },
        )
    } else {
        (
            super::timing::best_of(RUNS, check),
            Peer::Missing {
                name: "sha256sum of the file".into(),
                why: "sha256sum is not installed".into(),
            },
        )
    };
    let verify_row = Row {
        what: format!("chain check of {REPLAYED} events (`log --verify`)"),
        ours: ms(peer.0),
        unit: "ms",
        peer: peer.1,
        budget: None,
        rerun: "scripts/bench event-log".into(),
        timed: format!(
            "Best of {RUNS}, alternating: `store::verify` (parse every line, recompute every \
             hash, check seq, prev and ids) against `sha256sum {}` (one hash of the same bytes).",
            shown(&path)
        ),
    };
    vec![replay_row, verify_row]
}
