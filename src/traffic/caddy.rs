//! Caddy's admin API: the route with `@id` ROUTE holds a `reverse_proxy` handler whose
//! upstreams are the live slots' `dial` addresses. Caddy 2.6 has no weighted balancing, so a
//! slot either takes an equal share of the traffic or none, and a write moves all of it.

use std::collections::BTreeMap;
use std::time::Duration;

use super::RouterError;
use crate::domain::traffic::Weights;

fn client(timeout: Duration) -> Result<reqwest::Client, RouterError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| RouterError::Unreachable(e.to_string()))
}

fn route_url(admin: &str, route: &str) -> String {
    format!(
        "{}/id/{}",
        admin.trim_end_matches('/'),
        crate::domain::template::url_escape(route)
    )
}

/// The route's JSON and the index of its `reverse_proxy` handler.
async fn route(
    admin: &str,
    route: &str,
    timeout: Duration,
) -> Result<(serde_json::Value, usize), RouterError> {
    let url = route_url(admin, route);
    let resp = client(timeout)?
        .get(&url)
        .send()
        .await
        .map_err(|e| transport(&e, timeout))?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| transport(&e, timeout))?;
    if !status.is_success() {
        return Err(RouterError::Refused(format!(
            "GET {url}: HTTP {} {}",
            status.as_u16(),
            RouterError::text(&body)
        )));
    }
    let json: serde_json::Value = serde_json::from_str(&body).map_err(|_| {
        RouterError::Garbage(format!(
            "GET {url} did not answer JSON: {}",
            RouterError::text(&body)
        ))
    })?;
    let index = json
        .get("handle")
        .and_then(|h| h.as_array())
        .and_then(|h| {
            h.iter()
                .position(|x| x.get("handler").and_then(|n| n.as_str()) == Some("reverse_proxy"))
        })
        .ok_or_else(|| {
            RouterError::Garbage(format!("route `{route}` has no reverse_proxy handler"))
        })?;
    Ok((json, index))
}

pub(super) async fn read(
    admin: &str,
    route_id: &str,
    dials: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Weights, RouterError> {
    let (json, i) = route(admin, route_id, timeout).await?;
    let upstreams: Vec<String> = json["handle"][i]["upstreams"]
        .as_array()
        .map(|u| {
            u.iter()
                .filter_map(|x| x.get("dial").and_then(|d| d.as_str()).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let live: Vec<&String> = dials
        .keys()
        .filter(|s| upstreams.contains(&dials[*s]))
        .collect();
    let share = if live.is_empty() {
        0
    } else {
        100 / u32::try_from(live.len()).unwrap_or(1)
    };
    Ok(dials
        .keys()
        .map(|s| (s.clone(), if live.contains(&s) { share } else { 0 }))
        .collect())
}

/// The upstreams a write sets: every slot with traffic (Caddy shares equally among them).
fn upstreams(dials: &BTreeMap<String, String>, weights: &Weights) -> Vec<serde_json::Value> {
    dials
        .iter()
        .filter(|(s, _)| weights.get(*s).copied().unwrap_or(0) > 0)
        .map(|(_, d)| serde_json::json!({ "dial": d }))
        .collect()
}

pub(super) fn describe(
    admin: &str,
    route: &str,
    dials: &BTreeMap<String, String>,
    weights: &Weights,
) -> String {
    format!(
        "PATCH {}/handle/<reverse_proxy>/upstreams {}",
        route_url(admin, route),
        serde_json::Value::Array(upstreams(dials, weights))
    )
}

pub(super) async fn write(
    admin: &str,
    route_id: &str,
    dials: &BTreeMap<String, String>,
    weights: &Weights,
    timeout: Duration,
) -> Result<(), RouterError> {
    let shares: Vec<u32> = weights.values().copied().filter(|w| *w > 0).collect();
    if shares.windows(2).any(|p| p[0] != p[1]) {
        return Err(RouterError::Refused(
            "Caddy 2.6 has no weighted load balancing; it can only switch all traffic".into(),
        ));
    }
    let (_, i) = route(admin, route_id, timeout).await?;
    let url = format!("{}/handle/{i}/upstreams", route_url(admin, route_id));
    let body = serde_json::Value::Array(upstreams(dials, weights)).to_string();
    let resp = client(timeout)?
        .patch(&url)
        .header("Content-Type", "application/json")
        .body(body)
        .send()
        .await
        .map_err(|e| transport(&e, timeout))?;
    let status = resp.status();
    if status.is_success() {
        return Ok(());
    }
    let text = resp.text().await.unwrap_or_default();
    Err(RouterError::Refused(format!(
        "PATCH {url}: HTTP {} {}",
        status.as_u16(),
        RouterError::text(&text)
    )))
}

fn transport(e: &reqwest::Error, timeout: Duration) -> RouterError {
    if e.is_timeout() {
        RouterError::Slow(timeout)
    } else {
        RouterError::Unreachable(RouterError::text(&e.to_string()))
    }
}
