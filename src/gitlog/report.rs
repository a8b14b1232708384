//! What one sync found, said for people: nothing when all is well, a warning per problem.

use jiff::Timestamp;

/// The remote's log lost events this clone had seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// Ids of the events that are gone, oldest first.
    pub missing: Vec<String>,
    /// Ids of the events still there whose body or signature changed, oldest first.
    pub changed: Vec<String>,
}

/// The outcome of [`super::GitLog::sync`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// `origin refs/heads/shipdeck/log`, for messages.
    pub place: String,
    /// The remote answered.
    pub fetched: bool,
    /// Why it did not.
    pub unreachable: Option<String>,
    /// When it last answered, if ever.
    pub stale_since: Option<Timestamp>,
    /// Events this clone has that the remote does not (yet).
    pub unpushed: usize,
    /// Events new from the remote in this sync.
    pub pulled: usize,
    /// Local events put back on top of others' (their ids and signatures unchanged).
    pub replayed: usize,
    /// The remote took our events in this sync.
    pub pushed: bool,
    /// The remote refused a push for a reason other than someone appending first.
    pub refused: Option<String>,
    /// The remote's log was rewritten; pushing is paused until `shipdeck sync --restore`.
    pub rewritten: Option<Rewrite>,
    /// Pushing gave up after this many tries (others kept appending).
    pub gave_up: Option<usize>,
}

impl SyncReport {
    /// One warning per problem, each saying what happened and what to do; empty when in sync.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(rewrite) = self.rewritten.as_ref().filter(|r| !r.changed.is_empty()) {
            let first: Vec<&str> = rewrite.changed.iter().take(3).map(String::as_str).collect();
            out.push(format!(
                "THE SHARED LOG WAS REWRITTEN: {} event{} this clone has seen {} changed in {} \
                 (same id, another actor, release, note or signature: {}{}). Nothing was taken in \
                 and pushing is paused; this clone keeps what it saw. Find out who rewrote it and \
                 push the original back.",
                rewrite.changed.len(),
                if rewrite.changed.len() == 1 { "" } else { "s" },
                if rewrite.changed.len() == 1 {
                    "was"
                } else {
                    "were"
                },
                self.place,
                first.join(", "),
                if rewrite.changed.len() > 3 {
                    ", …"
                } else {
                    ""
                },
            ));
        }
        if let Some(rewrite) = self.rewritten.as_ref().filter(|r| !r.missing.is_empty()) {
            let first: Vec<&str> = rewrite.missing.iter().take(3).map(String::as_str).collect();
            out.push(format!(
                "THE SHARED LOG WAS REWRITTEN: {} event{} this clone has seen {} gone from {} ({}{}). \
                 Nothing was lost here: this clone keeps them, and pushing is paused. \
                 Find out who rewrote it; `shipdeck sync --restore` puts them back on top.",
                rewrite.missing.len(),
                if rewrite.missing.len() == 1 { "" } else { "s" },
                if rewrite.missing.len() == 1 { "is" } else { "are" },
                self.place,
                first.join(", "),
                if rewrite.missing.len() > 3 { ", …" } else { "" },
            ));
        }
        if let Some(why) = &self.unreachable {
            let since = self.stale_since.map_or_else(
                || "never fetched".to_string(),
                |t| format!("stale since {}", t.strftime("%Y-%m-%d %H:%M:%S UTC")),
            );
            out.push(format!(
                "shared log {} unreachable ({why}); showing this clone's copy, {since}",
                self.place
            ));
        }
        if let Some(why) = &self.refused {
            out.push(format!("{} refused our events: {why}", self.place));
        }
        if let Some(tries) = self.gave_up {
            out.push(format!(
                "gave up pushing to {} after {tries} tries (others kept appending); the events are kept here and pushed next time",
                self.place
            ));
        }
        if self.unpushed > 0 {
            out.push(format!(
                "{} event{} recorded here not yet in {}",
                self.unpushed,
                if self.unpushed == 1 { "" } else { "s" },
                self.place
            ));
        }
        out
    }

    /// A short line for the board's header: empty when in sync.
    pub fn badge(&self) -> String {
        let mut parts = Vec::new();
        if self.rewritten.is_some() {
            parts.push("LOG REWRITTEN".to_string());
        }
        if self.unreachable.is_some() {
            parts.push(self.stale_since.map_or_else(
                || "remote unreachable".to_string(),
                |t| format!("stale since {}", t.strftime("%H:%M")),
            ));
        }
        if self.unpushed > 0 {
            parts.push(format!("{} unpushed", self.unpushed));
        }
        parts.join(" · ")
    }
}
