//! The colleagues' work the demo starts with: one approval and two checklist ticks for taking
//! api-v1.5.0 to prod, so one person can walk the whole story (the promoter's own approval never
//! counts). These are event bodies; the caller's event log appends them.

use jiff::{Timestamp, ToSpan};
use sha2::{Digest, Sha256};

use super::history::{LENA, PRIYA};
use super::repo::DemoRelease;
use crate::domain::event::{EventBody, Fact};

/// The release the seeded approval and ticks are for.
pub const SEEDED_RELEASE: &str = "api-v1.5.0";

/// The events to record before the demo is ready. Their ids are derived from their content, so
/// appending them again to the same log is a no-op (the log is idempotent by id).
pub fn events(releases: &[DemoRelease], now: Timestamp) -> Vec<EventBody> {
    let Some(release) = releases.iter().find(|r| r.tag == SEEDED_RELEASE) else {
        return Vec::new();
    };
    let at = |minutes: i64| now.checked_sub(minutes.minutes()).unwrap_or(now);
    let tick = |item: &str, note: &str| Fact::ItemTicked {
        checklist: "production-release".into(),
        item: item.into(),
        note: Some(note.into()),
        by_event: None,
    };
    let facts = [
        (
            at(55),
            LENA.email,
            tick(
                "controls",
                "Release controls reviewed; no change-board items open for api.",
            ),
        ),
        (
            at(48),
            LENA.email,
            tick(
                "infrastructure",
                "No infrastructure changes in 1.5.0; the webhook signer uses existing keys.",
            ),
        ),
        (
            at(40),
            PRIYA.email,
            Fact::Approved {
                commit: release.commit.clone(),
                note: Some("Reviewed the webhook signing change; good for prod.".into()),
            },
        ),
    ];
    facts
        .into_iter()
        .map(|(when, actor, fact)| {
            let id = seed_id(actor, &fact, &release.commit);
            EventBody::new(
                id,
                when,
                actor,
                &fact,
                Some(release.service),
                Some(release.tag),
                Some("prod"),
            )
        })
        .collect()
}

fn seed_id(actor: &str, fact: &Fact, commit: &str) -> String {
    let detail = serde_json::to_string(fact).unwrap_or_default();
    let digest = Sha256::digest(format!("shipdeck-demo\n{actor}\n{commit}\n{detail}"));
    hex::encode(&digest[..16])
}
