//! Drift: a target reports a version its last successful deployment did not put there. Computed
//! from the latest observation and the ledger, never recorded.

use super::ledger::{Deployment, Ledger};
use super::observation::Observation;

/// Drift of the target (`service` in `env`) as the log knows it: [`drift`] against its last
/// successful deployment, except that a release a deployment shipdeck recorded since then put
/// there — one in flight, or one that failed verification — is shipdeck's own doing, not drift.
/// A deployment that changed nothing (refused with a 4xx) put nothing there.
pub fn drift_of(observation: &Observation, ledger: &Ledger, service: &str, env: &str) -> bool {
    let last = ledger.last_successful(service, env);
    if !drift(observation, last) {
        return false;
    }
    let since = last.map(|d| d.requested_at);
    !ledger.deployments().iter().any(|d| {
        d.service == service
            && d.env == env
            && since.is_none_or(|t| d.requested_at >= t)
            && !d.changed_nothing()
            && (observation.release.as_deref() == Some(d.release.as_str())
                || observation
                    .commit
                    .as_deref()
                    .is_some_and(|c| same_commit(c, &d.commit))
                || observation
                    .reported_version
                    .as_deref()
                    .is_some_and(|v| names_release(v.trim(), &d.release)))
    })
}

/// Whether `observation` shows drift against the target's last successful deployment.
/// With no deployment history the first observation is the baseline (no drift), and an
/// observation that reports no version is never drift. A release matched by another tag of the
/// same commit is the same code, so it is not drift either. Callers should not flag drift while a
/// deployment of the target is in flight: the new release shows up before its success is recorded.
pub fn drift(observation: &Observation, last_successful: Option<&Deployment>) -> bool {
    let Some(reported) = observation.reported_version.as_deref() else {
        return false;
    };
    let Some(deployment) = last_successful else {
        return false;
    };
    if observation.release.as_deref() == Some(deployment.release.as_str()) {
        return false;
    }
    if observation
        .commit
        .as_deref()
        .is_some_and(|c| same_commit(c, &deployment.commit))
    {
        return false;
    }
    if observation.release.is_some() {
        // Matched to a different release of another commit.
        return true;
    }
    !names_release(reported.trim(), &deployment.release)
}

/// Full or abbreviated (7+ hex) commit ids naming the same commit.
fn same_commit(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 7 && long.starts_with(&short)
}

/// Whether a reported version string names `release` (`api-v1.4.2`, `v1.4.2`, `1.4.2`).
fn names_release(reported: &str, release: &str) -> bool {
    if reported.is_empty() {
        return false;
    }
    if reported == release {
        return true;
    }
    let bare = reported.strip_prefix('v').unwrap_or(reported);
    release
        .strip_suffix(bare)
        .is_some_and(|head| head.is_empty() || head.ends_with(['v', '-', '_', '/', '@']))
}

#[cfg(test)]
mod tests {
    use super::names_release;

    #[test]
    fn reported_versions_name_releases_by_their_tail_only() {
        assert!(names_release("api-v1.4.2", "api-v1.4.2"));
        assert!(names_release("1.4.2", "api-v1.4.2"));
        assert!(names_release("v1.4.2", "api-v1.4.2"));
        assert!(!names_release("4.2", "api-v1.4.2"));
        assert!(!names_release("1.4.12", "api-v1.4.2"));
        assert!(!names_release("", "api-v1.4.2"));
    }
}
