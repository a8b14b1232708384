//! Signed events: SSH signatures made and checked by the user's own `ssh-keygen` (`-Y sign`,
//! `-Y verify`, namespace `shipdeck`), the format git uses for SSH commit signing.
//!
//! - [`SigningKey`]: whose key signs what this process records (`SHIPDECK_SIGNING_KEY`, else
//!   `git config user.signingkey` when it names a file).
//! - [`AllowedSigners`]: the `allowed_signers` file as committed on the remote's default branch
//!   (never the working tree, so adding a key takes a reviewed commit).
//! - [`Verifier`]: checks event signatures against it, once per event per run.

mod allowed;
mod approvals;
mod key;
mod keygen;
mod verifier;

pub use crate::domain::signature::SignatureCheck;
pub use allowed::{AllowedSigners, candidate_refs};
pub use approvals::{Decision, Expected, decide};
pub use key::{SigningKey, signing_key};
pub use keygen::SignError;
pub use verifier::Verifier;

/// The signature namespace: a signature made for shipdeck is never valid for git or anything
/// else, and the other way round.
pub const NAMESPACE: &str = "shipdeck";
