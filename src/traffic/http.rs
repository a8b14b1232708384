//! A generic HTTP router: weights read from a JSON document (a pointer per slot), set by one
//! templated request through the deployers' HTTP machinery (auth from environment variables,
//! never retried, redirects not followed).

use std::collections::BTreeMap;
use std::time::Duration;

use super::{RouterError, weights_at};
use crate::deploy::{self, DeployRequest};
use crate::domain::config::{DeployerSpec, HttpDeployer};
use crate::domain::template::url_escape;
use crate::domain::traffic::{HttpWrite, Weights, weights_json, with_slot};

pub(super) async fn read(
    url: &str,
    pointers: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Weights, RouterError> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(timeout)
        .build()
        .map_err(|e| RouterError::Unreachable(e.to_string()))?;
    let resp = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            RouterError::Slow(timeout)
        } else {
            RouterError::Unreachable(RouterError::text(&e.to_string()))
        }
    })?;
    let status = resp.status();
    let body = resp
        .text()
        .await
        .map_err(|e| RouterError::Unreachable(RouterError::text(&e.to_string())))?;
    if !status.is_success() {
        return Err(RouterError::Refused(format!(
            "GET {url}: HTTP {} {}",
            status.as_u16(),
            RouterError::text(&body)
        )));
    }
    let doc: serde_json::Value = serde_json::from_str(&body).map_err(|_| {
        RouterError::Garbage(format!(
            "GET {url} did not answer JSON: {}",
            RouterError::text(&body)
        ))
    })?;
    weights_at(&doc, pointers)
}

/// `{{slot}}`, `{{weight}}` and `{{weights_json}}` filled in (`escape` applied to the JSON, the
/// only value that needs it); the deployment's own templates are the deployer's to expand.
pub(super) fn fill(
    text: &str,
    weights: &Weights,
    slot: &str,
    escape: impl Fn(&str) -> String,
) -> String {
    let weight = weights.get(slot).copied().unwrap_or(0).to_string();
    let mut out = with_slot(text, slot);
    for (name, value) in [
        ("weight", weight),
        ("weights_json", escape(&weights_json(weights))),
    ] {
        for form in [format!("{{{{{name}}}}}"), format!("{{{{ {name} }}}}")] {
            out = out.replace(&form, &value);
        }
    }
    out
}

fn deployer(write: &HttpWrite, weights: &Weights, slot: &str, timeout: Duration) -> DeployerSpec {
    DeployerSpec::Http(HttpDeployer {
        preset_webhook: false,
        method: write.method.clone(),
        url: fill(&write.url, weights, slot, url_escape),
        headers: write
            .headers
            .iter()
            .map(|(k, v)| (k.clone(), fill(v, weights, slot, str::to_string)))
            .collect(),
        body: Some(fill(&write.body, weights, slot, str::to_string)),
        auth: write.auth.clone(),
        sign_secret: None,
        success: Vec::new(),
        timeout,
    })
}

pub(super) fn describe(
    write: &HttpWrite,
    weights: &Weights,
    slot: &str,
    req: &DeployRequest,
) -> String {
    let spec = deployer(write, weights, slot, Duration::from_secs(5));
    let body = fill(&write.body, weights, slot, str::to_string);
    match deploy::describe(&spec, req) {
        Ok(line) => format!("{line} {body}"),
        Err(e) => format!("cannot call: {e}"),
    }
}

pub(super) async fn write(
    write: &HttpWrite,
    weights: &Weights,
    slot: &str,
    req: &DeployRequest,
    timeout: Duration,
) -> Result<(), RouterError> {
    let spec = deployer(write, weights, slot, timeout);
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    match deploy::call(&spec, req, true, tx).await {
        Ok(_) => Ok(()),
        Err(deploy::DeployError::Timeout) => Err(RouterError::Slow(timeout)),
        Err(deploy::DeployError::Transport(t)) if t.contains("timed out") => {
            Err(RouterError::Slow(timeout))
        }
        Err(deploy::DeployError::Transport(t)) => Err(RouterError::Unreachable(t)),
        Err(e) => Err(RouterError::Refused(e.to_string())),
    }
}
