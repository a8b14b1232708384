//! Targets that are down, as the board, the status bar and the target view say it: why (from
//! the latest observation), when the next probe is due (a countdown from the console's `now`),
//! and how many are unreachable or failing in each environment.

use crate::console::model;
use crate::console::state::State;
use crate::domain::observation::Health;

/// The failures in a row and the countdown to the next probe (`3s`, `now`) of a failing
/// target; `None` while it is not retrying.
pub fn retry(state: &State, service: &str, env: &str) -> Option<(u32, String)> {
    let retry = state.target(service, env)?.retrying?;
    let left = if retry.at > state.now {
        model::countdown(state.now, retry.at)
    } else {
        "now".to_string()
    };
    Some((retry.attempt, left))
}

/// "1 unreachable in prod", "2 failing in staging", per environment in path order, among the
/// visible services.
pub fn summary(state: &State) -> Vec<String> {
    let services = model::visible_services(state);
    let mut out = Vec::new();
    for env in &state.config.environments {
        // One look at each target counts both.
        let (mut unreachable, mut failing) = (0, 0);
        for s in &services {
            match state.observation(s, &env.name).map(|o| o.health) {
                Some(Health::Unreachable) => unreachable += 1,
                Some(Health::Fail) => failing += 1,
                _ => {}
            }
        }
        for (n, word) in [(unreachable, "unreachable"), (failing, "failing")] {
            if n > 0 {
                out.push(format!("{n} {word} in {}", env.name));
            }
        }
    }
    out
}
