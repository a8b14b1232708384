//! Promotion and rollback: record, call the deployer once, verify, record the outcome.

use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::context::{Context, now};
use crate::app::failure::Failure;
use crate::deploy;
use crate::domain::event::{Event, Fact, outcome_id};
use crate::domain::ledger::{Deployment, DeploymentState, Ledger, NOTHING_CHANGED};
use crate::domain::observation::{Health, Observation};
use crate::domain::release::Release;
use crate::store;

use super::observe::{observe, observe_target, running_release};
use super::plan::{Plan, build, request, shared};
use super::query::{releases, resolve_release};

/// How often a waiting command looks at the target while a deployment is verified.
const VERIFY_POLL: Duration = Duration::from_secs(1);

/// The release a rollback of (service, env) goes back to: `to` when given, else the newest
/// release that deployed successfully there and is not what runs now, else what ran before the
/// latest deployment.
pub fn rollback_target(
    ctx: &Context,
    service: &str,
    env: &str,
    to: Option<&str>,
    observations: &[Observation],
) -> Result<Release, Failure> {
    ctx.environment(env)?;
    if let Some(to) = to {
        return resolve_release(ctx, service, to);
    }
    let (_, ledger) = ctx.ledger()?;
    let all = releases(ctx, service)?;
    let current = running_release(ctx, &ledger, service, env, observations, &all)
        .name()
        .map(str::to_string);
    let target: Vec<&Deployment> = ledger
        .deployments()
        .iter()
        .filter(|d| d.service == service && d.env == env)
        .collect();
    let from_success = target
        .iter()
        .rev()
        .filter(|d| matches!(d.state, DeploymentState::Succeeded { .. }))
        .map(|d| d.release.clone())
        .find(|r| Some(r) != current.as_ref());
    let from_previous = target
        .last()
        .and_then(|d| d.previous_release.clone())
        .filter(|r| Some(r) != current.as_ref());
    match from_success.or(from_previous) {
        Some(name) => resolve_release(ctx, service, &name),
        None => Err(Failure::failed(format!(
            "no earlier release of `{service}` in `{env}` is known to go back to; name one with \
             `--to RELEASE`"
        ))),
    }
}

/// The plan of a rollback to `release` (gates shown, not enforced).
pub async fn rollback_plan(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    observations: &[Observation],
) -> Result<Plan, Failure> {
    build(ctx, service, release, env, observations, true).await
}

/// Starts the deployment `plan` describes: refuses when a gate blocks (exit 3) or another
/// deployment of the target is in flight (exit 3), records `deploy-requested`, calls the deployer
/// exactly once, and records `deploy-accepted` (or `deploy-failed`, exit 4). Returns the
/// deployment, in flight; [`wait_for_outcome`] or any later [`settle`] finishes it.
pub async fn promote(
    ctx: &Context,
    plan: &Plan,
    output: UnboundedSender<String>,
) -> Result<Deployment, Failure> {
    let what = if plan.rollback { "rollback" } else { "promote" };
    ctx.writable(what)?;
    if !plan.allowed() {
        return Err(blocked(plan));
    }
    let svc = ctx.service(&plan.service)?;
    let Some(spec) = svc.deployer_for(&plan.env).cloned() else {
        return Err(Failure::usage(format!(
            "`{}` has no deployer for `{}`; add `deploy = {{ kind = \"webhook\", url = … }}` to \
             the service (or under [services.env.{}])",
            plan.service, plan.env, plan.env
        )));
    };
    let verify_timeout = ctx.config.verify_timeout(svc);
    let (mut events, mut ledger) = ctx.ledger()?;
    if let Some(d) = ledger.in_flight(&plan.service, &plan.env).cloned() {
        if !plan.rollback {
            return Err(in_flight(&d));
        }
        // A backout is never held up by the deployment it backs out: that one ends here.
        super::cancel::record(
            ctx,
            &d,
            &format!(
                "superseded by a rollback to {} by {}",
                plan.release.name, ctx.actor
            ),
        )?;
        (events, ledger) = ctx.ledger()?;
    }
    let id = store::new_event_id();
    let req = request(
        ctx,
        (&events, &ledger),
        &plan.service,
        &plan.release,
        &plan.env,
        plan.running.name(),
        &id,
    );
    let call = deploy::describe(&spec, &req).map_err(|e| Failure::usage(e.to_string()))?;
    ctx.record_with_id(
        id.clone(),
        &Fact::DeployRequested {
            commit: plan.release.commit.clone(),
            previous_release: plan.running.name().map(str::to_string),
            rollback: plan.rollback,
            call,
            verify_timeout_secs: verify_timeout.as_secs(),
        },
        Some(&plan.service),
        Some(&plan.release.name),
        Some(&plan.env),
    )?;
    let scope = (
        Some(plan.service.as_str()),
        Some(plan.release.name.as_str()),
        Some(plan.env.as_str()),
    );
    match deploy::call(&spec, &req, ctx.trusted, output).await {
        Ok(accepted) => {
            ctx.record(
                &Fact::DeployAccepted {
                    deployment: id.clone(),
                    detail: accepted.detail,
                },
                scope.0,
                scope.1,
                scope.2,
            )?;
        }
        Err(e) if e.changed_nothing() => {
            let reason = format!("{NOTHING_CHANGED}: {e}");
            ctx.record_with_id(
                outcome_id(&id),
                &Fact::DeployFailed {
                    deployment: id.clone(),
                    reason: reason.clone(),
                },
                scope.0,
                scope.1,
                scope.2,
            )?;
            return Err(Failure::deploy(format!(
                "{what} of {} to {} {reason}; {} still runs what it ran, no backout needed",
                plan.release.name, plan.env, plan.env
            )));
        }
        Err(e) => {
            let reason = format!("the deployer refused: {e}");
            ctx.record_with_id(
                outcome_id(&id),
                &Fact::DeployFailed {
                    deployment: id.clone(),
                    reason: reason.clone(),
                },
                scope.0,
                scope.1,
                scope.2,
            )?;
            return Err(Failure::deploy(format!(
                "{what} of {} to {} failed: {reason} (not retried: a failed call may still have \
                 deployed; check the target, then promote again or roll back)",
                plan.release.name, plan.env
            )));
        }
    }
    let (_, ledger) = ctx.ledger()?;
    ledger
        .deployment(&id)
        .cloned()
        .ok_or_else(|| Failure::failed("the deployment just recorded is missing from the log"))
}

