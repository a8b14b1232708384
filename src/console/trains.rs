//! Trains on the board: a row per train above the services, a cell per environment saying which
//! train release runs there and how its latest promotion there stands. Pure queries over
//! [`State`]; the board's rows are the visible trains first, then the visible services.

use crate::console::cell::{Badge, BoardCell, Mark, Tone};
use crate::console::model;
use crate::console::state::State;
use crate::domain::sanitize::sanitize;
use crate::domain::train::{MemberState, Train, TrainPromotion, TrainRelease};

/// The trains shown: all of them, or under a filter those with a member (or a name) matching.
pub fn visible(state: &State) -> Vec<&Train> {
    let filter = state.filter.to_lowercase();
    state
        .config
        .trains
        .iter()
        .filter(|t| {
            filter.is_empty()
                || t.name.to_lowercase().contains(&filter)
                || t.services
                    .iter()
                    .any(|s| s.to_lowercase().contains(&filter))
        })
        .collect()
}

/// The train and environment under the board cursor, when the cursor is on a train row.
pub fn selected(state: &State) -> Option<(String, String)> {
    let trains = visible(state);
    let train = trains.get(state.row)?;
    let env = state.config.environments.get(
        state
            .col
            .min(state.config.environments.len().saturating_sub(1)),
    )?;
    Some((train.name.clone(), env.name.clone()))
}

/// The newest train release whose every member runs its pinned release in `env`.
pub fn running<'a>(state: &'a State, train: &str, env: &str) -> Option<&'a TrainRelease> {
    state.trains.releases_of(train).into_iter().find(|r| {
        r.members.iter().all(|m| {
            model::cell(state, &m.service, env).release.as_deref() == Some(m.release.as_str())
        })
    })
}

/// The train release `p` on (train, env) promotes: what runs as a whole in the previous
/// environment, else (and for the first environment) the newest cut.
pub fn candidate<'a>(state: &'a State, train: &str, env: &str) -> Option<&'a TrainRelease> {
    let envs = &state.config.environments;
    let at = envs.iter().position(|e| e.name == env)?;
    let previous = at
        .checked_sub(1)
        .and_then(|i| envs.get(i))
        .and_then(|e| running(state, train, &e.name));
    previous.or_else(|| state.trains.releases_of(train).into_iter().next())
}

/// The latest promotion (or backout) of `train` into `env`.
pub fn latest_promotion<'a>(
    state: &'a State,
    train: &str,
    env: &str,
) -> Option<&'a TrainPromotion> {
    state
        .trains
        .promotions()
        .iter()
        .rev()
        .find(|p| p.train == train && p.env == env)
}

/// One train cell, in the board-cell model: the train release running there (its head, fitted
/// to the width) and how its latest promotion there stands.
pub fn cell(state: &State, train: &Train, env: &str) -> BoardCell {
    let head = match running(state, &train.name, env) {
        Some(r) => Badge::new(sanitize(&r.name), Tone::Plain).fit(),
        None => Badge::new("members differ", Tone::Dim).fit(),
    };
    let status = latest_promotion(state, &train.name, env).map(|p| promotion_badge(state, p));
    BoardCell {
        head: vec![head],
        status,
    }
}

/// `promoting shop-…-1: 1/3 · api`, `✔ shop-…-1 5m ago`, `✖ api (api-v1.6.0) failed: …`.
fn promotion_badge(state: &State, p: &TrainPromotion) -> Badge {
    let verb = if p.backout {
        "backing out"
    } else {
        "promoting"
    };
    match &p.outcome {
        None => {
            let states = p.member_states(&state.ledger);
            let done = states
                .iter()
                .filter(|(_, s)| matches!(s, MemberState::Succeeded { .. }))
                .count();
            let current = states
                .iter()
                .find(|(_, s)| !matches!(s, MemberState::Succeeded { .. }))
                .map_or(String::new(), |(m, _)| format!(" · {}", m.service));
            Badge::new(
                format!(
                    "{verb} {}: {done}/{}{current}",
                    sanitize(&p.release),
                    states.len()
                ),
                Tone::Warn,
            )
            .marked(Mark::Spinner)
        }
        Some(o) if o.ok => Badge::new(
            format!(
                "✔ {}{} {} ago",
                if p.backout { "backed out " } else { "" },
                sanitize(&p.release),
                model::age(state.now, o.at)
            ),
            Tone::Good,
        ),
        Some(o) => Badge::new(format!("✖ {}", o.reason), Tone::Bad),
    }
}
