//! The draft: where the release runs and who deployed what runs there — nobody when what runs
//! was put there outside shipdeck, even if shipdeck deployed something else there before.

use crate::notes_support;

use notes_support::{Hook, project_with, run, stderr, stdout};
use shipdeck::domain::event::{EventBody, Fact};
use shipdeck::store::EventLog;

/// Records a successful deployment of `release` to `env` by `actor`, through the real store.
fn deployed(log: &EventLog, actor: &str, release: &str, env: &str) {
    let now = jiff::Timestamp::now();
    let id = shipdeck::store::new_event_id();
    let requested = Fact::DeployRequested {
        commit: "0".repeat(40),
        previous_release: None,
        rollback: false,
        call: "POST http://127.0.0.1:1/deploy".into(),
        verify_timeout_secs: 30,
    };
    let body = EventBody::new(
        id.clone(),
        now,
        actor,
        &requested,
        Some("api"),
        Some(release),
        Some(env),
    );
    log.append(body, now).expect("append");
    let done = Fact::DeploySucceeded {
        deployment: id.clone(),
    };
    let body = EventBody::new(
        shipdeck::domain::event::outcome_id(&id),
        now,
        actor,
        &done,
        Some("api"),
        Some(release),
        Some(env),
    );
    log.append(body, now).expect("append");
}

#[test]
fn the_draft_names_who_deployed_what_runs_in_each_environment_and_nobody_for_the_unknown() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().expect("tempdir");
    // prod's probe reports 1.0.0, which nobody deployed through shipdeck.
    project_with(
        dir.path(),
        &format!(
            "  [services.env.prod]\n  health = \"http://{}/health\"\n",
            hook.addr
        ),
    );
    let (log, _) = EventLog::open(&dir.path().join(".shipdeck")).expect("log");
    deployed(&log, "lee@shop.example", "api-v1.2.0", "staging");
    deployed(&log, "sam@shop.example", "api-v1.1.0", "prod");

    let out = run(
        dir.path(),
        "dana@shop.example",
        &["notes", "api", "api-v1.2.0"],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("## Features"), "grouped by type:\n{text}");
    assert!(
        text.contains("| staging | api-v1.2.0 | lee@shop.example |"),
        "{text}"
    );
    assert!(text.contains("| prod | api-v1.0.0 | — |"), "{text}");
    assert!(!text.contains("sam@shop.example"), "{text}");
}
