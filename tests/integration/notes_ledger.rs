//! The fold of release-notes events: the latest hand edit wins and is made safe for a terminal;
//! only a publication where every channel succeeded counts as published, and the first such
//! event is the one that ticks `announce`; events written before outcomes were recorded count.

use crate::domain_support;

use domain_support::Log;
use shipdeck::domain::event::{Delivery, Event, Fact};

fn edited(markdown: &str, replaces: Option<&str>) -> Fact {
    Fact::NotesEdited {
        markdown: markdown.into(),
        replaces: replaces.map(str::to_string),
    }
}

fn published(ok: bool) -> Fact {
    Fact::NotesPublished {
        channel: "slack".into(),
        detail: String::new(),
        ok,
        deliveries: vec![Delivery {
            channel: "slack".into(),
            kind: "http".into(),
            to: "POST $SLACK_WEBHOOK_URL".into(),
            ok,
            detail: if ok {
                "200 ok".into()
            } else {
                "500 boom".into()
            },
        }],
        markdown: "# api api-v1.4.2\n".into(),
    }
}

#[test]
fn the_latest_edit_wins_and_keeps_its_lines_but_not_escape_sequences() {
    let mut log = Log::default();
    log.add_with_id(
        "e1",
        "2026-03-02T10:00:00Z",
        "alice",
        &edited("first\n", None),
        Some("api-v1.4.2"),
        None,
    );
    log.add_with_id(
        "e2",
        "2026-03-02T10:05:00Z",
        "bob\u{1b}[31m",
        &edited(
            "# Title\n\nsecond \u{1b}]8;;http://evil\u{7}link\u{1b}]8;;\u{7}\n",
            Some("e1"),
        ),
        Some("api-v1.4.2"),
        None,
    );
    let ledger = log.ledger();
    let edit = ledger.notes_edit("api", "api-v1.4.2").expect("an edit");
    assert_eq!(edit.event_id, "e2");
    assert_eq!(edit.actor, "bob");
    assert_eq!(edit.markdown, "# Title\n\nsecond link\n");
    assert!(ledger.notes_edit("api", "api-v1.4.3").is_none());
}

#[test]
fn only_a_publication_where_every_channel_succeeded_counts() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &published(false),
        "api-v1.4.2",
        "prod",
    );
    assert!(!log.ledger().notes_published("api", "api-v1.4.2", "prod"));
    let ok = log.add(
        "2026-03-02T10:01:00Z",
        "alice",
        &published(true),
        "api-v1.4.2",
        "prod",
    );
    log.add(
        "2026-03-02T10:02:00Z",
        "alice",
        &published(true),
        "api-v1.4.2",
        "prod",
    );
    let ledger = log.ledger();
    assert!(ledger.notes_published("api", "api-v1.4.2", "prod"));
    assert_eq!(
        ledger.published_by("api", "api-v1.4.2", "prod"),
        Some(ok.as_str())
    );
    assert_eq!(ledger.published_by("api", "api-v1.4.2", "staging"), None);
}

#[test]
fn a_publication_recorded_before_outcomes_existed_still_counts() {
    let mut log = Log::default();
    log.add(
        "2026-03-02T10:00:00Z",
        "alice",
        &published(true),
        "api-v1.4.2",
        "prod",
    );
    let mut legacy: Event = log.events.pop().expect("event");
    legacy.data = serde_json::json!({ "channel": "slack", "detail": "" });
    let ledger = shipdeck::domain::ledger::Ledger::from_events(&[legacy]);
    assert!(ledger.notes_published("api", "api-v1.4.2", "prod"));
}
