//! Rollouts into slotted targets, folded from the log, and the pure step machine that says what
//! a driver does next. Nothing here reads a router: drift compares what the log recorded with a
//! reading the caller brings.

use std::time::Duration;

use jiff::Timestamp;

use super::event::{Event, Fact, RolloutStep};
use super::traffic::{Weights, same_split};

/// How a rollout ended, or that it has not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Running,
    Succeeded {
        at: Timestamp,
    },
    Aborted {
        at: Timestamp,
        reason: String,
    },
    /// The deployment failed before any traffic moved (the deployer refused, the slot did not
    /// verify).
    Failed {
        at: Timestamp,
        reason: String,
    },
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Outcome::Running => "running",
            Outcome::Succeeded { .. } => "succeeded",
            Outcome::Aborted { .. } => "aborted",
            Outcome::Failed { .. } => "failed",
        }
    }
}

/// One recorded shift of a rollout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub step: Option<usize>,
    pub before: Weights,
    pub after: Weights,
    pub at: Timestamp,
    pub actor: String,
}

/// One rollout as the log has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rollout {
    /// The deployment's id (its `deploy-requested` event's).
    pub deployment: String,
    pub service: String,
    pub env: String,
    pub release: String,
    pub from: String,
    pub to: String,
    pub steps: Vec<RolloutStep>,
    pub started_at: Timestamp,
    pub started_by: String,
    /// The weights when it began.
    pub initial: Weights,
    pub shifts: Vec<Shift>,
    pub outcome: Outcome,
}

impl Rollout {
    /// The last step whose shift was recorded.
    pub fn current_step(&self) -> Option<usize> {
        self.shifts.iter().rev().find_map(|s| s.step)
    }

    /// What the log says the router holds for this rollout: the last shift's weights, else the
    /// weights it began with.
    pub fn recorded(&self) -> &Weights {
        self.shifts.last().map_or(&self.initial, |s| &s.after)
    }

    /// The last step's index.
    pub fn last_step(&self) -> usize {
        self.steps.len().saturating_sub(1)
    }
}

/// What a driver does next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Next {
    /// Shift to step `index` now.
    Shift { index: usize },
    /// Wait (with analysis) until `until`, then shift to step `next`.
    Pause {
        step: usize,
        until: Timestamp,
        next: usize,
    },
    /// The last step is shifted: record the deployment's success.
    Finish,
    /// Nothing: the rollout has ended.
    Ended,
}

/// The step machine: where the rollout stands at `now`. Before any shift, the first step is
/// due (the caller verifies the new slot first).
pub fn next(rollout: &Rollout, now: Timestamp) -> Next {
    if rollout.outcome != Outcome::Running {
        return Next::Ended;
    }
    let Some(k) = rollout.current_step() else {
        return Next::Shift { index: 0 };
    };
    if k >= rollout.last_step() {
        return Next::Finish;
    }
    let shifted_at = rollout
        .shifts
        .iter()
        .rev()
        .find(|s| s.step == Some(k))
        .map_or(rollout.started_at, |s| s.at);
    let pause = Duration::from_secs(rollout.steps[k].pause_secs);
    let until = shifted_at
        .checked_add(jiff::SignedDuration::try_from(pause).unwrap_or_default())
        .unwrap_or(shifted_at);
    if now < until {
        Next::Pause {
            step: k,
            until,
            next: k + 1,
        }
    } else {
        Next::Shift { index: k + 1 }
    }
}

/// Every rollout of (service, env), oldest first.
pub fn rollouts(events: &[Event], service: &str, env: &str) -> Vec<Rollout> {
    let mut out: Vec<Rollout> = Vec::new();
    for e in events {
        if e.service.as_deref() != Some(service) || e.env.as_deref() != Some(env) {
            continue;
        }
        let Some(fact) = e.fact() else { continue };
        match fact {
            Fact::RolloutStarted {
                deployment,
                from,
                to,
                steps,
                weights,
            } => {
                if out.iter().any(|r| r.deployment == deployment) {
                    continue;
                }
                out.push(Rollout {
                    deployment,
                    service: service.to_string(),
                    env: env.to_string(),
                    release: e.release.clone().unwrap_or_default(),
                    from,
                    to,
                    steps,
                    started_at: e.at,
                    started_by: e.actor.clone(),
                    initial: weights,
                    shifts: Vec::new(),
                    outcome: Outcome::Running,
                });
            }
            Fact::TrafficShifted {
                deployment: Some(d),
                before,
                after,
                step,
                ..
            } => {
                if let Some(r) = out.iter_mut().find(|r| r.deployment == d) {
                    r.shifts.push(Shift {
                        step,
                        before,
                        after,
                        at: e.at,
                        actor: e.actor.clone(),
                    });
                }
            }
            Fact::RolloutAborted { deployment, reason } => {
                if let Some(r) = out.iter_mut().find(|r| r.deployment == deployment)
                    && r.outcome == Outcome::Running
                {
                    r.outcome = Outcome::Aborted { at: e.at, reason };
                }
            }
            Fact::DeploySucceeded { deployment } => {
                if let Some(r) = out.iter_mut().find(|r| r.deployment == deployment)
                    && r.outcome == Outcome::Running
                {
                    r.outcome = Outcome::Succeeded { at: e.at };
                }
            }
            Fact::DeployFailed { deployment, reason } => {
                if let Some(r) = out.iter_mut().find(|r| r.deployment == deployment)
                    && r.outcome == Outcome::Running
                {
                    r.outcome = Outcome::Failed { at: e.at, reason };
                }
            }
            _ => {}
        }
    }
    out
}

