//! The `approval` gate: `count` distinct people said yes to this release's commit, never the
//! person promoting. A `signed` gate counts only approvals whose signature verified for their
//! approver (the verdicts come in through `GateInputs::signatures`), and says why any other did
//! not count.

use std::fmt::Write as _;

use super::text;
use super::{GateInputs, GateOutcome, GateStatus};
use crate::domain::signature::SignatureCheck;

pub(super) fn evaluate(
    inputs: &GateInputs,
    id: &str,
    count: u32,
    from: &[String],
    signed: bool,
) -> GateOutcome {
    let release = inputs.release;
    let recorded = inputs
        .ledger
        .approvals(&inputs.service.name, &release.name, &inputs.env.name);
    let needed = usize::try_from(count).unwrap_or(usize::MAX);

    let mut approvers: Vec<&str> = Vec::new();
    let (mut moved, mut own, mut outsiders) = (0, false, 0);
    let mut unverified: Vec<String> = Vec::new();
    for a in &recorded {
        if a.commit != release.commit {
            moved += 1;
        } else if a.actor == inputs.actor {
            own = true;
        } else if !from.is_empty() && !from.contains(&a.actor) {
            outsiders += 1;
        } else if let Some(why) = signed
            .then(|| unverified_because(inputs.signatures.get(&a.event_id)))
            .flatten()
        {
            unverified.push(format!("{} ({why})", a.actor));
        } else if !approvers.contains(&a.actor.as_str()) {
            approvers.push(&a.actor);
        }
    }

    let have = approvers.len();
    let mut reason = format!("{have} of {count} approvals");
    if have > 0 {
        let _ = write!(reason, " ({})", approvers.join(", "));
    }
    let mut outcome = if have >= needed {
        GateOutcome::new(id, "approval", GateStatus::Pass, String::new())
    } else {
        let missing = needed - have;
        let more = if missing == 1 {
            "one more".to_string()
        } else {
            format!("{missing} more")
        };
        let left: Vec<&str> = from
            .iter()
            .map(String::as_str)
            .filter(|p| *p != inputs.actor && !approvers.contains(p))
            .collect();
        let who = if from.is_empty() {
            Some(format!("anyone but {}", inputs.actor))
        } else {
            (!left.is_empty()).then(|| left.join(", "))
        };
        let promoter_could = from.iter().any(|p| p == inputs.actor);
        match &who {
            Some(w) if from.is_empty() || left.len() >= missing => {
                let _ = write!(reason, "; needs {more} from {w}");
            }
            _ => {
                let can = who
                    .as_deref()
                    .map_or("nobody".to_string(), |w| format!("only {w}"));
                let _ = write!(reason, "; needs {more} but {can} can still approve");
                if promoter_could {
                    reason.push_str(": someone else must promote");
                }
            }
        }
        let mut o = GateOutcome::new(id, "approval", GateStatus::Pending, String::new());
        o.who = who;
        o.needs = Some(text::plural(missing, "approval"));
        o
    };
    if own {
        reason.push_str("; your own approval does not count");
    }
    if moved > 0 {
        let _ = write!(
            reason,
            "; {} for another commit ignored (the tag moved)",
            text::plural(moved, "approval")
        );
    }
    if !unverified.is_empty() {
        let _ = write!(reason, "; not counted: {}", unverified.join(", "));
    }
    if outsiders > 0 {
        let _ = write!(
            reason,
            "; {} from people not in the approver list ignored",
            text::plural(outsiders, "approval")
        );
    }
    outcome.reason = reason;
    outcome
}

/// Why an approval's signature does not let it count; `None` when it verified.
fn unverified_because(check: Option<&SignatureCheck>) -> Option<String> {
    match check {
        Some(SignatureCheck::Verified) => None,
        Some(SignatureCheck::Unsigned) => Some("unsigned".to_string()),
        Some(SignatureCheck::Failed(why)) => Some(why.clone()),
        None => Some("signature not checked".to_string()),
    }
}
