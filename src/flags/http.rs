//! The generic flag service (`kind = "http"`): a read (URL and JSON pointers) and one templated
//! write, so LaunchDarkly, Flagsmith or a home-grown service fit.

use reqwest::Client;
use serde_json::Value;

use super::request::{self, Call};
use crate::deploy::secret::Secret;
use crate::domain::flag::{FlagFault, FlagService, FlagState, FlagValue, HttpFlags, HttpRead};
use crate::domain::flag::{READ_NAMES, WRITE_NAMES};
use crate::domain::flag_change::FlagAction;
use crate::domain::sanitize::{sanitize, truncate};
use crate::domain::template::{Vars, expand_in, json_escape, url_escape};

fn env_vars(their_env: &str) -> Vars {
    let mut vars = Vars::new();
    vars.set("env", their_env);
    vars
}

fn expand(
    template: &str,
    vars: &Vars,
    known: &[&str],
    escape: fn(&str) -> String,
) -> Result<String, FlagFault> {
    expand_in(template, vars, known, escape)
        .map_err(|e| FlagFault::Garbage(format!("template `{template}`: {e}")))
}

fn raw(value: &str) -> String {
    value.to_string()
}

/// Every flag in every mapped environment: one GET per environment when the URL uses
/// `{{env}}`, else one GET for all of them.
pub async fn read(
    client: &Client,
    service: &FlagService,
    spec: &HttpFlags,
    secret: Option<&Secret>,
) -> Result<Vec<FlagState>, FlagFault> {
    let read = &spec.read;
    let mut out = Vec::new();
    if read.per_env() {
        for (ours, theirs) in &service.environments {
            let url = expand(&read.url, &env_vars(theirs), READ_NAMES, url_escape)?;
            let doc = request::json(client, service, secret, &Call::get(url)).await?;
            out.extend(states(read, &doc, ours, theirs)?);
        }
    } else {
        let url = expand(&read.url, &Vars::new(), READ_NAMES, url_escape)?;
        let doc = request::json(client, service, secret, &Call::get(url)).await?;
        for (ours, theirs) in &service.environments {
            out.extend(states(read, &doc, ours, theirs)?);
        }
    }
    Ok(out)
}

/// The flags of `doc` in one environment. A flag whose enabled pointer finds nothing is not in
/// that environment; one that finds something other than true or false is garbage.
fn states(
    read: &HttpRead,
    doc: &Value,
    ours: &str,
    theirs: &str,
) -> Result<Vec<FlagState>, FlagFault> {
    let vars = env_vars(theirs);
    let list_ptr = expand(&read.list, &vars, READ_NAMES, raw)?;
    let items = doc
        .pointer(&list_ptr)
        .and_then(Value::as_array)
        .ok_or_else(|| FlagFault::Garbage(format!("no array of flags at `{list_ptr}`")))?;
    let name_ptr = expand(&read.name, &vars, READ_NAMES, raw)?;
    let enabled_ptr = expand(&read.enabled, &vars, READ_NAMES, raw)?;
    let percent_ptr = read
        .percent
        .as_ref()
        .map(|p| expand(p, &vars, READ_NAMES, raw))
        .transpose()?;
    let mut out = Vec::new();
    for item in items {
        let name = item
            .pointer(&name_ptr)
            .and_then(Value::as_str)
            .filter(|n| !n.trim().is_empty())
            .ok_or_else(|| FlagFault::Garbage(format!("a flag without a name at `{name_ptr}`")))?;
        let name = truncate(&sanitize(name), 100);
        let enabled = match item.pointer(&enabled_ptr) {
            None | Some(Value::Null) => continue,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                return Err(FlagFault::Garbage(format!(
                    "flag `{name}`: expected true or false at `{enabled_ptr}`, found {}",
                    truncate(&sanitize(&other.to_string()), 40)
                )));
            }
        };
        let rollout = match percent_ptr.as_deref().map(|p| (p, item.pointer(p))) {
            None | Some((_, None | Some(Value::Null))) => None,
            Some((p, Some(v))) => Some(
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
                    .and_then(|n| u8::try_from(n).ok())
                    .filter(|n| *n <= 100)
                    .ok_or_else(|| {
                        FlagFault::Garbage(format!(
                            "flag `{name}`: expected a percentage 0–100 at `{p}`, found {}",
                            truncate(&sanitize(&v.to_string()), 40)
                        ))
                    })?,
            ),
        };
        out.push(FlagState {
            flag: name,
            env: ours.to_string(),
            value: FlagValue { enabled, rollout },
            strategies: Vec::new(),
            rollout_strategy: None,
        });
    }
    Ok(out)
}

/// The write for `action`: the templated request with the value after it (`{{percent}}` is
/// `null` when the flag has no percentage).
pub fn call(
    spec: &HttpFlags,
    state: &FlagState,
    their_env: &str,
    action: FlagAction,
) -> Result<Call, FlagFault> {
    let after = action.apply(state.value);
    let mut vars = Vars::new();
    vars.set("flag", state.flag.clone());
    vars.set("env", their_env);
    vars.set("enabled", if after.enabled { "true" } else { "false" });
    vars.set(
        "percent",
        after
            .rollout
            .map_or_else(|| "null".to_string(), |p| p.to_string()),
    );
    let w = &spec.write;
    let json_body = w.headers.iter().any(|(n, v)| {
        n.eq_ignore_ascii_case("content-type") && v.to_ascii_lowercase().contains("json")
    });
    let url = expand(&w.url, &vars, WRITE_NAMES, url_escape)?;
    let headers = w
        .headers
        .iter()
        .map(|(n, v)| Ok((n.clone(), expand(v, &vars, WRITE_NAMES, raw)?)))
        .collect::<Result<Vec<_>, FlagFault>>()?;
    let body = w
        .body
        .as_ref()
        .map(|b| {
            expand(
                b,
                &vars,
                WRITE_NAMES,
                if json_body { json_escape } else { raw },
            )
        })
        .transpose()?;
    Ok(Call {
        method: w.method.clone(),
        url,
        headers,
        body,
    })
}
