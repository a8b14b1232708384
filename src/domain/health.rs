//! Reading a probe's answer: what the HTTP status and the body say about health, version and
//! commit. Pure: the probe engine (`crate::probe`) does the IO and hands the bytes here.

use serde_json::Value;

use crate::domain::config::ProbeFormat;
use crate::domain::observation::Health;
use crate::domain::release::{Release, match_reported};
use crate::domain::sanitize::{sanitize, truncate};

/// Longest version string kept from a body.
pub const MAX_VERSION_CHARS: usize = 80;
/// Longest detail line kept.
pub const MAX_DETAIL_CHARS: usize = 200;
/// Longest message quoted from a body (`output`, `error` …) inside a detail.
const MAX_MESSAGE_CHARS: usize = 100;

/// Where a version is looked for when the probe names no `version_pointer`, first match wins.
/// `releaseId` leads because in the IETF health+json draft `version` is the API's version.
pub const VERSION_POINTERS: &[&str] = &[
    "/releaseId",
    "/version",
    "/build/version",
    "/git/commit/id",
    "/gitVersion",
    "/data/version",
    "/commit",
];

/// Where a commit is looked for; only hex values count.
const COMMIT_POINTERS: &[&str] = &["/commit", "/git/commit/id", "/data/revision"];

/// Fields whose text explains a non-passing body (IETF `output`, Prometheus `error`, etcd
/// `reason`, Statuspage `description`).
const MESSAGE_FIELDS: &[&str] = &["output", "error", "reason", "message", "description"];

/// What one answer says. Every string in it is sanitized and truncated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interpretation {
    pub health: Health,
    pub version: Option<String>,
    /// Lowercase hex (7–40 digits), when the body reported one.
    pub commit: Option<String>,
    /// One line: why (`HTTP 503, status "DOWN"`, `body is not JSON`).
    pub detail: String,
}

/// Interprets one answer. `status` is the HTTP status, or `None` when the transport has no
/// status (a command that exited 0). The worse of status code and body wins.
pub fn interpret(
    status: Option<u16>,
    body: &[u8],
    format: ProbeFormat,
    version_pointer: Option<&str>,
) -> Interpretation {
    let code_health = status.map_or(Health::Pass, code_health);
    // The code is news only when it is not a plain success, or when nothing else is said.
    let mut parts: Vec<String> = status
        .filter(|_| code_health != Health::Pass || format == ProbeFormat::Status)
        .map(|code| format!("HTTP {code}"))
        .into_iter()
        .collect();
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let health = match format {
        ProbeFormat::Status => code_health,
        ProbeFormat::Plain => {
            let text = String::from_utf8_lossy(body);
            if text.trim().eq_ignore_ascii_case("ok") {
                code_health
            } else {
                parts.push(format!("body is not `ok`: {}", quote(&text)));
                Health::Fail
            }
        }
        ProbeFormat::Auto => {
            let (body_health, note) = match &json {
                Some(value) => json_health(value),
                None => text_health(body),
            };
            parts.extend(note);
            worse(code_health, body_health.unwrap_or(Health::Pass))
        }
    };
    let (version, commit) = json.as_ref().map_or((None, None), |value| {
        (version_of(value, version_pointer), commit_of(value))
    });
    if parts.is_empty() {
        parts.push(match status {
            Some(code) => format!("HTTP {code}"),
            None if body.is_empty() => "empty answer".to_string(),
            None => "answered".to_string(),
        });
    }
    Interpretation {
        health,
        version,
        commit,
        detail: truncate(&parts.join(", "), MAX_DETAIL_CHARS),
    }
}

/// The release a target's report refers to: by the reported version first (whole tag name, tag
/// without the pattern's literal prefix, or a commit), then by the reported commit.
pub fn match_release<'a>(
    reported: Option<&str>,
    commit: Option<&str>,
    prefix: &str,
    releases: &'a [Release],
) -> Option<&'a Release> {
    reported
        .and_then(|v| match_reported(v, prefix, releases))
        .or_else(|| commit.and_then(|c| match_reported(c, prefix, releases)))
}

/// The worse of two healths (pass < warn < fail < unreachable < unknown).
pub fn worse(a: Health, b: Health) -> Health {
    a.max(b)
}

/// What an HTTP status alone says: 2xx–3xx up, 429 warn, anything else down.
pub fn code_health(code: u16) -> Health {
    match code {
        200..=399 => Health::Pass,
        429 => Health::Warn,
        _ => Health::Fail,
    }
}

