//! The activity view's timeline: the log's events and the health changes this console saw
//! (observations, never written to the log), newest first, following the `/` filter; and the
//! whole of one line, for Enter.

use jiff::Timestamp;

use crate::console::overlay::{Detail, Overlay};
use crate::console::state::{HealthChange, State};
use crate::domain::event::Event;
use crate::domain::sanitize::{sanitize, sanitize_multiline};
use crate::domain::time::{short_id, when};

/// One line of the timeline.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    Event(&'a Event),
    Health(&'a HealthChange),
}

impl Row<'_> {
    pub fn at(&self) -> Timestamp {
        match self {
            Row::Event(e) => e.at,
            Row::Health(h) => h.at,
        }
    }
}

/// Whether a line about `service` passes the services filter (`/`): lines about no service
/// only while nothing is filtered.
fn shown(state: &State, service: Option<&str>) -> bool {
    let filter = state.filter.to_lowercase();
    filter.is_empty() || service.is_some_and(|s| s.to_lowercase().contains(&filter))
}

/// Every line, newest first: events by their order in the log, health changes by when seen.
pub fn rows(state: &State) -> Vec<Row<'_>> {
    let mut events = state
        .events
        .iter()
        .rev()
        .filter(|e| shown(state, e.service.as_deref()))
        .peekable();
    let mut changes = state
        .health_changes
        .iter()
        .rev()
        .filter(|h| shown(state, Some(&h.service)))
        .peekable();
    let mut out = Vec::new();
    loop {
        let next = match (events.peek(), changes.peek()) {
            (Some(e), Some(h)) if h.at > e.at => changes.next().map(Row::Health),
            (Some(_), _) => events.next().map(Row::Event),
            (None, Some(_)) => changes.next().map(Row::Health),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

/// Enter: the whole line under the cursor, every field, in an overlay.
pub fn show(state: &mut State) {
    let rows = rows(state);
    let Some(row) = rows.get(state.cursor("activity")).copied() else {
        return;
    };
    let detail = detail(state, row);
    state.overlay = Some(Overlay::Detail(detail));
}

fn detail(state: &State, row: Row<'_>) -> Detail {
    let at = |t| when(t, state.now, &state.tz);
    match row {
        Row::Event(e) => {
            let target = [e.service.as_deref(), e.release.as_deref(), e.env.as_deref()]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" ");
            let mut lines = vec![
                format!("kind     {}", e.kind),
                format!("at       {}", at(e.at)),
                format!("by       {}", e.actor),
                format!("target   {target}"),
            ];
            if let Some(fact) = e.fact() {
                lines.push(format!("what     {}", fact.summary()));
            }
            lines.push(format!("id       {}", e.id));
            lines.push(format!("hash     {} (after {})", e.hash, short_id(&e.prev)));
            if e.sig.is_some() {
                lines.push("signed   yes".to_string());
            }
            lines.push("data".to_string());
            let data = serde_json::to_string_pretty(&e.data).unwrap_or_default();
            lines.extend(data.lines().map(|l| format!("  {l}")));
            Detail {
                title: format!("event {} — {}", e.seq, short_id(&e.id)),
                // Anyone who can push to a shared log wrote these: untrusted text.
                lines: lines.iter().map(|l| sanitize_multiline(l)).collect(),
                scroll: 0,
            }
        }
        Row::Health(h) => Detail {
            title: format!(
                "health of {} in {} — seen by this console",
                h.service, h.env
            ),
            lines: vec![
                format!("at       {}", at(h.at)),
                format!("health   {} → {}", h.from.as_str(), h.to.as_str()),
                format!("detail   {}", sanitize(&h.detail)),
                format!(
                    "release  {}",
                    h.release
                        .as_deref()
                        .map_or("none reported".into(), sanitize)
                ),
                "An observation of this console's probes, not an event of the log.".to_string(),
            ],
            scroll: 0,
        },
    }
}
