//! Unleash's admin API: a project's features, each environment's enabled state and strategies;
//! on and off per environment; the `rollout` parameter of its `flexibleRollout` (gradual
//! rollout) strategy, created when the environment has none.

use std::fmt::Write as _;

use futures::StreamExt as _;
use reqwest::Client;
use serde_json::{Value, json};

use super::request::{self, Call};
use crate::deploy::secret::Secret;
use crate::domain::flag::{FlagFault, FlagService, FlagState, FlagValue, UnleashApi};
use crate::domain::flag_change::FlagAction;
use crate::domain::sanitize::{sanitize, truncate};
use crate::domain::template::url_escape;

/// Features read at once.
const CONCURRENCY: usize = 8;
/// Unleash's gradual rollout strategy.
pub const ROLLOUT_STRATEGY: &str = "flexibleRollout";

fn project_url(api: &UnleashApi) -> String {
    format!(
        "{}/api/admin/projects/{}/features",
        api.url,
        url_escape(&api.project)
    )
}

fn feature_url(api: &UnleashApi, flag: &str) -> String {
    format!("{}/{}", project_url(api), url_escape(flag))
}

/// Every feature of the project in every mapped environment.
pub async fn read(
    client: &Client,
    service: &FlagService,
    api: &UnleashApi,
    secret: Option<&Secret>,
) -> Result<Vec<FlagState>, FlagFault> {
    let list = request::json(client, service, secret, &Call::get(project_url(api))).await?;
    let names: Vec<String> = list
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| FlagFault::Garbage("no `features` array in the project's features".into()))?
        .iter()
        .map(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| FlagFault::Garbage("a feature without a `name`".into()))
        })
        .collect::<Result<_, _>>()?;
    let details: Vec<Result<Vec<FlagState>, FlagFault>> = futures::stream::iter(names)
        .map(|name| async move {
            let feature =
                request::json(client, service, secret, &Call::get(feature_url(api, &name))).await?;
            states(service, &name, &feature)
        })
        .buffered(CONCURRENCY)
        .collect()
        .await;
    let mut out = Vec::new();
    for d in details {
        out.extend(d?);
    }
    Ok(out)
}

/// One feature's environments, as shipdeck's.
fn states(service: &FlagService, name: &str, feature: &Value) -> Result<Vec<FlagState>, FlagFault> {
    let garbage = |what: &str| FlagFault::Garbage(format!("feature `{}`: {what}", sanitize(name)));
    let envs = feature
        .get("environments")
        .and_then(Value::as_array)
        .ok_or_else(|| garbage("no `environments` array"))?;
    let mut out = Vec::new();
    for env in envs {
        let their = env
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| garbage("an environment without a `name`"))?;
        let Some(ours) = service.shipdeck_env(their) else {
            continue;
        };
        let enabled = env
            .get("enabled")
            .and_then(Value::as_bool)
            .ok_or_else(|| garbage("an environment without `enabled`"))?;
        let strategies = env
            .get("strategies")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let rollout = strategies.iter().find(|s| {
            s.get("name").and_then(Value::as_str) == Some(ROLLOUT_STRATEGY)
                && s.get("disabled").and_then(Value::as_bool) != Some(true)
        });
        let percent = match rollout {
            Some(s) => Some(percent(s).ok_or_else(|| garbage("a rollout that is not 0–100"))?),
            None => None,
        };
        out.push(FlagState {
            flag: sanitize(name),
            env: ours.to_string(),
            value: FlagValue {
                enabled,
                rollout: percent,
            },
            strategies: strategies.iter().map(describe).collect(),
            rollout_strategy: rollout
                .and_then(|s| s.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string),
        });
    }
    Ok(out)
}

/// A strategy's `rollout` parameter (a string in Unleash, a number accepted too).
fn percent(strategy: &Value) -> Option<u8> {
    let p = strategy.get("parameters")?.get("rollout")?;
    let n = match p {
        Value::String(s) => s.trim().parse::<u64>().ok()?,
        Value::Number(n) => n.as_u64()?,
        _ => return None,
    };
    u8::try_from(n).ok().filter(|n| *n <= 100)
}

/// `flexibleRollout 10%`, `default`, `userWithId (disabled)`, `… · 2 constraints`.
fn describe(strategy: &Value) -> String {
    let name = strategy
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("unnamed");
    let mut out = truncate(&sanitize(name), 40);
    if name == ROLLOUT_STRATEGY
        && let Some(p) = percent(strategy)
    {
        let _ = write!(out, " {p}%");
    }
    let constraints = strategy
        .get("constraints")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if constraints > 0 {
        let _ = write!(
            out,
            " · {constraints} constraint{}",
            if constraints == 1 { "" } else { "s" }
        );
    }
    if strategy.get("disabled").and_then(Value::as_bool) == Some(true) {
        out.push_str(" (disabled)");
    }
    out
}

/// The one call that performs `action` on the flag in the service's environment `their_env`.
pub fn call(api: &UnleashApi, state: &FlagState, their_env: &str, action: FlagAction) -> Call {
    let env_url = format!(
        "{}/environments/{}",
        feature_url(api, &state.flag),
        url_escape(their_env)
    );
    match action {
        FlagAction::On => Call::json("POST", format!("{env_url}/on"), None),
        FlagAction::Off => Call::json("POST", format!("{env_url}/off"), None),
        FlagAction::Rollout(p) => match &state.rollout_strategy {
            Some(id) => Call::json(
                "PATCH",
                format!("{env_url}/strategies/{}", url_escape(id)),
                Some(
                    json!([{"op": "replace", "path": "/parameters/rollout", "value": p.to_string()}])
                        .to_string(),
                ),
            ),
            None => Call::json(
                "POST",
                format!("{env_url}/strategies"),
                Some(
                    json!({
                        "name": ROLLOUT_STRATEGY,
                        "parameters": {
                            "rollout": p.to_string(),
                            "stickiness": "default",
                            "groupId": state.flag,
                        },
                    })
                    .to_string(),
                ),
            ),
        },
    }
}
