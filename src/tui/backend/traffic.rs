//! The router reads of slotted targets, like probes: one task per target on its probe interval,
//! and at once when asked (after a shift, `R`). Each reading arrives as `Msg::TrafficRead`; a
//! router that is unreachable, slow or answers garbage is in the reading, so the screen never
//! waits on it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::app::actions::traffic as slots;
use crate::app::context::Context;
use crate::console::msg::Msg;
use crate::probe::Target;

/// The running reads. Dropping it stops every task.
pub struct TrafficObserver {
    refresh: watch::Sender<u64>,
    _tasks: JoinSet<()>,
}

impl TrafficObserver {
    /// Starts one task per slotted target among `targets` (the probe targets).
    pub fn spawn(
        ctx: &Arc<Context>,
        targets: &[Target],
        observations: &Observations,
        tx: &UnboundedSender<Msg>,
    ) -> Option<TrafficObserver> {
        let (refresh, _) = watch::channel(0u64);
        let mut tasks = JoinSet::new();
        for target in targets {
            if ctx
                .config
                .exposure
                .traffic(&target.service, &target.env)
                .is_none()
            {
                continue;
            }
            tasks.spawn(run(
                ctx.clone(),
                target.clone(),
                observations.clone(),
                tx.clone(),
                refresh.subscribe(),
            ));
        }
        (!tasks.is_empty()).then_some(TrafficObserver {
            refresh,
            _tasks: tasks,
        })
    }

    /// Reads every router now.
    pub fn refresh_now(&self) {
        self.refresh.send_modify(|n| *n = n.wrapping_add(1));
    }
}

/// The backend's latest observation per target (plans and settling read them).
pub type Observations = Arc<Mutex<super::startup::Seen>>;

async fn run(
    ctx: Arc<Context>,
    target: Target,
    observations: Observations,
    tx: UnboundedSender<Msg>,
    mut refresh: watch::Receiver<u64>,
) {
    let Some(spec) = ctx
        .config
        .exposure
        .traffic(&target.service, &target.env)
        .cloned()
    else {
        return;
    };
    let interval = crate::domain::probed::interval(&ctx.config, &target.service, &target.env)
        .max(Duration::from_millis(100));
    loop {
        let (reading, live) =
            slots::reading_and_live(&ctx, &target.service, &target.env, &spec, &target).await;
        if tx.send(Msg::TrafficRead(reading)).is_err() {
            return;
        }
        // What users reach now, as the routed probe would say it (a shift just made shows at
        // once, and a rollback planned next goes from it).
        if let Some(o) = live {
            if let Ok(mut seen) = observations.lock() {
                seen.insert(o.clone());
            }
            if tx.send(Msg::Observed(o)).is_err() {
                return;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            changed = refresh.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}
