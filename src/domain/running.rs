//! What runs at a target: decided here once, for the board, `shipdeck status`, plans, changelogs,
//! notes and rollbacks alike. Pure.
//!
//! The rule, in order:
//! 1. the latest live report matched a release (the probe matches the reported version, tag or
//!    commit against the service's releases): that release;
//! 2. it reports a version no release matches: that version, **unmatched** — shown as reported,
//!    never passed off as a release;
//! 3. nothing reported names a version (no probe answered yet, or one answered without a
//!    version): the release of the last successful deployment in the log;
//! 4. else nothing is known.

use serde::Serialize;

use crate::domain::ledger::Deployment;
use crate::domain::observation::Observation;
use crate::domain::release::Release;

/// What runs at a target (see the module doc for the rule). `status --json` shows it as
/// `running_here`: `{"kind":"unmatched","version":"9.9.9","commit":null}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Running {
    /// The live report matched this release; its commit is the release's.
    Release {
        name: String,
        commit: Option<String>,
    },
    /// The target reports a version that matches no release (with the commit it reported, if
    /// any).
    Unmatched {
        version: String,
        commit: Option<String>,
    },
    /// No live report names a version; the last successful deployment put this release there.
    LastDeployed { release: String, commit: String },
    /// No live report names a version and the log has no successful deployment.
    Unknown,
}

/// What runs at a target, from its latest observation (if any), the service's releases and the
/// last successful deployment there.
pub fn running_here(
    latest: Option<&Observation>,
    releases: &[Release],
    last_ok: Option<&Deployment>,
) -> Running {
    if let Some(o) = latest {
        if let Some(name) = &o.release {
            let commit = releases
                .iter()
                .find(|r| &r.name == name)
                .map(|r| r.commit.clone())
                .or_else(|| o.commit.clone());
            return Running::Release {
                name: name.clone(),
                commit,
            };
        }
        if let Some(version) = &o.reported_version {
            return Running::Unmatched {
                version: version.clone(),
                commit: o.commit.clone(),
            };
        }
    }
    match last_ok {
        Some(d) => Running::LastDeployed {
            release: d.release.clone(),
            commit: d.commit.clone(),
        },
        None => Running::Unknown,
    }
}

impl Running {
    /// The release that runs, by name: matched live, or the last deployed one; `None` for an
    /// unmatched version (it is no release) or when nothing is known.
    pub fn release(&self) -> Option<&str> {
        match self {
            Running::Release { name, .. } => Some(name),
            Running::LastDeployed { release, .. } => Some(release),
            Running::Unmatched { .. } | Running::Unknown => None,
        }
    }

    /// What runs as a plan or changelog names it: the release's name, or an unmatched version
    /// as reported.
    pub fn name(&self) -> Option<&str> {
        match self {
            Running::Unmatched { version, .. } => Some(version),
            other => other.release(),
        }
    }

    /// The commit that runs, when known.
    pub fn commit(&self) -> Option<&str> {
        match self {
            Running::Release { commit, .. } | Running::Unmatched { commit, .. } => {
                commit.as_deref()
            }
            Running::LastDeployed { commit, .. } => Some(commit),
            Running::Unknown => None,
        }
    }

    /// The target reports a version that matches no release.
    pub fn is_unmatched(&self) -> bool {
        matches!(self, Running::Unmatched { .. })
    }

    /// In words: `api-v1.4.2`, `9.9.9 (unmatched)`; `None` when nothing is known.
    pub fn label(&self) -> Option<String> {
        match self {
            Running::Unmatched { version, .. } => Some(format!("{version} (unmatched)")),
            other => other.release().map(str::to_string),
        }
    }

    /// The release the board names in the cell, when `probed` (a probe answered): a probe that
    /// answered without a version shows its health in the cell, not the log's last release.
    pub fn release_on_board(&self, probed: bool) -> Option<&str> {
        match self {
            Running::Release { name, .. } => Some(name),
            Running::LastDeployed { release, .. } if !probed => Some(release),
            _ => None,
        }
    }

