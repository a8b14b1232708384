//! `a`: approve a release for an environment — the confirmation naming the commit it is bound
//! to, then the recorded event (`flows::recorded`).

use crate::console::effect::Effect;
use crate::console::flows::resolve;
use crate::console::model;
use crate::console::overlay::{Confirm, Confirmed, Overlay};
use crate::console::state::{Level, OpKind, State};
use crate::domain::commit_id::short;
use crate::domain::release::Release;

pub fn start(state: &mut State, service: &str, release: Option<&str>, env: &str) -> Vec<Effect> {
    let release = match release {
        Some(_) => resolve(state, service, release, env),
        None => model::subject(state, service, env),
    };
    let Some(release) = release.cloned() else {
        state.toast(
            Level::Error,
            format!("no release of {service} to approve for {env}: none waits and none runs there"),
        );
        return Vec::new();
    };
    let lines = vec![
        format!("You ({}) approve {} for {env}.", state.user, release.name),
        format!(
            "The approval is bound to commit {}; if the tag moves, it no longer counts.",
            short(&release.commit)
        ),
        "Enter or y records it; Esc cancels.".into(),
    ];
    let confirm = Confirm::new(
        Confirmed::Approve {
            service: service.to_string(),
            release: release.clone(),
            env: env.to_string(),
        },
        format!("Approve {} for {env}", release.name),
        lines,
    );
    state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
    Vec::new()
}

pub fn confirmed(state: &mut State, service: String, release: Release, env: String) -> Vec<Effect> {
    let op = state.start_op(
        OpKind::Record(format!("approved {} for {env}", release.name)),
        "approving",
    );
    vec![Effect::Approve {
        op,
        service,
        release,
        env,
    }]
}
