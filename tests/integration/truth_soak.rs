//! Soak without history: a release already running when the team adopted shipdeck soaks from
//! when it was first seen running healthy, across processes, and the plan says which it used.

use std::fmt::Write as _;
use std::time::Duration;

use shipdeck::domain::observation::Health;
use shipdeck::store::{FIRST_SEEN, Sightings};

use crate::common::{project, shipdeck, stderr, stdout, wait_for};
use crate::domain_support::{observation, ts};

#[test]
fn sightings_keep_a_run_while_the_release_stays_healthy_and_end_it_otherwise() {
    let mut s = Sightings::default();
    s.observe(&[
        observation(
            "staging",
            Some("api-v1.1.0"),
            Health::Pass,
            "2026-03-01T10:00:00Z",
        ),
        observation(
            "staging",
            Some("api-v1.1.0"),
            Health::Pass,
            "2026-03-19T10:00:00Z",
        ),
    ]);
    let past = s.as_observations();
    assert_eq!(past.len(), 1);
    assert_eq!(past[0].at, ts("2026-03-01T10:00:00Z"));
    assert_eq!(past[0].detail, FIRST_SEEN);
    s.observe(&[observation(
        "staging",
        Some("api-v1.1.0"),
        Health::Fail,
        "2026-03-19T10:01:00Z",
    )]);
    assert!(
        s.as_observations().is_empty(),
        "a failing sighting ends the run"
    );
}

#[test]
fn soak_counts_time_seen_running_healthy_where_shipdeck_never_deployed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = project(dir.path());
    let health = crate::truth_server::serve(200, r#"{"status":"pass","version":"1.2.0"}"#);
    let text = std::fs::read_to_string(&config).expect("config").replace(
        "gates = [{ kind = \"healthy\" }]",
        "gates = [{ kind = \"healthy\" }, { kind = \"soak\", duration = \"2s\" }]",
    );
    let mut text = text;
    let _ = writeln!(
        text,
        "health = {{ url = \"http://127.0.0.1:{}/{{{{env}}}}/health\" }}",
        health.port
    );
    std::fs::write(&config, text).expect("write");
    let plan = |d: &std::path::Path| {
        shipdeck(
            d,
            "pat@x",
            &["plan", "api", "api-v1.2.0", "--to", "staging", "--json"],
        )
    };
    let first = plan(dir.path());
    let v: serde_json::Value = serde_json::from_str(&stdout(&first)).expect("json");
    let soak = v["gates"]
        .as_array()
        .expect("gates")
        .iter()
        .find(|g| g["kind"] == "soak")
        .expect("soak gate")
        .clone();
    assert_eq!(soak["status"], "pending", "{soak}");
    assert!(
        soak["reason"]
            .as_str()
            .unwrap_or_default()
            .contains("first seen running healthy"),
        "{soak}"
    );
    // A later process sees the earlier sighting: the soak passes without any deployment.
    wait_for("the soak to pass", Duration::from_secs(30), || {
        plan(dir.path()).status.code() == Some(0)
    });
    let done = plan(dir.path());
    assert_eq!(done.status.code(), Some(0), "{}", stderr(&done));
    assert!(
        stdout(&done).contains("no recorded deployment"),
        "{}",
        stdout(&done)
    );
    let log =
        std::fs::read_to_string(dir.path().join(".shipdeck/events.jsonl")).unwrap_or_default();
    assert_eq!(log, "", "sightings are not events");
}
