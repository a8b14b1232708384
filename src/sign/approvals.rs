//! What `shipdeck verify-approvals` decides: given the approvals a deployer passed (each with
//! its whole event body and signature), do enough distinct, allowed people have a verified
//! signature on an approval of exactly this service, environment, release and commit?
//! Only signed content is believed: the body's fields, never the convenience copies beside it.

use serde_json::Value;

use super::verifier::Verifier;
use crate::domain::event::EventBody;
use crate::domain::sanitize::sanitize;
use crate::domain::signature::SignatureCheck;

/// What the deployment being asked for must have been approved as.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    pub service: String,
    pub env: String,
    /// The release name; not checked when `None`.
    pub release: Option<String>,
    /// The commit being deployed (full, or an abbreviation of at least 7 hex digits).
    pub commit: String,
    /// Distinct approvers needed (at least 1).
    pub count: u32,
    /// Who may approve; anyone allowed to sign when empty.
    pub from: Vec<String>,
    /// Who asks for the deployment: their own approval never counts.
    pub promoter: Option<String>,
}

/// The decision, with every approval accounted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Distinct approvers whose approval counted, in order.
    pub counted: Vec<String>,
    /// One line per approval that did not count: who and why.
    pub refused: Vec<String>,
    /// Distinct approvers needed.
    pub needed: usize,
}

impl Decision {
    pub fn allowed(&self) -> bool {
        self.counted.len() >= self.needed
    }
}

/// Decides on `input`: a JSON array of approvals as `{{approvals_json}}` renders it (or stored
/// events with their `sig`), or a whole deploy payload with an `approvals` array. Errors are
/// input that is not that shape.
pub fn decide(input: &str, expected: &Expected, verifier: &Verifier) -> Result<Decision, String> {
    let value: Value = serde_json::from_str(input.trim())
        .map_err(|e| format!("the approvals are not JSON: {e}"))?;
    let list =
        match &value {
            Value::Array(list) => list,
            Value::Object(map) => match map.get("approvals") {
                Some(Value::Array(list)) => list,
                _ => return Err(
                    "expected a JSON array of approvals (or an object with an `approvals` array)"
                        .to_string(),
                ),
            },
            _ => return Err("expected a JSON array of approvals".to_string()),
        };
    let mut decision = Decision {
        counted: Vec::new(),
        refused: Vec::new(),
        needed: usize::try_from(expected.count.max(1)).unwrap_or(usize::MAX),
    };
    for (i, item) in list.iter().enumerate() {
        match judge(item, expected, verifier) {
            Ok(actor) => {
                if !decision.counted.contains(&actor) {
                    decision.counted.push(actor);
                }
            }
            Err((who, why)) => decision
                .refused
                .push(format!("approval {} by {who}: {why}", i + 1)),
        }
    }
    Ok(decision)
}

/// The approver, when `item` counts; else who it claims to be and why it does not count.
fn judge(
    item: &Value,
    expected: &Expected,
    verifier: &Verifier,
) -> Result<String, (String, String)> {
    let body_value = item.get("event").unwrap_or(item);
    let claimed = item
        .get("actor")
        .and_then(Value::as_str)
        .map_or_else(|| "someone".to_string(), sanitize);
    let body: EventBody = serde_json::from_value(body_value.clone()).map_err(|_| {
        (
            claimed.clone(),
            "no event body to verify (sent by a shipdeck without signed approvals?)".to_string(),
        )
    })?;
    let who = sanitize(&body.actor);
    let no = |why: String| Err((who.clone(), why));
    if body.kind != "approved" {
        return no(format!(
            "a `{}` event, not an approval",
            sanitize(&body.kind)
        ));
    }
    let field = |name: &str, have: Option<&str>, want: &str| -> Result<(), String> {
        match have {
            Some(h) if h == want => Ok(()),
            h => Err(format!(
                "approves {name} {}, not {}",
                h.map_or_else(|| "(none)".to_string(), sanitize),
                sanitize(want)
            )),
        }
    };
    let scope = field("service", body.service.as_deref(), &expected.service)
        .and_then(|()| field("environment", body.env.as_deref(), &expected.env))
        .and_then(|()| match &expected.release {
            Some(r) => field("release", body.release.as_deref(), r),
            None => Ok(()),
        });
    if let Err(why) = scope {
        return no(why);
    }
    let commit = body
        .data
        .get("commit")
        .and_then(Value::as_str)
        .unwrap_or("");
    if !same_commit(commit, &expected.commit) {
        return no(format!(
            "approves commit {}, not {} (the release moved?)",
            sanitize(commit),
            sanitize(&expected.commit)
        ));
    }
    if !expected.from.is_empty() && !expected.from.contains(&body.actor) {
        return no(format!(
            "not one of the approvers ({})",
            expected.from.join(", ")
        ));
    }
    if expected.promoter.as_deref() == Some(body.actor.as_str()) {
        return no("the promoter's own approval never counts".to_string());
    }
    let sig = item.get("sig").and_then(Value::as_str);
    match verifier.check(&body, sig) {
        SignatureCheck::Verified => Ok(who),
        SignatureCheck::Unsigned => no("unsigned".to_string()),
        SignatureCheck::Failed(why) => no(why),
    }
}

/// `have` (a full commit) is `want`, or starts with it when `want` is an abbreviation.
fn same_commit(have: &str, want: &str) -> bool {
    let (have, want) = (have.to_ascii_lowercase(), want.to_ascii_lowercase());
    !have.is_empty() && (have == want || (want.len() >= 7 && have.starts_with(&want)))
}

#[cfg(test)]
mod tests {
    use super::same_commit;

    #[test]
    fn a_commit_matches_in_full_or_by_an_abbreviation_of_at_least_seven_digits() {
        let full = "951309abb611e3d0381de0a23e8bc0b673cfc9a7";
        assert!(same_commit(full, full));
        assert!(same_commit(full, "951309A"));
        assert!(!same_commit(full, "951309"));
        assert!(!same_commit(
            full,
            "951309abb611e3d0381de0a23e8bc0b673cfc9a8"
        ));
        assert!(!same_commit("", ""));
    }
}
