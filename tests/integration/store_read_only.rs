//! `--read-only` reads the file log as it is: it never creates the state directory, never takes
//! the lock file, and never sets a torn tail aside.

use crate::common;

use common::{project, shipdeck, stderr, stdout};

#[test]
fn read_only_creates_no_state_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    for args in [
        &["--read-only", "status"][..],
        &["--read-only", "log"],
        &["--read-only", "log", "--verify"],
    ] {
        let out = shipdeck(dir.path(), "pat@x", args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stderr(&out));
    }
    assert!(
        !dir.path().join(".shipdeck").exists(),
        "nothing was created"
    );
}

#[test]
fn read_only_leaves_a_torn_tail_where_it_is_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    project(dir.path());
    let d = dir.path();
    let approve = shipdeck(
        d,
        "alice@x",
        &["approve", "api", "api-v1.2.0", "--env", "prod"],
    );
    assert_eq!(approve.status.code(), Some(0), "{}", stderr(&approve));
    let log = d.join(".shipdeck/events.jsonl");
    let mut bytes = std::fs::read(&log).expect("log");
    bytes.extend_from_slice(b"{\"seq\":2,\"id\":\"torn");
    std::fs::write(&log, &bytes).expect("tear");
    let listing = || std::fs::read_dir(d.join(".shipdeck")).expect("dir").count();
    let before = listing();

    let out = shipdeck(d, "pat@x", &["--read-only", "log"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("approved"),
        "the whole events are shown"
    );
    assert!(stderr(&out).contains("incomplete line"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read(&log).expect("log"),
        bytes,
        "not a byte changed"
    );
    assert_eq!(listing(), before, "no side file");
}
