//! Checking event signatures: `ssh-keygen -Y verify -f ALLOWED -I <actor> -n shipdeck -s SIG`
//! over the event's canonical body. One process per signature, so verdicts are kept for the run
//! and many events are checked on a few threads.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use sha2::{Digest as _, Sha256};

use super::NAMESPACE;
use super::allowed::AllowedSigners;
use super::keygen::{SignError, TempFile, arg, run};
use crate::domain::event::{Event, EventBody};
use crate::domain::sanitize::sanitize;
use crate::domain::signature::SignatureCheck;
use crate::store::canonical_body;

/// How many ssh-keygen processes run at once when many events are checked.
const WORKERS: usize = 4;

/// Verdicts kept before the cache starts over (a few MiB).
const CACHE_LIMIT: usize = 100_000;

/// Verdicts of this process: they depend only on the allowed signers' bytes, the body and the
/// signature, all in the key.
fn verdicts() -> MutexGuard<'static, HashMap<[u8; 32], SignatureCheck>> {
    static VERDICTS: OnceLock<Mutex<HashMap<[u8; 32], SignatureCheck>>> = OnceLock::new();
    VERDICTS
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
}

/// Checks signatures against one set of allowed signers (or says, for every signed event, why
/// none can be checked).
#[derive(Debug)]
pub struct Verifier {
    allowed: Result<AllowedSigners, String>,
}

impl Verifier {
    /// A verifier for `allowed`; when the signers could not be read, every signed event fails
    /// with that reason.
    pub fn new(allowed: Result<AllowedSigners, SignError>) -> Verifier {
        Verifier {
            allowed: allowed.map_err(|e| e.to_string()),
        }
    }

    /// Where the allowed signers came from, or why they could not be read.
    pub fn source(&self) -> Result<&str, &str> {
        match &self.allowed {
            Ok(a) => Ok(a.source()),
            Err(e) => Err(e),
        }
    }

    /// The verdict on a stored event's signature.
    pub fn check_event(&self, event: &Event) -> SignatureCheck {
        self.check(&event.body(), event.sig.as_deref())
    }

    /// The verdicts on many events, in order, a few at a time.
    pub fn check_events(&self, events: &[&Event]) -> Vec<SignatureCheck> {
        if events.len() <= 1 {
            return events.iter().map(|e| self.check_event(e)).collect();
        }
        let chunk = events.len().div_ceil(WORKERS);
        std::thread::scope(|scope| {
            let jobs: Vec<_> = events
                .chunks(chunk)
                .map(|part| {
                    let job = scope.spawn(move || {
                        part.iter().map(|e| self.check_event(e)).collect::<Vec<_>>()
                    });
                    (part.len(), job)
                })
                .collect();
            jobs.into_iter()
                .flat_map(|(len, job)| {
                    // One verdict per event even if a checker panicked, so verdicts stay aligned.
                    job.join().unwrap_or_else(|_| {
                        vec![
                            SignatureCheck::Failed("not checked: the checker panicked".to_string());
                            len
                        ]
                    })
                })
                .collect()
        })
    }

    /// The verdict on `sig` over `body`, for `body.actor`.
    pub fn check(&self, body: &EventBody, sig: Option<&str>) -> SignatureCheck {
        let Some(sig) = sig else {
            return SignatureCheck::Unsigned;
        };
        let allowed = match &self.allowed {
            Ok(allowed) => allowed,
            Err(why) => return SignatureCheck::Failed(format!("not checked: {why}")),
        };
        let data = canonical_body(body);
        let key: [u8; 32] = Sha256::new()
            .chain_update(allowed.digest())
            .chain_update(data.as_bytes())
            .chain_update([0])
            .chain_update(sig.as_bytes())
            .finalize()
            .into();
        if let Some(known) = verdicts().get(&key) {
            return known.clone();
        }
        let (verdict, settled) = verify(allowed, &body.actor, sig, data.as_bytes());
        if settled {
            let mut cache = verdicts();
            if cache.len() >= CACHE_LIMIT {
                cache.clear();
            }
            cache.insert(key, verdict.clone());
        }
        verdict
    }
}

/// The verdict, and whether it is settled (a verdict, not a failure to run the check).
fn verify(allowed: &AllowedSigners, actor: &str, sig: &str, data: &[u8]) -> (SignatureCheck, bool) {
    let failed = |why: String| SignatureCheck::Failed(why);
    let sig_file = match TempFile::write("sig", sig.as_bytes()) {
        Ok(f) => f,
        Err(e) => {
            return (
                failed(format!("not checked: could not write the signature: {e}")),
                false,
            );
        }
    };
    let (signers, sig_path) = (arg(allowed.path()), arg(sig_file.path()));
    let args = [
        "-Y", "verify", "-f", &signers, "-I", actor, "-n", NAMESPACE, "-s", &sig_path,
    ];
    match run(&args, data) {
        Ok(ran) if ran.success => (SignatureCheck::Verified, true),
        Ok(ran) => (
            failed(diagnose(allowed, actor, &sig_path, data, &ran.stderr)),
            true,
        ),
        Err(e) => (failed(format!("not checked: {e}")), false),
    }
}

/// Why a signature did not verify, in the words a reviewer needs: altered, unknown key, or
/// someone else's key.
fn diagnose(
    allowed: &AllowedSigners,
    actor: &str,
    sig_path: &str,
    data: &[u8],
    stderr: &str,
) -> String {
    let actor = sanitize(actor);
    let intact = run(
        &["-Y", "check-novalidate", "-n", NAMESPACE, "-s", sig_path],
        data,
    );
    let Some(intact) = intact.ok().filter(|r| r.success) else {
        return "the signature does not match the event: it was changed after signing, or the \
                signature was made for something else"
            .to_string();
    };
    let key = key_of(&intact.stdout).unwrap_or_else(|| "an unknown key".to_string());
    let signers = arg(allowed.path());
    let principals = run(
        &["-Y", "find-principals", "-f", &signers, "-s", sig_path],
        &[],
    )
    .ok()
    .filter(|r| r.success)
    .map(|r| {
        r.stdout
            .lines()
            .map(|l| sanitize(l.trim()))
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
    })
    .unwrap_or_default();
    if principals.is_empty() {
        format!(
            "signature by {key} not in allowed_signers ({})",
            allowed.source()
        )
    } else if principals.contains(&actor) {
        format!("signature by {actor}'s key refused by ssh-keygen: {stderr}")
    } else {
        format!(
            "signed with {key}, allowed for {} and not for {actor}: someone signed in another's \
             name",
            principals.join(", ")
        )
    }
}

/// `ED25519 key SHA256:…` from check-novalidate's `Good "shipdeck" signature with ED25519 key
/// SHA256:…`.
fn key_of(stdout: &str) -> Option<String> {
    let at = stdout.find(" with ")?;
    let key = stdout[at + 6..].lines().next()?.trim();
    (!key.is_empty()).then(|| sanitize(key))
}
