//! `kill -9` of a process appending to the event log, hundreds of times. After every kill: the
//! log opens, a torn tail (if the kill landed mid-write) is set aside into a side file with a
//! warning, the chain verifies, and every event the child acknowledged (it prints an id only
//! after `append` returned) is in the log.
//!
//! Two kinds of kill point: a random moment after 0–3 acknowledged appends (the kernel almost
//! always finishes a small `write` before the signal lands, so these rarely tear), and a kill
//! aimed inside the `write` of an event just under the 1 MiB cap — the test watches the file grow and kills while
//! the child's line is only partly in it; Linux stops the copy at the next page, leaving a torn
//! line on purpose.
//!
//! The test binary re-runs itself: the ignored test `appender_child` is the child. Rounds and
//! seed: `SHIPDECK_KILL_ROUNDS` (default 200 random, and 1 aimed for every 25 of them) and
//! `SHIPDECK_KILL_SEED` (printed on failure).
//!
//! Each round starts a process, so a loaded machine (CI runs the whole suite on two cores) gets
//! through fewer of them: after [`BUDGET`] the test stops early once it has done [`MIN_RANDOM`]
//! random kills and one torn write, and fails only if even that is not done by [`DEADLINE`].

use std::collections::HashSet;
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use rand::{Rng as _, SeedableRng as _};
use serde_json::json;
use shipdeck::domain::event::EventBody;
use shipdeck::store::{EventLog, MAX_EVENT_BYTES, new_event_id, read_events, verify};

const STATE_VAR: &str = "SHIPDECK_KILL_TEST_STATE";
const PAD_VAR: &str = "SHIPDECK_KILL_TEST_PAD";
/// A fresh log every this many rounds, so re-reading it after each kill stays cheap.
const ROUNDS_PER_LOG: usize = 25;
/// After this long the test stops as soon as the minimum below is done.
const BUDGET: Duration = Duration::from_mins(1);
/// The least a run must do: this many random kills, one aimed kill that tore a line.
const MIN_RANDOM: usize = 50;
/// Fails if the minimum is not done by then.
const DEADLINE: Duration = Duration::from_mins(5);
/// Bytes of padding in the child's large events: just under the log's cap on one event
/// ([`MAX_EVENT_BYTES`]; a larger one is refused, and the child would die without writing), about
/// a quarter of a millisecond of the kernel's copying into the file, page by page — a window a
/// polling test can hit.
const LARGE: usize = MAX_EVENT_BYTES - 4096;

#[test]
#[ignore = "the child process of the kill test, not a test on its own"]
fn appender_child() {
    let state = PathBuf::from(std::env::var(STATE_VAR).expect("run by the kill test"));
    let pad: usize = std::env::var(PAD_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let (log, _) = EventLog::open(&state).expect("open");
    let mut out = std::io::stdout().lock();
    for i in 0u64.. {
        let pad = "x".repeat(pad);
        let body = EventBody {
            id: new_event_id(),
            at: Timestamp::now(),
            actor: "killed@shop.example".to_string(),
            kind: "item-noted".to_string(),
            service: Some("api".to_string()),
            release: Some("api-v1.0.0".to_string()),
            env: Some("prod".to_string()),
            data: json!({ "i": i, "pad": pad }),
        };
        let appended = log.append(body, Timestamp::now()).expect("append");
        // The acknowledgement: only now does the caller know the event is recorded.
        writeln!(out, "{}", appended.event().id).expect("stdout");
        out.flush().expect("flush");
    }
}

fn spawn_child(state: &Path, pad: usize) -> Child {
    Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "reliability_kill::appender_child",
            "--exact",
            "--ignored",
            "--nocapture",
            "-q",
        ])
        .env(STATE_VAR, state)
        .env(PAD_VAR, pad.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the appender")
}

/// Forwards the child's acknowledged ids; ends when the child's stdout closes.
fn acks(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            // Ids are long and alphanumeric; test-harness chatter is not an acknowledgement.
            let is_id =
                line.len() >= 16 && line.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if is_id {
                let _ = tx.send(line);
            }
        }
    });
    rx
}

fn side_files(state: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(state) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.to_string_lossy().contains(".torn-"))
        .collect()
}

/// Whether the file ends in something that is not a whole event line.
fn has_torn_tail(bytes: &[u8]) -> bool {
    let Some(body) = bytes.strip_suffix(b"\n") else {
        return !bytes.is_empty();
    };
    let last = body.rsplit(|&b| b == b'\n').next().unwrap_or(body);
    serde_json::from_slice::<serde_json::Value>(last).is_err()
}

#[derive(Default, Debug)]
struct Tally {
    random_kills: usize,
    aimed_kills: usize,
    aimed_in_write: usize,
    torn: usize,
    acknowledged: usize,
}

/// How a round picks its moment.
#[derive(Clone, Copy)]
enum Aim {
    /// After `acks` acknowledged appends, then up to 3 ms more.
    Random { acks: usize, jitter: Duration },
    /// Inside the `write` of a large event.
    InWrite,
}

