//! A command router: `read` prints the weights as JSON (a pointer per slot), `command` sets
//! them (argv, no shell, the deployers' templates plus `{{slot}} {{weight}} {{weights_json}}`).
//! Runs only in a trusted configuration.

use std::collections::BTreeMap;
use std::time::Duration;

use super::http::fill as fill_templates;
use super::{RouterError, weights_at};
use crate::deploy::{self, DeployRequest};
use crate::domain::config::{CommandDeployer, DeployerSpec};
use crate::domain::traffic::Weights;

pub(super) async fn read(
    argv: &[String],
    pointers: &BTreeMap<String, String>,
    timeout: Duration,
) -> Result<Weights, RouterError> {
    let ran = crate::probe::command::run(argv, timeout)
        .await
        .map_err(|(_, reason)| RouterError::Unreachable(reason))?;
    if ran.code != Some(0) {
        return Err(RouterError::Refused(format!(
            "the read command exited {}: {}",
            ran.code
                .map_or_else(|| "by a signal".to_string(), |c| c.to_string()),
            ran.stderr_line
        )));
    }
    let text = String::from_utf8_lossy(&ran.stdout);
    let doc: serde_json::Value = serde_json::from_str(text.trim()).map_err(|_| {
        RouterError::Garbage(format!(
            "the read command did not print JSON: {}",
            RouterError::text(&text)
        ))
    })?;
    weights_at(&doc, pointers)
}

fn deployer(argv: &[String], weights: &Weights, slot: &str, timeout: Duration) -> DeployerSpec {
    DeployerSpec::Command(CommandDeployer {
        argv: argv
            .iter()
            .map(|a| fill_templates(a, weights, slot, str::to_string))
            .collect(),
        timeout,
    })
}

pub(super) fn describe(
    argv: &[String],
    weights: &Weights,
    slot: &str,
    req: &DeployRequest,
) -> String {
    deploy::describe(&deployer(argv, weights, slot, Duration::from_secs(5)), req)
        .unwrap_or_else(|e| format!("cannot run: {e}"))
}

pub(super) async fn write(
    argv: &[String],
    weights: &Weights,
    slot: &str,
    req: &DeployRequest,
    timeout: Duration,
) -> Result<(), RouterError> {
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    match deploy::call(&deployer(argv, weights, slot, timeout), req, true, tx).await {
        Ok(_) => Ok(()),
        Err(deploy::DeployError::Timeout) => Err(RouterError::Slow(timeout)),
        Err(e) => Err(RouterError::Refused(e.to_string())),
    }
}
