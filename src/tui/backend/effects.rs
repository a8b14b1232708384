//! Performing effects: each one a task through the same headless actions the CLI uses
//! (`app::actions`), so every console action records exactly what the command records.

use std::sync::Arc;

use jiff::Timestamp;
use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

use super::startup::{Live, announce_releases, load_releases};
use super::sync::sync_shared_log;
use crate::app::actions;
use crate::app::context::Context;
use crate::console::effect::Effect;
use crate::console::msg::{Msg, OpResult};
use crate::console::state::TargetKey;
use crate::domain::observation::Observation;
use crate::domain::release::Release;
use crate::probe::Prober;
use crate::tui::runner::Backend;

pub(super) async fn plan_for(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    rollback: bool,
    observations: &[Observation],
) -> Result<actions::Plan, crate::app::Failure> {
    if rollback {
        actions::rollback_plan(ctx, service, release, env, observations).await
    } else {
        actions::plan(ctx, service, release, env, observations).await
    }
}

/// Runs blocking `work` on the blocking pool and sends its answer for `op`.
fn blocking<T: Send + 'static>(
    tx: &UnboundedSender<Msg>,
    op: u64,
    wrap: fn(Result<T, String>) -> OpResult,
    work: impl FnOnce() -> Result<T, String> + Send + 'static,
) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let result = tokio::task::spawn_blocking(work)
            .await
            .unwrap_or_else(|e| Err(format!("internal error: {e}")));
        let _ = tx.send(Msg::OpFinished {
            op,
            result: wrap(result),
        });
    });
}

/// Runs `work`, an engine future, as a task and sends its answer for `op`.
fn spawned<T: Send + 'static>(
    tx: &UnboundedSender<Msg>,
    op: u64,
    wrap: fn(Result<T, String>) -> OpResult,
    work: impl std::future::Future<Output = Result<T, crate::app::Failure>> + Send + 'static,
) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let result = work.await.map_err(|f| f.to_string());
        let _ = tx.send(Msg::OpFinished {
            op,
            result: wrap(result),
        });
    });
}

/// Runs `work` — an engine future that need not be `Send` (a train run reports progress through
/// a borrowed callback) — on a blocking thread driving it on the runtime, and sends its answer.
fn on_runtime<
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, crate::app::Failure>>,
>(
    tx: &UnboundedSender<Msg>,
    op: u64,
    wrap: fn(Result<T, String>) -> OpResult,
    work: impl FnOnce() -> F + Send + 'static,
) {
    let tx = tx.clone();
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let result = runtime.block_on(work()).map_err(|f| f.to_string());
        let _ = tx.send(Msg::OpFinished {
            op,
            result: wrap(result),
        });
    });
}

