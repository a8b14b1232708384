//! Checklist state for (service, release, environment): which items are done, by whom, and which
//! `auto` items the world has now satisfied.

use super::config::{AutoTick, ChecklistItem, ChecklistTemplate, Stage};
use super::ledger::{Ledger, Tick};
use super::observation::{Health, Observation};

/// One item with its latest state (`None` when nobody touched it).
#[derive(Debug, Clone, PartialEq)]
pub struct ItemProgress {
    pub item: ChecklistItem,
    pub tick: Option<Tick>,
}

impl ItemProgress {
    pub fn is_ticked(&self) -> bool {
        self.tick.as_ref().is_some_and(|t| t.ticked)
    }
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
        })
        .collect();
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
