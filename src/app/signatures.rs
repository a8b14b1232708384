//! The project's signing, as actions see it: sign what this user records, and check what others
//! signed against the allowed signers committed on the remote's default branch.

use std::collections::BTreeMap;

use crate::domain::config::{Config, Environment, GateRule};
use crate::domain::event::{Event, EventBody};
use crate::domain::signature::SignatureCheck;
use crate::sign::{AllowedSigners, SigningKey, Verifier};
use crate::store::canonical_body;

use super::failure::Failure;

/// The key this user signs with when the project signs events. A user without one records
/// unsigned; the warning (once, at load) says so and how to fix it.
pub fn signing_key(
    config: &Config,
    read_only: bool,
    warnings: &mut Vec<String>,
) -> Option<SigningKey> {
    config.project.signing.as_ref()?;
    let key = crate::sign::signing_key(&config.dir);
    if key.is_none() && !read_only {
        warnings.push(
            "this project signs events, but you have no signing key: what you record is \
             unsigned and signed approval gates will not count it (set SHIPDECK_SIGNING_KEY to \
             an SSH key file, or `git config user.signingkey ~/.ssh/id_ed25519.pub`)"
                .to_string(),
        );
    }
    key
}

/// The signature over `body`'s canonical bytes, when there is a key. A key that fails to sign
/// fails the action: recording unsigned behind the user's back would make a signed gate ignore
/// their approval without saying why.
pub fn sign(key: Option<&SigningKey>, body: &EventBody) -> Result<Option<String>, Failure> {
    let Some(key) = key else {
        return Ok(None);
    };
    key.sign(canonical_body(body).as_bytes())
        .map(Some)
        .map_err(|e| {
            Failure::failed(format!(
                "could not sign the event: {e} (unset SHIPDECK_SIGNING_KEY or fix the key; \
                 ssh-agent helps with passphrases)"
            ))
        })
}

/// A verifier for the project's allowed signers; `None` when the project does not sign events.
pub fn verifier(config: &Config) -> Option<Verifier> {
    let signing = config.project.signing.as_ref()?;
    Some(Verifier::new(AllowedSigners::from_repository(
        &config.dir,
        &signing.allowed_signers,
        &signing.remote,
    )))
}

/// Whether `env` has an approval gate that counts only signed approvals.
pub fn wants_signed_approvals(env: &Environment) -> bool {
    env.gates
        .iter()
        .any(|g| matches!(g.rule, GateRule::Approval { signed: true, .. }))
}

/// The verdict on every approval of (service, release, env), by event id.
pub fn approval_checks(
    verifier: &Verifier,
    events: &[Event],
    service: &str,
    release: &str,
    env: &str,
) -> BTreeMap<String, SignatureCheck> {
    let approvals: Vec<&Event> = events
        .iter()
        .filter(|e| {
            e.kind == "approved"
                && e.service.as_deref() == Some(service)
                && e.release.as_deref() == Some(release)
                && e.env.as_deref() == Some(env)
        })
        .collect();
    let checks = verifier.check_events(&approvals);
    // A verdict belongs to one stored event. An id is recorded once, so an id carried by two
    // events (a forged copy beside the real one) verifies for neither: the last copy must not
    // borrow the verdict of the first, and no copy can be told apart as the real one here.
    // (The log refuses to count past such a duplicate anyway: `store::integrity`.)
    let mut uses: BTreeMap<&str, usize> = BTreeMap::new();
    for e in events {
        *uses.entry(e.id.as_str()).or_default() += 1;
    }
    let mut out = BTreeMap::new();
    for (e, check) in approvals.into_iter().zip(checks) {
        let check = if uses.get(e.id.as_str()).copied().unwrap_or(0) > 1 {
            SignatureCheck::Failed(format!(
                "event id {} is carried by more than one event",
                crate::domain::sanitize::sanitize(&e.id)
            ))
        } else {
            check
        };
        out.insert(e.id.clone(), check);
    }
    out
}
