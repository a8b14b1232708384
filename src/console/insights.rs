//! The Insights view's model and its one flow: which period and service it shows, the figures
//! computed so far (one entry per period and service), when they are stale, and asking the
//! engine for them. The figures are computed by `app::insights` in the backend, off the UI
//! thread ([`Effect::Insights`] → `OpResult::Insights`); nothing here or in the view computes
//! them.
//!
//! Figures are stale when the log has changed since they were asked for, or when they are older
//! than [`STALE_AFTER`] (the period ends "now"); the view then keeps showing them, marked, while
//! the new ones are computed.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};

use crate::console::effect::Effect;
use crate::console::model;
use crate::console::state::{OpKind, State, View};
use crate::domain::insights::Insights;

/// The periods the view switches between, in days.
pub const PERIODS: [u32; 3] = [7, 30, 90];
/// The period the view opens on.
pub const DEFAULT_DAYS: u32 = 30;
/// Figures older than this are computed again the next time the view asks (opening it, a
/// probe's change, the log changing).
pub const STALE_AFTER: SignedDuration = SignedDuration::from_mins(10);

/// What one set of figures is for.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InsightsKey {
    pub days: u32,
    /// One service, or every service (`None`).
    pub service: Option<String>,
}

/// One request for figures in flight: for what, over how much of the log, at what time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsAsk {
    pub key: InsightsKey,
    /// How many events the console's log had when it asked.
    pub events: usize,
    /// The period's end.
    pub at: Timestamp,
}

/// The answer to an [`InsightsAsk`]: the figures, or why there are none.
#[derive(Debug, Clone)]
pub struct Computed {
    pub result: Result<Box<Insights>, String>,
    pub events: usize,
    pub at: Timestamp,
}

/// The view's own state.
#[derive(Debug, Clone)]
pub struct InsightsPane {
    /// The period shown, one of [`PERIODS`].
    pub days: u32,
    /// The newest answer per period and service.
    pub computed: BTreeMap<InsightsKey, Computed>,
}

impl Default for InsightsPane {
    fn default() -> InsightsPane {
        InsightsPane {
            days: DEFAULT_DAYS,
            computed: BTreeMap::new(),
        }
    }
}

/// The rows the view's cursor walks: every service (`None`) first, then each service — only
/// the services the filter (`/`) shows when one is set, and then no "every service" row.
pub fn rows(state: &State) -> Vec<Option<String>> {
    let services = model::visible_services(state);
    let mut out: Vec<Option<String>> = Vec::with_capacity(services.len() + 1);
    if state.filter.is_empty() {
        out.push(None);
    }
    out.extend(services.into_iter().map(|s| Some(s.to_string())));
    out
}

/// The service the figures are for: the row under the cursor (`None`: every service).
pub fn selected_service(state: &State) -> Option<String> {
    let rows = rows(state);
    let i = state.cursor("insights").min(rows.len().saturating_sub(1));
    rows.into_iter().nth(i).flatten()
}

/// What the view shows now.
pub fn key(state: &State) -> InsightsKey {
    InsightsKey {
        days: state.insights.days,
        service: selected_service(state),
    }
}

/// The newest answer for what the view shows now (possibly stale).
pub fn shown(state: &State) -> Option<&Computed> {
    state.insights.computed.get(&key(state))
}

/// Whether figures for `key` are being computed.
pub fn computing(state: &State, key: &InsightsKey) -> bool {
    state
        .ops
        .values()
        .any(|o| matches!(&o.kind, OpKind::Insights(a) if &a.key == key))
}

/// Whether an answer no longer stands for the log as it is now.
pub fn is_stale(state: &State, computed: &Computed) -> bool {
    computed.events != state.events.len() || state.now.duration_since(computed.at) >= STALE_AFTER
}

/// Opening the view (and whenever it asks again): the figures it shows, when they are missing
/// or stale and not already being computed for the log as it is now.
pub fn ask(state: &mut State) -> Vec<Effect> {
    ask_for(state, false)
}

/// `r` (and `R` while the view is open): compute the figures again, whatever is there.
pub fn recompute(state: &mut State) -> Vec<Effect> {
    ask_for(state, true)
}

/// Something that may change what the Insights view shows happened (a cursor move or click:
/// another service; the log changing): asks for it when the view is open.
pub fn ask_if_open(state: &mut State) -> Vec<Effect> {
    if state.view == View::Insights {
        ask(state)
    } else {
        Vec::new()
    }
}

/// `R` refreshes everything; the Insights figures too when the view is open.
pub fn refresh_open(state: &mut State) -> Vec<Effect> {
    if state.view == View::Insights {
        recompute(state)
    } else {
        Vec::new()
    }
}

/// The period `steps` along [`PERIODS`] from the current one (kept at either end).
pub fn stepped(state: &State, steps: isize) -> u32 {
    let i = PERIODS
        .iter()
        .position(|d| *d == state.insights.days)
        .unwrap_or(1);
    let j = i.saturating_add_signed(steps).min(PERIODS.len() - 1);
    PERIODS[j]
}

/// Shows the Insights view over the last `days`.
pub fn set_period(state: &mut State, days: u32) -> Vec<Effect> {
    state.insights.days = if PERIODS.contains(&days) {
        days
    } else {
        DEFAULT_DAYS
    };
    state.view = View::Insights;
    ask(state)
}

fn ask_for(state: &mut State, force: bool) -> Vec<Effect> {
    if rows(state).is_empty() {
        // The filter shows no service: there is nothing to measure.
        return Vec::new();
    }
    let key = key(state);
    let events = state.events.len();
    let in_flight = state
        .ops
        .values()
        .any(|o| matches!(&o.kind, OpKind::Insights(a) if a.key == key && a.events == events));
    let fresh = shown(state).is_some_and(|c| !is_stale(state, c));
    if !force && (in_flight || fresh) {
        return Vec::new();
    }
    // Only the newest request matters: an answer to an older one is dropped.
    state
        .ops
        .retain(|_, o| !matches!(o.kind, OpKind::Insights(_)));
    let ask = InsightsAsk {
        key: key.clone(),
        events,
        at: state.now,
    };
    let label = format!(
        "insights: {}, last {} days",
        key.service.as_deref().unwrap_or("every service"),
        key.days
    );
    let op = state.start_op(OpKind::Insights(ask), label);
    vec![Effect::Insights {
        op,
        days: key.days,
        until: state.now,
        service: key.service,
    }]
}

/// The engine answered.
pub fn loaded(
    state: &mut State,
    ask: InsightsAsk,
    result: Result<Box<Insights>, String>,
) -> Vec<Effect> {
    state.insights.computed.insert(
        ask.key,
        Computed {
            result,
            events: ask.events,
            at: ask.at,
        },
    );
    // The log may have changed while it was computed.
    if state.view == View::Insights {
        ask_again_if_stale(state)
    } else {
        Vec::new()
    }
}

fn ask_again_if_stale(state: &mut State) -> Vec<Effect> {
    if shown(state).is_some_and(|c| c.events != state.events.len()) {
        ask(state)
    } else {
        Vec::new()
    }
}
