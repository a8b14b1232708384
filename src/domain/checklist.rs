//! Checklist state for (service, release, environment): which items are done, by whom, and which
//! `auto` items the world has now satisfied.

use jiff::Timestamp;

use super::config::{AutoTick, ChecklistItem, ChecklistTemplate, Stage};
use super::ledger::{DeploymentState, Ledger, Tick};
use super::observation::{Health, Observation};
use super::release::Release;

/// One item with its latest state (`None` when nobody touched it).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemProgress {
    pub item: ChecklistItem,
    pub tick: Option<Tick>,
    /// For an `auto` item: the fact that makes it done, derived from git, the log and the
    /// observations (never a person's tick). `None` when the world does not satisfy it yet.
    pub auto: Option<AutoFact>,
}

impl ItemProgress {
    /// Done: a person (or the action that caused it) ticked it, or its automatic fact holds and
    /// nobody unticked it since.
    pub fn is_ticked(&self) -> bool {
        match &self.tick {
            Some(t) if t.ticked || t.unticked => t.ticked,
            _ => self.auto.is_some(),
        }
    }

    /// Whether the item is done by its automatic fact rather than by a recorded tick.
    pub fn is_auto(&self) -> bool {
        self.auto.is_some() && !self.tick.as_ref().is_some_and(|t| t.ticked || t.unticked)
    }
}

/// Why an `auto` item is done: "tagged api-v1.5.0" at the tag's date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutoFact {
    /// What happened, without the time: `tagged api-v1.5.0`, `deployed by dana@x`.
    pub what: String,
    pub at: Timestamp,
    /// The event that records it, when one does (the deployment, the publication).
    pub event: Option<String>,
}

/// The fact that satisfies `auto` for the release in `env`, if any. `observation` is the
/// target's latest; `tagged` is the release's tag, when it is one.
pub fn auto_fact(
    auto: AutoTick,
    ledger: &Ledger,
    service: &str,
    release: &Release,
    env: &str,
    observation: Option<&Observation>,
) -> Option<AutoFact> {
    match auto {
        AutoTick::Tagged => release.is_tag().then(|| AutoFact {
            what: format!("tagged {}", release.name),
            at: release.date,
            event: None,
        }),
        AutoTick::Deployed => ledger
            .first_success_of(service, &release.name, env)
            .and_then(|d| {
                Some(AutoFact {
                    what: format!("deployed by {}", d.requested_by),
                    at: d.succeeded_at()?,
                    event: Some(d.id.clone()),
                })
            }),
        AutoTick::Healthy => {
            let verified = ledger
                .first_success_of(service, &release.name, env)
                .and_then(|d| match d.state {
                    DeploymentState::Succeeded { at } => Some(AutoFact {
                        what: format!("verified healthy running {}", release.name),
                        at,
                        event: Some(d.id.clone()),
                    }),
                    _ => None,
                });
            verified.or_else(|| {
                observation
                    .filter(|o| {
                        o.service == service
                            && o.env == env
                            && o.release.as_deref() == Some(release.name.as_str())
                            && o.health == Health::Pass
                    })
                    .map(|o| AutoFact {
                        what: format!("observed healthy running {}", release.name),
                        at: o.at,
                        event: None,
                    })
            })
        }
        AutoTick::Published => {
            ledger
                .published_by(service, &release.name, env)
                .map(|id| AutoFact {
                    what: "notes published".to_string(),
                    at: ledger.published_at(id).unwrap_or(release.date),
                    event: Some(id.to_string()),
                })
        }
    }
}

/// Whether the release runs in `env`: a deployment of it there succeeded, or the target's
/// latest observation reports it. `after` items can only be done then.
pub fn runs_in(
    ledger: &Ledger,
    service: &str,
    release: &str,
    env: &str,
    observation: Option<&Observation>,
) -> bool {
    ledger.first_success_of(service, release, env).is_some()
        || observation.is_some_and(|o| {
            o.service == service && o.env == env && o.release.as_deref() == Some(release)
        })
}

