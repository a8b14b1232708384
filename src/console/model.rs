//! What the board shows, derived from [`State`]: pure queries the views and `update` share.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::console::state::{State, TargetKey};
use crate::domain::config::Freeze;
use crate::domain::drift::{drift, drift_of};
use crate::domain::ledger::{Deployment, DeploymentState};
use crate::domain::observation::{Health, Observation};
use crate::domain::release::Release;
use crate::domain::running::{Running, running_here};

/// One cell of the board: a service in an environment.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell<'a> {
    /// The release it runs: the matched release, else (before any probe answered) the last
    /// successful deployment's release. A version that matches no release is no release: see
    /// `running`.
    pub release: Option<String>,
    /// What runs here, by the one rule `status` and plans share.
    pub running: Running,
    pub health: Health,
    /// No probe answered yet.
    pub checking: bool,
    /// When the running release got there (its successful deployment, else its tag date).
    pub since: Option<Timestamp>,
    pub drift: bool,
    pub in_flight: Option<&'a Deployment>,
    /// The last deployment here failed (offers `r`).
    pub failed: Option<&'a Deployment>,
    pub observation: Option<&'a Observation>,
}

/// Services whose name contains the filter (case-insensitive), in configuration order.
pub fn visible_services(state: &State) -> Vec<&str> {
    let filter = state.filter.to_lowercase();
    state
        .config
        .services
        .iter()
        .map(|s| s.name.as_str())
        .filter(|n| filter.is_empty() || n.to_lowercase().contains(&filter))
        .collect()
}

/// How many rows the board has: the visible trains, then the visible services.
pub fn board_rows(state: &State) -> usize {
    crate::console::trains::visible(state).len() + visible_services(state).len()
}

/// The target under the board cursor (`None` on a train row: see [`crate::console::trains`]).
pub fn selected(state: &State) -> Option<TargetKey> {
    let services = visible_services(state);
    let row = state
        .row
        .checked_sub(crate::console::trains::visible(state).len())?;
    let service = services.get(row.min(services.len().saturating_sub(1)))?;
    let env = state.config.environments.get(
        state
            .col
            .min(state.config.environments.len().saturating_sub(1)),
    )?;
    Some(TargetKey::new(service, &env.name))
}

/// The deployments of one target the board needs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Latest<'a> {
    pub last: Option<&'a Deployment>,
    pub last_ok: Option<&'a Deployment>,
    pub in_flight: Option<&'a Deployment>,
}

/// Deployments by target, indexed in one pass over the ledger so a frame of the board does not
/// scan the whole log once per cell.
#[derive(Debug, Default)]
pub struct Deploys<'a> {
    by_target: HashMap<(&'a str, &'a str), Latest<'a>>,
}

impl<'a> Deploys<'a> {
    pub fn new(state: &'a State) -> Deploys<'a> {
        let mut by_target: HashMap<(&str, &str), Latest> = HashMap::new();
        for d in state.ledger.deployments() {
            let latest = by_target.entry((&d.service, &d.env)).or_default();
            latest.last = Some(d);
            match d.state {
                DeploymentState::Succeeded { .. } => latest.last_ok = Some(d),
                DeploymentState::InFlight => latest.in_flight = Some(d),
                DeploymentState::Failed { .. } => {}
            }
        }
        Deploys { by_target }
    }

    pub fn get(&self, service: &str, env: &str) -> Latest<'a> {
        self.by_target
            .get(&(service, env))
            .copied()
            .unwrap_or_default()
    }
}

/// One cell, looking its deployments up in the ledger (see [`cell_in`] for a whole frame).
pub fn cell<'a>(state: &'a State, service: &str, env: &str) -> Cell<'a> {
    let latest = Latest {
        last: state
            .ledger
            .deployments()
            .iter()
            .rev()
            .find(|d| d.service == service && d.env == env),
        last_ok: state.ledger.last_successful(service, env),
        in_flight: state.ledger.in_flight(service, env),
    };
    cell_from(state, latest, service, env)
}

