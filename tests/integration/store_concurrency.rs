//! Several processes appending to one log at once. The test binary re-runs itself: the ignored
//! test `append_worker` is the child, driven by environment variables.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jiff::Timestamp;
use serde_json::json;
use shipdeck::domain::event::EventBody;
use shipdeck::store::{EventLog, new_event_id, read_events, verify};

const DIR_VAR: &str = "SHIPDECK_STORE_TEST_DIR";
const WORKER_VAR: &str = "SHIPDECK_STORE_TEST_WORKER";
const COUNT_VAR: &str = "SHIPDECK_STORE_TEST_COUNT";
const PER_WORKER: usize = 40;

fn body(worker: usize, i: usize) -> EventBody {
    EventBody {
        id: new_event_id(),
        at: Timestamp::now(),
        actor: format!("worker-{worker}"),
        kind: "item-noted".to_string(),
        service: Some("api".to_string()),
        release: None,
        env: None,
        data: json!({ "worker": worker, "i": i }),
    }
}

/// Waits for `path` to exist: the start signal, so the workers append at the same time.
fn wait_for_start_signal(path: &Path, deadline: Duration) {
    let start = Instant::now();
    while !path.exists() {
        assert!(
            start.elapsed() < deadline,
            "no start signal at {}",
            path.display()
        );
        // A poll interval, not a wait for time to pass: the condition is the file.
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
#[ignore = "a child process of the concurrency tests, not a test on its own"]
fn append_worker() {
    let dir = PathBuf::from(std::env::var(DIR_VAR).expect("run by a concurrency test"));
    let worker: usize = std::env::var(WORKER_VAR)
        .expect("worker")
        .parse()
        .expect("number");
    let count: usize = std::env::var(COUNT_VAR)
        .expect("count")
        .parse()
        .expect("number");
    let (log, _) = EventLog::open(&dir.join("state")).expect("open");
    wait_for_start_signal(&dir.join("go"), Duration::from_mins(1));
    for i in 0..count {
        log.append(body(worker, i), Timestamp::now())
            .expect("append");
    }
}

fn spawn_worker(dir: &Path, worker: usize) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "store_concurrency::append_worker",
            "--exact",
            "--ignored",
            "--quiet",
        ])
        .env(DIR_VAR, dir)
        .env(WORKER_VAR, worker.to_string())
        .env(COUNT_VAR, PER_WORKER.to_string())
        // The child's test-harness chatter; its failures still show on stderr.
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn worker")
}

fn run_processes(workers: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let children: Vec<Child> = (0..workers).map(|w| spawn_worker(dir.path(), w)).collect();
    std::fs::write(dir.path().join("go"), b"").expect("start signal");
    for mut child in children {
        assert!(
            child.wait().expect("worker ran").success(),
            "a worker failed"
        );
    }
    assert_all_recorded(&dir.path().join("state").join("events.jsonl"), workers);
}

/// Every worker's events are present, each worker's in its own order, the chain intact.
fn assert_all_recorded(path: &Path, workers: usize) {
    let report = verify(path);
    assert_eq!(report.first_bad, None);
    assert_eq!(report.events, workers * PER_WORKER);
    let events = read_events(path).expect("replay");
    let mut next = vec![0u64; workers];
    for (index, event) in events.iter().enumerate() {
        assert_eq!(event.seq, index as u64 + 1);
        let worker = usize::try_from(event.data["worker"].as_u64().expect("worker")).expect("fits");
        assert_eq!(
            event.data["i"].as_u64(),
            Some(next[worker]),
            "worker {worker} out of order"
        );
        next[worker] += 1;
    }
    assert!(next.iter().all(|&n| n == PER_WORKER as u64));
}

#[test]
fn two_processes_appending_at_once_keep_every_event_and_the_chain() {
    run_processes(2);
}

#[test]
fn four_processes_appending_at_once_keep_every_event_and_the_chain() {
    run_processes(4);
}

#[test]
fn threads_with_their_own_handles_appending_at_once_keep_the_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    std::thread::scope(|scope| {
        for worker in 0..4 {
            let state = &state;
            scope.spawn(move || {
                let (log, _) = EventLog::open(state).expect("open");
                for i in 0..PER_WORKER {
                    log.append(body(worker, i), Timestamp::now())
                        .expect("append");
                }
            });
        }
    });
    assert_all_recorded(&state.join("events.jsonl"), 4);
}

#[test]
fn threads_sharing_one_handle_keep_the_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let (log, _) = EventLog::open(&state).expect("open");
    std::thread::scope(|scope| {
        for worker in 0..3 {
            let log = &log;
            scope.spawn(move || {
                for i in 0..PER_WORKER {
                    log.append(body(worker, i), Timestamp::now())
                        .expect("append");
                }
            });
        }
    });
    assert_all_recorded(&state.join("events.jsonl"), 3);
    assert_eq!(log.events().expect("events").len(), 3 * PER_WORKER);
}
