//! The fold of the event log into state: approvals, overrides, checklist ticks and deployments.
//! Pure: replaying the same events always gives the same ledger, and kinds this version does not
//! know are skipped (they stay in the log).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use jiff::{SignedDuration, Timestamp};

mod records;

pub use records::{
    Approval, Deployment, DeploymentState, NOTHING_CHANGED, NotesEdit, Override, Tick,
};

use super::event::{Event, Fact};
// Events may come from other people's consoles or a hand-edited log: free text is made safe for
// the terminal here, where it enters the program's state.
use super::sanitize::{sanitize, sanitize_multiline};

/// (service, release, environment): what approvals, overrides and notes are about.
type Scope = (String, String, String);

fn scope(service: &str, release: &str, env: &str) -> Scope {
    (service.to_string(), release.to_string(), env.to_string())
}

/// Everything the event log says, folded.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    approvals: BTreeMap<Scope, Vec<Approval>>,
    overrides: BTreeMap<Scope, Vec<Override>>,
    /// (scope, checklist) → item id → tick.
    ticks: BTreeMap<(Scope, String), BTreeMap<String, Tick>>,
    deployments: Vec<Deployment>,
    deployment_index: HashMap<String, usize>,
    /// Order in which deployments succeeded (indexes into `deployments`), for `last_successful`.
    successes: Vec<usize>,
    /// (service, release, env) → the first of `successes` there, so `first_success_of` is a
    /// lookup (insights asks it for every promotion of a 100,000-event log).
    first_successes: HashMap<Scope, usize>,
    /// (service, release, env or "" for any environment) with published notes → the id of the
    /// first publication where every channel succeeded.
    published: BTreeMap<Scope, String>,
    /// When each successful publication was recorded, by event id.
    published_at: HashMap<String, Timestamp>,
    /// (service, release) → the latest hand edit of its notes.
    notes_edits: BTreeMap<(String, String), NotesEdit>,
    /// (service, tag) pairs recorded by `tagged` events.
    tagged: BTreeSet<(String, String)>,
    /// Deployments that are rollouts into a slotted target (`crate::domain::rollout` folds
    /// their steps); their outcome is the rollout's to record.
    rollouts: BTreeSet<String>,
}

impl Ledger {
    pub fn from_events(events: &[Event]) -> Ledger {
        let mut ledger = Ledger::default();
        for event in events {
            ledger.apply(event);
        }
        ledger
    }

