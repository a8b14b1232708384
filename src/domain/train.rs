//! Trains: services released together. A train release pins one release (and its commit) of
//! every member; its approvals are bound to all those commits at once; its promotions move the
//! members in order. Pure: the fold of the train events, the naming of a cut, the digest the
//! approvals are bound to, and what an unfinished promotion's members' deployments say.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::event::{Event, Fact};
use super::ledger::{Deployment, DeploymentState, Ledger};
use super::sanitize::sanitize;

/// `[[trains]]`: a name and its services in promotion order (dependencies first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Train {
    pub name: String,
    pub services: Vec<String>,
}

/// One member of a train release: the service, its pinned release and that release's commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainMember {
    pub service: String,
    pub release: String,
    pub commit: String,
}

/// A train release as its `train-cut` event pinned it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainRelease {
    pub train: String,
    /// `shop-2026.12.02-1`.
    pub name: String,
    pub members: Vec<TrainMember>,
    /// The environment it was cut from, when it was cut from what runs there.
    pub from_env: Option<String>,
    pub cut_by: String,
    pub cut_at: Timestamp,
    pub event_id: String,
}

impl TrainRelease {
    /// The value train approvals are bound to: every member's service, release and commit.
    pub fn digest(&self) -> String {
        digest_of(&self.members)
    }

    pub fn member(&self, service: &str) -> Option<&TrainMember> {
        self.members.iter().find(|m| m.service == service)
    }
}

/// `train:<sha256>` over `service release commit` lines in the train's order: a different
/// commit for any member is a different digest, so moving one member's tag voids every approval.
pub fn digest_of(members: &[TrainMember]) -> String {
    let mut hasher = Sha256::new();
    for m in members {
        hasher.update(format!("{} {} {}\n", m.service, m.release, m.commit).as_bytes());
    }
    format!("train:{}", hex::encode(hasher.finalize()))
}

/// How a train promotion ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainOutcome {
    pub ok: bool,
    pub reason: String,
    pub at: Timestamp,
    pub by: String,
}

/// One promotion (or backout) of a train release into an environment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainPromotion {
    /// The `train-promotion-started` event's id.
    pub id: String,
    pub train: String,
    pub release: String,
    pub env: String,
    /// The members to move, in the order they are moved (reverse order for a backout), each
    /// with the release it goes to.
    pub members: Vec<TrainMember>,
    pub backout: bool,
    pub started_by: String,
    pub started_at: Timestamp,
    /// After this, a promotion with no outcome and nothing in flight was interrupted.
    pub deadline: Timestamp,
    pub outcome: Option<TrainOutcome>,
}

/// The state of one member within a promotion, from the deployments log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "state")]
pub enum MemberState {
    /// Not called (yet).
    Waiting,
    InFlight {
        deployment: String,
    },
    Succeeded {
        deployment: String,
    },
    Failed {
        deployment: String,
        reason: String,
    },
}

impl MemberState {
    /// Whether the member's deployer was called (it may have moved, even if it failed).
    pub fn moved(&self) -> bool {
        !matches!(self, MemberState::Waiting)
    }
}

impl TrainPromotion {
    /// Each member's deployment in this promotion: the first deployment of that member's
    /// release into the environment requested since the promotion started.
    pub fn member_states(&self, ledger: &Ledger) -> Vec<(TrainMember, MemberState)> {
        self.members
            .iter()
            .map(|m| {
                let d = ledger.deployments().iter().find(|d| self.covers(m, d));
                let state = match d {
                    None => MemberState::Waiting,
                    Some(d) => match &d.state {
                        DeploymentState::InFlight => MemberState::InFlight {
                            deployment: d.id.clone(),
                        },
                        DeploymentState::Succeeded { .. } => MemberState::Succeeded {
                            deployment: d.id.clone(),
                        },
                        DeploymentState::Failed { reason, .. } => MemberState::Failed {
                            deployment: d.id.clone(),
                            reason: reason.clone(),
                        },
                    },
                };
                (m.clone(), state)
            })
            .collect()
    }

    fn covers(&self, m: &TrainMember, d: &Deployment) -> bool {
        d.service == m.service
            && d.env == self.env
            && d.release == m.release
            && d.rollback == self.backout
            && d.requested_at >= self.started_at
    }
}

