//! What a promotion would do: the gates, the commits that change, the call that will be made.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::Timestamp;

use serde::Serialize;

use crate::app::context::{Context, now};
use crate::app::failure::Failure;
use crate::app::signatures;
use crate::deploy::{self, DeployRequest};
use crate::domain::change::Commit;
use crate::domain::event::Event;
use crate::domain::gates::{GateInputs, GateReport, evaluate};
use crate::domain::ledger::Ledger;
use crate::domain::observation::Observation;
use crate::domain::readiness::{Readiness, failed_here, is_downgrade, readiness};
use crate::domain::release::Release;
use crate::domain::running::Running;
use crate::git::Repo;

use super::checks;
use super::observe::running_release;
use super::query::releases;

/// A promotion (or rollback) as it would happen now.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub service: String,
    pub release: Release,
    pub env: String,
    /// A rollback redeploys an earlier release; gates are shown but do not block it.
    pub rollback: bool,
    pub report: GateReport,
    /// Commits that change: from what runs in `env` now to the release (empty when unknown).
    pub changes: Vec<Commit>,
    /// What runs in `env` now, by the one rule the board and `status` share: `running.name()`
    /// is a release's name, or a version as reported that matches no release.
    pub running: Running,
    /// Exactly what the deployer will call, secrets masked; `None` when no deployer is set.
    pub call: Option<String>,
    /// The environment needs its name typed to confirm.
    pub protected: bool,
    /// The release is older than what runs there: promoting it goes backwards.
    pub downgrade: bool,
    /// Its latest deployment there failed after the deployer took it: when, and why.
    pub failed_here: Option<(Timestamp, String)>,
}

impl Plan {
    /// The promotion may go ahead (a rollback always may, gates are informative for it).
    pub fn allowed(&self) -> bool {
        self.rollback || self.report.allowed()
    }

    /// Ready, waiting for what, blocked, or failed here already.
    pub fn readiness(&self) -> Readiness {
        match &self.failed_here {
            Some((at, reason)) => Readiness::FailedHere {
                at: *at,
                reason: reason.clone(),
            },
            None => readiness(&self.report, None),
        }
    }
}

/// The approvals of (service, release, env) bound to the release's commit, as JSON for an
/// endpoint that wants to check them itself: each with its whole event body (`event`) and its
/// signature (`sig`, null when unsigned), so the endpoint can re-create the signed bytes (RFC 8785
/// of `event`) and verify them (`shipdeck verify-approvals`).
pub(super) fn approvals_json(
    events: &[Event],
    ledger: &Ledger,
    service: &str,
    release: &Release,
    env: &str,
) -> String {
    let list: Vec<serde_json::Value> = ledger
        .approvals(service, &release.name, env)
        .into_iter()
        .filter(|a| a.commit == release.commit)
        .map(|a| {
            let stored = events.iter().find(|e| e.id == a.event_id);
            let body = stored
                .and_then(|e| serde_json::to_value(e.body()).ok())
                .unwrap_or(serde_json::Value::Null);
            let sig = stored.and_then(|e| e.sig.clone());
            serde_json::json!({
                "id": a.event_id, "actor": a.actor, "commit": a.commit, "at": a.at.to_string(),
                "event": body, "sig": sig,
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The request a deployer gets for this promotion; `recorded` is the log and its fold.
pub(super) fn request(
    ctx: &Context,
    recorded: (&[Event], &Ledger),
    service: &str,
    release: &Release,
    env: &str,
    previous: Option<&str>,
    idempotency_key: &str,
) -> DeployRequest {
    DeployRequest {
        service: service.to_string(),
        env: env.to_string(),
        release: release.name.clone(),
        version: release.version.clone(),
        commit: release.commit.clone(),
        previous_release: previous.map(str::to_string),
        actor: ctx.actor.clone(),
        idempotency_key: idempotency_key.to_string(),
        approvals_json: approvals_json(recorded.0, recorded.1, service, release, env),
        workdir: ctx.config.dir.clone(),
        known_secrets: deploy::secret_names(&ctx.config),
    }
}

/// Evaluates every gate of `env` for `release`, with the live `observations` given.
pub async fn plan(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    observations: &[Observation],
) -> Result<Plan, Failure> {
    build(ctx, service, release, env, observations, false).await
}

pub(super) async fn build(
    ctx: &Context,
    service: &str,
    release: &Release,
    env: &str,
    observations: &[Observation],
    rollback: bool,
) -> Result<Plan, Failure> {
    let svc = ctx.service(service)?.clone();
    let environment = ctx.environment(env)?.clone();
    // Reading writes nothing: automatic checklist items are facts the gate derives.
    let (events, ledger) = ctx.ledger()?;
    // Each check runs ssh-keygen, so only a signed approval gate pays for it.
    let signatures = if signatures::wants_signed_approvals(&environment) {
        signatures::verifier(&ctx.config)
            .map(|v| signatures::approval_checks(&v, &events, service, &release.name, env))
            .unwrap_or_default()
    } else {
        BTreeMap::new()
    };
    let all = releases(ctx, service).unwrap_or_default();
    let running = running_release(ctx, &ledger, service, env, observations, &all);
    let external = checks::external(ctx, &svc, &environment, release, running.name()).await;
    let report = evaluate(
        &GateInputs {
            config: &ctx.config,
            service: &svc,
            env: &environment,
            release,
            actor: &ctx.actor,
            ledger: &ledger,
            observations,
            external: &external,
            signatures: &signatures,
        },
        now(),
    );
    let changes = match running.commit() {
        Some(commit) if commit != release.commit => Repo::open(&svc.repo)
            .and_then(|r| r.changelog_in(commit, &release.commit, &svc.paths))
            .unwrap_or_default(),
        _ => Vec::new(),
    };
    let slotted = ctx.config.exposure.traffic(service, env).is_some();
    let call = svc.deployer_for(env).map(|spec| {
        // A slotted target deploys to its idle slot, known once the router is read.
        let spec = &if slotted {
            crate::domain::traffic::deployer_for_slot(spec, "<idle-slot>")
        } else {
            spec.clone()
        };
        let req = request(
            ctx,
            (&events, &ledger),
            service,
            release,
            env,
            running.name(),
            "<idempotency-key>",
        );
        deploy::describe(spec, &req).unwrap_or_else(|e| format!("cannot call: {e}"))
    });
    let downgrade = is_downgrade(
        release,
        running
            .release()
            .and_then(|name| all.iter().find(|r| r.name == name)),
    );
    let failed_here =
        failed_here(&ledger, service, &release.name, env).and_then(|d| match &d.state {
            crate::domain::ledger::DeploymentState::Failed { at, reason } => {
                Some((*at, reason.clone()))
            }
            _ => None,
        });
    Ok(Plan {
        downgrade,
        failed_here,
        service: service.to_string(),
        release: release.clone(),
        env: env.to_string(),
        rollback,
        report,
        changes,
        running,
        call,
        protected: environment.protected,
    })
}

/// Releases as shared lists, for the probe targets.
pub(super) fn shared(list: Vec<Release>) -> Arc<Vec<Release>> {
    Arc::new(list)
}
