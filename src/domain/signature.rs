//! What a signature check found for one event. Checking is an adapter's job (`crate::sign` runs
//! ssh-keygen); the domain only reads the verdicts, by event id.

/// The verdict on one event's signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// It verifies for the event's actor against the committed allowed signers.
    Verified,
    /// The event carries no signature.
    Unsigned,
    /// It does not verify; why, in a sentence ("signature by ED25519 key SHA256:… is not in
    /// allowed_signers").
    Failed(String),
}

impl SignatureCheck {
    /// Whether the signature verified.
    pub fn is_verified(&self) -> bool {
        matches!(self, SignatureCheck::Verified)
    }
}