/// What the next observer records about an unfinished promotion, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// A member is in flight, or the promoter may still be between members.
    Running,
    Finished {
        ok: bool,
        reason: String,
    },
}

/// Decides an unfinished promotion from its members' deployments at `now`: every member
/// succeeded → done; one failed → stopped there; none in flight and the deadline passed →
/// interrupted (the promoter is gone; nothing is called on its behalf).
pub fn verdict(
    states: &[(TrainMember, MemberState)],
    deadline: Timestamp,
    now: Timestamp,
) -> Verdict {
    if let Some((m, MemberState::Failed { reason, .. })) = states
        .iter()
        .find(|(_, s)| matches!(s, MemberState::Failed { .. }))
    {
        return Verdict::Finished {
            ok: false,
            reason: format!("{} ({}) failed: {reason}", m.service, m.release),
        };
    }
    if states
        .iter()
        .all(|(_, s)| matches!(s, MemberState::Succeeded { .. }))
    {
        return Verdict::Finished {
            ok: true,
            reason: String::new(),
        };
    }
    let in_flight = states
        .iter()
        .any(|(_, s)| matches!(s, MemberState::InFlight { .. }));
    if in_flight || now < deadline {
        return Verdict::Running;
    }
    let done: Vec<&str> = states
        .iter()
        .filter(|(_, s)| s.moved())
        .map(|(m, _)| m.service.as_str())
        .collect();
    let next = states
        .iter()
        .find(|(_, s)| !s.moved())
        .map_or("", |(m, _)| m.service.as_str());
    Verdict::Finished {
        ok: false,
        reason: format!(
            "interrupted: {} before {next} was called (the promoting process ended); nothing \
             was called since",
            if done.is_empty() {
                "stopped".to_string()
            } else {
                format!("{} moved", done.join(", "))
            }
        ),
    }
}

/// Every train release and train promotion the log holds.
#[derive(Debug, Clone, Default)]
pub struct Trains {
    /// By (train, release name).
    releases: BTreeMap<(String, String), TrainRelease>,
    promotions: Vec<TrainPromotion>,
}

impl Trains {
    pub fn from_events(events: &[Event]) -> Trains {
        let mut trains = Trains::default();
        for e in events {
            if matches!(
                e.kind.as_str(),
                "train-cut" | "train-promotion-started" | "train-promotion-finished"
            ) {
                trains.apply(e);
            }
        }
        trains
    }

    fn apply(&mut self, e: &Event) {
        let (Some(train), Some(release)) = (e.service.as_deref(), e.release.as_deref()) else {
            return;
        };
        match e.fact() {
            Some(Fact::TrainCut { members }) => {
                self.releases
                    .entry((train.to_string(), release.to_string()))
                    .or_insert_with(|| TrainRelease {
                        train: train.to_string(),
                        name: release.to_string(),
                        members: members.iter().map(clean).collect(),
                        from_env: e.env.clone(),
                        cut_by: sanitize(&e.actor),
                        cut_at: e.at,
                        event_id: e.id.clone(),
                    });
            }
            Some(Fact::TrainPromotionStarted {
                members,
                backout,
                deadline_secs,
            }) => {
                let Some(env) = e.env.as_deref() else { return };
                if self.promotions.iter().any(|p| p.id == e.id) {
                    return;
                }
                let secs = i64::try_from(deadline_secs).unwrap_or(i64::MAX);
                self.promotions.push(TrainPromotion {
                    id: e.id.clone(),
                    train: train.to_string(),
                    release: release.to_string(),
                    env: env.to_string(),
                    members: members.iter().map(clean).collect(),
                    backout,
                    started_by: sanitize(&e.actor),
                    started_at: e.at,
                    deadline: e
                        .at
                        .checked_add(jiff::SignedDuration::from_secs(secs))
                        .unwrap_or(Timestamp::MAX),
                    outcome: None,
                });
            }
            Some(Fact::TrainPromotionFinished {
                promotion,
                ok,
                reason,
            }) => {
                if let Some(p) = self.promotions.iter_mut().find(|p| p.id == promotion)
                    && p.outcome.is_none()
                {
                    p.outcome = Some(TrainOutcome {
                        ok,
                        reason: sanitize(&reason),
                        at: e.at,
                        by: sanitize(&e.actor),
                    });
                }
            }
            _ => {}
        }
    }