/// One cell, its deployments taken from a frame's index.
pub fn cell_in<'a>(state: &'a State, deploys: &Deploys<'a>, service: &str, env: &str) -> Cell<'a> {
    cell_from(state, deploys.get(service, env), service, env)
}

fn cell_from<'a>(state: &'a State, latest: Latest<'a>, service: &str, env: &str) -> Cell<'a> {
    let observation = state.observation(service, env);
    let last_ok = latest.last_ok;
    let releases = state.releases.get(service).map_or(&[][..], Vec::as_slice);
    let running = running_here(observation, releases, last_ok);
    let release = running
        .release_on_board(observation.is_some())
        .map(str::to_string);
    let since = release.as_deref().and_then(|name| {
        last_ok
            .filter(|d| d.release == name)
            .and_then(|d| match d.state {
                DeploymentState::Succeeded { at } => Some(at),
                _ => None,
            })
            .or_else(|| find_release(state, service, name).map(|r| r.date))
    });
    let in_flight = latest.in_flight;
    // While a deployment is in flight its release shows up before its success is recorded.
    let drift = in_flight.is_none()
        && observation
            .is_some_and(|o| drift(o, last_ok) && drift_of(o, &state.ledger, service, env));
    Cell {
        release,
        running,
        health: observation.map_or(Health::Unknown, |o| o.health),
        checking: observation.is_none(),
        since,
        drift,
        in_flight,
        failed: latest
            .last
            .filter(|d| matches!(d.state, DeploymentState::Failed { .. })),
        observation,
    }
}

pub fn find_release<'a>(state: &'a State, service: &str, name: &str) -> Option<&'a Release> {
    state.releases.get(service)?.iter().find(|r| r.name == name)
}

/// How many commits on HEAD touch `service`'s paths since its newest release; `None` until
/// read (or when they could not be).
pub fn unreleased_count(state: &State, service: &str) -> Option<usize> {
    match state.unreleased.get(service) {
        Some(Ok(u)) => Some(u.commits.len()),
        _ => None,
    }
}

/// The release that would enter `env` next: what runs in the previous environment, or for the
/// first environment the newest release; `None` when that is already what runs there.
pub fn candidate<'a>(state: &'a State, service: &str, env: &str) -> Option<&'a Release> {
    candidate_with(state, service, env, |e| cell(state, service, e).release)
}

/// [`candidate`] with deployments from a frame's index.
pub fn candidate_in<'a>(
    state: &'a State,
    deploys: &Deploys<'a>,
    service: &str,
    env: &str,
) -> Option<&'a Release> {
    candidate_with(state, service, env, |e| {
        cell_in(state, deploys, service, e).release
    })
}

fn candidate_with<'a>(
    state: &'a State,
    service: &str,
    env: &str,
    running_in: impl Fn(&str) -> Option<String>,
) -> Option<&'a Release> {
    let running = running_in(env);
    let next = match state.config.previous_environment(env) {
        Some(prev) => {
            let name = running_in(&prev.name)?;
            find_release(state, service, &name)?
        }
        None => state.releases.get(service)?.first()?,
    };
    (running.as_deref() != Some(next.name.as_str())).then_some(next)
}

/// The release a checklist or the release view is about for a cell: the candidate if there is
/// one, else what runs there.
pub fn subject<'a>(state: &'a State, service: &str, env: &str) -> Option<&'a Release> {
    candidate(state, service, env).or_else(|| {
        let name = cell(state, service, env).release?;
        find_release(state, service, &name)
    })
}

/// Every pending promotion among the visible services, in board order.
pub fn promotions(state: &State) -> Vec<(TargetKey, &Release)> {
    let mut out = Vec::new();
    for service in visible_services(state) {
        for env in &state.config.environments {
            if let Some(r) = candidate(state, service, &env.name) {
                out.push((TargetKey::new(service, &env.name), r));
            }
        }
    }
    out
}

