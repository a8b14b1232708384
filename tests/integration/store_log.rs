//! The event log on disk: round trips, the chain, tampering, torn tails, idempotency, the clock.

use std::fs;
use std::path::Path;

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use shipdeck::domain::event::{EventBody, Fact};
use shipdeck::store::{
    Appended, EventLog, GENESIS_PREV, StoreError, chain_hash, new_event_id, read_events, verify,
};

fn now() -> Timestamp {
    "2026-05-04T10:00:00Z".parse().expect("valid timestamp")
}

fn approval(at: Timestamp, note: &str) -> EventBody {
    EventBody::new(
        new_event_id(),
        at,
        "alice@example.com",
        &Fact::Approved {
            commit: "9f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c".to_string(),
            note: Some(note.to_string()),
        },
        Some("api"),
        Some("api-v1.4.2"),
        Some("prod"),
    )
}

fn append_n(log: &EventLog, n: usize) {
    for i in 0..n {
        let appended = log
            .append(approval(now(), &format!("note {i}")), now())
            .expect("append succeeds");
        assert!(appended.is_new());
    }
}

fn lines(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .expect("log is readable")
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn appended_events_come_back_after_reopening() {
    let dir = tempfile::tempdir().expect("temp dir");
    let state = dir.path().join("state");
    let (log, warnings) = EventLog::open(&state).expect("open creates the log");
    assert!(warnings.is_empty());
    assert_eq!(log.path(), state.join("events.jsonl"));
    let first = log.append(approval(now(), "first"), now()).expect("append");
    let second = log
        .append(approval(now(), "second"), now())
        .expect("append");
    drop(log);

    let (reopened, warnings) = EventLog::open(&state).expect("reopen");
    assert!(warnings.is_empty());
    let events = reopened.events().expect("events");
    assert_eq!(events, vec![first.event().clone(), second.event().clone()]);
    assert_eq!(events[0].seq, 1);
    assert_eq!(events[0].prev, GENESIS_PREV);
    assert_eq!(events[1].prev, events[0].hash);
    assert_eq!(read_events(reopened.path()).expect("replay"), events);
    let third = reopened
        .append(approval(now(), "third"), now())
        .expect("append");
    assert_eq!(third.event().seq, 3);
    assert_eq!(third.event().prev, events[1].hash);
}

#[test]
fn stored_lines_use_the_documented_field_order_and_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    let body = approval(now(), "first");
    let event = log
        .append(body.clone(), now())
        .expect("append")
        .event()
        .clone();
    let line = &lines(log.path())[0];
    assert!(line.starts_with(r#"{"seq":1,"id":""#), "{line}");
    assert!(line.contains(
        r#""kind":"approved","service":"api","release":"api-v1.4.2","env":"prod","data":{"#
    ));
    assert!(!line.contains("\"sig\""));
    assert_eq!(event.hash, chain_hash(GENESIS_PREV, &body, 1));
}

#[test]
fn a_written_chain_verifies() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 20);
    let report = verify(log.path());
    assert_eq!(report.first_bad, None);
    assert_eq!(report.events, 20);
}

#[test]
fn a_missing_log_verifies_as_empty() {
    let dir = tempfile::tempdir().expect("temp dir");
    let report = verify(&dir.path().join("events.jsonl"));
    assert!(report.is_ok());
    assert_eq!(report.events, 0);
}

#[test]
fn editing_one_byte_of_a_line_makes_verify_name_that_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 5);
    let original = fs::read(log.path()).expect("read");
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            original
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .collect();
    // One byte in line 3's note ("note 2" → "note 7"), one in its hash, one breaking its JSON.
    let line3 = &original[starts[2]..starts[3]];
    let text = String::from_utf8(line3.to_vec()).expect("utf-8");
    let edits = [
        (text.find("note 2").expect("note") + 5, b'7', "hash"),
        (text.find("\"hash\":\"").expect("hash") + 8, b'x', "hash"),
        (0, b'[', "not an event"),
    ];
    for (offset, byte, reason) in edits {
        let mut tampered = original.clone();
        let at = starts[2] + offset;
        assert_ne!(tampered[at], byte);
        tampered[at] = byte;
        fs::write(log.path(), &tampered).expect("write");
        let report = verify(log.path());
        let bad = report.first_bad.expect("tampering is detected");
        assert_eq!(bad.line, 3, "{}", bad.reason);
        assert!(bad.reason.contains(reason), "{}", bad.reason);
        assert_eq!(report.events, 2);
    }
}

#[test]
fn a_torn_tail_is_set_aside_with_a_warning_and_appends_continue() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 3);
    drop(log);
    let path = dir.path().join("events.jsonl");
    let good = fs::read(&path).expect("read");
    let torn = br#"{"seq":4,"id":"abc","at":"2026-05-04T10:0"#;
    let mut with_tear = good.clone();
    with_tear.extend_from_slice(torn);
    fs::write(&path, &with_tear).expect("write");

    let (log, warnings) = EventLog::open(dir.path()).expect("open sets the tear aside");
    assert_eq!(warnings.len(), 1);
    let side = side_files(dir.path());
    assert_eq!(side.len(), 1);
    assert!(
        warnings[0].contains(&side[0].display().to_string()),
        "{}",
        warnings[0]
    );
    assert_eq!(fs::read(&side[0]).expect("side file"), torn);
    assert_eq!(fs::read(&path).expect("read"), good);
    assert!(verify(&path).is_ok());

    let next = log
        .append(approval(now(), "after the tear"), now())
        .expect("append");
    assert_eq!(next.event().seq, 4);
    let report = verify(&path);
    assert_eq!((report.events, report.first_bad), (4, None));
}