    /// Folds one event in. Unknown kinds, and scoped facts missing their scope, are ignored.
    pub fn apply(&mut self, event: &Event) {
        let Some(fact) = event.fact() else { return };
        let service = event.service.as_deref();
        let release = event.release.as_deref();
        let env = event.env.as_deref();
        match fact {
            Fact::Approved { commit, note } => {
                let (Some(s), Some(r), Some(e)) = (service, release, env) else {
                    return;
                };
                self.approvals
                    .entry(scope(s, r, e))
                    .or_default()
                    .push(Approval {
                        event_id: event.id.clone(),
                        actor: sanitize(&event.actor),
                        commit,
                        at: event.at,
                        note: note.as_deref().map(sanitize),
                    });
            }
            Fact::Overridden { gate, reason } => {
                let (Some(s), Some(r), Some(e)) = (service, release, env) else {
                    return;
                };
                self.overrides
                    .entry(scope(s, r, e))
                    .or_default()
                    .push(Override {
                        event_id: event.id.clone(),
                        actor: sanitize(&event.actor),
                        gate,
                        reason: sanitize(&reason),
                        at: event.at,
                    });
            }
            Fact::ItemTicked {
                checklist,
                item,
                note,
                by_event,
            } => {
                self.change_item(event, &checklist, &item, Some((true, note, by_event)));
            }
            Fact::ItemUnticked {
                checklist,
                item,
                note,
            } => {
                self.change_item(event, &checklist, &item, Some((false, note, None)));
            }
            Fact::ItemNoted {
                checklist,
                item,
                note,
            } => {
                self.change_item(event, &checklist, &item, None);
                if let Some(tick) = self.tick_mut(event, &checklist, &item) {
                    tick.notes
                        .push((sanitize(&event.actor), event.at, sanitize(&note)));
                }
            }
            Fact::DeployRequested {
                commit,
                previous_release,
                rollback,
                call,
                verify_timeout_secs,
            } => {
                let (Some(s), Some(r), Some(e)) = (service, release, env) else {
                    return;
                };
                if self.deployment_index.contains_key(&event.id) {
                    return;
                }
                let timeout = SignedDuration::from_secs(
                    i64::try_from(verify_timeout_secs).unwrap_or(i64::MAX),
                );
                let verify_deadline = event.at.checked_add(timeout).unwrap_or(Timestamp::MAX);
                self.deployment_index
                    .insert(event.id.clone(), self.deployments.len());
                self.deployments.push(Deployment {
                    id: event.id.clone(),
                    service: s.to_string(),
                    env: e.to_string(),
                    release: r.to_string(),
                    commit,
                    previous_release,
                    rollback,
                    requested_by: sanitize(&event.actor),
                    requested_at: event.at,
                    call: sanitize(&call),
                    verify_deadline,
                    accepted_at: None,
                    state: DeploymentState::InFlight,
                });
            }
            Fact::DeployAccepted { deployment, .. } => {
                if let Some(&i) = self.deployment_index.get(&deployment) {
                    let d = &mut self.deployments[i];
                    d.accepted_at.get_or_insert(event.at);
                }
            }
            Fact::DeploySucceeded { deployment } => {
                self.settle(&deployment, DeploymentState::Succeeded { at: event.at });
            }
            Fact::DeployFailed { deployment, reason } => {
                self.settle(
                    &deployment,
                    DeploymentState::Failed {
                        at: event.at,
                        reason: sanitize(&reason),
                    },
                );
            }
            Fact::Tagged { tag, .. } => {
                if let Some(s) = service {
                    self.tagged.insert((s.to_string(), tag));
                }
            }
            Fact::NotesPublished { ok, .. } => {
                let (Some(s), Some(r), true) = (service, release, ok) else {
                    return;
                };
                self.published
                    .entry(scope(s, r, env.unwrap_or_default()))
                    .or_insert_with(|| event.id.clone());
                self.published_at.insert(event.id.clone(), event.at);
            }
            Fact::NotesEdited { markdown, .. } => {
                let (Some(s), Some(r)) = (service, release) else {
                    return;
                };
                self.notes_edits.insert(
                    (s.to_string(), r.to_string()),
                    NotesEdit {
                        event_id: event.id.clone(),
                        actor: sanitize(&event.actor),
                        at: event.at,
                        markdown: sanitize_multiline(&markdown),
                    },
                );
            }
            Fact::RolloutStarted { deployment, .. } => {
                self.rollouts.insert(deployment);
            }
            // Flags have no release: their history is read by `domain::flag_change`; a
            // rollout's steps by `domain::rollout`; trains are folded by `domain::train::Trains`.
            Fact::FlagChanged { .. }
            | Fact::TrafficShifted { .. }
            | Fact::RolloutAborted { .. }
            | Fact::TrainCut { .. }
            | Fact::TrainPromotionStarted { .. }
            | Fact::TrainPromotionFinished { .. } => {}
        }
    }

    /// Whether deployment `id` is a rollout into a slotted target.
    pub fn is_rollout(&self, id: &str) -> bool {
        self.rollouts.contains(id)
    }

    /// The first outcome wins: later ones, and outcomes of unknown deployments, are ignored.
    fn settle(&mut self, id: &str, state: DeploymentState) {
        let Some(&i) = self.deployment_index.get(id) else {
            return;
        };
        if self.deployments[i].is_in_flight() {
            self.deployments[i].state = state;
            if matches!(self.deployments[i].state, DeploymentState::Succeeded { .. }) {
                self.successes.push(i);
                let d = &self.deployments[i];
                self.first_successes
                    .entry(scope(&d.service, &d.release, &d.env))
                    .or_insert(i);
            }
        }
    }

    fn tick_mut(&mut self, event: &Event, checklist: &str, item: &str) -> Option<&mut Tick> {
        let (Some(s), Some(r), Some(e)) = (&event.service, &event.release, &event.env) else {
            return None;
        };
        self.ticks
            .get_mut(&(scope(s, r, e), checklist.to_string()))
            .and_then(|items| items.get_mut(item))
    }

    /// Sets an item's state (`Some((ticked, note, by_event))`), or only makes sure it has an
    /// entry (`None`, for notes).
    fn change_item(
        &mut self,
        event: &Event,
        checklist: &str,
        item: &str,
        change: Option<(bool, Option<String>, Option<String>)>,
    ) {
        let (Some(s), Some(r), Some(e)) = (&event.service, &event.release, &event.env) else {
            return;
        };
        let items = self
            .ticks
            .entry((scope(s, r, e), checklist.to_string()))
            .or_default();
        let actor = sanitize(&event.actor);
        let tick = items.entry(item.to_string()).or_insert_with(|| Tick {
            ticked: false,
            actor: actor.clone(),
            at: event.at,
            note: None,
            by_event: None,
            unticked: false,
            notes: Vec::new(),
        });
        if let Some((ticked, note, by_event)) = change {
            let note = note.as_deref().map(sanitize);
            tick.ticked = ticked;
            tick.unticked = !ticked;
            tick.at = event.at;
            if let Some(n) = &note {
                tick.notes.push((actor.clone(), event.at, n.clone()));
            }
            tick.actor = actor;
            tick.note = note;
            tick.by_event = by_event;
        }
    }