/// A freeze covering `env` now or later (the badge), the active one first.
pub fn freeze_for<'a>(state: &'a State, env: &str) -> Option<&'a Freeze> {
    let mut relevant: Vec<&Freeze> = state
        .config
        .freezes
        .iter()
        .filter(|f| f.environments.iter().any(|e| e == env) && f.until > state.now)
        .collect();
    relevant.sort_by_key(|f| f.from);
    relevant.first().copied()
}

/// Whether a deployment is in flight anywhere (quitting asks first).
pub fn any_in_flight(state: &State) -> bool {
    state
        .ledger
        .deployments()
        .iter()
        .any(|d| d.state == DeploymentState::InFlight)
        || state.ops.values().any(|o| {
            matches!(
                o.kind,
                crate::console::state::OpKind::Promote(_)
                    | crate::console::state::OpKind::Rollout(_)
            )
        })
}

/// "3h", "2d", "45s": the largest unit of the time since `at`.
pub fn age(now: Timestamp, at: Timestamp) -> String {
    let secs = now.as_second().saturating_sub(at.as_second()).max(0);
    compact(secs)
}

/// "12s", "4m", "3h", "2d".
pub fn compact(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// "1m05s" for countdowns, precise to the second.
pub fn countdown(now: Timestamp, until: Timestamp) -> String {
    let secs = until.as_second().saturating_sub(now.as_second()).max(0);
    if secs >= 3600 {
        format!("{}h{:02}m", secs / 3600, (secs % 3600) / 60)
    } else if secs >= 60 {
        format!("{}m{:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

/// One row of the gates view: a gate of a pending promotion (or the promotion itself while its
/// gates are being evaluated).
#[derive(Debug, Clone)]
pub struct GateRow<'a> {
    pub key: TargetKey,
    pub release: &'a Release,
    /// Index into the plan's gates; `None` while evaluating.
    pub gate: Option<usize>,
}

pub fn gate_rows(state: &State) -> Vec<GateRow<'_>> {
    let mut rows = Vec::new();
    for (key, release) in promotions(state) {
        let gates = state
            .plans
            .get(&key)
            .filter(|p| p.release.name == release.name)
            .map_or(0, |p| p.report.gates.len());
        if gates == 0 {
            rows.push(GateRow {
                key,
                release,
                gate: None,
            });
        } else {
            for i in 0..gates {
                rows.push(GateRow {
                    key: key.clone(),
                    release,
                    gate: Some(i),
                });
            }
        }
    }
    rows
}

/// The checklist the environment's `checklist` gate names, if it has one.
pub fn checklist_name<'a>(state: &'a State, env: &str) -> Option<&'a str> {
    state
        .config
        .environment(env)?
        .gates
        .iter()
        .find_map(|g| match &g.rule {
            crate::domain::config::GateRule::Checklist { name } => Some(name.as_str()),
            _ => None,
        })
}

/// The checklist of the selected cell: its target, the release it is about, and the template.
pub fn selected_checklist(
    state: &State,
) -> Option<(
    TargetKey,
    &Release,
    &crate::domain::config::ChecklistTemplate,
)> {
    let key = selected(state)?;
    let release = subject(state, &key.service, &key.env)?;
    let template = state
        .config
        .checklists
        .get(checklist_name(state, &key.env)?)?;
    Some((key, release, template))
}

/// The selected cell's checklist as it stands: recorded ticks and notes, and each `auto` item's
/// fact derived from git, the log and the target's latest observation (as `checklist show`
/// says it); reading it records nothing.
pub fn selected_progress(
    state: &State,
) -> Option<(
    TargetKey,
    &Release,
    crate::domain::checklist::ChecklistProgress,
)> {
    let (key, release, template) = selected_checklist(state)?;
    let progress = crate::domain::checklist::state(
        template,
        &state.ledger,
        &key.service,
        release,
        &key.env,
        state.observation(&key.service, &key.env),
    );
    Some((key, release, progress))
}