impl Backend for Live {
    fn perform(&self, effect: Effect, tx: &UnboundedSender<Msg>) {
        let ctx = self.ctx.clone();
        match effect {
            Effect::LoadPlan {
                op,
                service,
                release,
                env,
                rollback,
            } => {
                let observations = self.observations();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let plan = plan_for(&ctx, &service, &release, &env, rollback, &observations)
                        .await
                        .map_err(|f| f.to_string());
                    let _ = tx.send(Msg::OpFinished {
                        op,
                        result: OpResult::Plan(plan),
                    });
                });
            }
            Effect::Promote {
                op,
                service,
                release,
                env,
                rollback,
            } => {
                let (otx, mut orx) = unbounded_channel::<String>();
                let lines = tx.clone();
                tokio::spawn(async move {
                    while let Some(line) = orx.recv().await {
                        if lines.send(Msg::DeployOutput { op, line }).is_err() {
                            return;
                        }
                    }
                });
                let observations = self.observations();
                let tx = tx.clone();
                tokio::spawn(async move {
                    // Planned again now: the gates are checked as they stand at this moment.
                    let result =
                        match plan_for(&ctx, &service, &release, &env, rollback, &observations)
                            .await
                        {
                            Ok(plan) => actions::promote(&ctx, &plan, otx).await,
                            Err(f) => Err(f),
                        }
                        .map_err(|f| f.to_string());
                    let _ = tx.send(Msg::OpFinished {
                        op,
                        result: OpResult::Deploying(result),
                    });
                });
            }
            Effect::RollbackTarget { op, service, env } => {
                let observations = self.observations();
                blocking(tx, op, OpResult::RollbackTarget, move || {
                    actions::rollback_target(&ctx, &service, &env, None, &observations)
                        .map_err(|f| f.to_string())
                });
            }
            Effect::Approve { op, .. }
            | Effect::Override { op, .. }
            | Effect::Tick { op, .. }
            | Effect::Note { op, .. } => {
                let Some(decision) = effect.decision() else {
                    return;
                };
                blocking(tx, op, OpResult::Recorded, move || {
                    actions::record(&ctx, &decision, &[]).map_err(|f| f.to_string())
                });
            }
            Effect::Tag {
                op, ref service, ..
            } => {
                let (Some(decision), service) = (effect.decision(), service.clone()) else {
                    return;
                };
                let tx = tx.clone();
                // A new tag is a new release and ends the unreleased run: both read again.
                tokio::spawn(async move {
                    let c = ctx.clone();
                    let result = tokio::task::spawn_blocking(move || {
                        actions::record(&c, &decision, &[]).map_err(|f| f.to_string())
                    })
                    .await
                    .unwrap_or_else(|e| Err(format!("internal error: {e}")));
                    let tagged = result.is_ok();
                    let _ = tx.send(Msg::OpFinished {
                        op,
                        result: OpResult::Recorded(result),
                    });
                    if !tagged {
                        return;
                    }
                    let c = ctx.clone();
                    let name = service.clone();
                    let releases =
                        tokio::task::spawn_blocking(move || actions::releases(&c, &name))
                            .await
                            .map_err(|e| e.to_string())
                            .and_then(|r| r.map_err(|f| f.to_string()));
                    announce_releases(&ctx, vec![(service, releases)], &tx).await;
                });
            }
            Effect::NextVersions { op, service } => {
                blocking(tx, op, OpResult::NextVersions, move || {
                    Ok((service.clone(), actions::next_versions(&ctx, &service)))
                });
            }
            Effect::Changelog {
                op,
                service,
                from,
                to,
            } => {
                let observations = self.observations();
                blocking(tx, op, OpResult::Changelog, move || {
                    actions::changelog(&ctx, &service, &from, &to, &observations)
                        .map(|c| c.commits)
                        .map_err(|f| f.to_string())
                });
            }
            Effect::Notes {
                op,
                service,
                release,
                env,
            } => {
                let observations = self.observations();
                // The notes as they stand: the latest hand edit, else the draft.
                blocking(tx, op, OpResult::Notes, move || {
                    actions::current_notes(&ctx, &service, &release, Some(&env), &observations)
                        .map(|n| n.markdown)
                        .map_err(|f| f.to_string())
                });
            }
            Effect::SaveNotes {
                op,
                service,
                release,
                before,
                after,
            } => blocking(tx, op, OpResult::NotesSaved, move || {
                actions::record_edit(&ctx, &service, &release, &before, &after)
                    .map(|e| e.is_some())
                    .map_err(|f| f.to_string())
            }),
            Effect::PublishNotes {
                op,
                service,
                release,
                env,
            } => {
                let observations = self.observations();
                let tx = tx.clone();
                tokio::spawn(async move {
                    let result = publish_current(&ctx, &service, &release, &env, &observations)
                        .await
                        .map_err(|f| f.to_string());
                    let _ = tx.send(Msg::OpFinished {
                        op,
                        result: OpResult::Published(result),
                    });
                });
            }
            Effect::Settle { observations } => {
                let tx = tx.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(f) = actions::settle(&ctx, &observations, Timestamp::now()) {
                        let _ = tx.send(Msg::Problem(f.to_string()));
                    }
                });
            }
            Effect::Refresh => {
                self.with_prober(Prober::refresh_now);
                self.read_traffic_now();
                self.refresh_flags();
                sync_shared_log(&ctx, tx);
                let tx = tx.clone();
                tokio::spawn(async move {
                    let loaded = load_releases(&ctx).await;
                    announce_releases(&ctx, loaded, &tx).await;
                });
            }
            Effect::TrainPlan {
                op,
                train,
                release,
                env,
            } => {
                let observations = self.observations();
                on_runtime(tx, op, OpResult::TrainPlan, move || async move {
                    let r = actions::train::train_release(&ctx, &train, &release)?;
                    actions::train::plan(&ctx, &r, &env, &observations).await
                });
            }
            Effect::TrainPromote {
                op,
                train,
                release,
                env,
            } => {
                let observations = self.observations();
                let lines = tx.clone();
                on_runtime(tx, op, OpResult::TrainRun, move || async move {
                    // Planned again now: every member's gates as they stand at this moment.
                    let r = actions::train::train_release(&ctx, &train, &release)?;
                    let plan = actions::train::plan(&ctx, &r, &env, &observations).await?;
                    let mut say = |line: &str| {
                        let _ = lines.send(Msg::TrainProgress(line.to_string()));
                    };
                    actions::train_promote::promote_train(&ctx, &plan, &mut say).await
                });
            }
            Effect::TrainBackout {
                op,
                train,
                release,
                env,
            } => {
                let observations = self.observations();
                let lines = tx.clone();
                on_runtime(tx, op, OpResult::TrainRun, move || async move {
                    let mut say = |line: &str| {
                        let _ = lines.send(Msg::TrainProgress(line.to_string()));
                    };
                    actions::train_promote::backout(
                        &ctx,
                        &train,
                        &release,
                        &env,
                        &observations,
                        &mut say,
                    )
                    .await
                });
            }
            Effect::TrainCut { op, train, env } => {
                let observations = self.observations();
                blocking(tx, op, OpResult::TrainCut, move || {
                    actions::train::cut(
                        &ctx,
                        &train,
                        &actions::train::CutFrom::Env(env),
                        &observations,
                    )
                    .map_err(|f| f.to_string())
                });
            }
            Effect::FastProbe { service, env, on } => {
                self.with_prober(|p| p.fast(&service, &env, on));
            }
            Effect::Rollout {
                op,
                service,
                env,
                action,
            } => super::rollout::perform(
                ctx,
                self.drivers.clone(),
                self.observations().to_vec(),
                (op, service, env),
                action,
                tx,
            ),
            Effect::NextStepNow { service, env } => {
                self.drivers.next_now(&TargetKey::new(&service, &env));
            }
            Effect::ReadTraffic => self.read_traffic_now(),
            Effect::LoadRolloutPlan {
                op,
                service,
                release,
                env,
                running,
            } => {
                spawned(tx, op, OpResult::RolloutPlan, async move {
                    actions::rollout::preview(
                        &ctx,
                        &service,
                        &release,
                        &env,
                        running.as_deref(),
                        None,
                    )
                    .await
                });
            }
            Effect::PlanFlag {
                op,
                flag,
                env,
                action,
            } => {
                let client = self.flag_client.clone();
                spawned(tx, op, OpResult::FlagPlan, async move {
                    actions::plan_flag(&ctx, &client, &flag, &env, action)
                        .await
                        .map(Box::new)
                });
            }
            Effect::ChangeFlag {
                op,
                flag,
                env,
                action,
                reason,
            } => {
                let client = self.flag_client.clone();
                spawned(tx, op, OpResult::FlagChanged, async move {
                    change_flag(&ctx, &client, (&flag, &env, action), reason)
                        .await
                        .map(Box::new)
                });
            }
            Effect::Insights {
                op,
                days,
                until,
                service,
            } => {
                // Reads the log and walks git: on the blocking pool, never the UI thread.
                blocking(tx, op, OpResult::Insights, move || {
                    let request = crate::app::insights::Request {
                        since: jiff::SignedDuration::from_hours(24 * i64::from(days)),
                        until,
                        service,
                        env: None,
                    };
                    crate::app::insights::gather(&ctx, &request)
                        .map(Box::new)
                        .map_err(|f| f.to_string())
                });
            }
            // The runner performs the editor itself (it owns the terminal), and quitting is the
            // state's: neither reaches a backend.
            Effect::EditNotes { .. } | Effect::Quit => {}
        }
    }
}