/// A write is one whole `\n`-terminated line, so a complete line that does not parse is not a
/// tear but corruption (#10): it stays where it is, nothing from it on counts, nothing is
/// appended after it.
#[test]
fn a_newline_terminated_last_line_that_does_not_parse_is_corruption_not_a_tear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 2);
    drop(log);
    let path = dir.path().join("events.jsonl");
    let good = fs::read(&path).expect("read");
    let mut with_tear = good.clone();
    with_tear.extend_from_slice(b"{\"seq\":3,\"id\n");
    fs::write(&path, &with_tear).expect("write");

    let (log, warnings) = EventLog::open(dir.path()).expect("open");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(side_files(dir.path()).is_empty());
    let (counted, damage) = log.checked().expect("checked");
    assert_eq!(counted.len(), 2);
    assert_eq!(damage.expect("damage").line, 3);
    let err = log
        .append(approval(now(), "after"), now())
        .expect_err("nothing is appended after a bad line");
    assert!(matches!(err, StoreError::Damaged { line: 3, .. }), "{err}");
    assert_eq!(fs::read(&path).expect("read"), with_tear);
    assert!(!verify(&path).is_ok());
    let _ = good;
}

#[test]
fn a_damaged_line_before_the_last_is_damage_not_a_tear() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 3);
    drop(log);
    let path = dir.path().join("events.jsonl");
    let mut text = lines(&path);
    text[1] = "garbage".to_string();
    fs::write(&path, text.join("\n") + "\n").expect("write");
    let (log, _) = EventLog::open(dir.path()).expect("opens, to say what is wrong");
    let (counted, damage) = log.checked().expect("checked");
    assert_eq!((counted.len(), damage.expect("damage").line), (1, 2));
    let err = log
        .append(approval(now(), "after"), now())
        .expect_err("a damaged middle line is refused");
    assert!(matches!(err, StoreError::Damaged { line: 2, .. }), "{err}");
    assert!(side_files(dir.path()).is_empty());
}

#[test]
fn a_tear_left_by_another_process_is_set_aside_before_the_next_append() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 2);
    let mut file = fs::OpenOptions::new()
        .append(true)
        .open(log.path())
        .expect("open");
    std::io::Write::write_all(&mut file, b"{\"seq\":3,").expect("write");
    let next = log.append(approval(now(), "next"), now()).expect("append");
    assert_eq!(next.event().seq, 3);
    assert_eq!(side_files(dir.path()).len(), 1);
    assert!(verify(log.path()).is_ok());
}

#[test]
fn a_duplicate_id_is_already_recorded_and_writes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    let body = approval(now(), "once");
    let first = log.append(body.clone(), now()).expect("append");
    let before = fs::read(log.path()).expect("read");
    let again = log.append(body.clone(), now()).expect("append");
    assert_eq!(again, Appended::AlreadyRecorded(first.event().clone()));
    assert_eq!(fs::read(log.path()).expect("read"), before);

    // Another handle (as another process would) also sees it as recorded.
    let (other, _) = EventLog::open(dir.path()).expect("open");
    assert!(!other.append(body, now()).expect("append").is_new());
    assert_eq!(fs::read(log.path()).expect("read"), before);
}

#[test]
fn an_event_six_minutes_in_the_future_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    let later = now()
        .checked_add(SignedDuration::from_mins(6))
        .expect("in range");
    let err = log
        .append(approval(later, "early"), now())
        .expect_err("refused");
    assert!(matches!(err, StoreError::FromTheFuture { .. }), "{err}");
    assert!(err.to_string().contains("clock"));
    assert!(log.events().expect("events").is_empty());

    let soon = now()
        .checked_add(SignedDuration::from_mins(4))
        .expect("in range");
    assert!(
        log.append(approval(soon, "skew"), now())
            .expect("append")
            .is_new()
    );
}

#[test]
fn an_event_without_an_id_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    let mut body = approval(now(), "no id");
    body.id = String::new();
    assert!(matches!(
        log.append(body, now()),
        Err(StoreError::MissingId)
    ));
}

#[test]
fn events_sees_what_another_handle_appended() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (a, _) = EventLog::open(dir.path()).expect("open");
    let (b, _) = EventLog::open(dir.path()).expect("open");
    append_n(&a, 2);
    assert_eq!(b.events().expect("events").len(), 2);
    let third = b.append(approval(now(), "from b"), now()).expect("append");
    assert_eq!(third.event().seq, 3);
    assert_eq!(a.events().expect("events").last(), Some(third.event()));
}

#[test]
fn unknown_kinds_and_arbitrary_data_are_kept_and_verify() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    let body = EventBody {
        id: new_event_id(),
        at: now(),
        actor: "bob".to_string(),
        kind: "from-a-newer-version".to_string(),
        service: None,
        release: None,
        env: None,
        data: json!({"z": [1.5, 1e300, -0.0, 18_446_744_073_709_551_615_u64], "a": "\u{1}é😀"}),
    };
    log.append(body, now()).expect("append");
    assert!(verify(log.path()).is_ok());
    assert_eq!(
        read_events(log.path()).expect("replay")[0].kind,
        "from-a-newer-version"
    );
}

fn side_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().contains("events.jsonl.torn-"))
        .collect();
    found.sort();
    found
}

#[test]
fn verify_names_an_unterminated_last_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (log, _) = EventLog::open(dir.path()).expect("open");
    append_n(&log, 2);
    let mut bytes = fs::read(log.path()).expect("read");
    bytes.extend_from_slice(b"{\"seq\":3");
    fs::write(log.path(), bytes).expect("write");
    let report = verify(log.path());
    let bad = report.first_bad.expect("the tear is reported");
    assert_eq!((report.events, bad.line), (2, 3));
    assert!(bad.reason.contains("no newline"), "{}", bad.reason);
    assert_eq!(read_events(log.path()).expect("replay").len(), 2);
}