/// The failure (exit 3) naming the gates that block `plan`.
pub fn blocked(plan: &Plan) -> Failure {
    let lines: Vec<String> = plan
        .report
        .blocking()
        .iter()
        .map(|g| {
            format!(
                "  {} ({}): {} — {}",
                g.id,
                g.kind,
                g.status.as_str(),
                g.reason
            )
        })
        .collect();
    Failure::blocked(format!(
        "{} cannot enter {} yet; blocking gates:\n{}",
        plan.release.name,
        plan.env,
        lines.join("\n")
    ))
}

fn in_flight(d: &Deployment) -> Failure {
    Failure::blocked(format!(
        "{} in {} is being deployed already: {} requested by {} at {}; wait until it is verified \
         or its verify timeout passes ({}), roll back (never held up by it), or release the \
         target with `shipdeck cancel {} --env {} --reason TEXT`",
        d.service,
        d.env,
        d.release,
        d.requested_by,
        d.requested_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        d.verify_deadline.strftime("%Y-%m-%d %H:%M:%S UTC"),
        d.service,
        d.env,
    ))
}

/// Finishes in-flight deployments from what the targets report: the release healthy →
/// `deploy-succeeded`; the verify timeout passed → `deploy-failed`. Outcome ids derive from the
/// deployment's, so several observers record one outcome. Nothing is recorded under `--read-only`.
pub fn settle(
    ctx: &Context,
    observations: &[Observation],
    now: Timestamp,
) -> Result<Vec<Event>, Failure> {
    // A log that fails verification is not extended (and its in-flight deployments are not
    // trusted): the commands that decide say so and stop.
    if ctx.read_only || ctx.log_damage().is_some() {
        return Ok(Vec::new());
    }
    let (_, ledger) = ctx.ledger()?;
    let mut recorded = Vec::new();
    for d in ledger.deployments() {
        // A rollout's outcome is its driver's to record (`rollout`): the target's observation
        // is the live slot's, not the slot being rolled out to.
        if !matches!(d.state, DeploymentState::InFlight) || ledger.is_rollout(&d.id) {
            continue;
        }
        let since = d.accepted_at.unwrap_or(d.requested_at);
        let seen = observations
            .iter()
            .filter(|o| o.service == d.service && o.env == d.env && o.at >= since)
            .max_by_key(|o| o.at);
        let reports_it = seen.is_some_and(|o| {
            o.release.as_deref() == Some(d.release.as_str())
                || o.commit.as_deref() == Some(d.commit.as_str())
        });
        let scope = (
            Some(d.service.as_str()),
            Some(d.release.as_str()),
            Some(d.env.as_str()),
        );
        if reports_it && seen.is_some_and(|o| o.health == Health::Pass) {
            recorded.push(ctx.record_with_id(
                outcome_id(&d.id),
                &Fact::DeploySucceeded {
                    deployment: d.id.clone(),
                },
                scope.0,
                scope.1,
                scope.2,
            )?);
            // The checklist's `deployed`/`healthy` items follow from this event: derived, not
            // ticked in the observer's name.
        } else if now >= d.verify_deadline {
            let reason = match seen {
                Some(o) => format!(
                    "not verified within {}s: {} reports {} ({}{})",
                    d.verify_deadline.duration_since(d.requested_at).as_secs(),
                    d.env,
                    o.release
                        .as_deref()
                        .or(o.reported_version.as_deref())
                        .unwrap_or("no version"),
                    o.health.as_str(),
                    if o.detail.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", o.detail)
                    }
                ),
                None => format!(
                    "not verified within {}s: no report from {} since the deployment",
                    d.verify_deadline.duration_since(d.requested_at).as_secs(),
                    d.env
                ),
            };
            recorded.push(ctx.record_with_id(
                outcome_id(&d.id),
                &Fact::DeployFailed {
                    deployment: d.id.clone(),
                    reason,
                },
                scope.0,
                scope.1,
                scope.2,
            )?);
        }
    }
    Ok(recorded)
}

