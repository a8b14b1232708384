//! One line saying what a fact recorded, beyond its kind, actor, service, release and
//! environment: the gate and reason of an override, the call of a deployment, the weights of a
//! shift. The one summary `log` prints and the console's activity view shows. Raw text from the
//! log: callers sanitize it before it reaches a terminal.

use super::event::Fact;
use super::traffic::{Weights, describe_weights};
use super::train::TrainMember;

impl Fact {
    /// What this fact recorded, in one line (empty when its kind says it all).
    pub fn summary(&self) -> String {
        match self {
            Fact::Approved { note, .. } => note.clone().unwrap_or_default(),
            Fact::Overridden { gate, reason } => format!("gate {gate}: {reason}"),
            Fact::ItemTicked {
                checklist,
                item,
                note,
                by_event,
            } => format!(
                "{checklist}/{item}{}{}",
                noted(note.as_deref()),
                if by_event.is_some() { " (auto)" } else { "" }
            ),
            Fact::ItemUnticked {
                checklist,
                item,
                note,
            } => format!("{checklist}/{item}{}", noted(note.as_deref())),
            Fact::ItemNoted {
                checklist,
                item,
                note,
            } => format!("{checklist}/{item}{}", noted(Some(note))),
            Fact::DeployRequested { call, rollback, .. } => {
                if *rollback {
                    format!("rollback · {call}")
                } else {
                    call.clone()
                }
            }
            Fact::DeployAccepted { detail, .. } => detail.clone(),
            Fact::DeploySucceeded { .. } => String::new(),
            Fact::DeployFailed { reason, .. } | Fact::RolloutAborted { reason, .. } => {
                reason.clone()
            }
            Fact::Tagged { tag, pushed, .. } => {
                format!("{tag}{}", if *pushed { " (pushed)" } else { "" })
            }
            Fact::NotesPublished {
                channel, detail, ..
            } => format!("{channel}: {detail}"),
            Fact::NotesEdited { .. } => "edited the release notes".to_string(),
            Fact::TrainCut { members } => format!("members: {}", members_line(members)),
            Fact::TrainPromotionStarted {
                members, backout, ..
            } => format!(
                "{} in order: {}",
                if *backout { "backout" } else { "members" },
                members_line(members)
            ),
            Fact::TrainPromotionFinished { ok, reason, .. } => {
                if *ok {
                    "every member verified".to_string()
                } else {
                    format!("stopped: {reason}")
                }
            }
            Fact::FlagChanged {
                flag,
                before,
                after,
                ok,
                detail,
                ..
            } => {
                let failed = if *ok {
                    String::new()
                } else {
                    format!(" (failed: {detail})")
                };
                format!("{flag}: {before} → {after}{failed}")
            }
            Fact::RolloutStarted {
                from, to, steps, ..
            } => format!(
                "{from} → {to}, steps {}",
                steps
                    .iter()
                    .map(|s| format!("{}%", s.weight))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            Fact::TrafficShifted {
                slot,
                before,
                after,
                ..
            } => format!("{slot}: {} → {}", weights_line(before), weights_line(after)),
        }
    }
}

fn noted(note: Option<&str>) -> String {
    note.map(|n| format!(": {n}")).unwrap_or_default()
}

fn members_line(members: &[TrainMember]) -> String {
    members
        .iter()
        .map(|m| format!("{} {}", m.service, m.release))
        .collect::<Vec<_>>()
        .join(", ")
}

fn weights_line(w: &Weights) -> String {
    describe_weights(&w.keys().cloned().collect::<Vec<_>>(), w)
}

#[cfg(test)]
mod tests {
    use super::Fact;

    #[test]
    fn an_override_says_its_gate_and_reason_and_a_rollback_says_so() {
        let o = Fact::Overridden {
            gate: "soak".into(),
            reason: "hotfix".into(),
        };
        assert_eq!(o.summary(), "gate soak: hotfix");
        let r = Fact::DeployRequested {
            commit: "c".into(),
            previous_release: None,
            rollback: true,
            call: "POST http://x/deploy".into(),
            verify_timeout_secs: 30,
        };
        assert_eq!(r.summary(), "rollback · POST http://x/deploy");
    }

    #[test]
    fn ticks_name_their_checklist_item_and_note_and_auto_ticks_say_so() {
        let t = Fact::ItemTicked {
            checklist: "prod".into(),
            item: "backout".into(),
            note: Some("redeploy 1.4".into()),
            by_event: None,
        };
        assert_eq!(t.summary(), "prod/backout: redeploy 1.4");
        let auto = Fact::ItemTicked {
            checklist: "prod".into(),
            item: "announce".into(),
            note: None,
            by_event: Some("e1".into()),
        };
        assert_eq!(auto.summary(), "prod/announce (auto)");
    }

    #[test]
    fn a_shift_shows_the_weights_before_and_after() {
        let before = [("blue".to_string(), 100), ("green".to_string(), 0)].into();
        let after = [("blue".to_string(), 90), ("green".to_string(), 10)].into();
        let s = Fact::TrafficShifted {
            deployment: None,
            slot: "green".into(),
            before,
            after,
            step: Some(0),
            call: String::new(),
        };
        assert_eq!(
            s.summary(),
            "green: blue 100% · green 0% → blue 90% · green 10%"
        );
    }
}
