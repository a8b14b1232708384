//! Recorded facts. An [`Event`] is one line of the append-only log; its [`Fact`] is what happened.
//! The log's format (seq, prev, hash) is owned by `crate::store`; the meaning is owned here.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// One line of the event log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub id: String,
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub service: Option<String>,
    pub release: Option<String>,
    pub env: Option<String>,
    pub data: serde_json::Value,
    pub prev: String,
    pub hash: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sig: Option<String>,
}

/// The part of an event its id and signature cover: everything but `seq`, `prev`, `hash`, `sig`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventBody {
    pub id: String,
    pub at: Timestamp,
    pub actor: String,
    pub kind: String,
    pub service: Option<String>,
    pub release: Option<String>,
    pub env: Option<String>,
    pub data: serde_json::Value,
}

impl Event {
    /// The stored form of `body`: number `seq` in its log, after `prev`, carrying `hash`, signed
    /// with `sig`.
    pub fn stored(
        body: EventBody,
        seq: u64,
        prev: String,
        hash: String,
        sig: Option<String>,
    ) -> Event {
        Event {
            seq,
            id: body.id,
            at: body.at,
            actor: body.actor,
            kind: body.kind,
            service: body.service,
            release: body.release,
            env: body.env,
            data: body.data,
            prev,
            hash,
            sig,
        }
    }

    pub fn body(&self) -> EventBody {
        EventBody {
            id: self.id.clone(),
            at: self.at,
            actor: self.actor.clone(),
            kind: self.kind.clone(),
            service: self.service.clone(),
            release: self.release.clone(),
            env: self.env.clone(),
            data: self.data.clone(),
        }
    }

    /// The typed fact; `None` for kinds this version does not know (kept, never dropped).
    pub fn fact(&self) -> Option<Fact> {
        // An adjacently tagged enum also reads the pair form `[kind, data]`: the fact is read
        // from `data` in place instead of from a copy of it (replay does this 100,000 times).
        let kind = serde_json::Value::String(self.kind.clone());
        let pair = [&kind, &self.data].into_iter();
        Fact::deserialize(serde::de::value::SeqDeserializer::<_, serde_json::Error>::new(pair)).ok()
    }
}

impl EventBody {
    /// Builds a body for `fact` about (service, release, env).
    pub fn new(
        id: String,
        at: Timestamp,
        actor: &str,
        fact: &Fact,
        service: Option<&str>,
        release: Option<&str>,
        env: Option<&str>,
    ) -> EventBody {
        let tagged = serde_json::to_value(fact).unwrap_or(serde_json::Value::Null);
        let kind = tagged
            .get("kind")
            .and_then(|k| k.as_str())
            .unwrap_or_default()
            .to_string();
        let data = tagged
            .get("data")
            .cloned()
            .unwrap_or(serde_json::Value::Object(serde_json::Map::new()));
        EventBody {
            id,
            at,
            actor: actor.to_string(),
            kind,
            service: service.map(str::to_string),
            release: release.map(str::to_string),
            env: env.map(str::to_string),
            data,
        }
    }
}