    /// What the board writes in the cell: [`Running::release_on_board`], or an unmatched
    /// version marked as such.
    pub fn on_board(&self, probed: bool) -> Option<String> {
        match self {
            Running::Unmatched { .. } => self.label(),
            other => other.release_on_board(probed).map(str::to_string),
        }
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::domain::health::match_release;
    use crate::domain::ledger::DeploymentState;
    use crate::domain::observation::Health;

    fn release(version: &str, commit: &str) -> Release {
        Release {
            name: format!("api-v{version}"),
            version: version.into(),
            commit: commit.into(),
            date: Timestamp::UNIX_EPOCH,
        }
    }

    fn releases() -> Vec<Release> {
        vec![
            release("1.5.0", &"b".repeat(40)),
            release("1.4.2", &"a".repeat(40)),
        ]
    }

    /// An observation as the probe makes it: matched against `releases` as it reported.
    fn seen(version: Option<&str>, commit: Option<&str>, releases: &[Release]) -> Observation {
        let matched = match_release(version, commit, "api-v", releases);
        Observation {
            service: "api".into(),
            env: "prod".into(),
            health: Health::Pass,
            reported_version: version.map(str::to_string),
            release: matched.map(|r| r.name.clone()),
            commit: commit
                .map(str::to_string)
                .or_else(|| matched.map(|r| r.commit.clone())),
            latency_ms: Some(3),
            at: Timestamp::UNIX_EPOCH,
            detail: "HTTP 200".into(),
        }
    }

    fn deployed(release: &str, commit: &str) -> Deployment {
        Deployment {
            id: "d1".into(),
            service: "api".into(),
            env: "prod".into(),
            release: release.into(),
            commit: commit.into(),
            previous_release: None,
            rollback: false,
            requested_by: "dana".into(),
            requested_at: Timestamp::UNIX_EPOCH,
            call: String::new(),
            verify_deadline: Timestamp::UNIX_EPOCH,
            accepted_at: None,
            state: DeploymentState::Succeeded {
                at: Timestamp::UNIX_EPOCH,
            },
        }
    }

    #[test]
    fn a_version_that_matches_a_release_runs_that_release() {
        let all = releases();
        let o = seen(Some("1.4.2"), None, &all);
        let last = deployed("api-v1.5.0", &"b".repeat(40));
        let running = running_here(Some(&o), &all, Some(&last));
        assert_eq!(
            running,
            Running::Release {
                name: "api-v1.4.2".into(),
                commit: Some("a".repeat(40)),
            }
        );
        assert_eq!(running.label().as_deref(), Some("api-v1.4.2"));
        assert_eq!(running.on_board(true).as_deref(), Some("api-v1.4.2"));
    }

    #[test]
    fn a_commit_that_matches_a_release_runs_that_release_with_its_commit() {
        let all = releases();
        // Reported abbreviated: the release's whole commit is what runs.
        let o = seen(None, Some("bbbbbbb"), &all);
        let running = running_here(Some(&o), &all, None);
        assert_eq!(running.release(), Some("api-v1.5.0"));
        assert_eq!(running.commit(), Some("b".repeat(40).as_str()));
        assert!(!running.is_unmatched());
    }

    #[test]
    fn an_unmatched_version_with_a_commit_is_shown_as_reported_and_unmatched() {
        let all = releases();
        let o = seen(Some("9.9.9"), Some("cafe123"), &all);
        let last = deployed("api-v1.4.2", &"a".repeat(40));
        let running = running_here(Some(&o), &all, Some(&last));
        assert_eq!(
            running,
            Running::Unmatched {
                version: "9.9.9".into(),
                commit: Some("cafe123".into()),
            }
        );
        assert_eq!(
            running.release(),
            None,
            "an unmatched version is no release"
        );
        assert_eq!(running.name(), Some("9.9.9"));
        assert_eq!(running.commit(), Some("cafe123"));
        assert_eq!(running.label().as_deref(), Some("9.9.9 (unmatched)"));
        assert_eq!(running.on_board(true).as_deref(), Some("9.9.9 (unmatched)"));
        assert_eq!(running.release_on_board(true), None);
    }

    #[test]
    fn an_unmatched_version_without_a_commit_does_not_fall_back_to_the_last_deployment() {
        let all = releases();
        let o = seen(Some("9.9.9"), None, &all);
        let last = deployed("api-v1.4.2", &"a".repeat(40));
        let running = running_here(Some(&o), &all, Some(&last));
        assert_eq!(
            running,
            Running::Unmatched {
                version: "9.9.9".into(),
                commit: None,
            }
        );
        assert_eq!(running.commit(), None);
        assert_eq!(running.name(), Some("9.9.9"));
    }

    #[test]
    fn nothing_reported_falls_back_to_the_last_successful_deployment() {
        let all = releases();
        let last = deployed("api-v1.4.2", &"a".repeat(40));
        let expected = Running::LastDeployed {
            release: "api-v1.4.2".into(),
            commit: "a".repeat(40),
        };
        // Before any probe answered …
        let before = running_here(None, &all, Some(&last));
        assert_eq!(before, expected);
        assert_eq!(before.on_board(false).as_deref(), Some("api-v1.4.2"));
        // … and after one answered without a version (the board then shows its health).
        let mut down = seen(None, None, &all);
        down.health = Health::Unreachable;
        let after = running_here(Some(&down), &all, Some(&last));
        assert_eq!(after, expected);
        assert_eq!(after.name(), Some("api-v1.4.2"));
        assert_eq!(after.on_board(true), None);
    }

    #[test]
    fn nothing_at_all_is_unknown() {
        let all = releases();
        assert_eq!(running_here(None, &all, None), Running::Unknown);
        let silent = seen(None, None, &all);
        let running = running_here(Some(&silent), &all, None);
        assert_eq!(running, Running::Unknown);
        assert_eq!(running.name(), None);
        assert_eq!(running.commit(), None);
        assert_eq!(running.label(), None);
        assert_eq!(running.on_board(false), None);
    }

    #[test]
    fn it_serializes_with_its_kind() {
        let running = Running::Unmatched {
            version: "9.9.9".into(),
            commit: None,
        };
        assert_eq!(
            serde_json::to_string(&running).expect("json"),
            r#"{"kind":"unmatched","version":"9.9.9","commit":null}"#
        );
    }
}
