//! A slotted target's promotion or rollback carried out whole by a caller that does not stop in
//! between (a train's member): the driver taken, the deploy to the idle slot (a rollback
//! switches to the slot that already runs the release healthy, when one does), then every step
//! with its pauses and analysis (a rollback: straight to 100 %).

use crate::app::actions::plan::Plan;
use crate::app::actions::traffic::take_driver;
use crate::app::context::Context;
use crate::app::failure::Failure;
use crate::domain::rollout::Rollout;
use crate::domain::traffic::Step;

use super::{Begin, Mode, begin, drive, slot_running};

/// A rollout carried out whole: its deployment, once begun, and how the driving ended.
pub struct Carried {
    /// The deployment the rollout belongs to (the deployer was called, or traffic switched).
    pub deployment: String,
    /// The rollout at its end, or why it stopped (aborted, failed, router unreachable).
    pub outcome: Result<Rollout, Failure>,
}

/// Carries out `plan` on its slotted target. `Err` when the rollout could not begin (another
/// driver, a refused deploy call): then nothing moved, unless the log says the call was made.
pub async fn carry(
    ctx: &Context,
    plan: &Plan,
    progress: &mut dyn FnMut(&str),
) -> Result<Carried, Failure> {
    let _driver = take_driver(ctx, &plan.service, &plan.env)?;
    let (to, mode, steps) = if plan.rollback {
        let to = slot_running(ctx, &plan.service, &plan.env, &plan.release).await?;
        let whole = vec![Step {
            weight: 100,
            pause: std::time::Duration::ZERO,
        }];
        (to, Mode::Full, Some(whole))
    } else {
        (None, Mode::Steps, None)
    };
    let deploy = to.is_none();
    if let Some(slot) = &to {
        progress(&format!(
            "backout is a switch: slot {slot} runs {} healthy (no deploy)",
            plan.release.name
        ));
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    let begun = begin(ctx, plan, &Begin { deploy, to, steps }, tx).await;
    while let Ok(line) = rx.try_recv() {
        progress(&format!("| {line}"));
    }
    let deployment = begun?;
    let outcome = drive(ctx, &plan.service, &plan.env, mode, progress).await;
    Ok(Carried {
        deployment,
        outcome,
    })
}
