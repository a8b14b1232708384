//! Builders shared by the domain tests: events, a three-environment config, releases and
//! observations, all in plain data.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use jiff::Timestamp;
use shipdeck::domain::config::{
    ChecklistItem, ChecklistTemplate, Config, Environment, Freeze, Gate, GateRule, Project,
    Service, Stage,
};
use shipdeck::domain::event::{Event, EventBody, Fact};
use shipdeck::domain::ledger::Ledger;
use shipdeck::domain::observation::{Health, Observation};
use shipdeck::domain::release::Release;

pub const COMMIT: &str = "abcdef1234567890abcdef1234567890abcdef12";
pub const OTHER_COMMIT: &str = "1111111234567890abcdef1234567890abcdef12";

pub fn ts(s: &str) -> Timestamp {
    s.parse().expect("a valid RFC 3339 timestamp")
}

/// A log of events, numbered as they are added.
#[derive(Default)]
pub struct Log {
    pub events: Vec<Event>,
}

impl Log {
    /// Records `fact` by `actor` at `at` about (api, release, env); returns the event id.
    pub fn add(&mut self, at: &str, actor: &str, fact: &Fact, release: &str, env: &str) -> String {
        let id = format!("ev-{}", self.events.len() + 1);
        self.add_with_id(&id, at, actor, fact, Some(release), Some(env));
        id
    }

    pub fn add_with_id(
        &mut self,
        id: &str,
        at: &str,
        actor: &str,
        fact: &Fact,
        release: Option<&str>,
        env: Option<&str>,
    ) {
        let body = EventBody::new(
            id.to_string(),
            ts(at),
            actor,
            fact,
            Some("api"),
            release,
            env,
        );
        self.events.push(Event {
            seq: self.events.len() as u64 + 1,
            id: body.id,
            at: body.at,
            actor: body.actor,
            kind: body.kind,
            service: body.service,
            release: body.release,
            env: body.env,
            data: body.data,
            prev: String::new(),
            hash: String::new(),
            sig: None,
        });
    }

    pub fn ledger(&self) -> Ledger {
        Ledger::from_events(&self.events)
    }
}

pub fn approved(commit: &str) -> Fact {
    Fact::Approved {
        commit: commit.to_string(),
        note: None,
    }
}

pub fn deploy_requested(commit: &str) -> Fact {
    Fact::DeployRequested {
        commit: commit.to_string(),
        previous_release: None,
        rollback: false,
        call: "POST https://deploy.internal/hooks/api".to_string(),
        verify_timeout_secs: 300,
    }
}

pub fn succeeded(deployment: &str) -> Fact {
    Fact::DeploySucceeded {
        deployment: deployment.to_string(),
    }
}

pub fn failed(deployment: &str, reason: &str) -> Fact {
    Fact::DeployFailed {
        deployment: deployment.to_string(),
        reason: reason.to_string(),
    }
}

pub fn ticked(item: &str) -> Fact {
    Fact::ItemTicked {
        checklist: "production-release".to_string(),
        item: item.to_string(),
        note: None,
        by_event: None,
    }
}

pub fn unticked(item: &str) -> Fact {
    Fact::ItemUnticked {
        checklist: "production-release".to_string(),
        item: item.to_string(),
        note: None,
    }
}

pub fn release(name: &str, commit: &str) -> Release {
    Release {
        name: name.to_string(),
        version: shipdeck::domain::release::version_of(name, "api-v"),
        commit: commit.to_string(),
        date: ts("2026-03-01T10:00:00Z"),
    }
}

pub fn observation(env: &str, release: Option<&str>, health: Health, at: &str) -> Observation {
    Observation {
        service: "api".to_string(),
        env: env.to_string(),
        health,
        reported_version: release.map(|r| r.trim_start_matches("api-v").to_string()),
        release: release.map(str::to_string),
        commit: None,
        latency_ms: Some(12),
        at: ts(at),
        detail: String::new(),
    }
}

pub fn item(id: &str, stage: Stage, required: bool) -> ChecklistItem {
    ChecklistItem {
        id: id.to_string(),
        title: format!("Do {id}"),
        help: None,
        stage,
        required,
        auto: None,
        needs_note: false,
    }
}

pub fn production_release() -> ChecklistTemplate {
    ChecklistTemplate {
        name: "production-release".to_string(),
        items: vec![
            item("controls", Stage::Before, true),
            item("backout", Stage::Before, true),
            item("optional", Stage::Before, false),
            item("verify", Stage::After, true),
            item("backout-executed", Stage::After, false),
        ],
    }
}

pub fn gate(rule: GateRule) -> Gate {
    Gate {
        id: rule.kind().to_string(),
        rule,
    }
}

pub fn service() -> Service {
    Service {
        name: "api".to_string(),
        repo: PathBuf::from("/repo"),
        tags: "api-v*".to_string(),
        health: None,
        deploy: None,
        env: BTreeMap::new(),
        verify_timeout: None,
        paths: Vec::new(),
    }
}

/// dev → staging → prod; `prod_gates` are prod's gates.
pub fn config(prod_gates: Vec<Gate>, freezes: Vec<Freeze>) -> Config {
    let env = |name: &str, gates: Vec<Gate>| Environment {
        name: name.to_string(),
        protected: name == "prod",
        gates,
    };
    let mut checklists = BTreeMap::new();
    checklists.insert("production-release".to_string(), production_release());
    Config {
        path: PathBuf::from("/p/shipdeck.toml"),
        dir: PathBuf::from("/p"),
        project: Project {
            name: "shop".to_string(),
            signing: None,
            state_dir: PathBuf::from("/p/.shipdeck"),
            verify_timeout: Duration::from_mins(5),
            probe_interval: Duration::from_secs(10),
            state: shipdeck::domain::config::StateBackend::File,
        },
        environments: vec![
            env("dev", vec![]),
            env("staging", vec![gate(GateRule::Healthy)]),
            env("prod", prod_gates),
        ],
        services: vec![service()],
        freezes,
        checklists,
        channels: Vec::new(),
        trains: Vec::new(),
        flags: Vec::new(),
        exposure: shipdeck::domain::traffic::Exposure::default(),
    }
}