/// What an event records. Serialized as `"kind": "...", "data": {...}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data", rename_all = "kebab-case")]
pub enum Fact {
    /// A person's yes for (service, release, env), bound to the release's commit.
    Approved {
        commit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// One gate of (service, release, env) passed by a person's decision, with a reason.
    Overridden { gate: String, reason: String },
    /// A checklist item done.
    ItemTicked {
        checklist: String,
        item: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The id of the event that ticked it automatically (`auto = …` items).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by_event: Option<String>,
    },
    /// A checklist item undone.
    ItemUnticked {
        checklist: String,
        item: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A note on a checklist item, without changing its state.
    ItemNoted {
        checklist: String,
        item: String,
        note: String,
    },
    /// A deployment asked for: promote or rollback. The deployment's id is this event's id.
    DeployRequested {
        commit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        previous_release: Option<String>,
        #[serde(default)]
        rollback: bool,
        /// What was called, secrets masked (`POST https://…` or the argv).
        #[serde(default)]
        call: String,
        /// Seconds the target has to report the release healthy.
        verify_timeout_secs: u64,
    },
    /// The deployer accepted the request (HTTP success code or command exit 0).
    DeployAccepted {
        deployment: String,
        #[serde(default)]
        detail: String,
    },
    /// The target reported the release healthy: done. Id derived from the deployment's.
    DeploySucceeded { deployment: String },
    /// The deployer refused, or verification failed or timed out. Id derived from the deployment's.
    DeployFailed { deployment: String, reason: String },
    /// A release tag was created.
    Tagged {
        tag: String,
        commit: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        #[serde(default)]
        pushed: bool,
    },
    /// Release notes were published: `channel` names the channels tried (comma-separated),
    /// `deliveries` says what went where and how it ended, `markdown` is exactly what was sent.
    /// Only a publication where every channel succeeded (`ok`) counts as published.
    NotesPublished {
        channel: String,
        #[serde(default)]
        detail: String,
        /// Events written before outcomes were recorded had no failures to record.
        #[serde(default = "yes")]
        ok: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        deliveries: Vec<Delivery>,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        markdown: String,
    },
    /// Release notes edited by hand; from then on `notes` shows this text instead of the draft.
    NotesEdited {
        markdown: String,
        /// The id of the edit this one replaces; `None` when it replaces the draft.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        replaces: Option<String>,
    },
    /// A train release pinned (`service` is the train, `release` the train release's name,
    /// `env` where it was cut from, if cut from what runs there).
    TrainCut {
        members: Vec<super::train::TrainMember>,
    },
    /// A train release's promotion into `env` started: the members to move, in order. The
    /// promotion's id is this event's id.
    TrainPromotionStarted {
        members: Vec<super::train::TrainMember>,
        #[serde(default)]
        backout: bool,
        /// Seconds after which, with nothing in flight and no outcome, it was interrupted.
        deadline_secs: u64,
    },
    /// A train promotion's outcome. Id derived from the promotion's.
    TrainPromotionFinished {
        promotion: String,
        ok: bool,
        #[serde(default)]
        reason: String,
    },
    /// A feature flag changed through shipdeck in `env` (the event's environment; its service,
    /// when the flag is a service's). `after` is what was asked, `read_back` what the flag
    /// service said afterwards; only a change read back as asked is `ok`.
    FlagChanged {
        flag: String,
        /// The `[[flags]]` flag service's name.
        provider: String,
        before: crate::domain::flag::FlagValue,
        after: crate::domain::flag::FlagValue,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        read_back: Option<crate::domain::flag::FlagValue>,
        ok: bool,
        /// What was called, secrets masked.
        #[serde(default)]
        call: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
        /// The reason given to pass a freeze.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        freeze_override: Option<String>,
        /// Why it failed, or what the service answered; redacted.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        detail: String,
    },
    /// A promotion into a slotted target began: `deployment` (the id of the `deploy-requested`
    /// that follows) goes to slot `to` and traffic moves from `from` in `steps`.
    RolloutStarted {
        deployment: String,
        from: String,
        to: String,
        steps: Vec<RolloutStep>,
        /// What the router held when it began.
        weights: super::traffic::Weights,
    },
    /// The router was changed and read back holding `after`. `step` is the rollout's step it
    /// made (none for an abort's or a switch's move back).
    TrafficShifted {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        deployment: Option<String>,
        /// The slot that gained (or, moving back, kept) the traffic.
        slot: String,
        before: super::traffic::Weights,
        after: super::traffic::Weights,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<usize>,
        /// The router calls made, as one line.
        #[serde(default)]
        call: String,
    },
    /// A rollout stopped with all traffic back on its old slot.
    RolloutAborted { deployment: String, reason: String },
}

/// One step of a rollout as recorded: the new slot's weight and the pause after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolloutStep {
    pub weight: u32,
    #[serde(default)]
    pub pause_secs: u64,
}

fn yes() -> bool {
    true
}

/// One channel's part of a publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    /// The channel's name in the configuration.
    pub channel: String,
    /// `file`, `http` or `command`.
    pub kind: String,
    /// Where it went: the path, `POST <url>` (secrets masked) or the argv.
    pub to: String,
    pub ok: bool,
    /// What came back (status and body, the command's last line) or why it failed; redacted.
    #[serde(default)]
    pub detail: String,
}

