//! Feature flags (DESIGN.md, "Feature flags"): the `[[flags]]` flag services as configured, and
//! what a flag service says a flag is in an environment. Pure: reading and writing live in
//! `crate::flags`, the rules of a change in [`super::flag_change`].

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::config::{Auth, SecretName};

/// `rollout_steps` when the configuration names none.
pub const DEFAULT_ROLLOUT_STEPS: [u8; 6] = [1, 5, 10, 25, 50, 100];

/// The names a generic (`http`) flag service's write templates may use.
pub const WRITE_NAMES: &[&str] = &["flag", "env", "enabled", "percent"];
/// The names its read URL and pointers may use.
pub const READ_NAMES: &[&str] = &["env"];

/// One `[[flags]]` table: a flag service and whose flags it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagService {
    pub name: String,
    pub kind: FlagKind,
    /// shipdeck's environment name → the flag service's (every environment, as itself, when
    /// the configuration maps none). Environments not in here have no flags.
    pub environments: BTreeMap<String, String>,
    /// shipdeck service → the flags that are its own. Flags of no service are listed as such.
    pub services: BTreeMap<String, Vec<String>>,
    /// The percentages `+` and `-` move through, ascending.
    pub rollout_steps: Vec<u8>,
    /// How often the console reads the service.
    pub interval: Duration,
    /// How long one read (or write) may take before the service counts as slow.
    pub timeout: Duration,
}

#[derive(Debug, Clone, PartialEq)]
pub enum FlagKind {
    Unleash(UnleashApi),
    Http(HttpFlags),
}

impl FlagKind {
    pub fn name(&self) -> &'static str {
        match self {
            FlagKind::Unleash(_) => "unleash",
            FlagKind::Http(_) => "http",
        }
    }
}

/// Unleash's admin API.
#[derive(Debug, Clone, PartialEq)]
pub struct UnleashApi {
    /// The server's base URL, without a trailing slash.
    pub url: String,
    /// An admin API token, sent as `Authorization`.
    pub token: SecretName,
    pub project: String,
}

/// A generic flag service: one read, one templated write.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpFlags {
    pub read: HttpRead,
    pub write: HttpWrite,
    pub auth: Option<Auth>,
}

/// `read = { url, list, name, enabled, percent }`: GET `url` (`{{env}}` templated: one read per
/// environment when it is used), the flags are the array at JSON pointer `list`, each one's name,
/// enabled state and percentage at the pointers (which may use `{{env}}`) inside it.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpRead {
    pub url: String,
    pub list: String,
    pub name: String,
    pub enabled: String,
    /// No percentage when unset.
    pub percent: Option<String>,
}

impl HttpRead {
    /// Whether each environment is read with its own request.
    pub fn per_env(&self) -> bool {
        super::template::names_in(&self.url, READ_NAMES).is_ok_and(|n| n.iter().any(|n| n == "env"))
    }
}

/// `write = { method, url, headers, body }`, templated with [`WRITE_NAMES`].
#[derive(Debug, Clone, PartialEq)]
pub struct HttpWrite {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

impl FlagService {
    /// The flag service's name for shipdeck's environment `env`.
    pub fn service_env(&self, env: &str) -> Option<&str> {
        self.environments.get(env).map(String::as_str)
    }

    /// shipdeck's environment for the flag service's `name`.
    pub fn shipdeck_env(&self, name: &str) -> Option<&str> {
        self.environments
            .iter()
            .find(|(_, v)| v.as_str() == name)
            .map(|(k, _)| k.as_str())
    }

    /// The shipdeck service whose flag `flag` is.
    pub fn owner(&self, flag: &str) -> Option<&str> {
        self.services
            .iter()
            .find(|(_, flags)| flags.iter().any(|f| f == flag))
            .map(|(s, _)| s.as_str())
    }

    /// The secret variable it reads, if any.
    pub fn secret(&self) -> Option<&SecretName> {
        match &self.kind {
            FlagKind::Unleash(u) => Some(&u.token),
            FlagKind::Http(h) => h.auth.as_ref().map(|a| match a {
                Auth::Bearer(n) | Auth::Basic(n) | Auth::Header { secret: n, .. } => n,
            }),
        }
    }
}

/// A flag's state in one environment: on or off, and its rollout percentage when it has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagValue {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<u8>,
}

impl fmt::Display for FlagValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.enabled { "on" } else { "off" })?;
        if let Some(p) = self.rollout {
            write!(f, " at {p}%")?;
        }
        Ok(())
    }
}

/// One flag in one environment, as the flag service reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagState {
    pub flag: String,
    /// shipdeck's environment name.
    pub env: String,
    pub value: FlagValue,
    /// The strategies in that environment, described (`flexibleRollout 10%`, sanitized).
    pub strategies: Vec<String>,
    /// The id of the strategy whose percentage `rollout` is (Unleash's `flexibleRollout`).
    pub rollout_strategy: Option<String>,
}

/// Why a flag service could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagFault {
    /// No connection (refused, reset, no route).
    Unreachable(String),
    /// No answer within the timeout.
    Slow(Duration),
    /// An answer that is not what was expected (not JSON, not the shape).
    Garbage(String),
    /// An HTTP error status.
    Refused { status: u16, detail: String },
    /// The token's variable is unset.
    NoToken(String),
}

impl FlagFault {
    /// One word for views and JSON: `unreachable`, `slow`, `garbage`, `refused`, `no-token`.
    pub fn status(&self) -> &'static str {
        match self {
            FlagFault::Unreachable(_) => "unreachable",
            FlagFault::Slow(_) => "slow",
            FlagFault::Garbage(_) => "garbage",
            FlagFault::Refused { .. } => "refused",
            FlagFault::NoToken(_) => "no-token",
        }
    }
}

impl fmt::Display for FlagFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagFault::Unreachable(d) => write!(f, "unreachable: {d}"),
            FlagFault::Slow(t) => write!(f, "slow: no answer within {}s", t.as_secs_f64()),
            FlagFault::Garbage(d) => write!(f, "answered garbage: {d}"),
            FlagFault::Refused { status, detail } => {
                write!(f, "refused with HTTP {status}")?;
                if !detail.is_empty() {
                    write!(f, ": {detail}")?;
                }
                Ok(())
            }
            FlagFault::NoToken(var) => write!(f, "`{var}` is not set (the token's variable)"),
        }
    }
}

/// One read of a flag service: every flag in every mapped environment, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct FlagReading {
    /// The flag service's name.
    pub provider: String,
    pub at: Timestamp,
    pub result: Result<Vec<FlagState>, FlagFault>,
}

impl FlagReading {
    /// The state of `flag` in `env`, when the read succeeded and has it.
    pub fn state(&self, flag: &str, env: &str) -> Option<&FlagState> {
        self.result
            .as_ref()
            .ok()?
            .iter()
            .find(|s| s.flag == flag && s.env == env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_read_as_on_off_and_percent() {
        let v = FlagValue {
            enabled: true,
            rollout: Some(10),
        };
        assert_eq!(v.to_string(), "on at 10%");
        let off = FlagValue {
            enabled: false,
            rollout: None,
        };
        assert_eq!(off.to_string(), "off");
        assert_eq!(
            serde_json::to_value(off).expect("json"),
            serde_json::json!({"enabled": false})
        );
    }
}