    /// Approvals recorded for (service, release, env), oldest first, whatever their commit.
    pub fn approvals(&self, service: &str, release: &str, env: &str) -> Vec<&Approval> {
        self.approvals
            .get(&scope(service, release, env))
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// Overrides recorded for (service, release, env), oldest first, for any gate.
    pub fn overrides(&self, service: &str, release: &str, env: &str) -> Vec<&Override> {
        self.overrides
            .get(&scope(service, release, env))
            .map(|v| v.iter().collect())
            .unwrap_or_default()
    }

    /// The latest state of every item of `checklist` anyone touched, by item id.
    pub fn ticks(
        &self,
        service: &str,
        release: &str,
        env: &str,
        checklist: &str,
    ) -> BTreeMap<String, Tick> {
        self.ticks
            .get(&(scope(service, release, env), checklist.to_string()))
            .cloned()
            .unwrap_or_default()
    }

    /// Every deployment, in the order they were requested.
    pub fn deployments(&self) -> &[Deployment] {
        &self.deployments
    }

    pub fn deployment(&self, id: &str) -> Option<&Deployment> {
        self.deployment_index.get(id).map(|&i| &self.deployments[i])
    }

    /// Caps each deployment's verify deadline at `requested_at` plus `cap(service)` (the
    /// configuration's verify timeout now): a `30d` typo since fixed, or a crafted event, must
    /// not hold a target for longer than the configuration allows today.
    pub fn cap_verify_deadlines(&mut self, cap: impl Fn(&str) -> Option<std::time::Duration>) {
        for d in &mut self.deployments {
            let Some(limit) = cap(&d.service) else {
                continue;
            };
            let limit = SignedDuration::try_from(limit).unwrap_or(SignedDuration::MAX);
            let capped = d.requested_at.checked_add(limit).unwrap_or(Timestamp::MAX);
            if capped < d.verify_deadline {
                d.verify_deadline = capped;
            }
        }
    }

    /// The latest deployment of the target still in flight, if any.
    pub fn in_flight(&self, service: &str, env: &str) -> Option<&Deployment> {
        self.deployments
            .iter()
            .rev()
            .find(|d| d.service == service && d.env == env && d.is_in_flight())
    }

    /// The deployment that last succeeded on the target (by when its success was recorded).
    pub fn last_successful(&self, service: &str, env: &str) -> Option<&Deployment> {
        self.successes
            .iter()
            .rev()
            .map(|&i| &self.deployments[i])
            .find(|d| d.service == service && d.env == env)
    }

    /// The first deployment of `release` to the target that succeeded (soak counts from it).
    pub fn first_success_of(&self, service: &str, release: &str, env: &str) -> Option<&Deployment> {
        self.first_successes
            .get(&scope(service, release, env))
            .map(|&i| &self.deployments[i])
    }

    /// Whether notes for the release were published, for `env` or for no particular environment.
    pub fn notes_published(&self, service: &str, release: &str, env: &str) -> bool {
        self.published_by(service, release, env).is_some()
    }

    /// The id of the first publication of the release's notes (for `env`, else for no particular
    /// environment) where every channel succeeded.
    pub fn published_by(&self, service: &str, release: &str, env: &str) -> Option<&str> {
        self.published
            .get(&scope(service, release, env))
            .or_else(|| self.published.get(&scope(service, release, "")))
            .map(String::as_str)
    }

    /// When the publication `id` was recorded.
    pub fn published_at(&self, id: &str) -> Option<Timestamp> {
        self.published_at.get(id).copied()
    }

    /// The latest hand edit of the release's notes, if anyone edited them.
    pub fn notes_edit(&self, service: &str, release: &str) -> Option<&NotesEdit> {
        self.notes_edits
            .get(&(service.to_string(), release.to_string()))
    }

    /// Whether a `tagged` event recorded `tag` for the service.
    pub fn was_tagged(&self, service: &str, tag: &str) -> bool {
        self.tagged
            .contains(&(service.to_string(), tag.to_string()))
    }
}