/// The latest rollout of (service, env), ended or not.
pub fn latest(events: &[Event], service: &str, env: &str) -> Option<Rollout> {
    rollouts(events, service, env).pop()
}

/// What the log last recorded the router holding for (service, env): the latest
/// `traffic-shifted` (of a rollout or a switch), else the weights the latest rollout began with.
pub fn recorded_weights(events: &[Event], service: &str, env: &str) -> Option<Weights> {
    let mut out = None;
    for e in events {
        if e.service.as_deref() != Some(service) || e.env.as_deref() != Some(env) {
            continue;
        }
        match e.fact() {
            Some(Fact::TrafficShifted { after, .. }) => out = Some(after),
            Some(Fact::RolloutStarted { weights, .. }) if out.is_none() => out = Some(weights),
            _ => {}
        }
    }
    out
}

/// Router state that differs from the last recorded shift: drift (computed, never recorded).
/// With nothing recorded, the first reading is the baseline, so there is no drift.
pub fn drift(slots: &[String], recorded: Option<&Weights>, router: &Weights) -> bool {
    recorded.is_some_and(|r| !same_split(slots, r, router))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollout(steps: &[(u32, u64)]) -> Rollout {
        Rollout {
            deployment: "d1".into(),
            service: "web".into(),
            env: "prod".into(),
            release: "web-v2".into(),
            from: "blue".into(),
            to: "green".into(),
            steps: steps
                .iter()
                .map(|&(weight, pause_secs)| RolloutStep { weight, pause_secs })
                .collect(),
            started_at: Timestamp::from_second(1_000).expect("valid"),
            started_by: "a".into(),
            initial: Weights::new(),
            shifts: Vec::new(),
            outcome: Outcome::Running,
        }
    }

    fn shifted(r: &mut Rollout, step: usize, at: i64) {
        r.shifts.push(Shift {
            step: Some(step),
            before: Weights::new(),
            after: Weights::new(),
            at: Timestamp::from_second(at).expect("valid"),
            actor: "a".into(),
        });
    }

    #[test]
    fn a_canary_shifts_pauses_and_finishes_at_its_last_step() {
        let mut r = rollout(&[(10, 60), (50, 60), (100, 0)]);
        let at = |s| Timestamp::from_second(s).expect("valid");
        assert_eq!(next(&r, at(1_001)), Next::Shift { index: 0 });
        shifted(&mut r, 0, 1_010);
        assert_eq!(
            next(&r, at(1_030)),
            Next::Pause {
                step: 0,
                until: at(1_070),
                next: 1
            }
        );
        assert_eq!(next(&r, at(1_070)), Next::Shift { index: 1 });
        shifted(&mut r, 1, 1_071);
        shifted(&mut r, 2, 1_200);
        assert_eq!(next(&r, at(1_201)), Next::Finish);
        r.outcome = Outcome::Succeeded { at: at(1_202) };
        assert_eq!(next(&r, at(1_203)), Next::Ended);
    }

    #[test]
    fn drift_needs_a_recorded_split_that_differs() {
        let slots = vec!["blue".to_string(), "green".to_string()];
        let a: Weights = [("blue".to_string(), 90), ("green".to_string(), 10)].into();
        let b: Weights = [("blue".to_string(), 100), ("green".to_string(), 0)].into();
        assert!(!drift(&slots, None, &a));
        assert!(!drift(&slots, Some(&a), &a));
        assert!(drift(&slots, Some(&a), &b));
    }
}
