//! `q`: quit, asking first while a deployment is in flight.

use crate::console::effect::Effect;
use crate::console::model;
use crate::console::overlay::{Confirm, Confirmed, Overlay};
use crate::console::state::State;

pub fn start(state: &mut State) -> Vec<Effect> {
    if model::any_in_flight(state) {
        let mut confirm = Confirm::new(
            Confirmed::Quit,
            "Quit while a deployment is in flight?",
            vec![
                "The deployment goes on without the console; whoever looks next (this \
                 console, `shipdeck status`) records its outcome."
                    .into(),
            ],
        );
        if state
            .ops
            .values()
            .any(|o| matches!(o.kind, crate::console::state::OpKind::Rollout(_)))
        {
            confirm.lines.push(
                "A rollout this console drives stops where it is (a canary keeps its weight) \
                 and shows `paused: nobody driving` until someone resumes it (] in a console, \
                 `shipdeck rollout --resume`) or aborts it."
                    .into(),
            );
        }
        confirm.lines.push("Enter or y quits; Esc stays.".into());
        state.overlay = Some(Overlay::Confirm(Box::new(confirm)));
        Vec::new()
    } else {
        confirmed(state)
    }
}

pub fn confirmed(state: &mut State) -> Vec<Effect> {
    state.quitting = true;
    vec![Effect::Quit]
}