    pub fn release(&self, train: &str, name: &str) -> Option<&TrainRelease> {
        self.releases.get(&(train.to_string(), name.to_string()))
    }

    /// The train's releases, newest cut first.
    pub fn releases_of(&self, train: &str) -> Vec<&TrainRelease> {
        let mut out: Vec<&TrainRelease> = self
            .releases
            .values()
            .filter(|r| r.train == train)
            .collect();
        out.sort_by(|a, b| b.cut_at.cmp(&a.cut_at).then(b.name.cmp(&a.name)));
        out
    }

    pub fn promotions(&self) -> &[TrainPromotion] {
        &self.promotions
    }

    /// Promotions with no outcome yet.
    pub fn unfinished(&self) -> impl Iterator<Item = &TrainPromotion> {
        self.promotions.iter().filter(|p| p.outcome.is_none())
    }

    /// The latest forward promotion of (train, release) into `env`.
    pub fn latest_promotion(
        &self,
        train: &str,
        release: &str,
        env: &str,
    ) -> Option<&TrainPromotion> {
        self.promotions
            .iter()
            .rev()
            .find(|p| p.train == train && p.release == release && p.env == env && !p.backout)
    }

    /// The name of the next cut of `train` on `now`'s UTC day: `shop-2026.12.02-1`, `-2`, …
    pub fn next_name(&self, train: &str, now: Timestamp) -> String {
        let day = now.strftime("%Y.%m.%d").to_string();
        let stem = format!("{train}-{day}-");
        let taken = self
            .releases
            .keys()
            .filter(|(t, _)| t == train)
            .filter_map(|(_, name)| name.strip_prefix(&stem)?.parse::<u32>().ok())
            .max()
            .unwrap_or(0);
        format!("{stem}{}", taken + 1)
    }
}

fn clean(m: &TrainMember) -> TrainMember {
    TrainMember {
        service: sanitize(&m.service),
        release: sanitize(&m.release),
        commit: sanitize(&m.commit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(service: &str, release: &str, commit: &str) -> TrainMember {
        TrainMember {
            service: service.into(),
            release: release.into(),
            commit: commit.into(),
        }
    }

    #[test]
    fn the_digest_changes_when_any_member_commit_changes() {
        let a = [member("api", "api-v1", "aa"), member("web", "web-v1", "bb")];
        let b = [member("api", "api-v1", "aa"), member("web", "web-v1", "cc")];
        assert_ne!(digest_of(&a), digest_of(&b));
        assert_eq!(digest_of(&a), digest_of(&a.clone()));
        assert!(digest_of(&a).starts_with("train:"));
    }

    #[test]
    fn a_failed_member_stops_the_train_and_all_succeeded_finishes_it() {
        let now = Timestamp::UNIX_EPOCH;
        let m = member("api", "api-v1", "aa");
        let ok = MemberState::Succeeded {
            deployment: "d1".into(),
        };
        let failed = MemberState::Failed {
            deployment: "d2".into(),
            reason: "unhealthy".into(),
        };
        assert_eq!(
            verdict(&[(m.clone(), ok.clone())], now, now),
            Verdict::Finished {
                ok: true,
                reason: String::new()
            }
        );
        let v = verdict(
            &[(m.clone(), ok.clone()), (m.clone(), failed)],
            Timestamp::MAX,
            now,
        );
        assert!(matches!(v, Verdict::Finished { ok: false, .. }));
        let waiting = [
            (m.clone(), ok),
            (member("web", "w", "b"), MemberState::Waiting),
        ];
        assert_eq!(verdict(&waiting, Timestamp::MAX, now), Verdict::Running);
        match verdict(&waiting, now, now) {
            Verdict::Finished { ok, reason } => {
                assert!(!ok);
                assert!(reason.contains("api moved before web"), "{reason}");
            }
            Verdict::Running => panic!("past the deadline it is interrupted"),
        }
    }
}