/// A flag change as `shipdeck flag` makes it: planned against a fresh read (nothing to do:
/// no outcome), refused by a freeze when it raises exposure unless `reason` passes it, then
/// sent, read back, recorded.
async fn change_flag(
    ctx: &Context,
    client: &reqwest::Client,
    (flag, env, action): (&str, &str, crate::domain::flag_change::FlagAction),
    reason: Option<String>,
) -> Result<(actions::FlagPlan, Option<actions::FlagOutcome>), crate::app::Failure> {
    let plan = actions::plan_flag(ctx, client, flag, env, action).await?;
    if plan.direction == crate::domain::flag_change::Direction::Same {
        return Ok((plan, None));
    }
    let freeze_override = actions::freeze_blocks(&plan, reason.as_deref())?;
    let outcome = actions::change_flag(ctx, client, &plan, None, freeze_override).await?;
    Ok((plan, Some(outcome)))
}

/// Publishes the release's current notes; (every channel succeeded, one line per channel).
async fn publish_current(
    ctx: &Arc<Context>,
    service: &str,
    release: &Release,
    env: &str,
    observations: &[Observation],
) -> Result<(bool, Vec<String>), crate::app::Failure> {
    let notes = {
        let (ctx, service, release, env) = (
            ctx.clone(),
            service.to_string(),
            release.clone(),
            env.to_string(),
        );
        let observations = observations.to_vec();
        tokio::task::spawn_blocking(move || {
            actions::current_notes(&ctx, &service, &release, Some(&env), &observations)
        })
        .await
        .map_err(|e| crate::app::Failure::failed(format!("reading the notes failed: {e}")))??
    };
    let publication =
        actions::publish(ctx, service, release, Some(env), &notes.markdown, &[]).await?;
    let lines = publication
        .deliveries
        .iter()
        .map(|d| {
            let mark = if d.ok { "✓" } else { "✗" };
            format!("{mark} {} {}", d.channel, d.detail)
        })
        .collect();
    Ok((publication.ok(), lines))
}
