//! Event-log throughput: appends with an fsync each, and replay of a 100,000-event log
//! (budget: under 300 ms). Run with `cargo bench --bench event_log`.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use jiff::{SignedDuration, Timestamp};
use shipdeck::domain::event::{Event, EventBody, Fact};
use shipdeck::store::{EventLog, GENESIS_PREV, chain_hash, new_event_id, read_events, verify};

const APPENDS: usize = 500;
const REPLAYED: usize = 100_000;
const RUNS: usize = 5;

fn body(i: usize, at: Timestamp) -> EventBody {
    let fact = match i % 3 {
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
        _ => Fact::DeployRequested {
            commit: format!("{i:040x}"),
            previous_release: Some("api-v1.4.1".to_string()),
            rollback: false,
            call: "POST https://deploy.internal/hooks/api-prod".to_string(),
            verify_timeout_secs: 300,
        },
    };
    EventBody::new(
        new_event_id(),
        at,
        "alice@example.com",
        &fact,
        Some("api"),
        Some("api-v1.4.2"),
        Some("prod"),
    )
}

/// Writes a valid chained log directly (no lock, no fsync): the fixture, not the thing measured.
fn generate(path: &std::path::Path, count: usize) -> u64 {
    let start: Timestamp = "2026-01-01T00:00:00Z".parse().expect("valid timestamp");
    let mut text = String::new();
    let mut prev = GENESIS_PREV.to_string();
    for i in 0..count {
        let seq = i as u64 + 1;
        let at = start
            .checked_add(SignedDuration::from_secs(i64::try_from(i).expect("fits")))
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
        let _ = writeln!(
            text,
            "{}",
            serde_json::to_string(&event).expect("serializes")
        );
    }
    std::fs::write(path, &text).expect("write fixture");
    text.len() as u64
}

/// This process's CPU time (user + system, all threads) from `/proc/self/stat`, in clock ticks
/// of 10 ms. Wall time alone misleads on a machine shared by other builds.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the file; the slice starts at field 3.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Best wall time of [`RUNS`] runs, and the mean CPU time a run.
fn best_of<T>(mut run: impl FnMut() -> T) -> (Duration, Option<Duration>, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    let cpu_start = cpu_time();
    for _ in 0..RUNS {
        let start = Instant::now();
        let out = run();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    let cpu = cpu_start
        .zip(cpu_time())
        .map(|(a, b)| b.saturating_sub(a) / u32::try_from(RUNS).expect("small"));
    (best, cpu, last.expect("at least one run"))
}

fn millis(d: Option<Duration>) -> String {
    d.map_or_else(
        || "n/a".to_string(),
        |d| format!("{:.0} ms", d.as_secs_f64() * 1e3),
    )
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");

    let (log, _) = EventLog::open(&dir.path().join("append")).expect("open");
    let now = Timestamp::now();
    let start = Instant::now();
    for i in 0..APPENDS {
        log.append(body(i, now), now).expect("append");
    }
    let append_time = start.elapsed();

    let path = dir.path().join("replay.jsonl");
    let bytes = generate(&path, REPLAYED);
    let (read_time, read_cpu, events) = best_of(|| read_events(&path).expect("replay"));
    assert_eq!(events.len(), REPLAYED);
    let (verify_time, verify_cpu, report) = best_of(|| verify(&path));
    assert_eq!((report.events, report.first_bad), (REPLAYED, None));

    println!(
        "event log ({} MiB log, best of {RUNS} for replay)",
        bytes >> 20
    );
    println!(
        "{:<30} {:>11} {:>14} {:>12}",
        "operation", "wall", "rate", "cpu a run"
    );
    let rate = f64::from(u32::try_from(APPENDS).expect("small")) / append_time.as_secs_f64();
    println!(
        "{:<30} {:>8.1} ms {:>9.0} op/s",
        format!("append + fsync x{APPENDS}"),
        append_time.as_secs_f64() * 1e3,
        rate
    );
    for (name, time, cpu) in [
        ("read_events", read_time, read_cpu),
        ("verify", verify_time, verify_cpu),
    ] {
        println!(
            "{:<30} {:>8.1} ms {:>9.0} ev/s {:>12}",
            format!("{name} x{REPLAYED}"),
            time.as_secs_f64() * 1e3,
            f64::from(u32::try_from(REPLAYED).expect("small")) / time.as_secs_f64(),
            millis(cpu)
        );
    }
    println!(
        "{:<30} {:>8.1} ms {:>27}",
        "read_events + verify",
        (read_time + verify_time).as_secs_f64() * 1e3,
        millis(read_cpu.zip(verify_cpu).map(|(a, b)| a + b))
    );
    println!("budget: replay of 100,000 events under 300 ms");
}
