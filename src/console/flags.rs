//! The Flags view's model, pure: every flag × environment from the flag services' latest reads,
//! grouped by service (flags of no service last), filtered by `/`; the flag under the cursor;
//! and what each flag service's read says (a service that cannot be read keeps its last good
//! rows, marked as not current, so a key on them still says why it is refused).

use crate::app::actions::{FlagRow, flag_rows};
use crate::console::state::State;
use crate::domain::flag::{FlagFault, FlagReading, FlagService};
use crate::domain::flag_change::{FlagChange, changes};

/// A flag service's reading arrived: the latest read, and the last good one kept apart.
pub fn on_read(state: &mut State, reading: FlagReading) {
    // A read that finished before the one shown (a change's read-back overtook it) is older news.
    if state
        .flags
        .get(&reading.provider)
        .is_some_and(|shown| shown.at > reading.at)
    {
        return;
    }
    if reading.result.is_ok() {
        state
            .flags_seen
            .insert(reading.provider.clone(), reading.clone());
    }
    state.flags.insert(reading.provider.clone(), reading);
    state.dirty = true;
}

/// One flag of one flag service: its row in every environment of the path (`None` where the
/// service does not map the environment or has no such flag there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagLine {
    pub provider: String,
    pub flag: String,
    pub service: Option<String>,
    /// One per `config.environments`, in path order.
    pub cells: Vec<Option<FlagRow>>,
    /// Its flag service cannot be read now: these are the values of its last good read.
    pub stale: bool,
}

/// Every `flag-changed` event of the log the console follows.
pub fn recorded(state: &State) -> Vec<FlagChange> {
    changes(&state.events)
}

/// The reads rows are built from: each service's latest, or while it fails its last good one.
fn readings(state: &State) -> Vec<(&FlagReading, bool)> {
    state
        .config
        .flags
        .iter()
        .filter_map(|spec| match state.flags.get(&spec.name) {
            Some(r) if r.result.is_ok() => Some((r, false)),
            _ => state.flags_seen.get(&spec.name).map(|r| (r, true)),
        })
        .collect()
}

/// The Flags view's lines, grouped by service in the path's order of services (flags of no
/// service last), then by name; only those whose flag or service name contains the filter.
pub fn lines(state: &State) -> Vec<FlagLine> {
    let reads = readings(state);
    let changes = recorded(state);
    let rows = flag_rows(
        &state.config,
        reads.iter().map(|(r, _)| *r),
        &changes,
        None,
        None,
    );
    let stale = |provider: &str| {
        reads
            .iter()
            .any(|(r, stale)| *stale && r.provider == provider)
    };
    let filter = state.filter.to_lowercase();
    let service_rank = |service: Option<&str>| {
        service.map_or(usize::MAX, |s| {
            state
                .config
                .services
                .iter()
                .position(|c| c.name == s)
                .unwrap_or(usize::MAX - 1)
        })
    };
    let mut out: Vec<FlagLine> = Vec::new();
    for row in rows {
        let shown = filter.is_empty()
            || row.flag.to_lowercase().contains(&filter)
            || row
                .service
                .as_deref()
                .is_some_and(|s| s.to_lowercase().contains(&filter));
        if !shown {
            continue;
        }
        let Some(col) = state
            .config
            .environments
            .iter()
            .position(|e| e.name == row.env)
        else {
            continue;
        };
        let found = out
            .iter()
            .position(|l| l.provider == row.provider && l.flag == row.flag);
        let at = if let Some(at) = found {
            at
        } else {
            out.push(FlagLine {
                provider: row.provider.clone(),
                flag: row.flag.clone(),
                service: row.service.clone(),
                cells: vec![None; state.config.environments.len()],
                stale: stale(&row.provider),
            });
            out.len() - 1
        };
        out[at].cells[col] = Some(row);
    }
    out.sort_by(|a, b| {
        (service_rank(a.service.as_deref()), &a.flag, &a.provider).cmp(&(
            service_rank(b.service.as_deref()),
            &b.flag,
            &b.provider,
        ))
    });
    out
}

/// The line under the Flags view's cursor and the environment of the column under it.
pub fn selected(state: &State) -> Option<(FlagLine, String)> {
    let mut lines = lines(state);
    if lines.is_empty() {
        return None;
    }
    let i = state.cursor("flags").min(lines.len() - 1);
    let env = state
        .config
        .environments
        .get(
            state
                .col
                .min(state.config.environments.len().saturating_sub(1)),
        )?
        .name
        .clone();
    Some((lines.swap_remove(i), env))
}

/// What a flag service's latest read says: `None` when it was read; else the fault, and when
/// its last good read was (what the rows show meanwhile).
pub fn fault<'a>(
    state: &'a State,
    spec: &FlagService,
) -> Option<(&'a FlagFault, Option<jiff::Timestamp>)> {
    let fault = state.flags.get(&spec.name)?.result.as_ref().err()?;
    Some((fault, state.flags_seen.get(&spec.name).map(|r| r.at)))
}

/// The flag services whose flags include some of `service`'s and that map `env`.
pub fn services_for<'a>(
    state: &'a State,
    service: &'a str,
    env: &'a str,
) -> impl Iterator<Item = &'a FlagService> {
    state
        .config
        .flags
        .iter()
        .filter(move |spec| spec.services.contains_key(service) && spec.service_env(env).is_some())
}
