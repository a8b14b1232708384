//! `update(&mut State, Msg) -> Vec<Effect>`: the console's only way to change. Never awaits.
//! A routing table: keys go to the key map (`keys`), answers to the flow that asked
//! (`results`), the live world (ticks, probes, the log, releases) to `live`.

use crate::console::effect::Effect;
use crate::console::key::KeyEventKind;
use crate::console::keys;
use crate::console::live;
use crate::console::msg::{Hit, Msg};
use crate::console::results;
use crate::console::state::{Level, State, View};

/// Applies one message; returns what the outside world should do about it.
pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            if key.kind != KeyEventKind::Press {
                return Vec::new();
            }
            state.dirty = true;
            keys::on_key(state, key)
        }
        Msg::Click(hit) => {
            state.dirty = true;
            on_click(state, hit);
            crate::console::insights::ask_if_open(state)
        }
        Msg::Scroll(delta) => {
            state.dirty = true;
            keys::scroll(state, delta);
            crate::console::insights::ask_if_open(state)
        }
        Msg::Resize(w, h) => {
            state.size = (w, h);
            state.dirty = true;
            Vec::new()
        }
        Msg::OpFinished { op, result } => {
            let Some(entry) = state.ops.remove(&op) else {
                // The answer to a superseded request.
                return Vec::new();
            };
            state.dirty = true;
            let mut effects = results::on_result(state, op, entry, result);
            if state.plans_stale && !live::plans_in_flight(state) {
                effects.extend(live::refresh_plans(state));
            }
            effects
        }
        Msg::Tick(now) => live::on_tick(state, now),
        Msg::Observed(observation) => live::on_observed(state, observation),
        Msg::Retrying {
            service,
            env,
            attempt,
            next_at,
        } => live::on_retrying(state, &service, &env, attempt, next_at),
        Msg::LogChanged(events) => live::on_log(state, events),
        Msg::ReleasesLoaded { service, releases } => live::on_releases(state, service, releases),
        Msg::TrainProgress(line) => {
            state.toast(Level::Info, line);
            state.dirty = true;
            Vec::new()
        }
        Msg::UnreleasedLoaded {
            service,
            unreleased,
        } => {
            state.unreleased.insert(service, unreleased);
            state.dirty = true;
            Vec::new()
        }
        Msg::Problem(text) => {
            state.toast(Level::Error, text);
            state.dirty = true;
            Vec::new()
        }
        Msg::Synced { badge, warnings } => live::on_synced(state, badge, warnings),
        Msg::DeployOutput { op, line } => live::on_output(state, op, &line),
        Msg::FlagsRead(reading) => {
            crate::console::flags::on_read(state, reading);
            Vec::new()
        }
        Msg::TrafficRead(reading) => crate::console::traffic::on_read(state, reading),
        Msg::RolloutEnded { op, result } => {
            crate::console::flows::rollout::ended(state, op, result)
        }
    }
}

fn on_click(state: &mut State, hit: Hit) {
    match hit {
        Hit::Tab(view) => {
            state.overlay = None;
            state.view = view;
        }
        Hit::Cell(row, col) => {
            if state.row == row && state.col == col && state.view == View::Board {
                state.view = View::Target;
            }
            state.row = row;
            state.col = col;
        }
        Hit::Row(row) => keys::set_cursor(state, row),
    }
}