/// Kills the child at `aim`; returns every id it acknowledged and whether an aimed kill hit.
fn run_and_kill(mut child: Child, aim: Aim, log: &Path) -> (Vec<String>, bool) {
    let rx = acks(child.stdout.take().expect("piped"));
    let mut acked = Vec::new();
    let mut hit = false;
    match aim {
        Aim::Random { acks, jitter } => {
            for _ in 0..acks {
                let id = rx
                    .recv_timeout(Duration::from_secs(20))
                    .unwrap_or_else(|e| panic!("the appender acknowledged nothing in 20 s: {e}"));
                acked.push(id);
            }
            // The jitter is the random kill point itself, not a wait for something to happen.
            std::thread::sleep(jitter);
        }
        Aim::InWrite => {
            // Every event is large: a file that grew by less than one event is a write in
            // progress. Kill then; Linux stops copying at the next page. A write that finished
            // between two looks (the child acknowledges it) is a miss, killed at once.
            let size = || std::fs::metadata(log).map_or(0, |m| m.len());
            let mut whole = size();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(20) && acked.is_empty() {
                let now = size();
                if now > whole && now < whole + LARGE as u64 {
                    hit = true;
                    break;
                }
                whole = whole.max(now);
                while let Ok(id) = rx.try_recv() {
                    acked.push(id);
                }
                if let Ok(Some(status)) = child.try_wait() {
                    panic!("the appender exited ({status}) before any kill: its append failed");
                }
            }
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    // Whatever it printed before it died was acknowledged.
    while let Ok(id) = rx.recv_timeout(Duration::from_secs(5)) {
        acked.push(id);
    }
    (acked, hit)
}

#[test]
fn kill_dash_nine_mid_append_loses_no_acknowledged_event_and_sets_torn_tails_aside() {
    let random_rounds: usize = std::env::var("SHIPDECK_KILL_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    // At least this many aimed kills; more (up to six times as many) until two have torn.
    let aimed_rounds = (random_rounds / 25).max(1);
    let seed: u64 = std::env::var("SHIPDECK_KILL_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| u64::from(Timestamp::now().subsec_nanosecond().unsigned_abs()));
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let started = Instant::now();
    let mut tally = Tally::default();
    // On tmpfs where there is one: fsync is free there, so the rounds are quick. (A kill never
    // loses what the kernel already has; durability on power loss is not what this tests.)
    let fresh = || {
        let shm = Path::new("/dev/shm");
        if shm.is_dir() {
            tempfile::tempdir_in(shm).expect("tempdir")
        } else {
            tempfile::tempdir().expect("tempdir")
        }
    };
    let mut dir = fresh();
    let mut acked: HashSet<String> = HashSet::new();

    for round in 0.. {
        let aimed_enough = tally.aimed_kills >= aimed_rounds
            && (tally.torn >= 2 || tally.aimed_kills >= 6 * aimed_rounds);
        if tally.random_kills >= random_rounds && aimed_enough {
            break;
        }
        let minimum_done = tally.random_kills >= MIN_RANDOM.min(random_rounds) && tally.torn >= 1;
        if started.elapsed() > BUDGET && minimum_done {
            break;
        }
        let at = format!("round {round} (seed {seed})");
        assert!(
            started.elapsed() < DEADLINE,
            "{at}: not even {MIN_RANDOM} random kills and one torn write within {DEADLINE:?}: {tally:?}"
        );
        if round % ROUNDS_PER_LOG == 0 {
            dir = fresh();
            acked.clear();
        }
        let state = dir.path().join("state");
        // Aimed rounds are spread among the random ones; extra ones come at the end.
        let random_enough = tally.random_kills >= random_rounds
            || (started.elapsed() > BUDGET && tally.random_kills >= MIN_RANDOM);
        let aim = if (round % 11 == 10 && tally.aimed_kills < aimed_rounds) || random_enough {
            Aim::InWrite
        } else {
            Aim::Random {
                acks: rng.random_range(0..4),
                jitter: Duration::from_micros(rng.random_range(0..3000)),
            }
        };
        let pad = if matches!(aim, Aim::InWrite) {
            LARGE
        } else {
            0
        };
        let (ids, hit) = run_and_kill(spawn_child(&state, pad), aim, &state.join("events.jsonl"));
        match aim {
            Aim::InWrite => {
                tally.aimed_kills += 1;
                tally.aimed_in_write += usize::from(hit);
            }
            Aim::Random { .. } => tally.random_kills += 1,
        }
        for id in ids {
            tally.acknowledged += usize::from(acked.insert(id));
        }

        let path = state.join("events.jsonl");
        let torn = has_torn_tail(&std::fs::read(&path).unwrap_or_default());
        let sides_before = side_files(&state).len();
        let (log, warnings) =
            EventLog::open(&state).unwrap_or_else(|e| panic!("{at}: the log does not open: {e}"));
        if torn {
            tally.torn += 1;
            assert_eq!(warnings.len(), 1, "{at}: a torn tail without a warning");
            assert!(warnings[0].contains(".torn-"), "{at}: {}", warnings[0]);
            assert_eq!(side_files(&state).len(), sides_before + 1, "{at}");
        } else {
            assert!(
                warnings.is_empty(),
                "{at}: a warning without a tear: {warnings:?}"
            );
        }
        drop(log);
        let report = verify(&path);
        assert!(
            report.is_ok(),
            "{at}: the chain does not verify: {:?}",
            report.first_bad
        );
        let ids: HashSet<String> = read_events(&path)
            .expect("replay")
            .into_iter()
            .map(|e| e.id)
            .collect();
        let lost: Vec<&String> = acked.iter().filter(|id| !ids.contains(*id)).collect();
        assert!(lost.is_empty(), "{at}: acknowledged events lost: {lost:?}");
    }
    eprintln!(
        "kill -9: {} at random points, {} aimed at a large write ({} landed inside it); \
         {} torn tails set aside; {} acknowledged events, none lost; seed {seed}, {:.1?}",
        tally.random_kills,
        tally.aimed_kills,
        tally.aimed_in_write,
        tally.torn,
        tally.acknowledged,
        started.elapsed()
    );
    assert!(
        tally.torn > 0,
        "no kill aimed at a write tore a line, so setting aside was not exercised: {tally:?}"
    );
}