/// A `status`/`health` word, case-insensitively. `success`/`error` are Prometheus API words,
/// `true`/`false` etcd's, `none`/`minor`/`major` Statuspage indicators.
fn word_health(word: &str) -> Option<Health> {
    match word.trim().to_ascii_lowercase().as_str() {
        "pass" | "ok" | "up" | "passing" | "healthy" | "true" | "success" | "none" => {
            Some(Health::Pass)
        }
        "warn" | "warning" | "degraded" | "minor" => Some(Health::Warn),
        "fail" | "error" | "down" | "critical" | "out_of_service" | "unhealthy" | "false"
        | "major" => Some(Health::Fail),
        _ => None,
    }
}

/// Health from a JSON body, with a note for the detail.
fn json_health(value: &Value) -> (Option<Health>, Option<String>) {
    let field = match value {
        Value::Object(map) => map
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("status") || k.eq_ignore_ascii_case("health"))
            .map(|(k, v)| (k.as_str(), v)),
        // A bare JSON string or boolean is its own status.
        Value::String(_) | Value::Bool(_) => Some(("status", value)),
        _ => None,
    };
    let Some((key, field)) = field else {
        return (None, None);
    };
    let (health, shown) = match field {
        // Sanitized first, so an escape sequence cannot hide a `fail`.
        Value::String(s) => (word_health(&sanitize(s)), s.clone()),
        Value::Bool(b) => (
            Some(if *b { Health::Pass } else { Health::Fail }),
            b.to_string(),
        ),
        // Statuspage-style `{"status": {"indicator": "none", "description": "…"}}`.
        Value::Object(inner) => match simple_word(inner) {
            Some(s) => (word_health(&sanitize(s)), s.to_string()),
            None => return (None, Some(format!("`{key}` is not a simple value"))),
        },
        _ => return (None, Some(format!("`{key}` is not a simple value"))),
    };
    let key = sanitize(key);
    let mut note = match health {
        Some(_) => format!("{key} {}", quote(&shown)),
        None => format!("unrecognized {key} {}", quote(&shown)),
    };
    if health.is_some_and(|h| h != Health::Pass)
        && let Some(message) = message_of(value, field)
    {
        note.push_str(": ");
        note.push_str(&message);
    }
    (health, Some(note))
}

/// The one word inside a nested status object (`indicator`, `status`, `health` or `state`).
fn simple_word(inner: &serde_json::Map<String, Value>) -> Option<&str> {
    ["indicator", "status", "health", "state"]
        .iter()
        .find_map(|k| inner.get(*k).and_then(Value::as_str))
}

/// A short explanation from the body or the nested status object, if it has one.
fn message_of(value: &Value, field: &Value) -> Option<String> {
    [value, field].iter().find_map(|v| {
        MESSAGE_FIELDS.iter().find_map(|k| {
            let text = v.get(*k)?.as_str()?;
            let text = sanitize(text);
            let text = text.trim();
            (!text.is_empty()).then(|| truncate(text, MAX_MESSAGE_CHARS))
        })
    })
}

/// Health from a body that is not JSON: a bare word (`ok`, Kubernetes style) counts; anything
/// else leaves health to the status code.
fn text_health(body: &[u8]) -> (Option<Health>, Option<String>) {
    let text = String::from_utf8_lossy(body);
    let word = text.trim();
    if word.is_empty() {
        return (None, None);
    }
    match word_health(word) {
        Some(h) => (Some(h), Some(format!("body {}", quote(word)))),
        None => (None, Some("body is not JSON".to_string())),
    }
}

/// The version at `pointer`, else at the first of [`VERSION_POINTERS`] that holds one.
fn version_of(value: &Value, pointer: Option<&str>) -> Option<String> {
    match pointer {
        Some(p) => scalar_at(value, p),
        None => VERSION_POINTERS.iter().find_map(|p| scalar_at(value, p)),
    }
    .map(|v| truncate(&v, MAX_VERSION_CHARS))
}

/// A non-empty string or a number at `pointer`, sanitized.
fn scalar_at(value: &Value, pointer: &str) -> Option<String> {
    let text = match value.pointer(pointer)? {
        Value::String(s) => sanitize(s).trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The first of [`COMMIT_POINTERS`] that holds 7–40 hex digits, lowercased.
fn commit_of(value: &Value) -> Option<String> {
    COMMIT_POINTERS.iter().find_map(|p| {
        let s = value.pointer(p)?.as_str()?.trim();
        looks_like_commit(s).then(|| s.to_ascii_lowercase())
    })
}

fn looks_like_commit(s: &str) -> bool {
    (7..=40).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Untrusted text quoted for a detail line: sanitized, short, in double quotes.
fn quote(text: &str) -> String {
    format!(
        "\"{}\"",
        truncate(sanitize(text).trim(), MAX_MESSAGE_CHARS / 2)
    )
}

#[cfg(test)]
#[path = "health_tests.rs"]
mod tests;
