//! Many appends racing from three clones, through the library (a few hundred rounds), and the
//! log served by `git daemon` on loopback through the real binary.

use crate::gitlog_support;

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use gitlog_support::{Person, Team, remote_event_ids, wait_for};
use shipdeck::domain::config::GitState;
use shipdeck::domain::event::{EventBody, Fact};
use shipdeck::gitlog::{GitLog, Mode};

const ROUNDS: usize = 100;

fn open(person: &Person) -> GitLog {
    let settings = GitState {
        repo: person.clone_dir(),
        remote: "origin".into(),
        ref_name: "refs/heads/shipdeck/log".into(),
        fetch_timeout: Duration::from_secs(20),
        fetch_interval: Duration::from_secs(30),
    };
    GitLog::open(&settings, &person.root.join("state")).expect("open the shared log")
}

fn tick(actor: &str, round: usize) -> EventBody {
    let fact = Fact::ItemNoted {
        checklist: "production-release".into(),
        item: "smoke-tests".into(),
        note: format!("round {round}"),
    };
    EventBody::new(
        shipdeck::store::new_event_id(),
        jiff::Timestamp::now(),
        actor,
        &fact,
        Some("api"),
        Some("api-v1.2.0"),
        Some("prod"),
    )
}

#[test]
fn concurrent_appends_from_three_clones_all_land_in_order_none_lost() {
    let team = Team::new();
    let people: Vec<Person> = ["alice", "bob", "carol"]
        .iter()
        .map(|n| team.join(n, None))
        .collect();
    let recorded: Vec<Vec<String>> = std::thread::scope(|s| {
        let handles: Vec<_> = people
            .iter()
            .map(|p| {
                s.spawn(move || {
                    let log = open(p);
                    (0..ROUNDS)
                        .map(|round| {
                            let (appended, _) = log
                                .append(tick(&p.email, round), None, jiff::Timestamp::now())
                                .expect("append");
                            appended.event().id.clone()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });

    // Anything a racer gave up pushing goes with its next sync.
    let logs: Vec<GitLog> = people.iter().map(open).collect();
    wait_for("every clone to be pushed", Duration::from_mins(1), || {
        logs.iter()
            .map(|l| l.sync(Mode::Full))
            .all(|r| r.unpushed == 0 && r.fetched)
    });
    for log in &logs {
        log.sync(Mode::Full);
    }

    let remote = remote_event_ids(&team.origin());
    assert_eq!(remote.len(), 3 * ROUNDS, "every event landed once");
    let position: HashMap<&str, usize> = remote
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    for ids in &recorded {
        let places: Vec<usize> = ids.iter().map(|id| position[id.as_str()]).collect();
        assert!(
            places.windows(2).all(|w| w[0] < w[1]),
            "each person's events keep their order"
        );
    }
    for log in &logs {
        let ids: Vec<String> = log
            .events()
            .expect("events")
            .into_iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(
            ids, remote,
            "every clone holds the same log in the same order"
        );
    }
}

struct Daemon(Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

#[test]
fn git_daemon_on_loopback_carries_approvals_between_clones() {
    let team = Team::new();
    let port = free_port();
    let daemon = Daemon(
        Command::new("git")
            .args([
                "daemon",
                "--export-all",
                "--enable=receive-pack",
                "--reuseaddr",
                "--listen=127.0.0.1",
                &format!("--port={port}"),
                &format!("--base-path={}", team.dir.path().display()),
            ])
            .arg(team.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("git daemon starts"),
    );
    let url = format!("git://127.0.0.1:{port}/origin.git");
    wait_for("git daemon to answer", Duration::from_secs(20), || {
        Command::new("git")
            .args(["ls-remote", &url])
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    let alice = team.join("alice", Some(&url));
    let bob = team.join("bob", Some(&url));
    let carol = team.join("carol", Some(&url));

    std::thread::scope(|s| {
        for person in [&alice, &bob] {
            s.spawn(move || {
                let out = person.shipdeck(&["approve", "api", "api-v1.2.0", "--env", "prod"]);
                assert_eq!(out.status.code(), Some(0));
                let err = gitlog_support::stderr(&out);
                assert!(!err.contains("warning"), "pushed without trouble: {err}");
            });
        }
    });
    let plan = carol.expect(0, &["plan", "api", "api-v1.2.0", "--to", "prod", "--json"]);
    let plan: serde_json::Value = serde_json::from_str(&plan).expect("plan json");
    assert_eq!(plan["allowed"], true, "{plan}");
    assert_eq!(remote_event_ids(&team.origin()).len(), 2);
    drop(daemon);
}
