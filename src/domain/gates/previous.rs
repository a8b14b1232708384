//! Gates that look at the previous environment: `healthy` and `soak`.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::text;
use super::{GateInputs, GateOutcome, GateStatus};
use crate::domain::observation::{Health, Observation};

/// The latest observation of the service in `env`.
fn latest<'a>(inputs: &GateInputs<'a>, env: &str) -> Option<&'a Observation> {
    inputs
        .observations
        .iter()
        .filter(|o| o.service == inputs.service.name && o.env == env)
        .max_by_key(|o| o.at)
}

/// How the previous environment looks for this release now: `Ok(reason)` when it runs the release
/// healthy, `Err((status, reason))` otherwise.
fn runs_healthy(inputs: &GateInputs, env: &str) -> Result<String, (GateStatus, String)> {
    let release = &inputs.release.name;
    let Some(obs) = latest(inputs, env) else {
        return Err((GateStatus::Pending, format!("not observed yet in {env}")));
    };
    if obs.release.as_deref() != Some(release.as_str()) {
        let what = match (&obs.release, &obs.reported_version) {
            (Some(other), _) => format!("{env} runs {other}"),
            (None, Some(v)) => format!("{env} runs {v} (no known release)"),
            (None, None) => format!("{env} reports no version ({})", obs.health.as_str()),
        };
        return Err((GateStatus::Fail, what));
    }
    if obs.health != Health::Pass {
        let detail = if obs.detail.is_empty() {
            String::new()
        } else {
            format!(": {}", obs.detail)
        };
        return Err((
            GateStatus::Fail,
            format!("{release} in {env} is {}{detail}", obs.health.as_str()),
        ));
    }
    Ok(format!("{env} runs {release}, healthy"))
}

pub(super) fn healthy(inputs: &GateInputs, id: &str) -> GateOutcome {
    let Some(prev) = inputs.config.previous_environment(&inputs.env.name) else {
        return GateOutcome::new(id, "healthy", GateStatus::Pass, "first environment");
    };
    match runs_healthy(inputs, &prev.name) {
        Ok(why) => GateOutcome::new(id, "healthy", GateStatus::Pass, why),
        Err((status, why)) => GateOutcome::new(id, "healthy", status, why),
    }
}

pub(super) fn soak(
    inputs: &GateInputs,
    id: &str,
    duration: Duration,
    now: Timestamp,
) -> GateOutcome {
    let Some(prev) = inputs.config.previous_environment(&inputs.env.name) else {
        return GateOutcome::new(id, "soak", GateStatus::Pass, "first environment");
    };
    let (service, release, env) = (&inputs.service.name, &inputs.release.name, &prev.name);
    // From its first successful deployment there; else, for a release shipdeck did not deploy
    // (a team adopting it), from when it was first seen running healthy there.
    let deployed = inputs
        .ledger
        .first_success_of(service, release, env)
        .and_then(crate::domain::ledger::Deployment::succeeded_at);
    let (since, counted) = match (deployed, observed_healthy_since(inputs, env)) {
        (Some(at), _) => (at, String::new()),
        (None, Some(at)) => (
            at,
            format!(
                " (counted from {}, when it was first seen running healthy there; no recorded \
                 deployment)",
                text::instant(at)
            ),
        ),
        (None, None) => {
            return GateOutcome::new(
                id,
                "soak",
                GateStatus::Fail,
                format!(
                    "{release} never deployed successfully to {env}, nor seen running healthy \
                     there"
                ),
            );
        }
    };
    let span = SignedDuration::try_from(duration).unwrap_or(SignedDuration::MAX);
    let end = since.checked_add(span).unwrap_or(Timestamp::MAX);
    let wanted = text::duration(duration);
    if now < end {
        return GateOutcome::new(
            id,
            "soak",
            GateStatus::Pending,
            format!(
                "soaking in {env}: {} left of {wanted} (until {}){counted}",
                text::countdown(now, end),
                text::instant(end)
            ),
        )
        .until(end);
    }
    match runs_healthy(inputs, env) {
        Ok(_) => GateOutcome::new(
            id,
            "soak",
            GateStatus::Pass,
            format!("soaked {wanted} in {env}, healthy there now{counted}"),
        ),
        Err((status, why)) => {
            GateOutcome::new(id, "soak", status, format!("soaked {wanted}, but {why}"))
        }
    }
}

/// Since when the observations show the release running healthy in `env` without a break: the
/// first of the latest unbroken run of healthy sightings of it (earlier consoles' sightings
/// included, as observations at their start).
fn observed_healthy_since(inputs: &GateInputs, env: &str) -> Option<Timestamp> {
    let mut seen: Vec<&Observation> = inputs
        .observations
        .iter()
        .filter(|o| o.service == inputs.service.name && o.env == env)
        .collect();
    seen.sort_by_key(|o| o.at);
    seen.iter()
        .rev()
        .take_while(|o| {
            o.release.as_deref() == Some(inputs.release.name.as_str()) && o.health == Health::Pass
        })
        .last()
        .map(|o| o.at)
}
