//! What a failed action tells the user, and the exit code the command line contract gives it.

use std::fmt;

/// A user-facing failure: one or more sentences that say what failed and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The process exit code (DESIGN.md: 1 failed, 2 usage/config, 3 blocked, 4 deploy, 5 log).
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn failed(message: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    pub fn usage(message: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: message.into(),
        }
    }

    pub fn blocked(message: impl Into<String>) -> Failure {
        Failure {
            code: 3,
            message: message.into(),
        }
    }

    pub fn deploy(message: impl Into<String>) -> Failure {
        Failure {
            code: 4,
            message: message.into(),
        }
    }

    pub fn log(message: impl Into<String>) -> Failure {
        Failure {
            code: 5,
            message: message.into(),
        }
    }

    /// The refusal every mutating action gives under `--read-only`.
    pub fn read_only(what: &str) -> Failure {
        Failure::failed(format!(
            "read-only: {what} is not possible in a read-only session (started with --read-only)"
        ))
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// `result.or_fail("could not read the repository")?` — any displayable error as a plain failure
/// (exit 1), prefixed with what was being done.
pub trait OrFail<T> {
    fn or_fail(self, context: &str) -> Result<T, Failure>;
}

impl<T, E: fmt::Display> OrFail<T> for Result<T, E> {
    fn or_fail(self, context: &str) -> Result<T, Failure> {
        self.map_err(|e| Failure::failed(format!("{context}: {e}")))
    }
}