/// A checklist's progress, items in the template's order.
#[derive(Debug, Clone, PartialEq)]
pub struct ChecklistProgress {
    pub name: String,
    pub items: Vec<ItemProgress>,
    /// Required `before` items ticked, of `before_required`.
    pub before_done: usize,
    pub before_required: usize,
    /// Required `after` items ticked, of `after_required`.
    pub after_done: usize,
    pub after_required: usize,
}

impl ChecklistProgress {
    /// Every required `before` item is ticked: the checklist no longer blocks a promotion.
    pub fn before_complete(&self) -> bool {
        self.before_done == self.before_required
    }

    /// Required `before` items not ticked yet, in order.
    pub fn missing_before(&self) -> Vec<&ItemProgress> {
        self.items
            .iter()
            .filter(|p| p.item.stage == Stage::Before && p.item.required && !p.is_ticked())
            .collect()
    }
}

/// The checklist's progress from recorded ticks alone (automatic facts not derived).
pub fn progress(
    template: &ChecklistTemplate,
    ledger: &Ledger,
    service: &str,
    release: &str,
    env: &str,
) -> ChecklistProgress {
    let mut ticks = ledger.ticks(service, release, env, &template.name);
    let items: Vec<ItemProgress> = template
        .items
        .iter()
        .map(|item| ItemProgress {
            item: item.clone(),
            tick: ticks.remove(&item.id),
            auto: None,
        })
        .collect();
    tally(template, items)
}

/// The checklist's progress as it stands: recorded ticks, and every `auto` item's fact derived
/// from git (the release is a tag), the log (a deployment succeeded, notes were published) and
/// the target's latest `observation`. Reading it records nothing.
pub fn state(
    template: &ChecklistTemplate,
    ledger: &Ledger,
    service: &str,
    release: &Release,
    env: &str,
    observation: Option<&Observation>,
) -> ChecklistProgress {
    let mut ticks = ledger.ticks(service, &release.name, env, &template.name);
    let items: Vec<ItemProgress> = template
        .items
        .iter()
        .map(|item| ItemProgress {
            item: item.clone(),
            tick: ticks.remove(&item.id),
            auto: item
                .auto
                .and_then(|a| auto_fact(a, ledger, service, release, env, observation)),
        })
        .collect();
    tally(template, items)
}

fn tally(template: &ChecklistTemplate, items: Vec<ItemProgress>) -> ChecklistProgress {
    let count = |stage: Stage, done: bool| {
        items
            .iter()
            .filter(|p| p.item.stage == stage && p.item.required && (!done || p.is_ticked()))
            .count()
    };
    ChecklistProgress {
        name: template.name.clone(),
        before_done: count(Stage::Before, true),
        before_required: count(Stage::Before, false),
        after_done: count(Stage::After, true),
        after_required: count(Stage::After, false),
        items,
    }
}

/// The ids of `auto` items the world now satisfies that are not ticked yet; the caller records
/// the ticks. Items a person unticked are left alone, so an automatic tick never fights a person.
/// `tagged`: the release is a tag; `deployed`: a deployment of it to `env` succeeded; `healthy`:
/// `observation` (of the target) reports it healthy; `published`: its notes were published.
pub fn auto_ticks(
    template: &ChecklistTemplate,
    ledger: &Ledger,
    service: &str,
    release: &str,
    env: &str,
    observation: Option<&Observation>,
    tagged: bool,
) -> Vec<String> {
    let ticks = ledger.ticks(service, release, env, &template.name);
    let healthy = observation.is_some_and(|o| {
        o.service == service
            && o.env == env
            && o.release.as_deref() == Some(release)
            && o.health == Health::Pass
    });
    template
        .items
        .iter()
        .filter(|item| {
            let Some(auto) = item.auto else { return false };
            if ticks.get(&item.id).is_some_and(|t| t.ticked || t.unticked) {
                return false;
            }
            match auto {
                AutoTick::Tagged => tagged,
                AutoTick::Deployed => ledger.first_success_of(service, release, env).is_some(),
                AutoTick::Healthy => healthy,
                AutoTick::Published => ledger.notes_published(service, release, env),
            }
        })
        .map(|item| item.id.clone())
        .collect()
}
