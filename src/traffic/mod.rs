//! Traffic routers: reading which slot takes how much traffic, and changing it. One file per
//! kind (`haproxy`, `caddy`, `http`, `command`); this file picks the kind and gives every
//! reading the same shape. A write is never retried blindly: callers read back instead.

mod caddy;
mod command;
mod haproxy;
mod http;

use std::time::Duration;

use crate::deploy::DeployRequest;
use crate::domain::sanitize::{sanitize, truncate};
use crate::domain::traffic::{RouterSpec, TrafficSpec, Weights, describe_weights};

/// Why a router call did not give an answer to count on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouterError {
    #[error("the traffic router is unreachable: {0}")]
    Unreachable(String),
    #[error("the traffic router did not answer within {}s", .0.as_secs_f32())]
    Slow(Duration),
    #[error("the traffic router's answer makes no sense: {0}")]
    Garbage(String),
    #[error("the traffic router refused: {0}")]
    Refused(String),
    #[error(
        "this configuration's router is a command and it is not trusted yet; review it, then run `shipdeck trust`"
    )]
    Untrusted,
}

impl RouterError {
    /// A one-line, terminal-safe form of an answer for messages.
    pub(crate) fn text(raw: &str) -> String {
        truncate(&sanitize(raw.trim()), 200)
    }
}

/// Reads the weights the router holds now, by slot (every slot of `spec` present).
pub async fn read(spec: &TrafficSpec, trusted: bool) -> Result<Weights, RouterError> {
    let weights = bounded(spec.timeout, async {
        match &spec.router {
            RouterSpec::Haproxy { address, backend } => {
                haproxy::read(address, backend, &spec.slots, spec.timeout).await
            }
            RouterSpec::Caddy {
                admin,
                route,
                dials,
            } => caddy::read(admin, route, dials, spec.timeout).await,
            RouterSpec::Http {
                read_url, pointers, ..
            } => http::read(read_url, pointers, spec.timeout).await,
            RouterSpec::Command { read, pointers, .. } => {
                if !trusted {
                    return Err(RouterError::Untrusted);
                }
                command::read(read, pointers, spec.timeout).await
            }
        }
    })
    .await?;
    let missing: Vec<&str> = spec
        .slots
        .iter()
        .filter(|s| !weights.contains_key(s.as_str()))
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(RouterError::Garbage(format!(
            "no weight for slot {}",
            missing.join(", ")
        )));
    }
    Ok(spec
        .slots
        .iter()
        .map(|s| (s.clone(), weights.get(s).copied().unwrap_or(0)))
        .collect())
}

/// Asks the router to hold `weights`; `slot` is the slot the shift is about (`{{slot}}`), `req`
/// the deployment's template values. Returns what was called, for the event. The caller reads
/// back before it counts the shift.
pub async fn write(
    spec: &TrafficSpec,
    weights: &Weights,
    slot: &str,
    req: &DeployRequest,
    trusted: bool,
) -> Result<String, RouterError> {
    let call = describe(spec, weights, slot, req);
    bounded(spec.timeout, async {
        match &spec.router {
            RouterSpec::Haproxy { address, backend } => {
                haproxy::write(address, backend, weights, spec.timeout).await
            }
            RouterSpec::Caddy {
                admin,
                route,
                dials,
            } => caddy::write(admin, route, dials, weights, spec.timeout).await,
            RouterSpec::Http { write, .. } => {
                http::write(write, weights, slot, req, spec.timeout).await
            }
            RouterSpec::Command { write, .. } => {
                if !trusted {
                    return Err(RouterError::Untrusted);
                }
                command::write(write, weights, slot, req, spec.timeout).await
            }
        }
    })
    .await?;
    Ok(call)
}

/// Exactly what [`write`] will call for `weights`, one line, secrets never shown.
pub fn describe(spec: &TrafficSpec, weights: &Weights, slot: &str, req: &DeployRequest) -> String {
    let line = match &spec.router {
        RouterSpec::Haproxy { address, backend } => {
            format!("{address}: {}", haproxy::commands(backend, weights))
        }
        RouterSpec::Caddy {
            admin,
            route,
            dials,
        } => caddy::describe(admin, route, dials, weights),
        RouterSpec::Http { write, .. } => http::describe(write, weights, slot, req),
        RouterSpec::Command { write, .. } => command::describe(write, weights, slot, req),
    };
    sanitize(&line)
}

/// Where the router is, for `traffic` and messages.
pub fn location(spec: &TrafficSpec) -> String {
    sanitize(&match &spec.router {
        RouterSpec::Haproxy { address, backend } => format!("haproxy {address} backend {backend}"),
        RouterSpec::Caddy { admin, route, .. } => format!("caddy {admin} route {route}"),
        RouterSpec::Http { read_url, .. } => format!("http {read_url}"),
        RouterSpec::Command { read, .. } => format!("command {}", read.join(" ")),
    })
}

/// `blue 90% · green 10%`.
pub fn shown(spec: &TrafficSpec, weights: &Weights) -> String {
    describe_weights(&spec.slots, weights)
}

async fn bounded<T>(
    timeout: Duration,
    call: impl Future<Output = Result<T, RouterError>>,
) -> Result<T, RouterError> {
    // A little longer than the call's own timeout, so its own (more precise) error wins.
    match tokio::time::timeout(timeout + Duration::from_millis(250), call).await {
        Ok(r) => r,
        Err(_) => Err(RouterError::Slow(timeout)),
    }
}

/// A weight read from JSON: a whole number, or a float rounded (some routers keep shares).
// The float is checked to be finite and within 0..=u32::MAX before the cast.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub(crate) fn json_weight(v: &serde_json::Value) -> Option<u32> {
    match v {
        serde_json::Value::Number(n) => n
            .as_u64()
            .map(|u| u32::try_from(u).unwrap_or(u32::MAX))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.is_finite() && *f >= 0.0 && *f <= f64::from(u32::MAX))
                    .map(|f| f.round() as u32)
            }),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Weights at JSON pointers of a document.
pub(crate) fn weights_at(
    doc: &serde_json::Value,
    pointers: &std::collections::BTreeMap<String, String>,
) -> Result<Weights, RouterError> {
    let mut out = Weights::new();
    for (slot, pointer) in pointers {
        let v = doc.pointer(pointer).ok_or_else(|| {
            RouterError::Garbage(format!("no {pointer} (slot {slot}) in the answer"))
        })?;
        let w = json_weight(v).ok_or_else(|| {
            RouterError::Garbage(format!(
                "{pointer} (slot {slot}) is {}, not a weight",
                RouterError::text(&v.to_string())
            ))
        })?;
        out.insert(slot.clone(), w);
    }
    Ok(out)
}