/// How long a target may report the new release failing before the wait gives up on it,
/// before the verify timeout.
pub const FAIL_FAST: Duration = Duration::from_secs(10);

/// How often the wait says where it stands even when nothing changed.
const PROGRESS_EVERY: Duration = Duration::from_secs(5);

/// Watches the target of deployment `id` until it is verified or fails; `progress` gets one
/// line per change of what the target reports, and one every few seconds in between (time
/// waited, time left). A target that reports the new release failing for the whole
/// [`FAIL_FAST`] window fails the deployment early. Returns the finished deployment.
pub async fn wait_for_outcome(
    ctx: &Context,
    id: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<Deployment, Failure> {
    let client = ctx.http.clone();
    let mut last_line = String::new();
    let mut last_said = std::time::Instant::now();
    let mut failing_since: Option<Timestamp> = None;
    loop {
        let (_, ledger) = ctx.ledger()?;
        let d = find(&ledger, id)?;
        if !matches!(d.state, DeploymentState::InFlight) {
            return Ok(d);
        }
        let list = shared(releases(ctx, &d.service).unwrap_or_default());
        let obs = observe_target(ctx, &client, &d.service, &d.env, list).await;
        let at = now();
        if let Some(o) = &obs {
            let line = format!(
                "{} reports {} ({}{})",
                d.env,
                o.release
                    .as_deref()
                    .or(o.reported_version.as_deref())
                    .unwrap_or("no version"),
                o.health.as_str(),
                if o.detail.is_empty() {
                    String::new()
                } else {
                    format!(": {}", o.detail)
                }
            );
            let waited = at.duration_since(d.requested_at).as_secs().max(0);
            let left = d.verify_deadline.duration_since(at).as_secs().max(0);
            if line != last_line || last_said.elapsed() >= PROGRESS_EVERY {
                progress(&format!("{line} — {waited}s waited, {left}s left"));
                last_line = line;
                last_said = std::time::Instant::now();
            }
            let new_failing = (o.release.as_deref() == Some(d.release.as_str())
                || o.commit.as_deref() == Some(d.commit.as_str()))
                && o.health == Health::Fail;
            failing_since = if new_failing {
                failing_since.or(Some(o.at))
            } else {
                None
            };
            if let Some(since) = failing_since
                && at.duration_since(since).as_secs() >= FAIL_FAST.as_secs().cast_signed()
                && !ctx.read_only
            {
                ctx.record_with_id(
                    outcome_id(&d.id),
                    &Fact::DeployFailed {
                        deployment: d.id.clone(),
                        reason: format!(
                            "{} reported {} failing for {}s (fail fast): {}",
                            d.env,
                            d.release,
                            FAIL_FAST.as_secs(),
                            if o.detail.is_empty() {
                                o.health.as_str()
                            } else {
                                o.detail.as_str()
                            }
                        ),
                    },
                    Some(&d.service),
                    Some(&d.release),
                    Some(&d.env),
                )?;
                let (_, ledger) = ctx.ledger()?;
                return find(&ledger, id);
            }
        }
        let observations: Vec<Observation> = obs.into_iter().collect();
        settle(ctx, &observations, at)?;
        let (_, ledger) = ctx.ledger()?;
        let d = find(&ledger, id)?;
        if !matches!(d.state, DeploymentState::InFlight) {
            return Ok(d);
        }
        tokio::time::sleep(VERIFY_POLL).await;
    }
}

fn find(ledger: &Ledger, id: &str) -> Result<Deployment, Failure> {
    ledger
        .deployment(id)
        .cloned()
        .ok_or_else(|| Failure::failed(format!("deployment {id} is not in the log")))
}

/// Probes everything once and settles: what `status` and the console do on refresh.
pub async fn observe_and_settle(
    ctx: &Context,
    services: Option<&[&str]>,
) -> Result<Vec<Observation>, Failure> {
    let observations = observe(ctx, services).await?;
    settle(ctx, &observations, now())?;
    // A train promotion whose promoter went away is finished or reported by whoever looks.
    super::train_promote::settle_trains(ctx, now())?;
    Ok(observations)
}