impl Fact {
    /// The kind's name as stored.
    pub fn kind(&self) -> &'static str {
        match self {
            Fact::Approved { .. } => "approved",
            Fact::Overridden { .. } => "overridden",
            Fact::ItemTicked { .. } => "item-ticked",
            Fact::ItemUnticked { .. } => "item-unticked",
            Fact::ItemNoted { .. } => "item-noted",
            Fact::DeployRequested { .. } => "deploy-requested",
            Fact::DeployAccepted { .. } => "deploy-accepted",
            Fact::DeploySucceeded { .. } => "deploy-succeeded",
            Fact::DeployFailed { .. } => "deploy-failed",
            Fact::Tagged { .. } => "tagged",
            Fact::NotesPublished { .. } => "notes-published",
            Fact::NotesEdited { .. } => "notes-edited",
            Fact::TrainCut { .. } => "train-cut",
            Fact::TrainPromotionStarted { .. } => "train-promotion-started",
            Fact::TrainPromotionFinished { .. } => "train-promotion-finished",
            Fact::FlagChanged { .. } => "flag-changed",
            Fact::RolloutStarted { .. } => "rollout-started",
            Fact::TrafficShifted { .. } => "traffic-shifted",
            Fact::RolloutAborted { .. } => "rollout-aborted",
        }
    }
}

/// The id of a deployment's outcome event: derived, so two observers never record two outcomes.
pub fn outcome_id(deployment: &str) -> String {
    format!("{deployment}.outcome")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event_of(kind: &str, data: serde_json::Value) -> Event {
        Event {
            seq: 1,
            id: "e1".into(),
            at: Timestamp::UNIX_EPOCH,
            actor: "alice@example.com".into(),
            kind: kind.into(),
            service: Some("api".into()),
            release: Some("api-v1.4.2".into()),
            env: Some("prod".into()),
            data,
            prev: String::new(),
            hash: String::new(),
            sig: None,
        }
    }

    #[test]
    fn every_fact_reads_back_from_the_event_that_records_it() {
        let facts = [
            Fact::Approved {
                commit: "abc".into(),
                note: Some("ok".into()),
            },
            Fact::Overridden {
                gate: "window".into(),
                reason: "incident".into(),
            },
            Fact::ItemTicked {
                checklist: "production-release".into(),
                item: "backout".into(),
                note: None,
                by_event: Some("e0".into()),
            },
            Fact::DeployRequested {
                commit: "abc".into(),
                previous_release: None,
                rollback: true,
                call: "POST https://deploy.internal/".into(),
                verify_timeout_secs: 300,
            },
            Fact::DeployFailed {
                deployment: "d1".into(),
                reason: "unhealthy".into(),
            },
            Fact::NotesPublished {
                channel: "md".into(),
                detail: String::new(),
                ok: true,
                deliveries: Vec::new(),
                markdown: "# api-v1.4.2".into(),
            },
            Fact::NotesEdited {
                markdown: "# api-v1.4.2, edited".into(),
                replaces: None,
            },
        ];
        for fact in facts {
            let body = EventBody::new(
                "e1".into(),
                Timestamp::UNIX_EPOCH,
                "a",
                &fact,
                None,
                None,
                None,
            );
            assert_eq!(body.kind, fact.kind());
            assert_eq!(event_of(&body.kind, body.data).fact(), Some(fact));
        }
    }

    #[test]
    fn unknown_kinds_and_malformed_data_are_no_fact() {
        let approved = serde_json::json!({"commit": "abc"});
        assert_eq!(event_of("launched-rocket", approved.clone()).fact(), None);
        assert_eq!(
            event_of("approved", serde_json::json!({"note": "x"})).fact(),
            None
        );
        assert_eq!(event_of("approved", serde_json::json!(null)).fact(), None);
        assert!(event_of("approved", approved).fact().is_some());
    }
}
