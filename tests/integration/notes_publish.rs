//! `notes --publish` through a real HTTP webhook on loopback: the markdown delivered, the
//! checklist's `announce` item ticked by the publication, nothing ticked when a channel fails,
//! no retry, no redirect followed, secrets masked. File and command channels: `notes_channels`.

use crate::notes_support;

use notes_support::{
    Hook, announce_line, checklist, current_notes, events, hanging_server, project_with, run,
    stderr, stdout,
};

const USER: &str = "dana@shop.example";
const HOOK_SECRET: &str = "T0PSECRET-hook-path";

#[test]
fn publishing_to_an_http_channel_delivers_the_markdown_and_ticks_announce_by_that_event() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        "[[channels]]\nname = \"slack\"\nkind = \"http\"\nurl_env = \"NOTES_HOOK_URL\"\n\
         auth = { bearer_env = \"NOTES_TOKEN\" }\n",
    );
    let markdown = current_notes(dir.path(), USER);
    assert!(markdown.contains("## Features"), "{markdown}");
    let url = format!("http://{}/hook?key={HOOK_SECRET}", hook.addr);
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
            "--format",
            "json",
        ],
        &[("NOTES_HOOK_URL", &url), ("NOTES_TOKEN", "tok-123")],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(report["ok"], true);

    let got = hook.requests();
    assert_eq!(got.len(), 1, "one request, never retried");
    let body: serde_json::Value = serde_json::from_str(&got[0].body).expect("the body is JSON");
    assert_eq!(
        body["text"].as_str().map(str::trim_end),
        Some(markdown.trim_end())
    );
    assert_eq!(got[0].headers["authorization"], "Bearer tok-123");
    assert_eq!(got[0].headers["content-type"], "application/json");

    let event_id = report["event"].as_str().expect("event id").to_string();
    let line = announce_line(&checklist(dir.path(), USER));
    assert!(line.contains("[x]"), "{line}");
    // Human output shortens event ids (the whole id is in --json).
    assert!(
        line.contains(&format!("by event {}", &event_id[..8])),
        "{line}"
    );

    // What was sent where is recorded, with the webhook URL and the token masked.
    let all = events(dir.path());
    let published = all
        .iter()
        .find(|e| e["kind"] == "notes-published")
        .expect("notes-published recorded");
    assert_eq!(published["id"], event_id.as_str());
    assert_eq!(
        published["data"]["deliveries"][0]["to"],
        "POST $NOTES_HOOK_URL"
    );
    assert_eq!(published["data"]["deliveries"][0]["ok"], true);
    assert!(
        published["data"]["markdown"]
            .as_str()
            .is_some_and(|m| m.trim_end() == markdown.trim_end())
    );
    let log = serde_json::to_string(&all).expect("json");
    assert!(
        !log.contains(HOOK_SECRET) && !log.contains("tok-123"),
        "{log}"
    );
    assert!(!stdout(&out).contains(HOOK_SECRET));
}

#[test]
fn a_failing_channel_is_reported_and_announce_stays_unticked() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        &format!(
            "[[channels]]\nname = \"notes-file\"\nkind = \"file\"\npath = \"out/notes.md\"\n\n\
             [[channels]]\nname = \"teams\"\nkind = \"http\"\nurl = \"http://{}/fail\"\n",
            hook.addr
        ),
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(text.contains("✓ notes-file"), "{text}");
    assert!(text.contains("✗ teams (http)"), "{text}");
    assert!(text.contains("500 boom"), "{text}");
    assert!(stderr(&out).contains("was not ticked"), "{}", stderr(&out));
    assert_eq!(hook.requests().len(), 1);
    assert!(announce_line(&checklist(dir.path(), USER)).contains("[ ]"));
    let all = events(dir.path());
    let published = all
        .iter()
        .find(|e| e["kind"] == "notes-published")
        .expect("the failed publication is recorded too");
    assert_eq!(published["data"]["ok"], false);
    assert!(
        !all.iter()
            .any(|e| e["kind"] == "item-ticked" && e["data"]["item"] == "announce")
    );

    // Publishing again through the channel that failed alone: still failing, still unticked.
    let again = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
            "--channel",
            "teams",
        ],
        &[],
    );
    assert_eq!(again.status.code(), Some(1));
    assert_eq!(hook.requests().len(), 2);
}

#[test]
fn read_only_refuses_to_publish_and_sends_nothing() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        &format!(
            "[[channels]]\nname = \"slack\"\nkind = \"http\"\nurl = \"http://{}/hook\"\n",
            hook.addr
        ),
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "--read-only",
            "notes",
            "api",
            "api-v1.2.0",
            "--publish",
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
    assert!(hook.requests().is_empty());
    assert!(
        !events(dir.path())
            .iter()
            .any(|e| e["kind"] == "notes-published")
    );
}

#[test]
fn a_redirect_is_not_followed_and_counts_as_a_failure() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        &format!(
            "[[channels]]\nname = \"slack\"\nkind = \"http\"\nurl = \"http://{}/redirect\"\n",
            hook.addr
        ),
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("307"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("redirects are not followed"),
        "{}",
        stdout(&out)
    );
    assert!(
        hook.requests().is_empty(),
        "the redirect target was never called"
    );
}

#[test]
fn a_webhook_that_never_answers_fails_at_the_channel_timeout_without_a_retry() {
    let port = hanging_server();
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        &format!(
            "[[channels]]\nname = \"slack\"\nkind = \"http\"\n\
             url = \"http://127.0.0.1:{port}/hook\"\ntimeout = \"1s\"\n"
        ),
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("no answer within 1s"),
        "{}",
        stdout(&out)
    );
    assert!(announce_line(&checklist(dir.path(), USER)).contains("[ ]"));
}

#[test]
fn a_secret_echoed_back_by_the_endpoint_is_masked_in_the_output_and_the_log() {
    let hook = Hook::start();
    let dir = tempfile::tempdir().expect("tempdir");
    project_with(
        dir.path(),
        &format!(
            "[[channels]]\nname = \"slack\"\nkind = \"http\"\nurl = \"http://{}/echo\"\n\
             auth = {{ bearer_env = \"NOTES_TOKEN\" }}\n",
            hook.addr
        ),
    );
    let out = run(
        dir.path(),
        USER,
        &[
            "notes",
            "api",
            "api-v1.2.0",
            "--env",
            "prod",
            "--publish",
            "--yes",
        ],
        &[("NOTES_TOKEN", "tok-echoed-123")],
    );
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("403 refused Bearer ••••••"), "{text}");
    assert!(!text.contains("tok-echoed-123") && !stderr(&out).contains("tok-echoed-123"));
    let log = serde_json::to_string(&events(dir.path())).expect("json");
    assert!(!log.contains("tok-echoed-123"), "{log}");
}
